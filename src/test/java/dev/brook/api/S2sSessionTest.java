package dev.brook.api;

import static dev.brook.api.DataPlaneApi.createStream;
import static dev.brook.api.DataPlaneApi.newBasin;
import static dev.brook.api.S2sClient.END;
import static dev.brook.api.S2sClient.ack;
import static dev.brook.api.S2sClient.appendInput;
import static dev.brook.api.S2sClient.batch;
import static dev.brook.api.S2sClient.frame;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brook.core.SequencedRecord;
import dev.brook.http.wire.ProtoCodec;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * S2S sessions (spec §8) on the unary API's port, over h2c with prior knowledge and over
 * full-duplex HTTP/1.1: pipelined appends with one ack per batch in order, the prefix rule on
 * failure, terminal frames, half-close, and read sessions that catch up, heartbeat and follow.
 */
@QuarkusTest
class S2sSessionTest {

    @TestHTTPResource("/")
    URI root;

    enum Transport {
        H2C(HttpVersion.HTTP_2), HTTP1(HttpVersion.HTTP_1_1);

        final HttpVersion version;

        Transport(HttpVersion version) {
            this.version = version;
        }
    }

    private static String records(String stream) {
        return "/v1/streams/" + stream + "/records";
    }

    private static long tail(String basin, String stream) {
        return DataPlaneApi.parse(given().header("s2-basin", basin).get(records(stream) + "/tail").then().statusCode(200)
                .extract().asString()).get("tail").get("seq_num").asLong();
    }

