package dev.brook.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.testing.S3ProxyProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged server started the way the README starts it, with nothing but the environment:
 * the embedded default answers /health, and every unusable store stops it with one line.
 */
class BrookProcessIT {

    static final Path RUNNER = Path.of(System.getProperty("brook.runner.jar", "target/quarkus-app/quarkus-run.jar")).toAbsolutePath();
    static final long START_TIMEOUT_S = 60;

    private static ProcessBuilder brook(Path workDir, Map<String, String> env) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-jar", RUNNER.toString()).directory(workDir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("BROOK_") || k.startsWith("AWS_") || k.startsWith("QUARKUS_"));
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(S3ProxyProcess.freePort()));
        pb.environment().putAll(env);
        return pb;
    }

    @Test
    void withNothingConfiguredItRunsOnLocalDiskAndAnswersHealth() throws Exception {
        Path workDir = Files.createTempDirectory("brook-run-");
        ProcessBuilder pb = brook(workDir, Map.of()).redirectErrorStream(true);
        String port = pb.environment().get("QUARKUS_HTTP_PORT");
        Process brook = pb.start();
        try {
            CompletableFuture<Void> ready = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(brook.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = out.readLine()) != null) {
                        if (line.contains("brook ready: function all, store file:" + workDir.toRealPath().resolve("brook-data"))) {
                            ready.complete(null);
                        }
                    }
                    ready.completeExceptionally(new AssertionError("brook exited before it was ready"));
                } catch (Exception e) {
                    ready.completeExceptionally(e);
                }
            });
            reader.setDaemon(true);
            reader.start();
            ready.get(START_TIMEOUT_S, TimeUnit.SECONDS);

            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());
            assertTrue(health.body().contains("\"status\": \"UP\""), health.body());
            assertTrue(Files.isRegularFile(workDir.resolve("brook-data/objects/_brook/store@")), "the store marker is on local disk");
        } finally {
            brook.destroy();
            assertTrue(brook.waitFor(30, TimeUnit.SECONDS), "brook stops on SIGTERM");
        }
    }

    @Test
    void unusableStoresStopItWithOneLineAndExitCode2() throws Exception {
        Path workDir = Files.createTempDirectory("brook-bad-");
        Path plainFile = Files.writeString(workDir.resolve("not-a-dir"), "x");
        S3ProxyProcess s3 = S3ProxyProcess.shared();
        Map<String, String> creds = Map.of("AWS_ACCESS_KEY_ID", S3ProxyProcess.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", S3ProxyProcess.SECRET_KEY, "AWS_REGION", S3ProxyProcess.REGION);
        record Case(Map<String, String> env, String line) {}
        List<Case> cases = List.of(
                new Case(Map.of("BROOK_STORE", "nope"),
                        "brook: cannot start: BROOK_STORE `nope` is not valid: expected file:<dir>, memory: or s3://<bucket>/<prefix>"),
                new Case(Map.of("BROOK_STORE", "file:" + plainFile),
                        "brook: cannot start: `" + plainFile + "` exists and is not a directory"),
                new Case(with(creds, "BROOK_STORE", "s3://missing-bucket/p", "AWS_ENDPOINT_URL_S3", s3.endpoint().toString()),
                        "brook: cannot start: s3://missing-bucket/p at " + s3.endpoint() + ": put-if-absent `_brook/store` failed: "
                                + "bucket `missing-bucket` does not exist"),
                new Case(with(creds, "BROOK_STORE", "s3://bucket/p", "AWS_ENDPOINT_URL_S3", "http://127.0.0.1:" + S3ProxyProcess.freePort()),
                        "brook: cannot start: store unreachable: s3://bucket/p at http://127.0.0.1:"),
                new Case(Map.of("BROOK_STORE", "s3://bucket/p", "AWS_ENDPOINT_URL_S3", "localhost:9000"),
                        "brook: cannot start: S3 endpoint `localhost:9000` is not an http(s) URL"));
        for (Case c : cases) {
            Process brook = brook(workDir, c.env).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String stderr = new String(brook.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(brook.waitFor(START_TIMEOUT_S, TimeUnit.SECONDS));
            assertEquals(BrookMain.EXIT_STORE_UNUSABLE, brook.exitValue(), c.env + ": " + stderr);
            List<String> lines = stderr.lines().toList();
            assertEquals(1, lines.size(), "exactly one line on stderr, no stack trace: " + stderr);
            assertTrue(lines.get(0).startsWith(c.line), "expected `" + c.line + "` but got `" + lines.get(0) + "`");
        }
    }

    private static Map<String, String> with(Map<String, String> base, String... pairs) {
        Map<String, String> m = new java.util.HashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
