package dev.brook.api;

import static dev.brook.api.DataPlaneApi.createStream;
import static dev.brook.api.DataPlaneApi.newBasin;
import static dev.brook.api.DataPlaneApi.tail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brook.testing.RawHttp;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Connection timeouts and the budget for bodies being received (docs/SECURITY.md), with small
 * values: a 1 s header timeout, a 5 s idle timeout, 1 MiB of bodies in transit. Every check blocks
 * on the server's answer or its closing the connection; none waits on the clock to synchronise.
 */
@QuarkusTest
@TestProfile(TransportTimeoutsTest.Small.class)
class TransportTimeoutsTest {

    public static class Small implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("brook.http.header-timeout-ms", "1000", "brook.http.idle-timeout-ms", "5000",
                    "brook.http.body-buffer-bytes-max", Integer.toString(1 << 20));
        }
    }

    /** How many header lines the trickle would send (one per 100 ms: a minute), if never cut off. */
    static final int TRICKLE_LINES = 600;

    @TestHTTPResource("/")
    URI root;

    private RawHttp connect() throws Exception {
        return new RawHttp(root.getPort());
    }

    /**
     * Sends header lines one by one, paced, never ending the head; the server must close the
     * connection while they still come (a trickle keeps reads going, so only a header deadline cuts it).
     */
    private static void assertTrickleIsCut(RawHttp c) throws Exception {
        c.send("GET /health HTTP/1.1\r\nhost: localhost\r\n");
        AtomicBoolean finished = new AtomicBoolean();
        ExecutorService trickler = Executors.newSingleThreadExecutor();
        Future<?> trickle = trickler.submit(() -> {
            try {
                for (int i = 0; i < TRICKLE_LINES; i++) {
                    c.send("x-trickle-" + i + ": a\r\n");
                    Thread.sleep(100); // pacing the attack, not synchronising the test
                }
                finished.set(true);
            } catch (Exception e) {
                // the server closed the connection under the writes
            }
            return null;
        });
        try {
            assertTrue(c.closedByServer(), "closed without an answer");
            assertTrue(!finished.get(), "cut off while the head was still trickling in");
        } finally {
            trickle.cancel(true);
            trickler.shutdownNow();
            trickler.awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aClientTricklingItsRequestHeadIsCutOff() throws Exception {
        try (RawHttp c = connect()) {
            assertTrickleIsCut(c);
        }
    }

    @Test
    void aKeepAliveConnectionGetsTheHeaderTimeoutAgainAfterEachResponse() throws Exception {
        try (RawHttp c = connect()) {
            c.send("GET /health/live HTTP/1.1\r\nhost: localhost\r\n\r\n");
            assertEquals(200, c.response().status());
            assertTrickleIsCut(c);
        }
    }

    @Test
    void aLongPollLongerThanTheHeaderTimeoutIsServedAndTheConnectionKept() throws Exception {
        String basin = newBasin("timeouts-poll");
        createStream(basin, "s", null);
        try (RawHttp c = connect()) {
            // Two seconds without a byte either way: twice the header timeout, within the idle timeout.
            c.send("GET /v1/streams/s/records?seq_num=0&wait=2 HTTP/1.1\r\nhost: localhost\r\ns2-basin: " + basin + "\r\n\r\n");
            RawHttp.Response r = c.response();
            assertEquals(200, r.status(), r.text());
            assertEquals("{\"records\":[]}", r.text());
            c.send("GET /health/live HTTP/1.1\r\nhost: localhost\r\n\r\n");
            assertEquals(200, c.response().status());
        }
    }

    @Test
    void anUploadThatStallsIsCutAfterTheIdleTimeout() throws Exception {
        String basin = newBasin("timeouts-stall");
        createStream(basin, "s", null);
        try (RawHttp c = connect()) {
            c.send("POST /v1/streams/s/records HTTP/1.1\r\nhost: localhost\r\ns2-basin: " + basin
                    + "\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"records\":");
            assertTrue(c.closedByServer(), "closed without an answer");
        }
        assertEquals(0, tail(basin, "s")[0]);
    }

    @Test
    void bodiesOverTheBudgetInTransitAreRefusedWithRateLimitedUntilItFrees() throws Exception {
        String basin = newBasin("timeouts-budget");
        createStream(basin, "s", null);
        int size = 600 << 10; // two of them do not fit in 1 MiB
        byte[] body = new byte[size];
        Arrays.fill(body, (byte) ' ');
        byte[] batch = "{\"records\":[{\"body\":\"b\"}]}".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(batch, 0, body, 0, batch.length);
        String head = "POST /v1/streams/s/records HTTP/1.1\r\nhost: localhost\r\ns2-basin: " + basin
                + "\r\ncontent-type: application/json\r\ncontent-length: " + size + "\r\nexpect: 100-continue\r\n\r\n";
        try (RawHttp first = connect(); RawHttp second = connect()) {
            first.send(head);
            assertEquals(100, first.response().status(), "reserved, so the body is asked for");
            second.send(head);
            RawHttp.Response refused = second.response();
            assertEquals(429, refused.status());
            assertEquals("rate_limited", new ObjectMapper().readTree(refused.body()).get("code").asText());
            assertTrue(second.closedByServer());

            first.send(body);
            assertEquals(200, first.response().status());
        }
        try (RawHttp again = connect()) {
            again.send(head);
            assertEquals(100, again.response().status(), "the first body's bytes were given back");
            again.send(body);
            assertEquals(200, again.response().status());
        }
        assertEquals(2, tail(basin, "s")[0]);
    }
}
