package dev.brook.api;

import static dev.brook.api.DataPlaneApi.appendBodies;
import static dev.brook.api.DataPlaneApi.createStream;
import static dev.brook.api.DataPlaneApi.newBasin;
import static dev.brook.api.DataPlaneApi.readOk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.StreamConfigSpec;
import dev.brook.engine.DataPlane;
import dev.brook.http.peer.PeerClient;
import dev.brook.http.peer.PeerEndpoint;
import dev.brook.log.AppendOutcome;
import dev.brook.log.CommitCodec;
import dev.brook.log.LogKeys;
import dev.brook.log.Peering;
import dev.brook.store.ObjectStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * The door between instances (docs/LOG.md, "Contention"; docs/SECURITY.md): with the deployment's
 * secret a peer's batches are committed here and answered; without it, or for a stream this
 * instance does not hold, the forward is refused before anything is appended, and the sender learns
 * that nothing was delivered. Commits name this instance.
 */
@QuarkusTest
@TestProfile(PeerForwardTest.Peered.class)
class PeerForwardTest {

    static final String SECRET = "0123456789abcdef0123456789abcdef";
    static final String SELF = "http://brook-a.internal:8080";

    public static class Peered implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("brook.peer.url", SELF, "brook.peer.secret", SECRET);
        }
    }

    @TestHTTPResource("/")
    URI root;

    @Inject
    DataPlane data;

    @Inject
    ObjectStore store;

    @Inject
    io.vertx.core.Vertx vertx;

    PeerClient client;

    @org.junit.jupiter.api.BeforeEach
    void client() {
        client = new PeerClient(vertx, SECRET, new SimpleMeterRegistry());
    }

    private String peer() {
        return "http://127.0.0.1:" + root.getPort();
    }

    private String sid(String basin, String stream) {
        return data.preflight(basin, stream, DataPlane.AutoCreate.NEVER, StreamConfigSpec.EMPTY, Optional.empty())
                .toCompletableFuture().join().sid();
    }

    static AppendBatch batch(String... bodies) {
        return new AppendBatch(java.util.Arrays.stream(bodies)
                .map(b -> new AppendRecord(OptionalLong.empty(), List.of(), b.getBytes(StandardCharsets.UTF_8))).toList(),
                OptionalLong.empty(), Optional.empty(), System.currentTimeMillis());
    }

    static List<String> bodies(List<JsonNode> records) {
        return records.stream().map(r -> r.get("body").asText()).toList();
    }

    @Test
    void aPeersBatchesAreCommittedHereOnceAndAnswered() {
        String basin = newBasin("peer");
        createStream(basin, "s", null);
        appendBodies(basin, "s", "first"); // this instance now holds the stream's log
        String sid = sid(basin, "s");

        List<AppendOutcome> outcomes = client.forward(peer(), sid, "f-1", List.of(batch("a", "b"), batch("c")))
                .toCompletableFuture().join();
        AppendOutcome.Acked first = assertInstanceOf(AppendOutcome.Acked.class, outcomes.get(0));
        AppendOutcome.Acked second = assertInstanceOf(AppendOutcome.Acked.class, outcomes.get(1));
        assertEquals(1, first.range().startSeq());
        assertEquals(3, second.range().startSeq());
        assertEquals("a", new String(first.range().records().get(0).body(), StandardCharsets.UTF_8));

        List<AppendOutcome> again = client.forward(peer(), sid, "f-1", List.of(batch("a", "b"), batch("c")))
                .toCompletableFuture().join();
        assertEquals(1, ((AppendOutcome.Acked) again.get(0)).range().startSeq(), "a duplicate is answered like the first");
        assertEquals(List.of("first", "a", "b", "c"), bodies(readOk(basin, "s", "seq_num=0")));

        // Each commit names its writer in its metadata.
        LogKeys keys = new LogKeys(sid);
        var objects = store.list(keys.commitPrefix(), "", 100).toCompletableFuture().join().objects();
        assertTrue(!objects.isEmpty());
        for (var o : objects) {
            var info = store.head(o.key()).toCompletableFuture().join().orElseThrow();
            assertEquals(Optional.of(SELF), CommitCodec.summaryOf(keys.parseCommit(o.key()).orElseThrow(), info.metadata(), 0)
                    .orElseThrow().writer());
        }
    }

    @Test
    void withoutTheSecretNothingIsAppendedAndTheSenderKnows() throws Exception {
        String basin = newBasin("peer");
        createStream(basin, "s", null);
        appendBodies(basin, "s", "first");
        String sid = sid(basin, "s");

        PeerClient stranger = new PeerClient(vertx, "f".repeat(32), new SimpleMeterRegistry());
        CompletionException e = assertThrows(CompletionException.class,
                () -> stranger.forward(peer(), sid, "x", List.of(batch("intruder"))).toCompletableFuture().join());
        assertInstanceOf(Peering.NotDelivered.class, e.getCause());

        HttpResponse<String> bare = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(peer() + PeerEndpoint.PATH))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, bare.statusCode());
        assertTrue(bare.body().contains("\"code\":\"not_found\""), bare.body());

        HttpResponse<String> garbage = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(peer() + PeerEndpoint.PATH))
                .header(PeerEndpoint.SECRET_HEADER, SECRET).POST(HttpRequest.BodyPublishers.ofString("not a forward")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(422, garbage.statusCode(), garbage.body());

        assertEquals(List.of("first"), bodies(readOk(basin, "s", "seq_num=0")));
    }

    @Test
    void noticesNeedTheSecretAndAreOneLine() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI notify = URI.create(peer() + PeerEndpoint.NOTIFY_PATH);
        HttpResponse<String> bare = http.send(HttpRequest.newBuilder(notify).POST(HttpRequest.BodyPublishers.ofString(
                "00000000000000000000000000000000 0 1 5")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, bare.statusCode(), bare.body());
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(notify).header(PeerEndpoint.SECRET_HEADER, SECRET)
                .POST(HttpRequest.BodyPublishers.ofString("00000000000000000000000000000000 0 1 5")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, ok.statusCode(), "a notice for a stream nobody follows here is taken and ignored");
        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(notify).header(PeerEndpoint.SECRET_HEADER, SECRET)
                .POST(HttpRequest.BodyPublishers.ofString("sid zero")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(422, bad.statusCode(), bad.body());
    }

    @Test
    void aStreamThisInstanceDoesNotHoldIsRefused() {
        CompletionException e = assertThrows(CompletionException.class, () -> client.forward(peer(),
                "00000000000000000000000000000000", "y", List.of(batch("lost"))).toCompletableFuture().join());
        assertInstanceOf(Peering.NotDelivered.class, e.getCause());
    }

    @Test
    void aPeerNobodyListensAtGotNothing() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        CompletionException e = assertThrows(CompletionException.class, () -> client.forward("http://127.0.0.1:" + closed,
                "00000000000000000000000000000000", "z", List.of(batch("x"))).toCompletableFuture().join());
        assertInstanceOf(Peering.NotDelivered.class, e.getCause());
    }

    @Test
    void forwardsStartNoThreadPerAnswer() {
        // The JDK's HTTP client completed every answer on CompletableFuture's default executor, which
        // on one or two CPUs starts a thread per task (docs/DECISIONS.md 35).
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        assertThrows(CompletionException.class, () -> client.forward(peer(), "00000000000000000000000000000000", "warm",
                List.of(batch("x"))).toCompletableFuture().join());
        long before = threads.getTotalStartedThreadCount();
        for (int i = 0; i < 50; i++) {
            String id = "t" + i;
            assertThrows(CompletionException.class, () -> client.forward(peer(), "00000000000000000000000000000000", id,
                    List.of(batch("x"))).toCompletableFuture().join());
        }
        long started = threads.getTotalStartedThreadCount() - before;
        assertTrue(started < 10, "50 forwards started " + started + " threads");
    }
}
