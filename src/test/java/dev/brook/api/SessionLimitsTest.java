package dev.brook.api;

import static dev.brook.api.DataPlaneApi.createStream;
import static dev.brook.api.DataPlaneApi.newBasin;
import static dev.brook.api.S2sClient.END;
import static dev.brook.api.S2sClient.ack;
import static dev.brook.api.S2sClient.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.http.wire.ProtoCodec;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The per-process caps: open sessions, and appended bytes in flight (with backpressure, not refusal, for sessions). */
@QuarkusTest
@TestProfile(SessionLimitsTest.Small.class)
class SessionLimitsTest {

    public static class Small implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("brook.sessions.max", "2", "brook.append.inflight-bytes-max", Long.toString(1 << 20));
        }
    }

    @TestHTTPResource("/")
    URI root;

    @Test
    void sessionsOverTheCapAreRefusedWithRateLimitedAndAnEndedSessionFreesItsSlot() throws Exception {
        String basin = newBasin("limits-sessions");
        createStream(basin, "s", null);
        String path = "/v1/streams/s/records";
        try (S2sClient client = new S2sClient(root, HttpVersion.HTTP_2)) {
            S2sClient.Session bounded = client.open(HttpMethod.GET, path + "?seq_num=0&count=1&wait=60", Map.of("s2-basin", basin));
            S2sClient.Session follower = client.open(HttpMethod.GET, path + "?seq_num=0", Map.of("s2-basin", basin));
            assertEquals(200, bounded.status());
            assertEquals(200, follower.status());

            S2sClient.Session refusedRead = client.open(HttpMethod.GET, path + "?seq_num=0", Map.of("s2-basin", basin));
            assertEquals(429, refusedRead.status());
            assertEquals("rate_limited", DataPlaneApi.parse(refusedRead.text()).get("code").asText());
            S2sClient.Session refusedAppend = client.open(HttpMethod.POST, path, Map.of("s2-basin", basin));
            assertEquals(429, refusedAppend.status());
            DataPlaneApi.Reply sse = DataPlaneApi.raw("GET", path + "?seq_num=0", Map.of("s2-basin", basin, "accept", "text/event-stream"), null);
            assertEquals(429, sse.status());
            assertEquals(0, DataPlaneApi.tail(basin, "s")[0], "refused sessions changed nothing");

            DataPlaneApi.append(basin, "s", DataPlaneApi.bodies("one"), Map.of());
            S2sClient.Frame f = bounded.next();
            while (f != END) {
                f = bounded.next(); // heartbeat, the record, then the end of the count-bounded session
            }
            S2sClient.Session third = client.open(HttpMethod.GET, path + "?seq_num=0&count=1", Map.of("s2-basin", basin));
            assertEquals(200, third.status(), "the ended session's slot was given back");
            assertEquals(1, batch(third.next()).records().size());
        }
    }

    @Test
    void anAppendSessionOverTheBytesCapIsSlowedNotRefused() throws Exception {
        String basin = newBasin("limits-bytes");
        createStream(basin, "s", null);
        byte[] body = new byte[300 << 10];
        int batches = 8; // 2.4 MiB pipelined against a 1 MiB cap
        try (S2sClient client = new S2sClient(root, HttpVersion.HTTP_2)) {
            S2sClient.Session session = client.open(HttpMethod.POST, "/v1/streams/s/records", Map.of("s2-basin", basin));
            for (int i = 0; i < batches; i++) {
                AppendBatch batch = new AppendBatch(List.of(new AppendRecord(OptionalLong.empty(), List.of(), body)),
                        OptionalLong.of(i), Optional.empty(), 0);
                session.send(S2sClient.frame(0, ProtoCodec.encodeAppendInput(batch)));
            }
            for (int i = 0; i < batches; i++) {
                ProtoCodec.AppendAck a = ack(session.next());
                assertEquals(i, a.start().seqNum());
            }
            session.finish();
            assertEquals(END, session.next());
        }
        assertEquals(batches, DataPlaneApi.tail(basin, "s")[0]);
    }

    @Test
    void aSessionTheClientAbandonsGivesItsSlotBack() throws Exception {
        String basin = newBasin("limits-reset");
        createStream(basin, "s", null);
        String path = "/v1/streams/s/records";
        try (S2sClient client = new S2sClient(root, HttpVersion.HTTP_2)) {
            // One HTTP/2 connection: the server handles its frames in order, so a reset is processed
            // before the HEADERS of a session opened after it.
            S2sClient.Session reader = client.open(HttpMethod.GET, path + "?seq_num=0", Map.of("s2-basin", basin));
            S2sClient.Session appender = client.open(HttpMethod.POST, path, Map.of("s2-basin", basin));
            assertEquals(200, reader.status());
            assertEquals(200, appender.status());
            assertEquals(429, client.open(HttpMethod.GET, path + "?seq_num=0", Map.of("s2-basin", basin)).status());

            reader.request.reset();
            S2sClient.Session afterReaderReset = client.open(HttpMethod.GET, path + "?seq_num=0", Map.of("s2-basin", basin));
            assertEquals(200, afterReaderReset.status(), "the abandoned read session's slot was given back");

            appender.request.reset();
            S2sClient.Session afterAppenderReset = client.open(HttpMethod.POST, path, Map.of("s2-basin", basin));
            assertEquals(200, afterAppenderReset.status(), "the abandoned append session's slot was given back");
        }
    }
}
