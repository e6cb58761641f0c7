package dev.brook.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.brook.engine.auth.Keygen;
import dev.brook.testing.S3ProxyResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The access gate holds a request's body while it reads a token's revocation from the store, and
 * hands the request over paused to whatever serves it (docs/SECURITY.md). On S3 that read is always
 * asynchronous, so every request with a token the process has not seen lately takes this path:
 * found by the split deployment, where through the router an S2S append session's first batch
 * was dropped and a unary append over HTTP/2 never answered. Each request here carries a token
 * never seen before.
 */
@QuarkusTest
@TestProfile(GateHoldsTheBodyTest.RequiredOnS3.class)
class GateHoldsTheBodyTest {

    public static class RequiredOnS3 extends AccessControlTest.Required {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(S3ProxyResource.class));
        }
    }

    private static final AtomicInteger IDS = new AtomicInteger();

    @TestHTTPResource("/")
    URI root;

    /** A token with full access that this process has never checked for revocation. */
    private static String freshToken() {
        return AccessControlTest.sign("gate-body-" + IDS.incrementAndGet() + "-" + System.nanoTime(), Keygen.ADMIN_SCOPE_JSON,
                OptionalLong.empty());
    }

    private static String basinWithStream(String stream) {
        String basin = "gate-body-" + IDS.incrementAndGet() + "-" + System.nanoTime() % 100_000;
        AccessControlTest.as(AccessControlTest.ADMIN).body("{\"basin\":\"" + basin + "\"}").post("/v1/basins").then().statusCode(201);
        AccessControlTest.as(AccessControlTest.ADMIN).header("s2-basin", basin).body("{\"stream\":\"" + stream + "\"}")
                .post("/v1/streams").then().statusCode(201);
        return basin;
    }

    @Test
    void anS2sAppendSessionsFirstBatchSentWithTheHeadIsAcknowledged() throws Exception {
        String basin = basinWithStream("s");
        try (S2sClient client = new S2sClient(root, HttpVersion.HTTP_2)) {
            for (int i = 0; i < 3; i++) {
                S2sClient.Session session = client.openWith("/v1/streams/s/records",
                        Map.of("s2-basin", basin, "authorization", "Bearer " + freshToken()),
                        S2sClient.appendInput(OptionalLong.empty(), "first-" + i));
                assertEquals(200, session.status());
                assertEquals(2 * i, S2sClient.ack(session.next()).start().seqNum(), "the batch sent with the head");
                session.send(S2sClient.appendInput(OptionalLong.empty(), "second-" + i));
                assertEquals(2 * i + 1, S2sClient.ack(session.next()).start().seqNum());
                session.finish();
                assertEquals(S2sClient.END, session.next());
            }
        }
        assertEquals(6, AccessControlTest.tail(basin, "s"));
    }

    @Test
    void aUnaryAppendAnswersOnBothHttpVersions() throws Exception {
        String basin = basinWithStream("u");
        Vertx vertx = Vertx.vertx();
        try {
            int appended = 0;
            for (HttpVersion version : List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1)) {
                HttpClientOptions options = new HttpClientOptions().setProtocolVersion(version).setHttp2ClearTextUpgrade(false);
                HttpClient client = vertx.createHttpClient(options);
                try {
                    for (int i = 0; i < 3; i++) {
                        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setHost(root.getHost())
                                .setPort(root.getPort()).setURI("/v1/streams/u/records").putHeader("content-type", "application/json")
                                .putHeader("s2-basin", basin).putHeader("authorization", "Bearer " + freshToken());
                        String batch = "{\"records\":[{\"body\":\"" + version + "-" + i + "\"}]}";
                        // The body is taken on the event loop, as the head arrives, or it may be gone.
                        Map.Entry<Integer, String> answer = client.request(request)
                                .compose(r -> r.send(Buffer.buffer(batch)))
                                .compose(r -> r.body().map(b -> Map.entry(r.statusCode(), b.toString())))
                                .toCompletionStage().toCompletableFuture().get(S2sClient.WAIT_S, TimeUnit.SECONDS);
                        String body = answer.getValue();
                        assertEquals(200, answer.getKey(), version + ": " + body);
                        assertEquals(appended++, DataPlaneApi.parse(body).path("start").path("seq_num").asLong(-1), body);
                    }
                } finally {
                    client.close().toCompletionStage().toCompletableFuture().get(S2sClient.WAIT_S, TimeUnit.SECONDS);
                }
            }
            assertEquals(appended, AccessControlTest.tail(basin, "u"));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(S2sClient.WAIT_S, TimeUnit.SECONDS);
        }
    }
}
