package dev.brook.api;

import static dev.brook.api.DataPlaneApi.CLIENT_REQUIRE;
import static dev.brook.api.DataPlaneApi.MIB;
import static dev.brook.api.DataPlaneApi.append;
import static dev.brook.api.DataPlaneApi.appendOk;
import static dev.brook.api.DataPlaneApi.assert416;
import static dev.brook.api.DataPlaneApi.assertError;
import static dev.brook.api.DataPlaneApi.assertTail;
import static dev.brook.api.DataPlaneApi.basinScoped;
import static dev.brook.api.DataPlaneApi.bodies;
import static dev.brook.api.DataPlaneApi.bodiesOf;
import static dev.brook.api.DataPlaneApi.checkTail;
import static dev.brook.api.DataPlaneApi.createStream;
import static dev.brook.api.DataPlaneApi.deleteStream;
import static dev.brook.api.DataPlaneApi.fence;
import static dev.brook.api.DataPlaneApi.fieldNames;
import static dev.brook.api.DataPlaneApi.getBasin;
import static dev.brook.api.DataPlaneApi.input;
import static dev.brook.api.DataPlaneApi.listStreams;
import static dev.brook.api.DataPlaneApi.newBasin;
import static dev.brook.api.DataPlaneApi.parse;
import static dev.brook.api.DataPlaneApi.plain;
import static dev.brook.api.DataPlaneApi.raw;
import static dev.brook.api.DataPlaneApi.read;
import static dev.brook.api.DataPlaneApi.readCatchUp;
import static dev.brook.api.DataPlaneApi.rec;
import static dev.brook.api.DataPlaneApi.recWithHeaders;
import static dev.brook.api.DataPlaneApi.recordsPath;
import static dev.brook.api.DataPlaneApi.reply;
import static dev.brook.api.DataPlaneApi.streamNames;
import static dev.brook.api.DataPlaneApi.tailPath;
import static dev.brook.api.DataPlaneApi.uniqueBasin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Every error of spec §1.8 that the unary JSON data plane can produce, with the exact status,
 * {@code code} and (where the spec gives one) message or body. Every refusal is also checked to have
 * changed nothing: the fixture stream keeps its one record and its tail, and the fixture basin, which
 * auto-creates on append and on read, has not gained the stream the refused request named.
 */
@QuarkusTest
class DataPlaneErrorsTest {

    private static final String S = "err/s";
    private static final String GHOST = "err/ghost";
    private static final String AUTO = "{\"create_stream_on_append\":true,\"create_stream_on_read\":true}";

    /** A basin that auto-creates on append and read, holding stream {@link #S} with one record at timestamp 1000. */
    private static String fixture(String tag) {
        String basin = newBasin(tag, AUTO);
        createStream(basin, S, null);
        appendOk(basin, S, input(rec("seed", 1000)));
        return basin;
    }

    private static void assertUnchanged(String basin) {
        assertTail(basin, S, 1, 1000);
        assertEquals(List.of("seed"), bodiesOf(readCatchUp(basin, S, "seq_num=0")));
        assertEquals(List.of(S), streamNames(basin), "no stream was auto-created");
    }

    /** The request, made for the existing stream and for a missing one, is refused both times; nothing changed. */
    private static void refused(String basin, Function<String, DataPlaneApi.Reply> request, int status, String code, String message) {
        assertError(request.apply(S), status, code, message);
        assertError(request.apply(GHOST), status, code, message);
        assertUnchanged(basin);
    }

    private static Function<String, DataPlaneApi.Reply> appending(String basin, JsonNode input) {
        return stream -> append(basin, stream, input);
    }

