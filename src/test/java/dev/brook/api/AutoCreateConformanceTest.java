package dev.brook.api;

import static dev.brook.api.DataPlaneApi.append;
import static dev.brook.api.DataPlaneApi.appendBodies;
import static dev.brook.api.DataPlaneApi.assertError;
import static dev.brook.api.DataPlaneApi.assertTail;
import static dev.brook.api.DataPlaneApi.bodies;
import static dev.brook.api.DataPlaneApi.bodiesOf;
import static dev.brook.api.DataPlaneApi.checkTail;
import static dev.brook.api.DataPlaneApi.concurrently;
import static dev.brook.api.DataPlaneApi.listStreams;
import static dev.brook.api.DataPlaneApi.newBasin;
import static dev.brook.api.DataPlaneApi.parse;
import static dev.brook.api.DataPlaneApi.rawAppend;
import static dev.brook.api.DataPlaneApi.rawRead;
import static dev.brook.api.DataPlaneApi.read;
import static dev.brook.api.DataPlaneApi.readCatchUp;
import static dev.brook.api.DataPlaneApi.recordsOf;
import static dev.brook.api.DataPlaneApi.seq;
import static dev.brook.api.DataPlaneApi.streamNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Spec §12 D (Lite's {@code data_plane/auto_create.rs}), one test per item. Read sessions are not
 * built: "read session opens" is tested as its unary equivalent, a unary read with {@code wait=1},
 * which at the tail of an empty stream answers {@code 200 {"records":[]}} (§7.3) instead of 416.
 */
@QuarkusTest
class AutoCreateConformanceTest {

    private static final String ON_APPEND = "{\"create_stream_on_append\":true}";
    private static final String ON_READ = "{\"create_stream_on_read\":true}";
    private static final String S = "auto/s";

    @Test
    // "Basin `create_stream_on_append: true`: append to missing stream → ack end 1; stream now listed; tail 1."
    void appendCreatesStreamWhenBasinAllows() {
        String basin = newBasin("d-on-append", ON_APPEND);
        JsonNode ack = appendBodies(basin, S, "hello");
        assertEquals(0, seq(ack, "start"));
        assertEquals(1, seq(ack, "end"));
        List<JsonNode> streams = listStreams(basin);
        assertEquals(List.of(S), streamNames(basin));
        assertTrue(streams.get(0).get("deleted_at").isNull());
        assertTrue(streams.get(0).get("cipher").isNull());
        assertEquals(1, DataPlaneApi.tail(basin, S)[0]);
        assertEquals(List.of("hello"), bodiesOf(readCatchUp(basin, S, "seq_num=0")));
    }

    @Test
    // "Same with basin cipher aegis-256 → auto-created stream has cipher aegis-256; encrypted read returns the body."
    void appendCreatesEncryptedStreamWithBasinCipher() {
        String basin = newBasin("d-on-append-enc", "{\"create_stream_on_append\":true,\"stream_cipher\":\"aegis-256\"}");
        Map<String, String> key = Map.of("s2-encryption-key", Base64.getEncoder().encodeToString(new byte[32]));
        DataPlaneApi.Reply r = append(basin, S, bodies("secret"), key);
        assertEquals(1, seq(DataPlaneApi.ackOf(r, 1), "end"));
        assertEquals("aegis-256", listStreams(basin).get(0).get("cipher").asText());
        assertEquals(List.of("secret"), bodiesOf(recordsOf(read(basin, S, "seq_num=0", key))));
        // The key is required on an encrypted stream.
        assertError(read(basin, S, "seq_num=0"), 400, "bad_header", "missing encryption key for stream cipher 'aegis-256'");
    }

    @Test
    // "Without the flag: append to missing stream → 404 `stream_not_found`; no stream created."
    void appendWithoutFlagIsStreamNotFound() {
        String basin = newBasin("d-no-append");
        assertError(append(basin, S, bodies("x")), 404, "stream_not_found", "stream `" + S + "` in basin `" + basin + "` not found");
        assertEquals(List.of(), streamNames(basin));
        // A basin that only creates on read does not create on append either.
        String readOnly = newBasin("d-read-only", ON_READ);
        assertError(append(readOnly, S, bodies("x")), 404, "stream_not_found", null);
        assertEquals(List.of(), streamNames(readOnly));
    }

    @Test
    // "`create_stream_on_read: true`: read session on missing stream opens and creates it; tail 0." — unary equivalent (wait=1).
    void readCreatesStreamWhenBasinAllows() {
        String basin = newBasin("d-on-read", ON_READ);
        DataPlaneApi.Reply r = read(basin, S, "wait=1");
        assertEquals(200, r.status(), r::toString);
        assertEquals(List.of(), recordsOf(r));
        assertEquals(List.of(S), streamNames(basin));
        assertTail(basin, S, 0, 0);
        // A plain unary read of the (now existing, empty) stream is the §7.1 416 with tail {0,0}.
        DataPlaneApi.assert416(read(basin, S, ""), 0, 0);
    }

    @Test
    // "Without flag: read → 404 `stream_not_found`; nothing created."
    void readWithoutFlagIsStreamNotFound() {
        String basin = newBasin("d-no-read");
        assertError(read(basin, S, "wait=1"), 404, "stream_not_found", "stream `" + S + "` in basin `" + basin + "` not found");
        assertError(read(basin, S, ""), 404, "stream_not_found", null);
        assertEquals(List.of(), streamNames(basin));
        // A basin that only creates on append does not create on read either.
        String appendOnly = newBasin("d-append-only", ON_APPEND);
        assertError(read(appendOnly, S, "wait=1"), 404, "stream_not_found", null);
        assertEquals(List.of(), streamNames(appendOnly));
    }

    @Test
    // "`create_stream_on_read: true`: check-tail on missing stream → `{0,0}` and creates it (with basin cipher if configured)."
    void checkTailCreatesStreamWhenBasinAllows() {
        String basin = newBasin("d-tail-create", ON_READ);
        DataPlaneApi.Reply r = checkTail(basin, S);
        assertEquals(200, r.status(), r::toString);
        assertEquals(parse("{\"tail\":{\"seq_num\":0,\"timestamp\":0}}"), r.json());
        List<JsonNode> streams = listStreams(basin);
        assertEquals(List.of(S), streamNames(basin));
        assertTrue(streams.get(0).get("cipher").isNull());

        // With a basin cipher the auto-created stream gets it (no key is needed for check-tail).
        String ciphered = newBasin("d-tail-cipher", "{\"create_stream_on_read\":true,\"stream_cipher\":\"aegis-256\"}");
        DataPlaneApi.Reply c = checkTail(ciphered, S);
        assertEquals(200, c.status(), c::toString);
        assertEquals(parse("{\"tail\":{\"seq_num\":0,\"timestamp\":0}}"), c.json());
        assertEquals("aegis-256", listStreams(ciphered).get(0).get("cipher").asText());
    }

    @Test
    // "Without flag: check-tail → 404 `stream_not_found`."
    void checkTailWithoutFlagIsStreamNotFound() {
        String basin = newBasin("d-tail-none", ON_APPEND);
        assertError(checkTail(basin, S), 404, "stream_not_found", "stream `" + S + "` in basin `" + basin + "` not found");
        assertEquals(List.of(), streamNames(basin));
    }

    @Test
    // "10 concurrent appends auto-creating one stream (clients retry on 409 `transaction_conflict`/404) → all succeed;
    // tail 10; exactly 1 stream; all 10 bodies readable."
    void tenConcurrentAutoCreatingAppends() {
        String basin = newBasin("d-conc-append", ON_APPEND);
        List<JsonNode> acks = concurrently(10, i -> {
            DataPlaneApi.Reply r = null;
            for (int attempt = 0; attempt < 5; attempt++) {
                r = rawAppend(basin, S, bodies("body-" + i));
                boolean retryable = (r.status() == 409 && r.json().get("code").asText().equals("transaction_conflict"))
                        || (r.status() == 404 && r.json().get("code").asText().equals("stream_not_found"));
                if (!retryable) {
                    break;
                }
            }
            return DataPlaneApi.ackOf(r, 1);
        });
        TreeSet<Long> starts = new TreeSet<>();
        for (JsonNode ack : acks) {
            assertEquals(seq(ack, "start") + 1, seq(ack, "end"));
            starts.add(seq(ack, "start"));
        }
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), new ArrayList<>(starts), "distinct, contiguous acks");
        assertEquals(10, DataPlaneApi.tail(basin, S)[0]);
        assertEquals(List.of(S), streamNames(basin));
        List<String> read = new ArrayList<>(bodiesOf(readCatchUp(basin, S, "seq_num=0")));
        assertEquals(10, read.size());
        read.sort(null);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            expected.add("body-" + i);
        }
        expected.sort(null);
        assertEquals(expected, read, "every body exactly once");
        // Each ack's start is where its body is.
        List<JsonNode> records = readCatchUp(basin, S, "seq_num=0");
        for (int i = 0; i < 10; i++) {
            assertEquals("body-" + i, records.get((int) seq(acks.get(i), "start")).get("body").asText());
        }
    }

    @Test
    // "10 concurrent reads auto-creating one stream → all succeed; 1 stream; tail `{0,0}`; read returns nothing."
    // — unary equivalent: reads with wait=1.
    void tenConcurrentAutoCreatingReads() {
        String basin = newBasin("d-conc-read", ON_READ);
        List<DataPlaneApi.Reply> replies = concurrently(10, i -> rawRead(basin, S, "wait=1"));
        for (DataPlaneApi.Reply r : replies) {
            assertEquals(200, r.status(), r::toString);
            assertEquals(List.of(), recordsOf(r));
        }
        assertEquals(List.of(S), streamNames(basin));
        assertTail(basin, S, 0, 0);
        assertEquals(List.of(), recordsOf(read(basin, S, "wait=1")));
    }

    @Test
    // "(HTTP test) invalid read params (`timestamp=5&until=5`) with `create_stream_on_read` → 422 `invalid` with message
    // containing "start `timestamp` exceeds or equal to `until`", and no stream is created."
    void invalidReadParamsCreateNothing() {
        String basin = newBasin("d-bad-read", ON_READ);
        JsonNode err = assertError(read(basin, S, "timestamp=5&until=5"), 422, "invalid", null);
        assertTrue(err.get("message").asText().contains("start `timestamp` exceeds or equal to `until`"), err::toString);
        assertError(read(basin, S, "timestamp=6&until=5"), 422, "invalid", "start `timestamp` exceeds or equal to `until`");
        assertEquals(List.of(), streamNames(basin));
    }
}
