package dev.brook.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Brook's public HTTP API (S2 v1; docs/CLI.md), as the CLI calls it: JSON over HTTP/1.1 with the JDK's
 * client, {@code Authorization: Bearer} from {@code S2_ACCESS_TOKEN}, the basin in {@code s2-basin} (or
 * in the host name), bodies compressed as {@code S2_COMPRESSION} asks. Failures become
 * {@link CliException}s with S2's code and message. Requests that cannot have had an effect, or that
 * are idempotent, are retried a few times on transient failures, as S2's SDK does.
 */
public final class HttpApi {

    public static final ObjectMapper JSON = new ObjectMapper();
    static final int ATTEMPTS = 3;
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** Codes S2 marks retryable and side-effect free (spec §1.8). */
    static final Set<String> RETRY_NO_SIDE_EFFECT = Set.of("rate_limited", "transaction_conflict", "hot_server", "server_draining");
    /** Codes S2 marks retryable whose request may have had an effect. */
    static final Set<String> RETRY_MAYBE_SIDE_EFFECT = Set.of("request_timeout", "other", "storage", "unavailable", "upstream_timeout");

    private final Config config;
    private HttpClient client;

    public HttpApi(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
    }

    synchronized HttpClient client() {
        if (client == null) {
            client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build();
        }
        return client;
    }

    /** A response: status, headers (lower-case names) and the body as JSON ({@code null} node when empty). */
    public record Response(int status, Map<String, List<String>> headers, JsonNode body) {

