package dev.brook.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brook.engine.auth.Keygen;
import dev.brook.engine.auth.TokenSigner;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Open sessions honour revocation and expiry, and S2S append sessions that send nothing are ended
 * (docs/SECURITY.md): an SSE read, an S2S read and an S2S append session each end with {@code 401
 * authn} once their token is revoked or expires, and an idle append session with {@code 408}. The
 * waits are bounded by the clients' read timeouts (30 s), far above the server's bounds (5 s, and
 * the profile's 3 s idle timeout), so a session that keeps running fails the test.
 */
@QuarkusTest
@TestProfile(AccessControlTest.Required.class)
class SessionTokensTest {

    @TestHTTPResource("/")
    URI root;

    String basin;

    @BeforeEach
    void stream() {
        basin = "st-" + System.nanoTime() % 10_000_000;
        AccessControlTest.as(AccessControlTest.ADMIN).body("{\"basin\":\"" + basin + "-basin\"}").post("/v1/basins").then().statusCode(201);
        basin = basin + "-basin";
        AccessControlTest.as(AccessControlTest.ADMIN).header("s2-basin", basin).body("{\"stream\":\"s\"}").post("/v1/streams").then()
                .statusCode(201);
        AccessControlTest.as(AccessControlTest.ADMIN).header("s2-basin", basin).body("{\"records\":[{\"body\":\"one\"}]}")
                .post("/v1/streams/s/records").then().statusCode(200);
    }

    /** Issues a stream read-write token through the API, so that it can be revoked. */
    String issue(String id) {
        String scope = AccessControlTest.scope("{\"exact\":\"" + basin + "\"}", "{\"exact\":\"s\"}", "null",
                AccessControlTest.group("stream", true, true), "[]");
        return DataPlaneApi.parse(AccessControlTest.as(AccessControlTest.ADMIN).body("{\"id\":\"" + id + "\",\"scope\":" + scope + "}")
                .post("/v1/access-tokens").then().statusCode(201).extract().asString()).get("access_token").asText();
    }

    void revoke(String id) {
        AccessControlTest.as(AccessControlTest.ADMIN).delete("/v1/access-tokens/" + id).then().statusCode(204);
    }

    @Test
    void anSseSessionEndsWithAnAuthnErrorWhenItsTokenIsRevoked() throws Exception {
        String id = "sse-" + basin;
        String token = issue(id);
        HttpRequest request = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/v1/streams/s/records?seq_num=0"))
                .header("s2-basin", basin).header("accept", "text/event-stream").header("authorization", "Bearer " + token).GET().build();
        HttpResponse<Stream<String>> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, response.statusCode(), "the session is open before the revocation");
        revoke(id);
        List<String> lines = CompletableFuture.supplyAsync(() -> {
            List<String> seen = new ArrayList<>();
            Iterator<String> it = response.body().iterator();
            while (it.hasNext()) {
                seen.add(it.next());
            }
            return seen;
        }).get(30, TimeUnit.SECONDS);
        int error = lines.indexOf("event: error");
        assertTrue(error >= 0, "an error event ends the session: " + lines);
        JsonNode json = DataPlaneApi.parse(lines.get(error + 1).substring("data: ".length()));
        assertEquals("authn", json.get("code").asText());
        assertEquals("access token has been revoked", json.get("message").asText());
    }

    @Test
    void anS2sReadSessionEndsWithAnAuthnTerminalFrameWhenItsTokenExpires() throws Exception {
        long now = System.currentTimeMillis();
        String expiring = new TokenSigner(AccessControlTest.keys(), "brook").sign("expiring-" + basin, Keygen.ADMIN_SCOPE_JSON, false,
                OptionalLong.of(now + 2_000), now);
        try (S2sClient client = new S2sClient(root, HttpVersion.HTTP_2)) {
            S2sClient.Session read = client.open(HttpMethod.GET, "/v1/streams/s/records?seq_num=0",
                    Map.of("s2-basin", basin, "authorization", "Bearer " + expiring));
            assertEquals(200, read.status());
            S2sClient.Frame f = read.next();
            for (int i = 0; i < 100 && !f.terminal() && f != S2sClient.END; i++) {
                f = read.next(); // the record, then heartbeats
            }
            assertTrue(f.terminal(), "a terminal frame ends the session");
            assertEquals(401, f.status());
            assertEquals("access token has expired", DataPlaneApi.parse(f.json()).get("message").asText());
        }
    }

    @Test
    void anS2sAppendSessionEndsWhenItsTokenIsRevokedAndNothingSentAfterIsApplied() throws Exception {
        String id = "append-" + basin;
        String token = issue(id);
        try (S2sClient client = new S2sClient(root, HttpVersion.HTTP_2)) {
            S2sClient.Session append = client.open(HttpMethod.POST, "/v1/streams/s/records",
                    Map.of("s2-basin", basin, "authorization", "Bearer " + token));
            assertEquals(200, append.status());
            append.send(S2sClient.appendInput(OptionalLong.empty(), "two"));
            assertEquals(2, S2sClient.ack(append.next()).end().seqNum());
            revoke(id);
            S2sClient.Frame terminal = append.next();
            assertTrue(terminal.terminal(), "the session ends");
            assertEquals(401, terminal.status());
            assertEquals("authn", DataPlaneApi.parse(terminal.json()).get("code").asText());
            try {
                append.send(S2sClient.appendInput(OptionalLong.empty(), "after"));
            } catch (Exception e) {
                // the stream may be closed already
            }
        }
        assertEquals(2, AccessControlTest.tail(basin, "s"), "nothing after the revocation was applied");
    }

    @Test
    void anAppendSessionThatSendsNothingIsEndedWithRequestTimeout() throws Exception {
        try (S2sClient client = new S2sClient(root, HttpVersion.HTTP_1_1)) {
            S2sClient.Session append = client.open(HttpMethod.POST, "/v1/streams/s/records",
                    Map.of("s2-basin", basin, "authorization", "Bearer " + AccessControlTest.ADMIN));
            assertEquals(200, append.status());
            S2sClient.Frame terminal = append.next();
            assertTrue(terminal.terminal(), "the idle session ends");
            assertEquals(408, terminal.status());
            assertEquals("request_timeout", DataPlaneApi.parse(terminal.json()).get("code").asText());
        }
        assertEquals(1, AccessControlTest.tail(basin, "s"));
    }
}
