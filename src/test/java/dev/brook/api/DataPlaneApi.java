package dev.brook.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The S2 v1 data plane as a client sees it, for the conformance tests: unique basins, streams,
 * appends, reads and check-tails, with every JSON reply checked for {@code Content-Type:
 * application/json}. Sequential requests go through REST Assured; concurrent ones and requests
 * whose headers must be exactly as given (no Content-Type at all) through the JDK's HTTP client.
 */
final class DataPlaneApi {

    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final long MIB = 1 << 20;
    /** u64::MAX as the query string carries it. */
    static final String U64_MAX = "18446744073709551615";

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30)).build();

    private DataPlaneApi() {}

    // ---------------------------------------------------------------- replies

    /** A reply: status, Content-Type and the exact body bytes. */
    record Reply(int status, String contentType, byte[] body) {

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The body as JSON; asserts the reply said it was JSON. */
        JsonNode json() {
            assertJsonContentType(this);
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("reply is not JSON: " + text(), e);
            }
        }

        @Override
        public String toString() {
            return status + " " + contentType + " " + (body.length > 500 ? text().substring(0, 500) + "..." : text());
        }
    }

    static Reply reply(Response r) {
        return new Reply(r.statusCode(), r.getHeader("Content-Type"), r.asByteArray());
    }

    static void assertJsonContentType(Reply r) {
        assertNotNull(r.contentType(), "no Content-Type on a JSON reply: " + r);
        String essence = r.contentType().split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        assertEquals("application/json", essence, "Content-Type of " + r);
    }

    /** A standard error body: exact status, exactly {code, message}, and the message when given. */
    static JsonNode assertError(Reply r, int status, String code, String message) {
        assertEquals(status, r.status(), () -> "status of " + r);
        JsonNode n = r.json();
        assertEquals(List.of("code", "message"), fieldNames(n), () -> "error body fields of " + r);
        assertEquals(code, n.get("code").asText(), () -> "code of " + r);
        assertTrue(n.get("message").isTextual(), () -> "message of " + r);
        if (message != null) {
            assertEquals(message, n.get("message").asText(), () -> "message of " + r);
        }
        return n;
    }

    static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        names.sort(null);
        return names;
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    // ---------------------------------------------------------------- names

    /** A fresh basin name: {@code tag} (lowercase, starting with a letter) plus a unique suffix, at most 48 chars. */
    static String uniqueBasin(String tag) {
        String suffix = Integer.toString(COUNTER.incrementAndGet(), 36) + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String t = tag.length() > 48 - 1 - suffix.length() ? tag.substring(0, 48 - 1 - suffix.length()) : tag;
        return t + "-" + suffix;
    }

    /** Strict percent-encoding of a path segment, as the SDKs do (everything but A-Za-z0-9-_.~). */
    static String enc(String segment) {
        StringBuilder b = new StringBuilder();
        for (byte x : segment.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~') {
                b.append(c);
            } else {
                b.append('%').append(String.format("%02X", x & 0xff));
            }
        }
        return b.toString();
    }

    static String recordsPath(String stream) {
        return "/v1/streams/" + enc(stream) + "/records";
    }

    static String tailPath(String stream) {
        return "/v1/streams/" + enc(stream) + "/records/tail";
    }

    // ---------------------------------------------------------------- control plane setup

    static RequestSpecification plain() {
        return given().urlEncodingEnabled(false).config(RestAssured.config()
                .encoderConfig(EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false)));
    }

    static RequestSpecification basinScoped(String basin) {
        return plain().header("s2-basin", basin);
    }

    /** Creates a basin; {@code configJson} is the BasinConfig object or null. */
    static String createBasin(String basin, String configJson) {
        String body = "{\"basin\":\"" + basin + "\"" + (configJson == null ? "" : ",\"config\":" + configJson) + "}";
        Reply r = reply(plain().contentType("application/json").body(body.getBytes(StandardCharsets.UTF_8)).post("/v1/basins"));
        assertEquals(201, r.status(), () -> "create basin " + basin + ": " + r);
        return basin;
    }

    static String newBasin(String tag) {
        return createBasin(uniqueBasin(tag), null);
    }

    static String newBasin(String tag, String configJson) {
        return createBasin(uniqueBasin(tag), configJson);
    }

    /** Creates a stream; {@code configJson} is the StreamConfig object or null. */
    static String createStream(String basin, String stream, String configJson) {
        ObjectNode body = NODES.objectNode().put("stream", stream);
        if (configJson != null) {
            body.set("config", parse(configJson));
        }
        Reply r = reply(basinScoped(basin).contentType("application/json").body(bytes(body)).post("/v1/streams"));
        assertEquals(201, r.status(), () -> "create stream " + stream + ": " + r);
        return stream;
    }

    static final String CLIENT_REQUIRE = "{\"timestamping\":{\"mode\":\"client-require\"}}";

    static Reply deleteStream(String basin, String stream) {
        return reply(basinScoped(basin).delete("/v1/streams/" + enc(stream)));
    }

    /** The basin's streams as listed (all pages are one page here: fewer than 1000). */
    static List<JsonNode> listStreams(String basin) {
        Reply r = reply(basinScoped(basin).get("/v1/streams"));
        assertEquals(200, r.status(), () -> "list streams: " + r);
        List<JsonNode> out = new ArrayList<>();
        r.json().get("streams").forEach(out::add);
        assertEquals(false, r.json().get("has_more").asBoolean());
        return out;
    }

    static List<String> streamNames(String basin) {
        return listStreams(basin).stream().map(n -> n.get("name").asText()).toList();
    }

    static Reply getBasin(String basin) {
        return reply(plain().get("/v1/basins/" + basin));
    }

    // ---------------------------------------------------------------- JSON bodies

    static byte[] bytes(JsonNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode rec(String body) {
        return NODES.objectNode().put("body", body);
    }

    static ObjectNode rec(String body, long timestamp) {
        return rec(body).put("timestamp", timestamp);
    }

    /** A record with headers given as name, value, name, value, ... */
    static ObjectNode recWithHeaders(String body, String... namesAndValues) {
        ObjectNode r = rec(body);
        ArrayNode hs = r.putArray("headers");
        for (int i = 0; i < namesAndValues.length; i += 2) {
            hs.addArray().add(namesAndValues[i]).add(namesAndValues[i + 1]);
        }
        return r;
    }

    static ObjectNode fence(String token) {
        return recWithHeaders(token, "", "fence");
    }

    static ObjectNode input(ObjectNode... records) {
        ObjectNode n = NODES.objectNode();
        ArrayNode a = n.putArray("records");
        for (ObjectNode r : records) {
            a.add(r);
        }
        return n;
    }

    static ObjectNode input(List<ObjectNode> records) {
        return input(records.toArray(ObjectNode[]::new));
    }

    static ObjectNode bodies(String... bodies) {
        ObjectNode n = NODES.objectNode();
        ArrayNode a = n.putArray("records");
        for (String b : bodies) {
            a.add(rec(b));
        }
        return n;
    }

    // ---------------------------------------------------------------- data plane

    static Reply append(String basin, String stream, JsonNode input) {
        return append(basin, stream, bytes(input), Map.of());
    }

    static Reply append(String basin, String stream, JsonNode input, Map<String, String> headers) {
        return append(basin, stream, bytes(input), headers);
    }

    static Reply append(String basin, String stream, byte[] body, Map<String, String> headers) {
        RequestSpecification s = basinScoped(basin).contentType("application/json").body(body);
        headers.forEach(s::header);
        return reply(s.post(recordsPath(stream)));
    }

    /** An append that must succeed: the ack, with its shape checked (§3.3, §6). */
    static JsonNode appendOk(String basin, String stream, JsonNode input) {
        return ackOf(append(basin, stream, input), input.get("records").size());
    }

    static JsonNode ackOf(Reply r, int batchSize) {
        assertEquals(200, r.status(), () -> "append: " + r);
        JsonNode ack = r.json();
        assertEquals(List.of("end", "start", "tail"), fieldNames(ack), () -> "ack fields: " + r);
        for (String f : List.of("start", "end", "tail")) {
            assertEquals(List.of("seq_num", "timestamp"), fieldNames(ack.get(f)), () -> f + " of " + r);
        }
        assertEquals(batchSize, seq(ack, "end") - seq(ack, "start"), () -> "end - start must be the batch size: " + r);
        assertTrue(seq(ack, "tail") >= seq(ack, "end"), () -> "tail >= end: " + r);
        return ack;
    }

    static long seq(JsonNode ack, String position) {
        return ack.get(position).get("seq_num").asLong();
    }

    static long ts(JsonNode ack, String position) {
        return ack.get(position).get("timestamp").asLong();
    }

    /** Appends the bodies as one batch. */
    static JsonNode appendBodies(String basin, String stream, String... bodies) {
        return appendOk(basin, stream, bodies(bodies));
    }

    static Reply read(String basin, String stream, String query) {
        return reply(basinScoped(basin).get(recordsPath(stream) + (query == null || query.isEmpty() ? "" : "?" + query)));
    }

    static Reply read(String basin, String stream, String query, Map<String, String> headers) {
        RequestSpecification s = basinScoped(basin);
        headers.forEach(s::header);
        return reply(s.get(recordsPath(stream) + (query == null || query.isEmpty() ? "" : "?" + query)));
    }

    /** A read that must succeed: the ReadBatch's records, checking the batch and record shapes (§5.2). */
    static List<JsonNode> readOk(String basin, String stream, String query) {
        return recordsOf(read(basin, stream, query));
    }

    static List<JsonNode> recordsOf(Reply r) {
        assertEquals(200, r.status(), () -> "read: " + r);
        JsonNode batch = r.json();
        assertTrue(batch.get("records") != null && batch.get("records").isArray(), () -> "records array: " + r);
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode rec : batch.get("records")) {
            assertTrue(rec.get("seq_num").isIntegralNumber() && rec.get("timestamp").isIntegralNumber(), () -> "record: " + r);
            for (String f : fieldNames(rec)) {
                assertTrue(List.of("seq_num", "timestamp", "headers", "body").contains(f), () -> "unexpected field " + f + ": " + r);
            }
            if (rec.has("headers")) {
                assertTrue(rec.get("headers").size() > 0, () -> "empty headers must be omitted: " + r);
            }
            if (rec.has("body")) {
                assertTrue(!rec.get("body").asText().isEmpty(), () -> "an empty body must be omitted: " + r);
            }
            out.add(rec);
        }
        return out;
    }

    /** A catch-up read (no waiting) that must succeed; the batch must not carry a tail (§7.3). */
    static List<JsonNode> readCatchUp(String basin, String stream, String query) {
        Reply r = read(basin, stream, query);
        List<JsonNode> records = recordsOf(r);
        assertTrue(!r.json().has("tail"), () -> "a catch-up read has no tail: " + r);
        return records;
    }

    static List<String> bodiesOf(List<JsonNode> records) {
        return records.stream().map(r -> r.has("body") ? r.get("body").asText() : "").toList();
    }

    static List<Long> seqsOf(List<JsonNode> records) {
        return records.stream().map(r -> r.get("seq_num").asLong()).toList();
    }

    static List<Long> timestampsOf(List<JsonNode> records) {
        return records.stream().map(r -> r.get("timestamp").asLong()).toList();
    }

    static Reply checkTail(String basin, String stream) {
        return reply(basinScoped(basin).get(tailPath(stream)));
    }

    /** Check-tail that must succeed: {seq_num, timestamp}. */
    static long[] tail(String basin, String stream) {
        Reply r = checkTail(basin, stream);
        assertEquals(200, r.status(), () -> "check-tail: " + r);
        JsonNode n = r.json();
        assertEquals(List.of("tail"), fieldNames(n), () -> "check-tail fields: " + r);
        assertEquals(List.of("seq_num", "timestamp"), fieldNames(n.get("tail")), () -> "check-tail fields: " + r);
        return new long[] {n.get("tail").get("seq_num").asLong(), n.get("tail").get("timestamp").asLong()};
    }

    static void assertTail(String basin, String stream, long seqNum, long timestamp) {
        long[] t = tail(basin, stream);
        assertEquals(seqNum, t[0], "tail.seq_num");
        assertEquals(timestamp, t[1], "tail.timestamp");
    }

    /** A 416 with exactly {"tail":{"seq_num":s,"timestamp":t}}. */
    static void assert416(Reply r, long seqNum, long timestamp) {
        assertEquals(416, r.status(), () -> "expected 416: " + r);
        JsonNode n = r.json();
        assertEquals(parse("{\"tail\":{\"seq_num\":" + seqNum + ",\"timestamp\":" + timestamp + "}}"), n, () -> "416 body: " + r);
    }

    // ---------------------------------------------------------------- raw HTTP (exact headers; thread-safe)

    static Reply raw(String method, String path, Map<String, String> headers, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + path))
                .timeout(Duration.ofSeconds(120))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        try {
            HttpResponse<byte[]> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(r.statusCode(), r.headers().firstValue("content-type").orElse(null), r.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " " + path, e);
        }
    }

    static Reply rawAppend(String basin, String stream, JsonNode input) {
        return raw("POST", recordsPath(stream), Map.of("s2-basin", basin, "content-type", "application/json"), bytes(input));
    }

    static Reply rawRead(String basin, String stream, String query) {
        return raw("GET", recordsPath(stream) + "?" + query, Map.of("s2-basin", basin), null);
    }

    /**
     * Runs {@code n} tasks at once: each waits on a barrier shared by all, then runs. Returns the
     * results in task order. The timeout only keeps a deadlocked server from hanging the build.
     */
    static <T> List<T> concurrently(int n, IntFunction<T> task) {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CyclicBarrier barrier = new CyclicBarrier(n);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    barrier.await(60, TimeUnit.SECONDS);
                    return task.apply(index);
                }));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get(120, TimeUnit.SECONDS));
            }
            return out;
        } catch (Exception e) {
            return fail("concurrent task failed", e);
        } finally {
            pool.shutdownNow();
        }
    }
}