        public Optional<String> header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }
    }

    /** Whether a request may be resent after a failure that could have followed its effect. */
    public enum Idempotence {
        /** Reads, deletes, reconfigurations and creates carrying a request token. */
        IDEMPOTENT,
        /** Appends: resent only when the failure guarantees nothing happened. */
        NOT_IDEMPOTENT
    }

    /** One request to build. */
    public static final class Call {
        final String op;
        final String method;
        final String path;
        final Map<String, String> query = new LinkedHashMap<>();
        final Map<String, String> headers = new LinkedHashMap<>();
        Optional<JsonNode> body = Optional.empty();
        Optional<String> basin = Optional.empty();
        Idempotence idempotence;

        private Call(String op, String method, String path) {
            this.op = op;
            this.method = method;
            this.path = path;
            this.idempotence = method.equals("POST") ? Idempotence.NOT_IDEMPOTENT : Idempotence.IDEMPOTENT;
        }

        public Call query(String name, Object value) {
            if (value != null) {
                query.put(name, value.toString());
            }
            return this;
        }

        public Call header(String name, String value) {
            if (value != null) {
                headers.put(name, value);
            }
            return this;
        }

        public Call body(JsonNode json) {
            body = Optional.of(json);
            return this;
        }

        public Call basin(String name) {
            basin = Optional.of(name);
            return this;
        }

        public Call idempotence(Idempotence i) {
            idempotence = i;
            return this;
        }

        /** A create with S2's idempotency header, so a retry after a lost answer is a no-op. */
        public Call requestToken() {
            headers.put("s2-request-token", UUID.randomUUID().toString().replace("-", ""));
            idempotence = Idempotence.IDEMPOTENT;
            return this;
        }
    }

    public static Call call(String op, String method, String path) {
        return new Call(op, method, path);
    }

    /** {@code /v1/streams/{name}} with the name percent-encoded as the SDKs do (spec §1.9). */
    public static String streamPath(String stream) {
        return "/v1/streams/" + encodeSegment(stream);
    }

    public static String encodeSegment(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** The URI and headers a request to this path needs (also used by the session transports). */
    public record Target(URI uri, Map<String, String> headers) {}

    public Target target(Optional<String> basin, String pathAndQuery) {
        Map<String, String> headers = new LinkedHashMap<>();
        URI root;
        if (basin.isPresent()) {
            Config.BasinEndpoint endpoint = config.basin(basin.get());
            root = endpoint.root();
            if (endpoint.basinHeader()) {
                headers.put("s2-basin", basin.get());
            }
        } else {
            root = config.accountEndpoint();
        }
        config.accessToken().ifPresent(t -> headers.put("authorization", "Bearer " + t));
        String base = root.toString();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return new Target(URI.create(base + pathAndQuery), headers);
    }

    static String queryString(Map<String, String> query) {
        if (query.isEmpty()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        query.forEach((k, v) -> parts.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20")));
        return "?" + String.join("&", parts);
    }

    /** Sends a call; a non-2xx answer becomes a {@link CliException} for {@code call.op}. */
    public Response send(Call call) {
        Response r = exchange(call);
        if (r.status / 100 != 2) {
            throw error(call.op, r.status, r.body);
        }
        return r;
    }

    /** Sends a call and returns any answer, 2xx or not; retries transient failures as its idempotence allows. */
    public Response exchange(Call call) {
        Target target = target(call.basin, call.path + queryString(call.query));
        CliException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (attempt > 1) {
                backoff(attempt);
            }
            HttpRequest request = build(call, target);
            HttpResponse<byte[]> response;
            try {
                response = client().send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (HttpConnectTimeoutException | ConnectException e) {
                last = CliException.op(call.op, "connect: " + describe(e, target.uri()));
                continue; // nothing was sent
            } catch (HttpTimeoutException e) {
                last = CliException.op(call.op, "timeout");
                if (call.idempotence == Idempotence.IDEMPOTENT) {
                    continue;
                }
                throw last;
            } catch (IOException e) {
                last = CliException.op(call.op, "connection closed early: " + describe(e, target.uri()));
                if (call.idempotence == Idempotence.IDEMPOTENT) {
                    continue;
                }
                throw last;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw CliException.op(call.op, "interrupted");
            }
            JsonNode body = parseBody(call.op, response);
            Response r = new Response(response.statusCode(), response.headers().map(), body);
            if (r.status / 100 != 2 && attempt < ATTEMPTS) {
                String code = body.path("code").asText("");
                if (RETRY_NO_SIDE_EFFECT.contains(code)
                        || (RETRY_MAYBE_SIDE_EFFECT.contains(code) && call.idempotence == Idempotence.IDEMPOTENT)) {
                    last = error(call.op, r.status, body);
                    continue;
                }
            }
            return r;
        }
        throw last;
    }

    static String describe(Exception e, URI uri) {
        String m = e.getMessage();
        if (e instanceof ConnectException && (m == null || m.isBlank())) {
            m = "Connection refused";
        }
        return (m == null ? e.getClass().getSimpleName() : m) + " (" + uri.getScheme() + "://" + uri.getAuthority() + ")";
    }

    private static void backoff(int attempt) {
        try {
            Thread.sleep(100L << (attempt - 2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private HttpRequest build(Call call, Target target) {
        HttpRequest.Builder b = HttpRequest.newBuilder(target.uri()).timeout(REQUEST_TIMEOUT);
        target.headers().forEach(b::header);
        call.headers.forEach(b::header);
        config.compression().ifPresent(c -> b.header("accept-encoding", c));
        HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.noBody();
        if (call.body.isPresent()) {
            byte[] bytes;
            try {
                bytes = JSON.writeValueAsBytes(call.body.get());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            b.header("content-type", "application/json");
            if (config.compression().isPresent() && bytes.length >= 1024) {
                bytes = compress(config.compression().get(), bytes);
                b.header("content-encoding", config.compression().get());
            }
            publisher = HttpRequest.BodyPublishers.ofByteArray(bytes);
        }
        return b.method(call.method, publisher).build();
    }

    static byte[] compress(String encoding, byte[] bytes) {
        if (encoding.equals("zstd")) {
            ZstdCompressor z = new ZstdCompressor();
            byte[] out = new byte[z.maxCompressedLength(bytes.length)];
            int n = z.compress(bytes, 0, bytes.length, out, 0, out.length);
            return Arrays.copyOf(out, n);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] decompress(String encoding, byte[] bytes) throws IOException {
        InputStream in = switch (encoding.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "gzip" -> new GZIPInputStream(new ByteArrayInputStream(bytes));
            case "zstd" -> new ZstdInputStream(new ByteArrayInputStream(bytes));
            default -> new ByteArrayInputStream(bytes);
        };
        try (in) {
            return in.readAllBytes();
        }
    }

    private static JsonNode parseBody(String op, HttpResponse<byte[]> response) {
        byte[] bytes = response.body();
        try {
            Optional<String> encoding = response.headers().firstValue("content-encoding");
            if (encoding.isPresent()) {
                bytes = decompress(encoding.get(), bytes);
            }
            if (bytes.length == 0) {
                return NullNode.getInstance();
            }
            return JSON.readTree(bytes);
        } catch (IOException e) {
            if (response.statusCode() / 100 != 2) {
                return JSON.createObjectNode().put("code", "other")
                        .put("message", "HTTP " + response.statusCode() + ": " + new String(bytes, StandardCharsets.UTF_8).strip());
            }
            throw CliException.op(op, "response decode: " + e.getMessage());
        }
    }

    /** S2's error for an answer: the code and message, or the 412 and 416 bodies as S2's SDK words them. */
    public static CliException error(String op, int status, JsonNode body) {
        if (status == 412 && body.has("seq_num_mismatch")) {
            return CliException.op(op, "sequence number mismatch, expected: " + body.get("seq_num_mismatch").asLong())
                    .withCode("seq_num_mismatch");
        }
        if (status == 412 && body.has("fencing_token_mismatch")) {
            return CliException.op(op, "fencing token mismatch, expected: " + body.get("fencing_token_mismatch").asText())
                    .withCode("fencing_token_mismatch");
        }
        if (status == 416 && body.has("tail")) {
            JsonNode tail = body.get("tail");
            return CliException.op(op, "read from an unwritten position. current tail: "
                    + Formats.position(tail.path("seq_num").asLong(), tail.path("timestamp").asLong())).withCode("range_not_satisfiable");
        }
        if (body.hasNonNull("code")) {
            return CliException.server(op, body.get("code").asText(), body.path("message").asText(""));
        }
        return CliException.op(op, "HTTP " + status);
    }
}
