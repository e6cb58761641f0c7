package dev.brook.api;

import static dev.brook.api.DataPlaneApi.CLIENT_REQUIRE;
import static dev.brook.api.DataPlaneApi.MIB;
import static dev.brook.api.DataPlaneApi.U64_MAX;
import static dev.brook.api.DataPlaneApi.append;
import static dev.brook.api.DataPlaneApi.appendBodies;
import static dev.brook.api.DataPlaneApi.appendOk;
import static dev.brook.api.DataPlaneApi.assert416;
import static dev.brook.api.DataPlaneApi.assertError;
import static dev.brook.api.DataPlaneApi.assertTail;
import static dev.brook.api.DataPlaneApi.bodies;
import static dev.brook.api.DataPlaneApi.bodiesOf;
import static dev.brook.api.DataPlaneApi.checkTail;
import static dev.brook.api.DataPlaneApi.createStream;
import static dev.brook.api.DataPlaneApi.fence;
import static dev.brook.api.DataPlaneApi.input;
import static dev.brook.api.DataPlaneApi.newBasin;
import static dev.brook.api.DataPlaneApi.parse;
import static dev.brook.api.DataPlaneApi.raw;
import static dev.brook.api.DataPlaneApi.read;
import static dev.brook.api.DataPlaneApi.readCatchUp;
import static dev.brook.api.DataPlaneApi.rec;
import static dev.brook.api.DataPlaneApi.recWithHeaders;
import static dev.brook.api.DataPlaneApi.recordsOf;
import static dev.brook.api.DataPlaneApi.recordsPath;
import static dev.brook.api.DataPlaneApi.seq;
import static dev.brook.api.DataPlaneApi.seqsOf;
import static dev.brook.api.DataPlaneApi.tail;
import static dev.brook.api.DataPlaneApi.timestampsOf;
import static dev.brook.api.DataPlaneApi.ts;
import static dev.brook.api.DataPlaneApi.uniqueBasin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Spec §12 F (Lite's {@code data_plane/read.rs}) over unary JSON reads, one test per item, then the
 * Rust SDK's unary assertions of §12 J ({@code sdk*} methods, one per item).
 *
 * <p>Skipped §12 F items (read sessions / waiting, a later issue; no unary equivalent):
 * <ul>
 *   <li>"Check-tail remains correct after >60 s idleness." — needs 60 s of waiting.</li>
 *   <li>"Session at tail (`tail_offset=0`, `wait=100 ms`) with no appends → only heartbeats, closes between 100 ms
 *       and 100 ms + ε." — sessions, timing.</li>
 *   <li>"Same, append after 40 ms → heartbeat, then live batch, then close exactly `wait` after that batch." — sessions,
 *       timing.</li>
 * </ul>
 * Skipped §12 J items (sessions / producer): "Read session `seq_num=10` → 416 at open; ...", "Read session from
 * `tail_offset=2` → ...", "Session close delivers all acks ...; producer acks ...".
 */
@QuarkusTest
class ReadConformanceTest {

    private static final String S = "read/s";

    // ======================================================================= §12 F

    @Test
    // "Check-tail: fresh stream `{0,0}`; after append equals `ack.end`; unknown basin → 404 `basin_not_found`."
    void checkTailFreshAfterAppendAndUnknownBasin() {
        String basin = newBasin("f-tail");
        createStream(basin, S, null);
        assertTail(basin, S, 0, 0);
        JsonNode ack = appendOk(basin, S, input(rec("a", 1000), rec("b", 1500)));
        assertTail(basin, S, seq(ack, "end"), ts(ack, "end"));
        assertEquals(2, seq(ack, "end"));
        assertEquals(1500, ts(ack, "end"));
        String missing = uniqueBasin("f-tail-missing");
        assertError(checkTail(missing, S), 404, "basin_not_found", "basin `" + missing + "` not found");
    }

    @Test
    // "5 appends → full read returns all 5."
    void fiveAppendsFullRead() {
        String basin = newBasin("f-five");
        createStream(basin, S, null);
        for (int i = 0; i < 5; i++) {
            appendBodies(basin, S, "r" + i);
        }
        List<JsonNode> records = readCatchUp(basin, S, "seq_num=0");
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), seqsOf(records));
        assertEquals(List.of("r0", "r1", "r2", "r3", "r4"), bodiesOf(records));
    }

    @Test
    // "Encrypted stream round trip with key."
    void encryptedRoundTrip() {
        String basin = newBasin("f-enc", "{\"stream_cipher\":\"aegis-256\"}");
        createStream(basin, S, null);
        byte[] key = new byte[32];
        key[0] = 7;
        Map<String, String> k = Map.of("s2-encryption-key", Base64.getEncoder().encodeToString(key));
        assertEquals(200, append(basin, S, bodies("secret-1", "secret-2"), k).status());
        assertEquals(List.of("secret-1", "secret-2"), bodiesOf(recordsOf(read(basin, S, "seq_num=0", k))));
        // Without the key neither direction works (§4.3).
        assertError(read(basin, S, "seq_num=0"), 400, "bad_header", "missing encryption key for stream cipher 'aegis-256'");
        assertError(append(basin, S, bodies("plain")), 400, "bad_header", "missing encryption key for stream cipher 'aegis-256'");
    }

    @Test
    // "10 records, count 5 → first 5."
    void countFive() {
        String basin = newBasin("f-count");
        createStream(basin, S, null);
        appendBodies(basin, S, "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9");
        List<JsonNode> records = readCatchUp(basin, S, "seq_num=0&count=5");
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), seqsOf(records));
        assertEquals(List.of("r0", "r1", "r2", "r3", "r4"), bodiesOf(records));
    }

    @Test
    // "Tail 1: read from `seq_num=100` (no clamp) → 416; with `clamp=true` and unbounded session + `wait=0` → succeeds,
    // no records." — the session half is not built; its unary counterparts (§7.1, §12 J): clamp without wait → 416,
    // clamp with wait=1 → 200 and no records.
    void beyondTailWithAndWithoutClamp() {
        String basin = newBasin("f-clamp");
        createStream(basin, S, null);
        JsonNode ack = appendOk(basin, S, input(rec("only", 777)));
        assert416(read(basin, S, "seq_num=100"), 1, 777);
        assert416(read(basin, S, "seq_num=100&clamp=true"), 1, 777);
        DataPlaneApi.Reply r = read(basin, S, "seq_num=100&clamp=true&wait=1");
        assertEquals(List.of(), recordsOf(r));
        assertEquals(1, seq(ack, "end"));
        assertTail(basin, S, 1, 777);
    }

    @Test
    // "Records at ts 1000, 2000 (tail end = {2, 2000}); each of these → 416 with tail == `{2, 2000}`: `tail_offset=0` +
    // `count=10` no wait; `seq_num=2` + `count=10` + `wait=0`; `timestamp=2001` + `until=u64::MAX`; `timestamp=2001` +
    // `clamp=true` + `count=10`."
    void unsatisfiableStartsAre416WithTail() {
        String basin = newBasin("f-416");
        createStream(basin, S, null);
        JsonNode ack = appendOk(basin, S, input(rec("a", 1000), rec("b", 2000)));
        assertEquals(parse("{\"seq_num\":2,\"timestamp\":2000}"), ack.get("end"));
        assert416(read(basin, S, "tail_offset=0&count=10"), 2, 2000);
        assert416(read(basin, S, "seq_num=2&count=10&wait=0"), 2, 2000);
        assert416(read(basin, S, "timestamp=2001&until=3000"), 2, 2000);
        assert416(read(basin, S, "timestamp=2001&clamp=true&count=10"), 2, 2000);
    }

    @Test
    // The third case of the item above exactly as §12 F states it: "`timestamp=2001` + `until=u64::MAX`" → 416 with tail {2, 2000}.
    void unsatisfiableTimestampStartWithUntilU64Max() {
        String basin = newBasin("f-416-u64");
        createStream(basin, S, null);
        appendOk(basin, S, input(rec("a", 1000), rec("b", 2000)));
        assert416(read(basin, S, "timestamp=2001&until=" + U64_MAX), 2, 2000);
    }

    @Test
    // "5 records, `tail_offset=2` → records 4 and 5."
    void tailOffsetTwo() {
        String basin = newBasin("f-offset");
        createStream(basin, S, null);
        appendBodies(basin, S, "r1", "r2", "r3", "r4", "r5");
        List<JsonNode> records = readCatchUp(basin, S, "tail_offset=2");
        assertEquals(List.of(3L, 4L), seqsOf(records));
        assertEquals(List.of("r4", "r5"), bodiesOf(records));
    }

    @Test
    // "Three records with identical timestamp 1000 (client-require) → `timestamp=1000` returns all three."
    void identicalTimestampsAllReturned() {
        String basin = newBasin("f-same-ts");
        createStream(basin, S, CLIENT_REQUIRE);
        appendOk(basin, S, input(rec("before", 500)));
        appendOk(basin, S, input(rec("a", 1000), rec("b", 1000)));
        appendOk(basin, S, input(rec("c", 1000)));
        List<JsonNode> records = readCatchUp(basin, S, "timestamp=1000");
        assertEquals(List.of(1L, 2L, 3L), seqsOf(records));
        assertEquals(List.of(1000L, 1000L, 1000L), timestampsOf(records));
        assertEquals(List.of("a", "b", "c"), bodiesOf(records));
        // A timestamp between records starts at the next one.
        assertEquals(List.of(1L, 2L, 3L), seqsOf(readCatchUp(basin, S, "timestamp=501")));
    }

    @Test
    // "`bytes` = exact size of first 2 records → exactly those 2."
    void bytesExactlyTwoRecords() {
        String basin = newBasin("f-bytes-exact");
        createStream(basin, S, null);
        appendOk(basin, S, input(recWithHeaders("body-0", "k", "v"), rec("body-1"), rec("body-2")));
        long first = 8 + 2 + 2 + 6; // 8 + 2 per header + "k" + "v" + "body-0"
        long second = 8 + 6;
        List<JsonNode> records = readCatchUp(basin, S, "seq_num=0&bytes=" + (first + second));
        assertEquals(List.of("body-0", "body-1"), bodiesOf(records));
        // One byte less and the second record no longer fits.
        assertEquals(List.of("body-0"), bodiesOf(readCatchUp(basin, S, "seq_num=0&bytes=" + (first + second - 1))));
    }

    @Test
    // "`bytes` = first record size − 1 → no records."
    void bytesBelowFirstRecordIsEmpty() {
        String basin = newBasin("f-bytes-small");
        createStream(basin, S, null);
        appendBodies(basin, S, "0123456789", "x");
        long first = 8 + 10;
        DataPlaneApi.Reply r = read(basin, S, "seq_num=0&bytes=" + (first - 1));
        assertEquals(parse("{\"records\":[]}"), r.json());
        assertEquals(List.of("0123456789"), bodiesOf(readCatchUp(basin, S, "seq_num=0&bytes=" + first)));
    }

    @Test
    // "`count=5, bytes=1_000_000` over 20 records → 5 records; `count=100, bytes=3×record` → 3 records."
    void countAndBytesTogether() {
        String basin = newBasin("f-count-bytes");
        createStream(basin, S, null);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add(String.format("rec-%02d", i));
        }
        appendBodies(basin, S, sent.toArray(String[]::new));
        long each = 8 + 6;
        assertEquals(sent.subList(0, 5), bodiesOf(readCatchUp(basin, S, "seq_num=0&count=5&bytes=1000000")));
        assertEquals(sent.subList(0, 3), bodiesOf(readCatchUp(basin, S, "seq_num=0&count=100&bytes=" + 3 * each)));
    }

    @Test
    // "`until` is exclusive: records ts {1000, 2000, 2000, 3000}: `until=500` → none; `until=2000` → only ts-1000;
    // `until=5000` → all 4."
    void untilIsExclusive() {
        String basin = newBasin("f-until");
        createStream(basin, S, null);
        appendOk(basin, S, input(rec("a", 1000), rec("b", 2000), rec("c", 2000), rec("d", 3000)));
        assertEquals(parse("{\"records\":[]}"), read(basin, S, "seq_num=0&until=500").json());
        assertEquals(List.of("a"), bodiesOf(readCatchUp(basin, S, "seq_num=0&until=2000")));
        assertEquals(List.of("a", "b", "c"), bodiesOf(readCatchUp(basin, S, "seq_num=0&until=2001")));
        assertEquals(List.of("a", "b", "c", "d"), bodiesOf(readCatchUp(basin, S, "seq_num=0&until=5000")));
    }

    @Test
    // "`until` combined with limits: count 2 wins; until 3500 beats count 10; bytes 2×record wins; until 3500 beats large bytes."
    void untilCombinedWithLimits() {
        String basin = newBasin("f-until-limits");
        createStream(basin, S, null);
        appendOk(basin, S, input(rec("r1", 1000), rec("r2", 2000), rec("r3", 3000), rec("r4", 4000), rec("r5", 5000)));
        long each = 8 + 2;
        assertEquals(List.of("r1", "r2"), bodiesOf(readCatchUp(basin, S, "seq_num=0&count=2&until=3500")));
        assertEquals(List.of("r1", "r2", "r3"), bodiesOf(readCatchUp(basin, S, "seq_num=0&count=10&until=3500")));
        assertEquals(List.of("r1", "r2"), bodiesOf(readCatchUp(basin, S, "seq_num=0&bytes=" + 2 * each + "&until=3500")));
        assertEquals(List.of("r1", "r2", "r3"), bodiesOf(readCatchUp(basin, S, "seq_num=0&bytes=100000&until=3500")));
    }

    @Test
    // "`timestamp=2000 & until=4500` over {500,2000,2000,2500,3500,4500,5500} → the 4 records with 2000 ≤ ts < 4500."
    void timestampStartWithUntil() {
        String basin = newBasin("f-ts-until");
        createStream(basin, S, null);
        long[] stamps = {500, 2000, 2000, 2500, 3500, 4500, 5500};
        List<ObjectNode> recs = new ArrayList<>();
        for (int i = 0; i < stamps.length; i++) {
            recs.add(rec("r" + i, stamps[i]));
        }
        appendOk(basin, S, input(recs));
        List<JsonNode> records = readCatchUp(basin, S, "timestamp=2000&until=4500");
        assertEquals(List.of(1L, 2L, 3L, 4L), seqsOf(records));
        assertEquals(List.of(2000L, 2000L, 2500L, 3500L), timestampsOf(records));
    }

    // ======================================================================= §12 J (Rust SDK, unary)

    @Test
    // "New stream tail 0; check-tail of missing stream → `stream_not_found`."
    void sdkNewStreamTailAndMissingStream() {
        String basin = newBasin("j-tail");
        createStream(basin, S, null);
        assertEquals(0, tail(basin, S)[0]);
        assertError(checkTail(basin, "missing"), 404, "stream_not_found", "stream `missing` in basin `" + basin + "` not found");
    }

    @Test
    // "Append "lorem" → ack start 0, end 1, **tail 1**; consecutive appends 0..1, 1..2, 2..4."
    void sdkAppendAcks() {
        String basin = newBasin("j-acks");
        createStream(basin, S, null);
        JsonNode lorem = appendBodies(basin, S, "lorem");
        assertEquals(List.of(0L, 1L, 1L), List.of(seq(lorem, "start"), seq(lorem, "end"), seq(lorem, "tail")));
        createStream(basin, "other", null);
        JsonNode a = appendBodies(basin, "other", "lorem");
        JsonNode b = appendBodies(basin, "other", "ipsum");
        JsonNode c = appendBodies(basin, "other", "dolor", "sit");
        assertEquals(List.of(0L, 1L, 1L, 2L, 2L, 4L),
                List.of(seq(a, "start"), seq(a, "end"), seq(b, "start"), seq(b, "end"), seq(c, "start"), seq(c, "end")));
        assertEquals(4, seq(c, "tail"));
    }

    @Test
    // "Headers round-trip (count preserved, empty header values allowed, mixed records with 0/1/2 headers)."
    void sdkHeadersRoundTrip() {
        String basin = newBasin("j-headers");
        createStream(basin, S, null);
        appendOk(basin, S, input(recWithHeaders("lorem", "key1", "value1"), recWithHeaders("ipsum", "key2", "", "key3", "value3"),
                rec("dolor"), recWithHeaders("dup", "k", "1", "k", "2")));
        List<JsonNode> records = readCatchUp(basin, S, "seq_num=0");
        assertEquals(parse("[[\"key1\",\"value1\"]]"), records.get(0).get("headers"));
        assertEquals(parse("[[\"key2\",\"\"],[\"key3\",\"value3\"]]"), records.get(1).get("headers"));
        assertTrue(!records.get(2).has("headers"), "no headers: the field is omitted");
        assertEquals(parse("[[\"k\",\"1\"],[\"k\",\"2\"]]"), records.get(3).get("headers"), "duplicates kept, in order");
    }

    @Test
    // "Reads: `seq_num=1,count=2` → seqs 1,2; `count=5` over 2 records → 2; `count=2000` over 1005 records → 1000; bytes
    // limits partial/exact/exceeding; two 700 KB records with `bytes=2 MiB` → 1 record (≤ 1 MiB cap); `bytes=0` → 0
    // records; `count=0` → 0 records; unbounded → all."
    void sdkReadLimits() {
        String basin = newBasin("j-limits");
        createStream(basin, "three", null);
        appendBodies(basin, "three", "lorem", "ipsum", "dolor");
        List<JsonNode> r = readCatchUp(basin, "three", "seq_num=1&count=2");
        assertEquals(List.of(1L, 2L), seqsOf(r));
        assertEquals(List.of("ipsum", "dolor"), bodiesOf(r));
        long all = 3 * 8 + 15;
        assertEquals(2, readCatchUp(basin, "three", "seq_num=0&bytes=" + (all - 5)).size(), "bytes partial");
        assertEquals(3, readCatchUp(basin, "three", "seq_num=0&bytes=" + all).size(), "bytes exact");
        assertEquals(3, readCatchUp(basin, "three", "seq_num=0&bytes=1000").size(), "bytes exceeding");
        assertEquals(3, readCatchUp(basin, "three", "seq_num=0").size(), "unbounded");
        assertEquals(parse("{\"records\":[]}"), read(basin, "three", "seq_num=0&bytes=0").json());
        assertEquals(parse("{\"records\":[]}"), read(basin, "three", "seq_num=0&count=0").json());

        createStream(basin, "two", null);
        appendBodies(basin, "two", "lorem", "ipsum");
        assertEquals(2, readCatchUp(basin, "two", "seq_num=0&count=5").size());

        createStream(basin, "many", null);
        List<String> thousand = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            thousand.add("record-" + i);
        }
        appendBodies(basin, "many", thousand.toArray(String[]::new));
        appendBodies(basin, "many", "tail-0", "tail-1", "tail-2", "tail-3", "tail-4");
        List<JsonNode> capped = readCatchUp(basin, "many", "seq_num=0&count=2000");
        assertEquals(1000, capped.size(), "count is capped at 1000");
        assertEquals(thousand, bodiesOf(capped));
        assertEquals(1000, readCatchUp(basin, "many", "seq_num=0").size(), "default count is 1000");

        createStream(basin, "big", null);
        String big = "a".repeat(700_000);
        appendBodies(basin, "big", big);
        appendBodies(basin, "big", big);
        List<JsonNode> one = readCatchUp(basin, "big", "seq_num=0&bytes=" + 2 * MIB);
        assertEquals(1, one.size(), "bytes is capped at 1 MiB");
        assertEquals(big, one.get(0).get("body").asText());
    }

    @Test
    // "Empty-body record accepted; 1000-record batch accepted (0..1000)."
    void sdkEmptyBodyAndFullBatch() {
        String basin = newBasin("j-empty-full");
        createStream(basin, S, null);
        JsonNode empty = appendOk(basin, S, input(rec("")));
        assertEquals(List.of(0L, 1L), List.of(seq(empty, "start"), seq(empty, "end")));
        JsonNode omitted = appendOk(basin, S, DataPlaneApi.parse("{\"records\":[{}]}"));
        assertEquals(1, seq(omitted, "start"));
        List<JsonNode> records = readCatchUp(basin, S, "seq_num=0");
        assertEquals(2, records.size());
        assertTrue(!records.get(0).has("body") && !records.get(1).has("body"), "an empty body is omitted on read");

        createStream(basin, "full", null);
        String[] a = new String[1000];
        java.util.Arrays.fill(a, "a");
        JsonNode full = appendBodies(basin, "full", a);
        assertEquals(List.of(0L, 1000L), List.of(seq(full, "start"), seq(full, "end")));
    }

    @Test
    // "`match_seq_num` mismatch → `SeqNumMismatch(1)` (unary and session)." — unary.
    void sdkMatchSeqNumMismatch() {
        String basin = newBasin("j-mismatch");
        createStream(basin, S, null);
        appendBodies(basin, S, "lorem");
        DataPlaneApi.Reply r = append(basin, S, bodies("ipsum").put("match_seq_num", 0));
        assertEquals(412, r.status(), r::toString);
        assertEquals(parse("{\"seq_num_mismatch\":1}"), r.json());
    }

    @Test
    // "Fence with 30-char token then append with that token → ok; with a different token →
    // `FencingTokenMismatch(<first token>)` (unary and session)." — unary.
    void sdkFenceThenAppendWithToken() {
        String basin = newBasin("j-fence");
        createStream(basin, S, null);
        String token1 = "abcdefghijklmnopqrstuvwxyz0123";
        String token2 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123";
        JsonNode fenced = appendOk(basin, S, input(fence(token1)));
        assertEquals(List.of(0L, 1L), List.of(seq(fenced, "start"), seq(fenced, "end")));
        JsonNode ok = appendOk(basin, S, bodies("ipsum").put("fencing_token", token1));
        assertEquals(List.of(1L, 2L), List.of(seq(ok, "start"), seq(ok, "end")));
        DataPlaneApi.Reply r = append(basin, S, bodies("dolor").put("fencing_token", token2));
        assertEquals(412, r.status(), r::toString);
        assertEquals(parse("{\"fencing_token_mismatch\":\"" + token1 + "\"}"), r.json());
        assertEquals(2, tail(basin, S)[0]);
    }

    @Test
    // "Fence set then fence with `""` (clear) then plain append → seqs 0, 1, 2."
    void sdkFenceSetClearThenAppend() {
        String basin = newBasin("j-fence-clear");
        createStream(basin, S, null);
        assertEquals(0, seq(appendOk(basin, S, input(fence("some-token"))), "start"));
        assertEquals(1, seq(appendOk(basin, S, input(fence(""))), "start"), "an append without a token is never fenced out");
        assertEquals(2, seq(appendBodies(basin, S, "lorem"), "start"));
        // The stream is unfenced again: the empty token matches.
        assertEquals(3, seq(appendOk(basin, S, bodies("x").put("fencing_token", "")), "start"));
        List<JsonNode> records = readCatchUp(basin, S, "seq_num=0");
        assertEquals(parse("[[\"\",\"fence\"]]"), records.get(1).get("headers"));
        assertTrue(!records.get(1).has("body"), "an empty fence token reads back with the body omitted");
    }

    @Test
    // "Unary read of empty stream → 416 tail `{0,0}`; `seq_num=10` on 1-record stream → 416 tail.seq_num 1, also with
    // `clamp=true`; with `clamp=true&wait=1` → 200 empty batch."
    void sdkUnaryReadBeyondTail() {
        String basin = newBasin("j-416");
        createStream(basin, S, null);
        assert416(read(basin, S, ""), 0, 0);
        JsonNode ack = appendBodies(basin, S, "lorem");
        assert416(read(basin, S, "seq_num=10"), 1, ts(ack, "end"));
        assert416(read(basin, S, "seq_num=10&clamp=true"), 1, ts(ack, "end"));
        assertEquals(List.of(), recordsOf(read(basin, S, "seq_num=10&clamp=true&wait=1")));
    }

    @Test
    // "Client timestamps: explicit past ts preserved in ack; `timestamp=base+1` read returns seqs 1..3 with matching
    // timestamps; count/bytes combos; `timestamp=base+100` (> tail ts) → 416 with tail {2, base+1}."
    void sdkClientTimestamps() {
        String basin = newBasin("j-client-ts");
        createStream(basin, S, null);
        long base = System.currentTimeMillis() - 10_000;
        JsonNode ack = appendOk(basin, S, input(rec("lorem", base), rec("ipsum", base + 1), rec("dolor", base + 2), rec("sit", base + 3)));
        assertEquals(List.of(0L, base, 4L, base + 3), List.of(seq(ack, "start"), ts(ack, "start"), seq(ack, "end"), ts(ack, "end")));
        List<JsonNode> from1 = readCatchUp(basin, S, "timestamp=" + (base + 1));
        assertEquals(List.of(1L, 2L, 3L), seqsOf(from1));
        assertEquals(List.of(base + 1, base + 2, base + 3), timestampsOf(from1));
        List<JsonNode> count1 = readCatchUp(basin, S, "timestamp=" + (base + 2) + "&count=1");
        assertEquals(List.of(2L), seqsOf(count1));
        assertEquals(List.of(base + 2), timestampsOf(count1));
        long ipsum = 8 + 5;
        List<JsonNode> bytes = readCatchUp(basin, S, "timestamp=" + (base + 1) + "&bytes=" + (ipsum + 5));
        assertEquals(List.of(1L), seqsOf(bytes));

        createStream(basin, "two", null);
        appendOk(basin, "two", input(rec("lorem", base), rec("ipsum", base + 1)));
        assert416(read(basin, "two", "timestamp=" + (base + 100)), 2, base + 1);
    }

    @Test
    // "client-require stream without timestamp → `invalid`; `uncapped=false` future ts (+1 h) → capped below it;
    // `uncapped=true` → kept exactly; past ts after newer ts → ack timestamp ≥ previous end timestamp."
    void sdkTimestampingModes() {
        String basin = newBasin("j-ts-modes");
        createStream(basin, "require", CLIENT_REQUIRE);
        assertError(append(basin, "require", bodies("lorem")), 422, "invalid", "record timestamp was required but was missing");
        assertTail(basin, "require", 0, 0);

        long future = System.currentTimeMillis() + 3_600_000;
        createStream(basin, "capped", "{\"timestamping\":{\"uncapped\":false}}");
        JsonNode capped = appendOk(basin, "capped", input(rec("lorem", future)));
        assertTrue(ts(capped, "start") < future, "a future timestamp is capped to arrival: " + capped);
        assertTrue(ts(capped, "start") > 0);

        createStream(basin, "uncapped", "{\"timestamping\":{\"uncapped\":true}}");
        JsonNode kept = appendOk(basin, "uncapped", input(rec("lorem", future)));
        assertEquals(future, ts(kept, "start"));

        createStream(basin, "monotonic", null);
        long past = System.currentTimeMillis() - 10_000;
        JsonNode first = appendOk(basin, "monotonic", input(rec("first", past + 10)));
        JsonNode second = appendOk(basin, "monotonic", input(rec("second", past)));
        assertEquals(past + 10, ts(first, "end"));
        assertTrue(ts(second, "start") >= ts(first, "end"), "timestamps never go backwards: " + second);
        assertEquals(past + 10, ts(second, "start"), "raised to the stream's last timestamp, no further");
    }

    @Test
    // "Append to missing stream → `stream_not_found` (unary, session, producer)." — unary.
    void sdkAppendToMissingStream() {
        String basin = newBasin("j-append-missing");
        assertError(append(basin, S, bodies("lorem")), 404, "stream_not_found", "stream `" + S + "` in basin `" + basin + "` not found");
        assertEquals(List.of(), DataPlaneApi.streamNames(basin));
    }

    @Test
    // "Header `["", "not-a-command"]` → `invalid`; `["","fence"]` plus another header → `invalid`."
    void sdkInvalidCommandHeaders() {
        String basin = newBasin("j-bad-command");
        createStream(basin, S, null);
        assertError(append(basin, S, input(recWithHeaders("lorem", "", "not-a-command"))), 422, "invalid", "unknown command");
        assertError(append(basin, S, input(recWithHeaders("lorem", "", "fence", "extra", "value"))), 422, "invalid",
                "invalid header: empty name");
        assertTail(basin, S, 0, 0);
    }

    @Test
    // "`trim(2)` after 3 records accepted; `trim(999999)` accepted."
    void sdkTrimAccepted() {
        String basin = newBasin("j-trim");
        createStream(basin, S, null);
        appendBodies(basin, S, "record-1", "record-2", "record-3");
        Map<String, String> b64 = Map.of("s2-format", "base64");
        DataPlaneApi.Reply r = append(basin, S, trim(2), b64);
        JsonNode ack = DataPlaneApi.ackOf(r, 1);
        assertEquals(List.of(3L, 4L), List.of(seq(ack, "start"), seq(ack, "end")));
        // The trim record itself (seq 3) survives a trim to 2 and reads back as a command with its 8 payload bytes.
        List<JsonNode> trimRecord = recordsOf(read(basin, S, "seq_num=3", b64));
        assertEquals(1, trimRecord.size());
        assertEquals(parse("[[\"\",\"" + b64("trim") + "\"]]"), trimRecord.get(0).get("headers"));
        assertEquals(Base64.getEncoder().encodeToString(ByteBuffer.allocate(8).putLong(2).array()),
                trimRecord.get(0).get("body").asText());

        createStream(basin, "far", null);
        appendBodies(basin, "far", "record-1");
        JsonNode far = DataPlaneApi.ackOf(append(basin, "far", trim(999_999), b64), 1);
        assertEquals(List.of(1L, 2L), List.of(seq(far, "start"), seq(far, "end")));
        assertEquals(2, tail(basin, "far")[0], "a trim does not move the tail");
    }

    @Test
    // "Unary read of empty stream with `wait=1` → 200 empty."
    void sdkEmptyStreamReadWithWait() {
        String basin = newBasin("j-wait-empty");
        createStream(basin, S, null);
        DataPlaneApi.Reply r = read(basin, S, "wait=1");
        assertEquals(200, r.status(), r::toString);
        assertEquals(List.of(), recordsOf(r));
    }

    @Test
    // "`tail_offset=0` unary → 416; `tail_offset=3` of 5 → 3 records starting at seq 2; `tail_offset=999` → starts at 0."
    void sdkTailOffsetVariants() {
        String basin = newBasin("j-tail-offset");
        createStream(basin, S, null);
        JsonNode ack = appendBodies(basin, S, "record-0", "record-1", "record-2", "record-3", "record-4");
        assert416(read(basin, S, "tail_offset=0"), 5, ts(ack, "end"));
        List<JsonNode> three = readCatchUp(basin, S, "tail_offset=3");
        assertEquals(List.of(2L, 3L, 4L), seqsOf(three));
        List<JsonNode> all = readCatchUp(basin, S, "tail_offset=999");
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), seqsOf(all));
    }

    @Test
    // "`until=base+2` → 2 records; `timestamp=base+2&until=base+2` → `invalid`; read of missing stream → `stream_not_found`."
    void sdkUntilInvalidStartAndMissingStream() {
        String basin = newBasin("j-until");
        createStream(basin, S, null);
        long base = System.currentTimeMillis() - 10_000;
        appendOk(basin, S, input(rec("lorem", base), rec("ipsum", base + 1), rec("dolor", base + 2)));
        List<JsonNode> two = readCatchUp(basin, S, "seq_num=0&until=" + (base + 2));
        assertEquals(List.of(base, base + 1), timestampsOf(two));
        assertError(read(basin, S, "timestamp=" + (base + 2) + "&until=" + (base + 2)), 422, "invalid",
                "start `timestamp` exceeds or equal to `until`");
        assertError(read(basin, "missing", ""), 404, "stream_not_found", "stream `missing` in basin `" + basin + "` not found");
    }

    @Test
    // "Compression (gzip/zstd) round trips for unary and session (20 KiB body)." — unary, gzip (the JDK has no zstd).
    void sdkCompressionRoundTrip() throws IOException {
        String basin = newBasin("j-gzip");
        createStream(basin, S, null);
        String body = "0123456789abcdef".repeat(20 * 1024 / 16);
        byte[] json = DataPlaneApi.bytes(bodies(body));
        DataPlaneApi.Reply appended = raw("POST", recordsPath(S),
                Map.of("s2-basin", basin, "content-type", "application/json", "content-encoding", "gzip"), gzip(json));
        assertEquals(1, seq(DataPlaneApi.ackOf(appended, 1), "end"));
        java.net.http.HttpResponse<byte[]> r;
        try {
            r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port + recordsPath(S) + "?seq_num=0"))
                    .header("s2-basin", basin).header("accept-encoding", "gzip").build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        assertEquals(200, r.statusCode());
        assertEquals("gzip", r.headers().firstValue("content-encoding").orElse(null), "a response over 1 KiB is compressed");
        JsonNode batch = DataPlaneApi.JSON.readTree(new GZIPInputStream(new ByteArrayInputStream(r.body())).readAllBytes());
        assertEquals(body, batch.get("records").get(0).get("body").asText());
    }

    // ----------------------------------------------------------------------------------------

    private static ObjectNode trim(long point) {
        ObjectNode r = DataPlaneApi.NODES.objectNode();
        r.putArray("headers").addArray().add("").add(b64("trim"));
        r.put("body", Base64.getEncoder().encodeToString(ByteBuffer.allocate(8).putLong(point).array()));
        return input(r);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(data);
        }
        return out.toByteArray();
    }
}
