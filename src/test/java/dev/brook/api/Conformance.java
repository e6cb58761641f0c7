package dev.brook.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * What the HTTP conformance tests share: unique names, requests as an S2 SDK sends them, and the
 * assertions every reply needs (status, JSON content type, S2 error bodies, info objects).
 */
final class Conformance {

    /**
     * The conformance classes run with a deletion grace far longer than any test: "being deleted"
     * must hold for the whole test without depending on how fast the machine is; cleanup is run
     * explicitly through the Janitor where a test needs it.
     */
    public static final class LongDeletionGrace implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("brook.deletion.grace-ms", "3600000");
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();

    /** Random per class loading, so names never meet names of an earlier test run on the same store. */
    private static final String RUN = Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36, 36 * 36 * 36 * 36), 36);
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Pattern RFC3339_UTC = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z");

    private Conformance() {}

    // ---------------------------------------------------------------- names

    /** A basin name unique in this run: {@code tag-run-n}, 8..48 chars of [a-z0-9-]. */
    static String basin(String tag) {
        String name = tag + "-" + RUN + "-" + COUNTER.incrementAndGet();
        if (name.length() > 48) {
            throw new IllegalArgumentException("tag too long: " + tag);
        }
        return name;
    }

    /** A basin-name prefix unique in this run, for listings that must see only their own basins. */
    static String basinPrefix(String tag) {
        return basin(tag) + "-";
    }

    /** Percent-encodes a path segment or query value the way S2 SDKs do: everything but A-Za-z0-9-_.~ */
    static String enc(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'
                    || c == '~') {
                b.append((char) c);
            } else {
                b.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return b.toString();
    }

    /** JSON written with single quotes for readability. */
    static String j(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    // ---------------------------------------------------------------- requests

    /** A request whose path and query are sent exactly as written (already percent-encoded). */
    static RequestSpecification api() {
        return given().urlEncodingEnabled(false);
    }

    static RequestSpecification withJson(String body) {
        return api().contentType("application/json").body(body);
    }

    static RequestSpecification inBasin(String basin) {
        return api().header("s2-basin", basin);
    }

    static RequestSpecification inBasin(String basin, String jsonBody) {
        return inBasin(basin).contentType("application/json").body(jsonBody);
    }

    static Response createBasin(String basin, String configJson, String token) {
        RequestSpecification r = withJson("{\"basin\":\"" + basin + "\"" + (configJson == null ? "" : ",\"config\":" + configJson) + "}");
        if (token != null) {
            r = r.header("s2-request-token", token);
        }
        return r.post("/v1/basins");
    }

    /** Creates a basin that must not exist yet; returns its name. */
    static String newBasin(String tag, String configJson) {
        String b = basin(tag);
        Response r = createBasin(b, configJson, null);
        assertEquals(201, r.statusCode(), () -> "creating basin " + b + ": " + r.asString());
        return b;
    }

    static Response ensureBasin(String basin, String bodyJson) {
        return bodyJson == null ? api().put("/v1/basins/" + basin) : withJson(bodyJson).put("/v1/basins/" + basin);
    }

    static Response patchBasin(String basin, String bodyJson) {
        return withJson(bodyJson).patch("/v1/basins/" + basin);
    }

    static Response basinConfig(String basin) {
        return api().get("/v1/basins/" + basin);
    }

    static Response deleteBasin(String basin) {
        return api().delete("/v1/basins/" + basin);
    }

    static Response listBasins(String query) {
        return api().get("/v1/basins" + (query.isEmpty() ? "" : "?" + query));
    }

    static Response createStream(String basin, String stream, String configJson, String token) {
        String body = "{\"stream\":" + JSON.valueToTree(stream) + (configJson == null ? "" : ",\"config\":" + configJson) + "}";
        RequestSpecification r = inBasin(basin, body);
        if (token != null) {
            r = r.header("s2-request-token", token);
        }
        return r.post("/v1/streams");
    }

    /** Creates a stream that must not exist yet. */
    static void newStream(String basin, String stream, String configJson) {
        Response r = createStream(basin, stream, configJson, null);
        assertEquals(201, r.statusCode(), () -> "creating stream " + stream + ": " + r.asString());
    }

    static Response ensureStream(String basin, String stream, String bodyJson) {
        return bodyJson == null ? inBasin(basin).put("/v1/streams/" + enc(stream))
                : inBasin(basin, bodyJson).put("/v1/streams/" + enc(stream));
    }

    static Response patchStream(String basin, String stream, String bodyJson) {
        return inBasin(basin, bodyJson).patch("/v1/streams/" + enc(stream));
    }

    static Response streamConfig(String basin, String stream) {
        return inBasin(basin).get("/v1/streams/" + enc(stream));
    }

    static Response deleteStream(String basin, String stream) {
        return inBasin(basin).delete("/v1/streams/" + enc(stream));
    }

    static Response listStreams(String basin, String query) {
        return inBasin(basin).get("/v1/streams" + (query.isEmpty() ? "" : "?" + query));
    }

    static Response append(String basin, String stream, String bodyJson) {
        return inBasin(basin, bodyJson).post("/v1/streams/" + enc(stream) + "/records");
    }

    static Response checkTail(String basin, String stream) {
        return inBasin(basin).get("/v1/streams/" + enc(stream) + "/records/tail");
    }

    static Response read(String basin, String stream, String query) {
        return inBasin(basin).get("/v1/streams/" + enc(stream) + "/records?" + query);
    }

    // ---------------------------------------------------------------- assertions

    static JsonNode parse(Response r) {
        try {
            return JSON.readTree(r.asByteArray());
        } catch (IOException e) {
            return fail("not JSON: " + r.asString(), e);
        }
    }

    static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    static void assertJsonContentType(Response r) {
        String ct = r.getHeader("Content-Type");
        assertNotNull(ct, () -> "no Content-Type on " + r.statusCode() + " " + r.asString());
        assertEquals("application/json", ct.split(";")[0].trim().toLowerCase(Locale.ROOT), "Content-Type");
    }

    /** A JSON reply with this status; its body. */
    static JsonNode json(Response r, int status) {
        assertEquals(status, r.statusCode(), () -> "status; body: " + r.asString());
        assertJsonContentType(r);
        return parse(r);
    }

    /** A create/ensure reply: status, {@code s2-provision-result}, JSON body. */
    static JsonNode provisioned(Response r, int status, String result) {
        JsonNode body = json(r, status);
        assertEquals(result, r.getHeader("s2-provision-result"), "s2-provision-result");
        return body;
    }

    /** An S2 error: status, JSON content type, {@code {"code","message"}}, and the message when the spec gives one. */
    static JsonNode assertError(Response r, int status, String code, String message) {
        JsonNode body = json(r, status);
        assertTrue(body.isObject(), () -> "error body is not an object: " + body);
        assertEquals(code, body.path("code").asText(null), () -> "code; body: " + body);
        assertTrue(body.path("message").isTextual() && !body.path("message").asText().isEmpty(), () -> "message; body: " + body);
        if (message != null) {
            assertEquals(message, body.path("message").asText(), "message");
        }
        return body;
    }

    static JsonNode assertError(Response r, int status, String code) {
        return assertError(r, status, code, null);
    }

    /** 202 with an empty body. */
    static void assertAccepted(Response r) {
        assertEquals(202, r.statusCode(), () -> "status; body: " + r.asString());
        assertEquals("", r.asString(), "202 body");
    }

    static void assertJsonEquals(String expectedJson, JsonNode actual) {
        assertEquals(tree(expectedJson), actual, () -> "expected " + expectedJson + "\n  actual " + actual);
    }

    /** An RFC 3339 UTC timestamp not in the future; the instant. */
    static Instant assertTimestamp(JsonNode n, String what) {
        assertTrue(n.isTextual(), () -> what + " is not a string: " + n);
        assertTrue(RFC3339_UTC.matcher(n.asText()).matches(), () -> what + " is not RFC 3339 UTC: " + n);
        Instant t = Instant.parse(n.asText());
        assertFalse(t.isAfter(Instant.now()), () -> what + " is in the future: " + n);
        return t;
    }

    /** BasinInfo (spec §3.1): name, location null, created_at, deleted_at, state. */
    static void assertBasinInfo(JsonNode info, String name, boolean deleting) {
        assertEquals(name, info.path("name").asText(null), () -> "name in " + info);
        assertTrue(info.has("location") && info.get("location").isNull(), () -> "location must be null: " + info);
        Instant created = assertTimestamp(info.path("created_at"), "created_at");
        if (deleting) {
            Instant deleted = assertTimestamp(info.path("deleted_at"), "deleted_at");
            assertFalse(deleted.isBefore(created), () -> "deleted_at before created_at: " + info);
            assertEquals("deleting", info.path("state").asText(null), () -> "state in " + info);
        } else {
            assertTrue(info.has("deleted_at") && info.get("deleted_at").isNull(), () -> "deleted_at must be null: " + info);
            assertEquals("active", info.path("state").asText(null), () -> "state in " + info);
        }
    }

    /** StreamInfo (spec §3.2): name, created_at, deleted_at, cipher. */
    static void assertStreamInfo(JsonNode info, String name, String cipher, boolean deleting) {
        assertEquals(name, info.path("name").asText(null), () -> "name in " + info);
        Instant created = assertTimestamp(info.path("created_at"), "created_at");
        if (deleting) {
            Instant deleted = assertTimestamp(info.path("deleted_at"), "deleted_at");
            assertFalse(deleted.isBefore(created), () -> "deleted_at before created_at: " + info);
        } else {
            assertTrue(info.has("deleted_at") && info.get("deleted_at").isNull(), () -> "deleted_at must be null: " + info);
        }
        assertTrue(info.has("cipher"), () -> "cipher missing: " + info);
        if (cipher == null) {
            assertTrue(info.get("cipher").isNull(), () -> "cipher must be null: " + info);
        } else {
            assertEquals(cipher, info.get("cipher").asText(null), () -> "cipher in " + info);
        }
    }

    /** A listing page: the names in order, and has_more, checked. */
    static List<String> page(JsonNode body, String field, boolean hasMore) {
        assertTrue(body.path(field).isArray(), () -> field + " is not an array: " + body);
        assertTrue(body.path("has_more").isBoolean(), () -> "has_more is not a boolean: " + body);
        assertEquals(hasMore, body.get("has_more").booleanValue(), () -> "has_more; body: " + body);
        List<String> names = new ArrayList<>();
        body.get(field).forEach(i -> names.add(i.path("name").asText(null)));
        return names;
    }

    /** The one item of a listing that has this name. */
    static JsonNode item(JsonNode body, String field, String name) {
        JsonNode found = null;
        for (JsonNode i : body.path(field)) {
            if (name.equals(i.path("name").asText(null))) {
                assertTrue(found == null, () -> "listed twice: " + name);
                found = i;
            }
        }
        assertNotNull(found, () -> name + " not listed in " + body);
        return found;
    }

    /** The resolved StreamConfig (spec §4.1) as JSON. */
    static String resolved(String storage, String retention, String mode, boolean uncapped, long doe) {
        return "{\"storage_class\":\"" + storage + "\",\"retention_policy\":" + retention + ",\"timestamping\":{\"mode\":\"" + mode
                + "\",\"uncapped\":" + uncapped + "},\"delete_on_empty\":{\"min_age_secs\":" + doe + "}}";
    }

    static final String SEVEN_DAYS = "{\"age\":604800}";
    static final String INFINITE = "{\"infinite\":{}}";

    /** Base64 of 32 bytes, a well-formed s2-encryption-key. */
    static final String KEY = java.util.Base64.getEncoder().encodeToString(new byte[32]);
}
