package dev.brook.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The run the {@code ./brook} launcher records its class-data-sharing archive from
 * ({@code -XX:ArchiveClassesAtExit}; docs/CLI.md, "Start-up"): the unary commands against a canned
 * loopback server, so the archive holds the classes every start needs (picocli, the JDK's HTTP
 * client, Jackson, the commands) whatever command happens to run first. It prints nothing.
 */
public final class CdsTraining {

    private CdsTraining() {}

    public static void main(String... args) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String body;
            int status = 200;
            if (path.endsWith("/records/tail")) {
                body = "{\"tail\":{\"seq_num\":1,\"timestamp\":1}}";
            } else if (path.equals("/v1/basins")) {
                body = "{\"basins\":[{\"name\":\"training-basin\",\"location\":null,\"created_at\":\"2026-01-01T00:00:00Z\","
                        + "\"deleted_at\":null,\"state\":\"active\"}],\"has_more\":false}";
            } else if (path.equals("/v1/streams")) {
                body = "{\"streams\":[{\"name\":\"s\",\"created_at\":\"2026-01-01T00:00:00Z\",\"deleted_at\":null,\"cipher\":null}],"
                        + "\"has_more\":false}";
            } else if (path.startsWith("/v1/streams/")) {
                body = "{\"storage_class\":\"express\",\"retention_policy\":{\"age\":604800},"
                        + "\"timestamping\":{\"mode\":\"client-prefer\",\"uncapped\":false},\"delete_on_empty\":{\"min_age_secs\":0}}";
            } else {
                status = 404;
                body = "{\"code\":\"not_found\",\"message\":\"no such route\"}";
            }
            exchange.getRequestBody().readAllBytes();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("content-type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        try {
            String endpoint = "http://127.0.0.1:" + server.getAddress().getPort();
            Map<String, String> env = Map.of("S2_ACCOUNT_ENDPOINT", endpoint, "S2_BASIN_ENDPOINT", endpoint, "S2_ACCESS_TOKEN", "training");
            PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
            for (String[] command : new String[][] {
                {"check-tail", "s2://training-basin/s"}, {"list-basins"}, {"ls", "training-basin"},
                {"get-stream-config", "training-basin/s"}, {"get-basin-config", "training-basin"}, {"--help"}, {"read", "--help"},
                {"append", "--help"}}) {
                BrookCli.run(new BrookCli.Context(env, new ByteArrayInputStream(new byte[0]), quiet, quiet, new Formats.Style(false)), command);
            }
        } finally {
            server.stop(0);
        }
    }
}