    private static Function<String, DataPlaneApi.Reply> appending(String basin, String body) {
        return stream -> append(basin, stream, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    private static Function<String, DataPlaneApi.Reply> reading(String basin, String query) {
        return stream -> read(basin, stream, query);
    }

    // ============================================================= 412 / 416

    @Test
    void seqNumMismatchIs412WithExactlyOneKey() {
        String basin = fixture("x-412-seq");
        for (long stale : new long[] {0, 5}) {
            DataPlaneApi.Reply r = append(basin, S, bodies("x").put("match_seq_num", stale));
            assertEquals(412, r.status(), r::toString);
            assertEquals(List.of("seq_num_mismatch"), fieldNames(r.json()));
            assertEquals(parse("{\"seq_num_mismatch\":1}"), r.json(), "the seq_num the batch would have received");
        }
        // Error bodies are JSON whatever the Accept header says (§1.5).
        DataPlaneApi.Reply r = append(basin, S, bodies("x").put("match_seq_num", 0), Map.of("accept", "application/protobuf"));
        assertEquals(412, r.status(), r::toString);
        assertEquals(parse("{\"seq_num_mismatch\":1}"), r.json());
        assertUnchanged(basin);
    }

    @Test
    void fencingTokenMismatchIs412WithExactlyOneKey() {
        String basin = newBasin("x-412-fence");
        createStream(basin, S, null);
        appendOk(basin, S, input(fence("tok-1")));
        long[] before = DataPlaneApi.tail(basin, S);
        DataPlaneApi.Reply r = append(basin, S, bodies("x").put("fencing_token", "other"));
        assertEquals(412, r.status(), r::toString);
        assertEquals(List.of("fencing_token_mismatch"), fieldNames(r.json()));
        assertEquals(parse("{\"fencing_token_mismatch\":\"tok-1\"}"), r.json(), "the stream's current token");
        // Fencing is checked before match_seq_num (§6 steps 2 and 3): with both wrong, the answer is the token.
        DataPlaneApi.Reply both = append(basin, S, bodies("x").put("fencing_token", "other").put("match_seq_num", 0));
        assertEquals(412, both.status(), both::toString);
        assertEquals(parse("{\"fencing_token_mismatch\":\"tok-1\"}"), both.json());
        // A right token with a wrong match_seq_num is the seq_num mismatch.
        DataPlaneApi.Reply seq = append(basin, S, bodies("x").put("fencing_token", "tok-1").put("match_seq_num", 0));
        assertEquals(parse("{\"seq_num_mismatch\":1}"), seq.json());
        assertTail(basin, S, before[0], before[1]);
        assertEquals(1, before[0]);
        assertEquals(1, readCatchUp(basin, S, "seq_num=0").size());
    }

    @Test
    void unwrittenStartIs416WithTheTail() {
        String basin = fixture("x-416");
        DataPlaneApi.Reply r = read(basin, S, "seq_num=2");
        assertEquals(List.of("tail"), fieldNames(r.json()));
        assertEquals(List.of("seq_num", "timestamp"), fieldNames(r.json().get("tail")));
        assert416(r, 1, 1000);
        assert416(read(basin, S, "seq_num=1"), 1, 1000);
        assert416(read(basin, S, "timestamp=1001"), 1, 1000);
        // JSON whatever the Accept header says (§1.5).
        DataPlaneApi.Reply proto = read(basin, S, "seq_num=2", Map.of("accept", "application/protobuf"));
        assert416(proto, 1, 1000);
        assertUnchanged(basin);
    }

    // ============================================================= 400 bad_header

    @Test
    void missingBasinHeaderIsBadHeader() {
        String basin = fixture("x-no-basin");
        String message = "Missing header `s2-basin`";
        assertError(reply(plain().contentType("application/json").body(DataPlaneApi.bytes(bodies("x"))).post(recordsPath(S))),
                400, "bad_header", message);
        assertError(reply(plain().get(recordsPath(S) + "?seq_num=0")), 400, "bad_header", message);
        assertError(reply(plain().get(tailPath(S))), 400, "bad_header", message);
        assertUnchanged(basin);
    }

    @Test
    void invalidBasinHeaderIsBadHeader() {
        String basin = fixture("x-bad-basin");
        for (String bad : new String[] {"Upper-Case-Basin", "short", "ends-with-hyphen-", "-starts-with-hyphen", "under_score_basin"}) {
            assertError(reply(basinScoped(bad).contentType("application/json").body(DataPlaneApi.bytes(bodies("x"))).post(recordsPath(S))),
                    400, "bad_header", null);
            assertError(reply(basinScoped(bad).get(recordsPath(S) + "?seq_num=0")), 400, "bad_header", null);
            assertError(reply(basinScoped(bad).get(tailPath(S))), 400, "bad_header", null);
        }
        assertUnchanged(basin);
    }

    @Test
    void badFormatHeaderIsBadHeader() {
        String basin = fixture("x-bad-format");
        Map<String, String> xyz = Map.of("s2-format", "xyz");
        refused(basin, s -> append(basin, s, bodies("x"), xyz), 400, "bad_header", "Invalid header `s2-format`: xyz");
        refused(basin, s -> read(basin, s, "seq_num=0", xyz), 400, "bad_header", "Invalid header `s2-format`: xyz");
        // For contrast: the aliases and a padded value are accepted (§1.4).
        assertEquals(List.of("seed"), bodiesOf(DataPlaneApi.recordsOf(read(basin, S, "seq_num=0", Map.of("s2-format", " json ")))));
        assertEquals(List.of("c2VlZA=="),
                bodiesOf(DataPlaneApi.recordsOf(read(basin, S, "seq_num=0", Map.of("s2-format", "json-binsafe")))));
    }

    // ============================================================= 400 bad_path

    @Test
    void overlongStreamNameIsBadPath() {
        String basin = fixture("x-bad-path");
        String tooLong = "a".repeat(513);
        assertError(append(basin, tooLong, bodies("x")), 400, "bad_path", null);
        assertError(read(basin, tooLong, "seq_num=0"), 400, "bad_path", null);
        assertError(checkTail(basin, tooLong), 400, "bad_path", null);
        assertUnchanged(basin);
        // For contrast: 512 bytes is a valid name (auto-created here by check-tail).
        String longest = "b".repeat(512);
        assertEquals(200, checkTail(basin, longest).status());
    }

    // ============================================================= 400 bad_query

    @Test
    void nonNumericSeqNumIsBadQuery() {
        String basin = fixture("x-q-seq");
        for (String v : new String[] {"abc", "-1", "1.5", "0x10"}) {
            refused(basin, reading(basin, "seq_num=" + v), 400, "bad_query", null);
        }
    }

    @Test
    void emptyQueryValuesAreBadQuery() {
        // Lite parses the query with serde_urlencoded into Option<u64>/Option<bool>: an empty value is Some("")
        // and fails to parse, so it is a bad_query, not an absent parameter.
        String basin = fixture("x-q-empty");
        for (String q : new String[] {"seq_num=", "timestamp=", "tail_offset=", "seq_num=0&count=", "seq_num=0&bytes=",
                "seq_num=0&until=", "seq_num=0&clamp=", "seq_num=0&wait="}) {
            refused(basin, reading(basin, q), 400, "bad_query", null);
        }
    }

    @Test
    void u64QueryValuesAreNotBadQuery() {
        // seq_num, timestamp, tail_offset, until are u64 and count/bytes usize in S2 (§3.3): u64::MAX parses.
        String basin = fixture("x-q-u64");
        String max = DataPlaneApi.U64_MAX;
        assert416(read(basin, S, "seq_num=" + max), 1, 1000);
        assert416(read(basin, S, "timestamp=" + max), 1, 1000);
        assertEquals(List.of("seed"), bodiesOf(readCatchUp(basin, S, "tail_offset=" + max)));
        assertEquals(List.of("seed"), bodiesOf(readCatchUp(basin, S, "seq_num=0&count=" + max)));
        assertEquals(List.of("seed"), bodiesOf(readCatchUp(basin, S, "seq_num=0&bytes=" + max)));
        assertEquals(List.of("seed"), bodiesOf(readCatchUp(basin, S, "seq_num=0&until=" + max)));
        assertUnchanged(basin);
    }

    @Test
    void nonNumericCountIsBadQuery() {
        String basin = fixture("x-q-count");
        for (String v : new String[] {"abc", "-1", "ten"}) {
            refused(basin, reading(basin, "seq_num=0&count=" + v), 400, "bad_query", null);
        }
    }

    @Test
    void nonBooleanClampIsBadQuery() {
        String basin = fixture("x-q-clamp");
        for (String v : new String[] {"maybe", "2", "yes"}) {
            refused(basin, reading(basin, "seq_num=0&clamp=" + v), 400, "bad_query", null);
        }
    }

    @Test
    void otherNonNumericReadParamsAreBadQuery() {
        String basin = fixture("x-q-other");
        for (String q : new String[] {"timestamp=x", "tail_offset=x", "seq_num=0&bytes=x", "seq_num=0&until=x", "seq_num=0&wait=x",
                "seq_num=0&wait=-1"}) {
            refused(basin, reading(basin, q), 400, "bad_query", null);
        }
    }

    // ============================================================= 400 bad_json

    @Test
    void jsonSyntaxErrorIsBadJson() {
        String basin = fixture("x-json-syntax");
        for (String body : new String[] {"{not json", "not json", "{\"records\":[", "", "{\"records\":[{\"body\":\"x\",}]}"}) {
            refused(basin, appending(basin, body), 400, "bad_json", null);
        }
    }

    @Test
    void trailingCharactersAfterJsonAreBadJson() {
        // Lite's JSON extractor is serde_json::from_slice, which fails with "trailing characters at line 1 column N".
        String basin = fixture("x-json-trailing");
        for (String body : new String[] {"{\"records\":[{\"body\":\"x\"}]}}", "{\"records\":[{\"body\":\"x\"}]} x",
                "{\"records\":[{\"body\":\"x\"}]}{}"}) {
            refused(basin, appending(basin, body), 400, "bad_json", null);
        }
    }

    @Test
    void u64JsonValuesAreNotBadJson() {
        // Record timestamps are opaque u64 when client-supplied (§1.7); match_seq_num is a u64.
        String basin = fixture("x-json-u64");
        DataPlaneApi.Reply mismatch = append(basin, S, "{\"records\":[{\"body\":\"x\"}],\"match_seq_num\":18446744073709551615}"
                .getBytes(StandardCharsets.UTF_8), Map.of());
        assertEquals(412, mismatch.status(), mismatch::toString);
        assertEquals(parse("{\"seq_num_mismatch\":1}"), mismatch.json());
        assertUnchanged(basin);
        createStream(basin, "uncapped", "{\"timestamping\":{\"uncapped\":true}}");
        DataPlaneApi.Reply r = append(basin, "uncapped", "{\"records\":[{\"body\":\"x\",\"timestamp\":18446744073709551615}]}"
                .getBytes(StandardCharsets.UTF_8), Map.of());
        JsonNode ack = DataPlaneApi.ackOf(r, 1);
        assertEquals(new java.math.BigInteger(DataPlaneApi.U64_MAX), ack.get("start").get("timestamp").bigIntegerValue());
    }

    @Test
    void jsonWrongTypesAreBadJson() {
        String basin = fixture("x-json-types");
        for (String body : new String[] {
                "{}",
                "null",
                "[]",
                "{\"records\":{}}",
                "{\"records\":[{\"body\":5}]}",
                "{\"records\":[\"x\"]}",
                "{\"records\":[{\"timestamp\":\"1\",\"body\":\"x\"}]}",
                "{\"records\":[{\"timestamp\":-1,\"body\":\"x\"}]}",
                "{\"records\":[{\"headers\":[[\"a\"]],\"body\":\"x\"}]}",
                "{\"records\":[{\"headers\":[[\"a\",1]],\"body\":\"x\"}]}",
                "{\"records\":[{\"headers\":{\"a\":\"b\"},\"body\":\"x\"}]}",
                "{\"records\":[{\"body\":\"x\"}],\"match_seq_num\":-1}",
                "{\"records\":[{\"body\":\"x\"}],\"match_seq_num\":\"0\"}",
                "{\"records\":[{\"body\":\"x\"}],\"fencing_token\":5}"}) {
            refused(basin, appending(basin, body), 400, "bad_json", null);
        }
    }

    @Test
    void appendWithoutJsonContentTypeIsBadJson() {
        String basin = fixture("x-json-ctype");
        byte[] body = DataPlaneApi.bytes(bodies("x"));
        String message = "Expected request with `Content-Type: application/json`";
        refused(basin, s -> raw("POST", recordsPath(s), Map.of("s2-basin", basin), body), 400, "bad_json", message);
        refused(basin, s -> raw("POST", recordsPath(s), Map.of("s2-basin", basin, "content-type", "text/plain"), body), 400, "bad_json",
                message);
        // For contrast: any application/*+json type, with parameters, is JSON (§1.5).
        assertEquals(200, raw("POST", recordsPath(S), Map.of("s2-basin", basin, "content-type", "application/vnd.s2+json; charset=utf-8"),
                body).status());
    }

    @Test
    void fencingTokenOver36BytesIsBadJson() {
        String basin = fixture("x-json-token");
        for (String token : new String[] {"a".repeat(37), "€".repeat(13)}) { // 37 bytes; 13 chars but 39 bytes
            DataPlaneApi.Reply r = append(basin, S, bodies("x").put("fencing_token", token));
            JsonNode err = assertError(r, 400, "bad_json", null);
            assertTrue(err.get("message").asText().contains("fencing token must not exceed 36 bytes in length"), err::toString);
            assertError(append(basin, GHOST, bodies("x").put("fencing_token", token)), 400, "bad_json", null);
        }
        assertUnchanged(basin);
        // For contrast: 36 bytes is a valid token (the stream's token is "", so this is then a 412).
        DataPlaneApi.Reply ok = append(basin, S, bodies("x").put("fencing_token", "€".repeat(12)));
        assertEquals(parse("{\"fencing_token_mismatch\":\"\"}"), ok.json());
    }

    // ============================================================= 422 invalid

    @Test
    void emptyBatchIsInvalid() {
        String basin = fixture("x-empty");
        refused(basin, appending(basin, input()), 422, "invalid", "record batch must not be empty");
    }

    @Test
    void moreThan1000RecordsIsInvalid() {
        String basin = fixture("x-1001");
        List<ObjectNode> records = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            records.add(rec("r"));
        }
        refused(basin, appending(basin, input(records)), 422, "invalid", "record batch must not exceed 1000 records");
    }

    @Test
    void recordOver1MiBMeteredIsInvalid() {
        String basin = fixture("x-big-record");
        // 8 + 2 + "k" + "v" + body = 1 MiB + 1
        ObjectNode big = recWithHeaders("a".repeat((int) MIB - 8 - 2 - 2 + 1), "k", "v");
        refused(basin, appending(basin, input(big)), 422, "invalid", "record must have metered size less than 1 MiB");
    }

    @Test
    void batchOver1MiBMeteredIsInvalid() {
        String basin = fixture("x-big-batch");
        // Two records of 524,289 metered bytes each: each fits, together 1 MiB + 2.
        String half = "a".repeat((int) (MIB / 2) - 8 + 1);
        refused(basin, appending(basin, input(rec(half), rec(half))), 422, "invalid", "record batch must not exceed a metered size of 1 MiB");
    }

    @Test
    void limitsThemselvesAreAccepted() {
        // The counterpart of the three tests above: exactly 1 MiB and exactly 1000 records are allowed (§5.4 "≤").
        String basin = newBasin("x-limits-ok");
        createStream(basin, S, null);
        assertEquals(1, DataPlaneApi.seq(appendOk(basin, S, input(rec("a".repeat((int) MIB - 8)))), "end"));
        String half = "b".repeat((int) (MIB / 2) - 8);
        assertEquals(3, DataPlaneApi.seq(appendOk(basin, S, input(rec(half), rec(half))), "end"));
    }

    @Test
    void unknownCommandIsInvalid() {
        String basin = fixture("x-unknown-cmd");
        refused(basin, appending(basin, input(recWithHeaders("x", "", "hi"))), 422, "invalid", "unknown command");
        refused(basin, appending(basin, input(recWithHeaders("x", "", "Fence"))), 422, "invalid", "unknown command");
    }

    @Test
    void emptyHeaderNameAmongOtherHeadersIsInvalid() {
        String basin = fixture("x-empty-name");
        refused(basin, appending(basin, input(recWithHeaders("x", "", "fence", "k", "v"))), 422, "invalid", "invalid header: empty name");
        refused(basin, appending(basin, input(recWithHeaders("x", "k", "v", "", "x"))), 422, "invalid", "invalid header: empty name");
    }

    @Test
    void badTrimBodyIsInvalid() {
        String basin = fixture("x-bad-trim");
        refused(basin, appending(basin, input(recWithHeaders("abc", "", "trim"))), 422, "invalid",
                "invalid `trim` command: earliest sequence number to trim to was 3 bytes, must be 8");
        refused(basin, appending(basin, input(recWithHeaders("", "", "trim"))), 422, "invalid",
                "invalid `trim` command: earliest sequence number to trim to was 0 bytes, must be 8");
        refused(basin, appending(basin, input(recWithHeaders("123456789", "", "trim"))), 422, "invalid",
                "invalid `trim` command: earliest sequence number to trim to was 9 bytes, must be 8");
    }

    @Test
    void fenceCommandTokenOver36BytesIsInvalid() {
        String basin = fixture("x-fence-long");
        refused(basin, appending(basin, input(fence("a".repeat(37)))), 422, "invalid",
                "invalid `fence` command: fencing token must not exceed 36 bytes in length");
    }

    @Test
    void badBase64IsInvalid() {
        String basin = fixture("x-base64");
        Map<String, String> b64 = Map.of("s2-format", "base64");
        for (ObjectNode bad : new ObjectNode[] {rec("not base64!"), rec("YQ"), recWithHeaders("YQ==", "a", "YQ=="),
                recWithHeaders("YQ==", "YQ==", "%%%%")}) {
            refused(basin, s -> append(basin, s, input(bad), b64), 422, "invalid", "invalid Base64 encoding");
        }
    }

    @Test
    void twoStartParamsAreInvalid() {
        String basin = fixture("x-two-starts");
        String message = "only one of seq_num, timestamp, or tail_offset can be provided";
        for (String q : new String[] {"seq_num=0&timestamp=0", "seq_num=0&tail_offset=0", "timestamp=0&tail_offset=1",
                "seq_num=0&timestamp=0&tail_offset=0"}) {
            refused(basin, reading(basin, q), 422, "invalid", message);
        }
    }

    @Test
    void timestampNotBeforeUntilIsInvalid() {
        String basin = fixture("x-ts-until");
        String message = "start `timestamp` exceeds or equal to `until`";
        refused(basin, reading(basin, "timestamp=5&until=5"), 422, "invalid", message);
        refused(basin, reading(basin, "timestamp=6&until=5"), 422, "invalid", message);
    }

    @Test
    void clientRequireWithoutTimestampIsInvalid() {
        String basin = newBasin("x-require");
        createStream(basin, S, CLIENT_REQUIRE);
        appendOk(basin, S, input(rec("seed", 1000)));
        // One record without a timestamp rejects the whole batch.
        assertError(append(basin, S, input(rec("with", 2000), rec("without"))), 422, "invalid",
                "record timestamp was required but was missing");
        assertTail(basin, S, 1, 1000);
        assertEquals(List.of("seed"), bodiesOf(readCatchUp(basin, S, "seq_num=0")));
    }

    // ============================================================= 404 / 409

    @Test
    void missingBasinIsBasinNotFound() {
        String basin = uniqueBasin("x-no-such-basin");
        String message = "basin `" + basin + "` not found";
        assertError(append(basin, S, bodies("x")), 404, "basin_not_found", message);
        assertError(read(basin, S, "seq_num=0"), 404, "basin_not_found", message);
        assertError(read(basin, S, "wait=1"), 404, "basin_not_found", message);
        assertError(checkTail(basin, S), 404, "basin_not_found", message);
        assertError(getBasin(basin), 404, "basin_not_found", message);
    }

    @Test
    void missingStreamIsStreamNotFound() {
        String basin = newBasin("x-no-such-stream");
        String message = "stream `" + GHOST + "` in basin `" + basin + "` not found";
        assertError(append(basin, GHOST, bodies("x")), 404, "stream_not_found", message);
        assertError(read(basin, GHOST, "seq_num=0"), 404, "stream_not_found", message);
        assertError(checkTail(basin, GHOST), 404, "stream_not_found", message);
        assertEquals(List.of(), streamNames(basin));
    }

    @Test
    void deletedStreamIsStreamDeletionPending() {
        String basin = newBasin("x-deleting");
        createStream(basin, S, null);
        appendOk(basin, S, input(rec("seed", 1000)));
        assertEquals(202, deleteStream(basin, S).status());
        assertError(append(basin, S, bodies("x")), 409, "stream_deletion_pending", null);
        assertError(read(basin, S, "seq_num=0"), 409, "stream_deletion_pending", null);
        assertError(checkTail(basin, S), 409, "stream_deletion_pending", null);
        // Nothing came back to life: the stream is still listed as being deleted.
        List<JsonNode> streams = listStreams(basin);
        assertEquals(1, streams.size());
        assertTrue(streams.get(0).get("deleted_at").isTextual(), streams::toString);
        assertError(append(basin, S, bodies("y")), 409, "stream_deletion_pending", null);
    }

    @Test
    void autoCreateInDeletingBasinIsBasinDeletionPending() {
        // §3.3 lists 409 basin_deletion_pending for append; an auto-create in a basin being deleted is where it arises.
        String basin = newBasin("x-basin-deleting", AUTO);
        assertEquals(202, reply(plain().delete("/v1/basins/" + basin)).status());
        assertError(append(basin, GHOST, bodies("x")), 409, "basin_deletion_pending", null);
        assertEquals(List.of(), streamNames(basin));
    }
}
