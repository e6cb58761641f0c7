package dev.brook.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brook.core.auth.Operation;
import dev.brook.engine.auth.Keygen;
import dev.brook.engine.auth.TokenKeys;
import dev.brook.engine.auth.TokenSigner;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Access control with {@code BROOK_AUTH=required} (issue 6): authentication failures, the scope
 * matrix (every op group and every explicit op against every operation), resource-set forms,
 * listings narrowed to the scope, escalation through issuing, revocation, and the read-only
 * "broadcast" token on every transport.
 */
@QuarkusTest
@TestProfile(AccessControlTest.Required.class)
class AccessControlTest {

    /** Keys live in files so the profile (JUnit's class loader) and the test (Quarkus's) share them. */
    static final Path KEYS = Path.of("target/access-control-test-keys");

    public static class Required implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            ensureKeys();
            return Map.of("brook.auth", "required", "brook.sessions.append-idle-timeout-ms", "3000",
                    "brook.auth.public-key", KEYS.resolve(Keygen.PUBLIC_FILE).toAbsolutePath().toString(),
                    "brook.auth.private-key", KEYS.resolve(Keygen.PRIVATE_FILE).toAbsolutePath().toString());
        }
    }

    static synchronized void ensureKeys() {
        if (!Files.exists(KEYS.resolve(Keygen.PUBLIC_FILE))) {
            try {
                Keygen.generate(KEYS, "brook", OptionalLong.empty(), System.currentTimeMillis(), new SecureRandom());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static TokenKeys keys() {
        ensureKeys();
        try {
            return TokenKeys.fromPem(Files.readString(KEYS.resolve(Keygen.PUBLIC_FILE)), Optional.of(Files.readString(KEYS.resolve(Keygen.PRIVATE_FILE))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final AtomicInteger IDS = new AtomicInteger();

    static String sign(String id, String scopeJson, OptionalLong expiresAt) {
        return new TokenSigner(keys(), "brook").sign(id, scopeJson, false, expiresAt, System.currentTimeMillis());
    }

    static final String ADMIN = sign(Keygen.ADMIN_TOKEN_ID, Keygen.ADMIN_SCOPE_JSON, OptionalLong.empty());
    static final String ALL = "{\"prefix\":\"\"}";

    static String scope(String basins, String streams, String tokens, String groups, String ops) {
        return "{\"basins\":" + basins + ",\"streams\":" + streams + ",\"access_tokens\":" + tokens + ",\"op_groups\":" + groups
                + ",\"ops\":" + ops + "}";
    }

    static String group(String name, boolean read, boolean write) {
        return "{\"" + name + "\":{\"read\":" + read + ",\"write\":" + write + "}}";
    }

    @TestHTTPResource("/")
    URI root;

    String b1;
    String b2;

    static RequestSpecification as(String token) {
        RequestSpecification r = given().urlEncodingEnabled(false).contentType("application/json");
        return token == null ? r : r.header("authorization", "Bearer " + token);
    }

    @BeforeEach
    void basinsAndStreams() {
        int n = IDS.incrementAndGet();
        b1 = "ac-one-" + n + "-" + System.nanoTime() % 100000;
        b2 = "ac-two-" + n + "-" + System.nanoTime() % 100000;
        for (String b : List.of(b1, b2)) {
            as(ADMIN).body("{\"basin\":\"" + b + "\"}").post("/v1/basins").then().statusCode(201);
        }
        for (String s : List.of("a/1", "a/2", "b/1", "matrix")) {
            as(ADMIN).header("s2-basin", b1).body("{\"stream\":\"" + s + "\"}").post("/v1/streams").then().statusCode(201);
            as(ADMIN).header("s2-basin", b1).body("{\"records\":[{\"body\":\"hello\"}]}").post("/v1/streams/" + enc(s) + "/records")
                    .then().statusCode(200);
        }
        as(ADMIN).header("s2-basin", b2).body("{\"stream\":\"a/1\"}").post("/v1/streams").then().statusCode(201);
    }

    static String enc(String stream) {
        return DataPlaneApi.enc(stream);
    }

    static void assertAuthn(Response r, String what) {
        assertEquals(401, r.statusCode(), what + ": " + r.asString());
        assertEquals("authn", DataPlaneApi.parse(r.asString()).get("code").asText(), what);
    }

    static void assertDenied(Response r, String what) {
        assertEquals(403, r.statusCode(), what + ": " + r.asString());
        assertEquals("permission_denied", DataPlaneApi.parse(r.asString()).get("code").asText(), what);
    }

    // ---------------------------------------------------------------- authentication

    @Test
    void missingMalformedForgedExpiredAndWronglyIssuedTokensAreAuthnOnEveryRoute() throws Exception {
        String future = sign("later", Keygen.ADMIN_SCOPE_JSON, OptionalLong.of(System.currentTimeMillis() + 3_600_000));
        String expired = new TokenSigner(keys(), "brook").sign("old", Keygen.ADMIN_SCOPE_JSON, false,
                OptionalLong.of(System.currentTimeMillis() - 60_000), System.currentTimeMillis() - 120_000);
        String otherKey = new TokenSigner(TokenKeys.generate(new SecureRandom()), "brook").sign("admin", Keygen.ADMIN_SCOPE_JSON, false,
                OptionalLong.empty(), System.currentTimeMillis());
        String otherIssuer = new TokenSigner(keys(), "someone-else").sign("admin", Keygen.ADMIN_SCOPE_JSON, false, OptionalLong.empty(),
                System.currentTimeMillis());
        String[] parts = ADMIN.split("\\.");
        String tampered = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2) + (parts[1].endsWith("A") ? "B" : "A")
                + parts[1].charAt(parts[1].length() - 1) + "." + parts[2];
        Map<String, String> bad = new HashMap<>();
        bad.put("no header", null);
        bad.put("expired", "Bearer " + expired);
        bad.put("another key", "Bearer " + otherKey);
        bad.put("another issuer", "Bearer " + otherIssuer);
        bad.put("tampered", "Bearer " + tampered);
        bad.put("garbage", "Bearer not.a.token");
        bad.put("basic", "Basic YWRtaW46YWRtaW4=");
        bad.put("empty bearer", "Bearer ");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            RequestSpecification r = given().urlEncodingEnabled(false).header("s2-basin", b1);
            if (e.getValue() != null) {
                r.header("authorization", e.getValue());
            }
            assertAuthn(r.get("/v1/basins"), e.getKey() + " on list basins");
            r = given().urlEncodingEnabled(false).header("s2-basin", b1).header("accept", "text/event-stream");
            if (e.getValue() != null) {
                r.header("authorization", e.getValue());
            }
            assertAuthn(r.get("/v1/streams/a%2F1/records?seq_num=0&count=1"), e.getKey() + " on an SSE read");
        }
        assertEquals("access token has expired", DataPlaneApi.parse(as(expired).get("/v1/basins").asString()).get("message").asText());
        as(future).get("/v1/basins").then().statusCode(200);
        assertEquals(200, given().get("/health").statusCode(), "health needs no token");
        try (S2sClient client = new S2sClient(root, HttpVersion.HTTP_2)) {
            S2sClient.Session read = client.open(HttpMethod.GET, "/v1/streams/a%2F1/records?seq_num=0", Map.of("s2-basin", b1));
            assertEquals(401, read.status());
            assertEquals("authn", DataPlaneApi.parse(read.text()).get("code").asText());
            S2sClient.Session append = client.open(HttpMethod.POST, "/v1/streams/a%2F1/records",
                    Map.of("s2-basin", b1, "authorization", "Bearer " + expired));
            assertEquals(401, append.status());
        }
        assertEquals(1, tail(b1, "a/1"), "nothing was appended by refused requests");
    }

    static long tail(String basin, String stream) {
        return DataPlaneApi.parse(as(ADMIN).header("s2-basin", basin).get("/v1/streams/" + enc(stream) + "/records/tail").asString())
                .get("tail").get("seq_num").asLong();
    }

    // ---------------------------------------------------------------- the scope matrix

    /** One request per operation: what it sends, and the operation it needs. */
    record Probe(Operation op, Function<RequestSpecification, Response> send) {}

    List<Probe> probes(String issueScope) {
        String fresh = "ac-new-" + IDS.incrementAndGet() + "-" + System.nanoTime() % 100000;
        return List.of(
                new Probe(Operation.LIST_BASINS, r -> r.get("/v1/basins")),
                new Probe(Operation.CREATE_BASIN, r -> r.body("{\"basin\":\"" + fresh + "\"}").post("/v1/basins")),
                new Probe(Operation.GET_BASIN_CONFIG, r -> r.get("/v1/basins/" + b1)),
                new Probe(Operation.RECONFIGURE_BASIN, r -> r.body("{}").patch("/v1/basins/" + b1)),
                new Probe(Operation.DELETE_BASIN, r -> r.delete("/v1/basins/ac-never-created-basin")),
                new Probe(Operation.LIST_STREAMS, r -> r.header("s2-basin", b1).get("/v1/streams")),
                new Probe(Operation.CREATE_STREAM, r -> r.header("s2-basin", b1).body("{\"stream\":\"" + fresh + "\"}").post("/v1/streams")),
                new Probe(Operation.GET_STREAM_CONFIG, r -> r.header("s2-basin", b1).get("/v1/streams/matrix")),
                new Probe(Operation.RECONFIGURE_STREAM, r -> r.header("s2-basin", b1).body("{}").patch("/v1/streams/matrix")),
                new Probe(Operation.DELETE_STREAM, r -> r.header("s2-basin", b1).delete("/v1/streams/never-created")),
                new Probe(Operation.APPEND, r -> r.header("s2-basin", b1).body("{\"records\":[{\"body\":\"x\"}]}").post("/v1/streams/matrix/records")),
                new Probe(Operation.READ, r -> r.header("s2-basin", b1).get("/v1/streams/matrix/records?seq_num=0")),
                new Probe(Operation.CHECK_TAIL, r -> r.header("s2-basin", b1).get("/v1/streams/matrix/records/tail")),
                // A fence with the empty token and a trim to 0 change nothing, but need their operations.
                new Probe(Operation.FENCE, r -> r.header("s2-basin", b1).body("{\"records\":[{\"headers\":[[\"\",\"fence\"]],\"body\":\"\"}]}")
                        .post("/v1/streams/matrix/records")),
                new Probe(Operation.TRIM, r -> r.header("s2-basin", b1).header("s2-format", "base64")
                        .body("{\"records\":[{\"headers\":[[\"\",\"dHJpbQ==\"]],\"body\":\"AAAAAAAAAAA=\"}]}").post("/v1/streams/matrix/records")),
                new Probe(Operation.LIST_ACCESS_TOKENS, r -> r.get("/v1/access-tokens")),
                new Probe(Operation.ISSUE_ACCESS_TOKEN, r -> r.body("{\"id\":\"" + fresh + "\",\"scope\":" + issueScope + "}").post("/v1/access-tokens")),
                new Probe(Operation.REVOKE_ACCESS_TOKEN, r -> r.delete("/v1/access-tokens/never-issued")));
    }

    /** Each probe succeeds (not 401/403) exactly when {@code allowed} holds its operation. */
    void assertMatrix(String scopeJson, Set<Operation> allowed, String what) {
        String token = sign("matrix-" + IDS.incrementAndGet(), scopeJson, OptionalLong.empty());
        for (Probe p : probes(scopeJson)) {
            Response r = p.send().apply(as(token));
            if (allowed.contains(p.op())) {
                assertFalse(r.statusCode() == 401 || r.statusCode() == 403, what + ": " + p.op().wire() + " must be allowed: "
                        + r.statusCode() + " " + r.asString());
            } else {
                assertDenied(r, what + ": " + p.op().wire() + " must be denied");
            }
        }
    }

    @Test
    void eachOpGroupAllowsExactlyItsOperations() {
        for (String g : List.of("account", "basin", "stream")) {
            for (boolean write : List.of(false, true)) {
                Operation.Group group = Operation.Group.valueOf(g.toUpperCase());
                Operation.Access access = write ? Operation.Access.WRITE : Operation.Access.READ;
                Set<Operation> allowed = EnumSet.noneOf(Operation.class);
                for (Operation op : Operation.values()) {
                    if (op.group() == group && op.access() == access) {
                        allowed.add(op);
                    }
                }
                assertMatrix(scope(ALL, ALL, ALL, group(g, !write, write), "[]"), allowed, g + (write ? " write" : " read"));
            }
        }
    }

    @Test
    void eachExplicitOpAllowsItselfAlone() {
        for (Probe p : probes("{}")) {
            assertMatrix(scope(ALL, ALL, ALL, "null", "[\"" + p.op().wire() + "\"]"), EnumSet.of(p.op()), "ops [" + p.op().wire() + "]");
        }
    }

    // ---------------------------------------------------------------- resource sets and listings

    @Test
    void resourceSetsLimitNamesAndListingsShowOnlyWhatIsInScope() {
        String streamReader = sign("prefix-reader", scope("{\"exact\":\"" + b1 + "\"}", "{\"prefix\":\"a/\"}", "null",
                "{\"stream\":{\"read\":true,\"write\":false},\"basin\":{\"read\":true,\"write\":false},\"account\":{\"read\":true,\"write\":false}}",
                "[]"), OptionalLong.empty());
        as(streamReader).header("s2-basin", b1).get("/v1/streams/a%2F1/records?seq_num=0").then().statusCode(200);
        assertDenied(as(streamReader).header("s2-basin", b1).get("/v1/streams/b%2F1/records?seq_num=0"), "a stream outside the prefix");
        assertDenied(as(streamReader).header("s2-basin", b2).get("/v1/streams/a%2F1/records?seq_num=0"), "a basin outside the exact set");
        assertDenied(as(streamReader).get("/v1/basins/" + b2), "another basin's config");
        assertDenied(as(streamReader).header("s2-basin", b1).get("/v1/streams/b%2F1/records?seq_num=999999"),
                "denied the same way whatever the stream holds");
        assertDenied(as(streamReader).header("s2-basin", b1).get("/v1/streams/no%2Fsuch/records?seq_num=0"),
                "denied the same way for a stream that does not exist");

        JsonNode streams = DataPlaneApi.parse(as(streamReader).header("s2-basin", b1).get("/v1/streams").asString());
        assertEquals(List.of("a/1", "a/2"), names(streams.get("streams")));
        assertFalse(streams.get("has_more").asBoolean());
        JsonNode narrowed = DataPlaneApi.parse(as(streamReader).header("s2-basin", b1).get("/v1/streams?prefix=b").asString());
        assertEquals(List.of(), names(narrowed.get("streams")), "a prefix outside the set lists nothing");
        JsonNode basins = DataPlaneApi.parse(as(streamReader).get("/v1/basins").asString());
        assertEquals(List.of(b1), names(basins.get("basins")), "an exact basin set lists that basin alone");
        assertFalse(basins.get("has_more").asBoolean());

        String nothing = sign("exact-empty", scope("{\"exact\":\"\"}", "{\"exact\":\"\"}", "null", group("stream", true, true), "[]"),
                OptionalLong.empty());
        assertDenied(as(nothing).header("s2-basin", b1).get("/v1/streams/a%2F1/records?seq_num=0"), "{exact: \"\"} matches nothing");
        String none = sign("no-sets", scope("null", "null", "null", group("stream", true, true), "[]"), OptionalLong.empty());
        assertDenied(as(none).header("s2-basin", b1).get("/v1/streams/a%2F1/records/tail"), "absent sets match nothing");
    }

    static List<String> names(JsonNode items) {
        List<String> out = new ArrayList<>();
        items.forEach(i -> out.add(i.get("name").asText()));
        return out;
    }

    // ---------------------------------------------------------------- issuing, escalation, listing, revocation

    @Test
    void tokensAreIssuedListedAndRevokedAndNeverWithMorePowerThanTheirIssuer() {
        String issuer = sign("issuer-" + IDS.incrementAndGet(), scope("{\"prefix\":\"ac-\"}", ALL, "{\"prefix\":\"team-a/\"}",
                "{\"account\":{\"read\":true,\"write\":true},\"stream\":{\"read\":true,\"write\":false}}", "[]"),
                OptionalLong.of(System.currentTimeMillis() + 3_600_000));
        String id = "team-a/reader-" + IDS.incrementAndGet();
        String narrow = scope("{\"exact\":\"" + b1 + "\"}", "{\"exact\":\"a/1\"}", "null", group("stream", true, false), "[]");
        Response issued = as(issuer).body("{\"id\":\"" + id + "\",\"scope\":" + narrow + "}").post("/v1/access-tokens");
        assertEquals(201, issued.statusCode(), issued.asString());
        String reader = DataPlaneApi.parse(issued.asString()).get("access_token").asText();
        as(reader).header("s2-basin", b1).get("/v1/streams/a%2F1/records?seq_num=0").then().statusCode(200);

        assertEquals(409, as(issuer).body("{\"id\":\"" + id + "\",\"scope\":" + narrow + "}").post("/v1/access-tokens").statusCode(),
                "an id is issued once");
        assertDenied(as(issuer).body("{\"id\":\"team-a/wide\",\"scope\":" + scope(ALL, ALL, "null", group("stream", true, false), "[]") + "}")
                .post("/v1/access-tokens"), "wider basins than the issuer's");
        assertDenied(as(issuer).body("{\"id\":\"team-a/writer\",\"scope\":" + scope("{\"exact\":\"" + b1 + "\"}", ALL, "null",
                group("stream", true, true), "[]") + "}").post("/v1/access-tokens"), "an operation the issuer lacks");
        assertDenied(as(issuer).body("{\"id\":\"team-a/forever\",\"scope\":" + narrow + ",\"expires_at\":\"2999-01-01T00:00:00Z\"}")
                .post("/v1/access-tokens"), "a later expiry than the issuer's");
        assertDenied(as(issuer).body("{\"id\":\"team-b/x\",\"scope\":" + narrow + "}").post("/v1/access-tokens"),
                "an id outside the issuer's access_tokens set");
        Response empty = as(issuer).body("{\"id\":\"team-a/empty\",\"scope\":" + scope(ALL, ALL, "null", "null", "[]") + "}").post("/v1/access-tokens");
        assertEquals(422, empty.statusCode(), empty.asString());
        assertEquals("Access token permissions cannot be empty", DataPlaneApi.parse(empty.asString()).get("message").asText());

        JsonNode listed = DataPlaneApi.parse(as(issuer).get("/v1/access-tokens").asString());
        List<String> ids = new ArrayList<>();
        listed.get("access_tokens").forEach(t -> ids.add(t.get("id").asText()));
        assertTrue(ids.contains(id), listed.toString());
        assertTrue(ids.stream().allMatch(i -> i.startsWith("team-a/")), "only ids in the issuer's set are listed: " + ids);
        JsonNode info = listed.get("access_tokens").get(ids.indexOf(id));
        assertEquals(DataPlaneApi.parse(narrow).get("basins"), info.get("scope").get("basins"));
        assertFalse(info.get("auto_prefix_streams").asBoolean());
        assertTrue(info.get("expires_at").isTextual(), "the issuer's expiry is the default: " + info);
        assertFalse(info.toString().contains(reader), "a listing never shows the secret");

        assertEquals(204, as(issuer).delete("/v1/access-tokens/" + enc(id)).statusCode());
        assertAuthn(as(reader).header("s2-basin", b1).get("/v1/streams/a%2F1/records?seq_num=0"), "a revoked token, unary");
        assertAuthn(as(reader).header("s2-basin", b1).header("accept", "text/event-stream").get("/v1/streams/a%2F1/records?seq_num=0&count=1"),
                "a revoked token, SSE");
        assertEquals(404, as(issuer).delete("/v1/access-tokens/team-a%2Fnever").statusCode(), "an unknown id");
        assertEquals("access_token_not_found",
                DataPlaneApi.parse(as(issuer).delete("/v1/access-tokens/team-a%2Fnever").asString()).get("code").asText());
        List<String> after = new ArrayList<>();
        DataPlaneApi.parse(as(issuer).get("/v1/access-tokens").asString()).get("access_tokens").forEach(t -> after.add(t.get("id").asText()));
        assertFalse(after.contains(id), "a revoked token is no longer listed");
    }

    // ---------------------------------------------------------------- the broadcast pattern

    @Test
    void aReadOnlyBroadcastTokenReadsFollowsAndChecksTheTailAndNothingElse() throws Exception {
        String broadcast = sign("broadcast-" + IDS.incrementAndGet(),
                scope("{\"exact\":\"" + b1 + "\"}", "{\"exact\":\"a/1\"}", "null", group("stream", true, false), "[]"), OptionalLong.empty());
        as(broadcast).header("s2-basin", b1).get("/v1/streams/a%2F1/records?seq_num=0").then().statusCode(200);
        as(broadcast).header("s2-basin", b1).get("/v1/streams/a%2F1/records/tail").then().statusCode(200);
        DataPlaneApi.Reply sse = DataPlaneApi.raw("GET", "/v1/streams/a%2F1/records?seq_num=0&count=1",
                Map.of("s2-basin", b1, "accept", "text/event-stream", "authorization", "Bearer " + broadcast), null);
        assertEquals(200, sse.status());
        assertTrue(new String(sse.body()).contains("event: batch"), new String(sse.body()));
        try (S2sClient client = new S2sClient(root, HttpVersion.HTTP_2)) {
            S2sClient.Session read = client.open(HttpMethod.GET, "/v1/streams/a%2F1/records?seq_num=0&count=1",
                    Map.of("s2-basin", b1, "authorization", "Bearer " + broadcast));
            assertEquals(200, read.status());
            assertEquals(1, S2sClient.batch(read.next()).records().size());
            S2sClient.Session append = client.open(HttpMethod.POST, "/v1/streams/a%2F1/records",
                    Map.of("s2-basin", b1, "authorization", "Bearer " + broadcast));
            assertEquals(403, append.status(), "no append session");
            assertEquals("permission_denied", DataPlaneApi.parse(append.text()).get("code").asText());
        }
        assertDenied(as(broadcast).header("s2-basin", b1).body("{\"records\":[{\"body\":\"x\"}]}").post("/v1/streams/a%2F1/records"), "append");
        assertDenied(as(broadcast).header("s2-basin", b1).get("/v1/streams/a%2F2/records?seq_num=0"), "another stream");
        assertDenied(as(broadcast).header("s2-basin", b2).get("/v1/streams/a%2F1/records?seq_num=0"), "another basin");
        assertDenied(as(broadcast).get("/v1/basins"), "listing basins");
        assertDenied(as(broadcast).header("s2-basin", b1).get("/v1/streams"), "listing streams");
        assertEquals(1, tail(b1, "a/1"), "nothing was appended");
    }

    @Test
    void commandsInsideAnAppendSessionNeedTheirOperations() throws Exception {
        String appender = sign("appender-" + IDS.incrementAndGet(), scope(ALL, ALL, "null", "null", "[\"append\"]"), OptionalLong.empty());
        try (S2sClient client = new S2sClient(root, HttpVersion.HTTP_2)) {
            S2sClient.Session session = client.open(HttpMethod.POST, "/v1/streams/matrix/records",
                    Map.of("s2-basin", b1, "authorization", "Bearer " + appender));
            assertEquals(200, session.status());
            session.send(S2sClient.appendInput(OptionalLong.empty(), "plain"));
            assertEquals(1, S2sClient.ack(session.next()).start().seqNum());
            dev.brook.core.AppendBatch fence = new dev.brook.core.AppendBatch(List.of(new dev.brook.core.AppendRecord(OptionalLong.empty(),
                    List.of(new dev.brook.core.Header(new byte[0], "fence".getBytes())), "f".getBytes())), OptionalLong.empty(), Optional.empty(), 0);
            session.send(S2sClient.frame(0, dev.brook.http.wire.ProtoCodec.encodeAppendInput(fence)));
            S2sClient.Frame terminal = session.next();
            assertTrue(terminal.terminal());
            assertEquals(403, terminal.status());
            assertEquals("permission_denied", DataPlaneApi.parse(terminal.json()).get("code").asText());
        }
        assertEquals(2, tail(b1, "matrix"), "the fence was not applied");
    }

    // ---------------------------------------------------------------- auto-prefixed streams

    @Test
    void anAutoPrefixingTokenSeesAndNamesOnlyStreamsUnderItsPrefixWithoutThePrefix() throws Exception {
        String tenantScope = scope("{\"exact\":\"" + b1 + "\"}", "{\"prefix\":\"t1/\"}", "null",
                "{\"basin\":{\"read\":true,\"write\":true},\"stream\":{\"read\":true,\"write\":true}}", "[]");
        String id = "tenant-" + IDS.incrementAndGet();
        Response issued = as(ADMIN).body("{\"id\":\"" + id + "\",\"auto_prefix_streams\":true,\"scope\":" + tenantScope + "}")
                .post("/v1/access-tokens");
        assertEquals(201, issued.statusCode(), issued.asString());
        String tenant = DataPlaneApi.parse(issued.asString()).get("access_token").asText();

        Response created = as(tenant).header("s2-basin", b1).body("{\"stream\":\"inbox\"}").post("/v1/streams");
        assertEquals(201, created.statusCode(), created.asString());
        assertEquals("inbox", DataPlaneApi.parse(created.asString()).get("name").asText(), "the client's name comes back");
        as(tenant).header("s2-basin", b1).body("{\"records\":[{\"body\":\"for t1\"}]}").post("/v1/streams/inbox/records").then().statusCode(200);
        JsonNode stored = DataPlaneApi.parse(as(ADMIN).header("s2-basin", b1).get("/v1/streams/t1%2Finbox/records?seq_num=0").asString());
        assertEquals("for t1", stored.get("records").get(0).get("body").asText(), "stored under the prefix");

        JsonNode listed = DataPlaneApi.parse(as(tenant).header("s2-basin", b1).get("/v1/streams").asString());
        assertEquals(List.of("inbox"), names(listed.get("streams")), "only its streams, without the prefix");
        assertEquals(List.of("t1/inbox"), names(DataPlaneApi.parse(as(ADMIN).header("s2-basin", b1).get("/v1/streams?prefix=t1").asString())
                .get("streams")));
        as(tenant).header("s2-basin", b1).get("/v1/streams/inbox").then().statusCode(200);
        as(tenant).header("s2-basin", b1).get("/v1/streams/inbox/records/tail").then().statusCode(200);
        assertEquals(404, as(tenant).header("s2-basin", b1).get("/v1/streams/a%2F1/records?seq_num=0").statusCode(),
                "`a/1` names t1/a/1 for this token, not the basin's a/1");
        try (S2sClient client = new S2sClient(root, HttpVersion.HTTP_2)) {
            S2sClient.Session read = client.open(HttpMethod.GET, "/v1/streams/inbox/records?seq_num=0&count=1",
                    Map.of("s2-basin", b1, "authorization", "Bearer " + tenant));
            assertEquals(200, read.status());
            assertEquals("for t1", new String(S2sClient.batch(read.next()).records().get(0).body()));
        }
        Response exact = as(ADMIN).body("{\"id\":\"exact-" + id + "\",\"auto_prefix_streams\":true,\"scope\":"
                + scope(ALL, "{\"exact\":\"x\"}", "null", group("stream", true, false), "[]") + "}").post("/v1/access-tokens");
        assertEquals(422, exact.statusCode(), exact.asString());
        assertEquals("Auto prefixing is only allowed for streams with prefix matching", DataPlaneApi.parse(exact.asString()).get("message").asText());
    }
}