    private static List<String> bodies(String basin, String stream) {
        JsonNode read = DataPlaneApi.parse(given().header("s2-basin", basin).get(records(stream) + "?seq_num=0")
                .then().statusCode(200).extract().asString());
        List<String> out = new ArrayList<>();
        read.get("records").forEach(r -> out.add(r.get("body").asText()));
        return out;
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void pipelinedBatchesAreAckedOncePerBatchInOrderAndHalfCloseEndsTheResponse(Transport t) throws Exception {
        String basin = newBasin("s2s-pipe");
        createStream(basin, "s", null);
        try (S2sClient client = new S2sClient(root, t.version)) {
            S2sClient.Session session = client.open(HttpMethod.POST, records("s"), Map.of("s2-basin", basin));
            assertEquals(200, session.status());
            assertEquals("s2s/proto", session.response.getHeader("content-type"));
            int batches = 60;
            for (int i = 0; i < batches; i++) {
                session.send(appendInput(OptionalLong.empty(), "b" + i + "-0", "b" + i + "-1"));
            }
            long previousEnd = 0;
            for (int i = 0; i < batches; i++) {
                ProtoCodec.AppendAck a = ack(session.next());
                assertEquals(2L * i, a.start().seqNum(), "batch " + i + " starts where the one before ended");
                assertEquals(a.start().seqNum() + 2, a.end().seqNum());
                assertTrue(a.end().seqNum() > previousEnd || i == 0);
                assertTrue(a.tail().seqNum() >= a.end().seqNum());
                previousEnd = a.end().seqNum();
            }
            session.finish();
            assertEquals(END, session.next(), "no terminal frame on success, just the end");
        }
        List<String> stored = bodies(basin, "s");
        assertEquals(120, stored.size());
        assertEquals("b59-1", stored.get(119));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void acksFlowWhileTheRequestIsStillOpen(Transport t) throws Exception {
        String basin = newBasin("s2s-duplex");
        createStream(basin, "s", null);
        try (S2sClient client = new S2sClient(root, t.version)) {
            S2sClient.Session session = client.open(HttpMethod.POST, records("s"), Map.of("s2-basin", basin));
            for (int i = 0; i < 3; i++) {
                session.send(appendInput(OptionalLong.of(i), "one-at-a-time-" + i));
                assertEquals(i, ack(session.next()).start().seqNum(), "each ack arrives before the next batch is sent");
            }
            session.finish();
            assertEquals(END, session.next());
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void theFirstFailureEndsTheSessionAfterTheAcksBeforeItAndNothingAfterItIsApplied(Transport t) throws Exception {
        String basin = newBasin("s2s-prefix");
        createStream(basin, "s", null);
        try (S2sClient client = new S2sClient(root, t.version)) {
            S2sClient.Session session = client.open(HttpMethod.POST, records("s"), Map.of("s2-basin", basin));
            session.send(appendInput(OptionalLong.of(0), "first"));
            session.send(appendInput(OptionalLong.of(0), "stale"));
            session.send(appendInput(OptionalLong.empty(), "after-1"));
            session.send(appendInput(OptionalLong.empty(), "after-2"));
            assertEquals(0, ack(session.next()).start().seqNum());
            S2sClient.Frame terminal = session.next();
            assertTrue(terminal.terminal(), "a terminal frame");
            assertEquals(412, terminal.status());
            assertEquals(1, DataPlaneApi.parse(terminal.json()).get("seq_num_mismatch").asLong());
            assertEquals(END, session.next(), "nothing follows the terminal frame");
        }
        assertEquals(List.of("first"), bodies(basin, "s"), "the batches after the failed one were never applied");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void badFramesAndClientTerminalFramesEndTheSessionWithBadFrame(Transport t) throws Exception {
        String basin = newBasin("s2s-badframe");
        createStream(basin, "s", null);
        try (S2sClient client = new S2sClient(root, t.version)) {
            S2sClient.Session session = client.open(HttpMethod.POST, records("s"), Map.of("s2-basin", basin));
            session.send(appendInput(OptionalLong.empty(), "good"));
            session.send(frame(0x60, new byte[]{1, 2, 3})); // compression bits 11
            assertEquals(0, ack(session.next()).start().seqNum());
            S2sClient.Frame terminal = session.next();
            assertTrue(terminal.terminal());
            assertEquals(400, terminal.status());
            assertEquals("bad_frame", DataPlaneApi.parse(terminal.json()).get("code").asText());

            S2sClient.Session second = client.open(HttpMethod.POST, records("s"), Map.of("s2-basin", basin));
            second.send(frame(0x80, new byte[]{0, (byte) 200}));
            S2sClient.Frame t2 = second.next();
            assertTrue(t2.terminal());
            assertEquals(400, t2.status());
            JsonNode body = DataPlaneApi.parse(t2.json());
            assertEquals("bad_frame", body.get("code").asText());
            assertEquals("Unexpected terminal frame as input", body.get("message").asText());

            S2sClient.Session third = client.open(HttpMethod.POST, records("s"), Map.of("s2-basin", basin));
            third.send(frame(0, new byte[]{(byte) 0x0a, 5, 1})); // AppendInput.records: length 5, 1 byte present
            S2sClient.Frame t3 = third.next();
            assertTrue(t3.terminal());
            assertEquals("bad_proto", DataPlaneApi.parse(t3.json()).get("code").asText());
        }
        assertEquals(List.of("good"), bodies(basin, "s"));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void preflightErrorsAreOrdinaryHttpResponses(Transport t) throws Exception {
        String basin = newBasin("s2s-preflight");
        try (S2sClient client = new S2sClient(root, t.version)) {
            S2sClient.Session append = client.open(HttpMethod.POST, records("missing"), Map.of("s2-basin", basin));
            assertEquals(404, append.status());
            assertEquals("stream_not_found", DataPlaneApi.parse(append.text()).get("code").asText());
            S2sClient.Session read = client.open(HttpMethod.GET, records("missing") + "?seq_num=0", Map.of("s2-basin", basin));
            assertEquals(404, read.status());
            assertEquals("stream_not_found", DataPlaneApi.parse(read.text()).get("code").asText());
            S2sClient.Session noBasin = client.open(HttpMethod.POST, records("s"), Map.of());
            assertEquals(400, noBasin.status());
            assertEquals("bad_header", DataPlaneApi.parse(noBasin.text()).get("code").asText());
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aReadSessionCatchesUpHeartbeatsAtTheTailFollowsAndEndsAtItsCount(Transport t) throws Exception {
        String basin = newBasin("s2s-read");
        createStream(basin, "s", null);
        DataPlaneApi.append(basin, "s", DataPlaneApi.bodies("r0", "r1"), Map.of());
        try (S2sClient client = new S2sClient(root, t.version)) {
            S2sClient.Session read = client.open(HttpMethod.GET, records("s") + "?seq_num=0&count=4&wait=30", Map.of("s2-basin", basin));
            assertEquals(200, read.status());
            ProtoCodec.ReadBatch first = batch(read.next());
            assertEquals(List.of("r0", "r1"), texts(first.records()));
            ProtoCodec.ReadBatch heartbeat = batch(read.next());
            assertTrue(heartbeat.records().isEmpty(), "a heartbeat on reaching the tail");
            assertEquals(2, heartbeat.tail().orElseThrow().seqNum());
            DataPlaneApi.append(basin, "s", DataPlaneApi.bodies("r2"), Map.of());
            DataPlaneApi.append(basin, "s", DataPlaneApi.bodies("r3", "r4"), Map.of());
            List<String> live = new ArrayList<>();
            while (live.size() < 2) {
                ProtoCodec.ReadBatch b = batch(read.next());
                if (!b.records().isEmpty()) {
                    assertTrue(b.tail().isPresent(), "live batches carry the tail");
                }
                live.addAll(texts(b.records()));
            }
            assertEquals(List.of("r2", "r3"), live, "the count bound cuts the live batch");
            assertEquals(END, read.next(), "a bounded session ends without a terminal frame");
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aReadSessionWithoutFollowEndsAtTheTail(Transport t) throws Exception {
        String basin = newBasin("s2s-nofollow");
        createStream(basin, "s", null);
        DataPlaneApi.append(basin, "s", DataPlaneApi.bodies("a", "b", "c"), Map.of());
        try (S2sClient client = new S2sClient(root, t.version)) {
            S2sClient.Session read = client.open(HttpMethod.GET, records("s") + "?tail_offset=2&wait=0", Map.of("s2-basin", basin));
            List<String> seen = new ArrayList<>();
            S2sClient.Frame f = read.next();
            while (f != END) {
                seen.addAll(texts(batch(f).records())); // a heartbeat may come on reaching the tail
                f = read.next();
            }
            assertEquals(List.of("b", "c"), seen);
        }
        assertEquals(3, tail(basin, "s"));
    }

    private static List<String> texts(List<SequencedRecord> records) {
        return records.stream().map(r -> new String(r.body(), StandardCharsets.UTF_8)).toList();
    }
}
