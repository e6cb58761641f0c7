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
import java.net.SocketTimeoutException;
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
 * Brook's public HTTP API (S2 v1; docs/CLI.md), as the CLI calls it: JSON over HTTP/1.1, one connection
 * a request ({@link DuplexHttp}: the JDK's client costs a CLI start more than the request), {@code Authorization: Bearer} from {@code S2_ACCESS_TOKEN}, the basin in {@code s2-basin} (or
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
    public HttpApi(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
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
        Map<String, String> headers = new LinkedHashMap<>(target.headers());
        headers.putAll(call.headers);
        config.compression().ifPresent(c -> headers.put("accept-encoding", c));
        byte[] body = new byte[0];
        if (call.body.isPresent()) {
            try {
                body = JSON.writeValueAsBytes(call.body.get());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            headers.put("content-type", "application/json");
            if (config.compression().isPresent() && body.length >= 1024) {
                body = compress(config.compression().get(), body);
                headers.put("content-encoding", config.compression().get());
            }
        }
        CliException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (attempt > 1) {
                backoff(attempt);
            }
            int status;
            byte[] bytes;
            String encoding;
            DuplexHttp http;
            try {
                http = DuplexHttp.open(target.uri(), call.method, headers, body, (int) REQUEST_TIMEOUT.toMillis());
            } catch (IOException e) {
                last = CliException.op(call.op, "connect: " + describe(e, target.uri()));
                continue; // nothing was sent
            }
            try {
                http.readHead();
                status = http.status();
                bytes = http.body().readAllBytes();
                encoding = http.header("content-encoding");
            } catch (SocketTimeoutException e) {
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
            } finally {
                http.close();
            }
            JsonNode json = parseBody(call.op, status, encoding, bytes);
            Response r = new Response(status, Map.of(), json);
            if (r.status / 100 != 2 && attempt < ATTEMPTS) {
                String code = json.path("code").asText("");
                if (RETRY_NO_SIDE_EFFECT.contains(code)
                        || (RETRY_MAYBE_SIDE_EFFECT.contains(code) && call.idempotence == Idempotence.IDEMPOTENT)) {
                    last = error(call.op, r.status, json);
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

    private static JsonNode parseBody(String op, int status, String encoding, byte[] raw) {
        byte[] bytes = raw;
        try {
            if (encoding != null) {
                bytes = decompress(encoding, bytes);
            }
            if (bytes.length == 0) {
                return NullNode.getInstance();
            }
            return JSON.readTree(bytes);
        } catch (IOException e) {
            if (status / 100 != 2) {
                return JSON.createObjectNode().put("code", "other")
                        .put("message", "HTTP " + status + ": " + new String(bytes, StandardCharsets.UTF_8).strip());
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
