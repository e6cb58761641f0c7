package dev.brook.api;

import static dev.brook.api.DataPlaneApi.append;
import static dev.brook.api.DataPlaneApi.appendBodies;
import static dev.brook.api.DataPlaneApi.appendOk;
import static dev.brook.api.DataPlaneApi.assertError;
import static dev.brook.api.DataPlaneApi.basinScoped;
import static dev.brook.api.DataPlaneApi.bodies;
import static dev.brook.api.DataPlaneApi.bodiesOf;
import static dev.brook.api.DataPlaneApi.checkTail;
import static dev.brook.api.DataPlaneApi.concurrently;
import static dev.brook.api.DataPlaneApi.createStream;
import static dev.brook.api.DataPlaneApi.enc;
import static dev.brook.api.DataPlaneApi.getBasin;
import static dev.brook.api.DataPlaneApi.input;
import static dev.brook.api.DataPlaneApi.newBasin;
import static dev.brook.api.DataPlaneApi.rawAppend;
import static dev.brook.api.DataPlaneApi.rawRead;
import static dev.brook.api.DataPlaneApi.read;
import static dev.brook.api.DataPlaneApi.readCatchUp;
import static dev.brook.api.DataPlaneApi.rec;
import static dev.brook.api.DataPlaneApi.recordsOf;
import static dev.brook.api.DataPlaneApi.reply;
import static dev.brook.api.DataPlaneApi.seq;
import static dev.brook.api.DataPlaneApi.seqsOf;
import static dev.brook.api.DataPlaneApi.tail;
import static dev.brook.api.DataPlaneApi.ts;
import static dev.brook.api.DataPlaneApi.uniqueBasin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Spec §12 E (Lite's {@code data_plane/mixed.rs}), one test per item. */
@QuarkusTest
class MixedConformanceTest {

    private static final String S = "mixed/s";

    @Test
    // "Basin missing: read → 404 `basin_not_found`; append → 404 `basin_not_found`; check-tail → 404 `basin_not_found`."
    void missingBasinIsBasinNotFoundEverywhere() {
        String basin = uniqueBasin("e-missing");
        String message = "basin `" + basin + "` not found";
        assertError(read(basin, S, "seq_num=0"), 404, "basin_not_found", message);
        assertError(append(basin, S, bodies("x")), 404, "basin_not_found", message);
        assertError(checkTail(basin, S), 404, "basin_not_found", message);
        // Nothing was created along the way.
        assertError(getBasin(basin), 404, "basin_not_found", message);
    }

    @Test
    // "20 concurrent single-record appends → all ok; tail 20; all bodies read back."
    void twentyConcurrentAppends() {
        String basin = newBasin("e-conc-append");
        createStream(basin, S, null);
        List<JsonNode> acks = concurrently(20, i -> DataPlaneApi.ackOf(rawAppend(basin, S, bodies("body-" + i)), 1));
        TreeSet<Long> starts = new TreeSet<>();
        for (JsonNode ack : acks) {
            assertEquals(seq(ack, "start") + 1, seq(ack, "end"));
            assertTrue(seq(ack, "tail") >= seq(ack, "end"));
            starts.add(seq(ack, "start"));
        }
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < 20; i++) {
            expected.add(i);
        }
        assertEquals(expected, new ArrayList<>(starts), "every ack distinct, together contiguous from 0");
        assertEquals(20, tail(basin, S)[0]);
        List<JsonNode> records = readCatchUp(basin, S, "seq_num=0");
        assertEquals(expected, seqsOf(records));
        for (int i = 0; i < 20; i++) {
            assertEquals("body-" + i, records.get((int) seq(acks.get(i), "start")).get("body").asText(),
                    "each body once, where its ack says");
        }
        // Timestamps never go backwards along the stream (§6).
        for (int i = 1; i < 20; i++) {
            assertTrue(records.get(i).get("timestamp").asLong() >= records.get(i - 1).get("timestamp").asLong());
        }
    }

    @Test
    // "PATCH stream during a stream of 10 appends → PATCH ok; tail 10; bodies in order."
    // The PATCH switches timestamping to arrival, so it must reach the appends after it and only those.
    void patchDuringAppends() {
        String basin = newBasin("e-patch");
        createStream(basin, S, null);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            JsonNode ack = appendOk(basin, S, input(rec("body-" + i, 1000 + i)));
            assertEquals(1000 + i, ts(ack, "start"), "client-prefer keeps the client's timestamp");
            sent.add("body-" + i);
        }
        DataPlaneApi.Reply patched = reply(basinScoped(basin).contentType("application/json")
                .body("{\"timestamping\":{\"mode\":\"arrival\"}}".getBytes(StandardCharsets.UTF_8))
                .patch("/v1/streams/" + enc(S)));
        assertEquals(200, patched.status(), patched::toString);
        assertEquals("arrival", patched.json().get("timestamping").get("mode").asText());
        long year2001Ms = 1_000_000_000_000L; // any arrival time is past this; the client's 1005..1009 are not
        for (int i = 5; i < 10; i++) {
            JsonNode ack = appendOk(basin, S, input(rec("body-" + i, 1000 + i)));
            assertEquals(i, seq(ack, "start"));
            assertTrue(ts(ack, "start") > year2001Ms, "arrival mode ignores the client's timestamp: " + ack);
            sent.add("body-" + i);
        }
        assertEquals(10, tail(basin, S)[0]);
        List<JsonNode> records = readCatchUp(basin, S, "seq_num=0");
        assertEquals(sent, bodiesOf(records));
        assertEquals(List.of(1000L, 1001L, 1002L, 1003L, 1004L), DataPlaneApi.timestampsOf(records.subList(0, 5)));
    }

    @Test
    // "10 concurrent full reads of 20 records → each returns all 20 in order."
    void tenConcurrentFullReads() {
        String basin = newBasin("e-conc-read");
        createStream(basin, S, null);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add("body-" + i);
        }
        appendBodies(basin, S, sent.toArray(String[]::new));
        List<DataPlaneApi.Reply> replies = concurrently(10, i -> rawRead(basin, S, "seq_num=0"));
        for (DataPlaneApi.Reply r : replies) {
            List<JsonNode> records = recordsOf(r);
            assertEquals(sent, bodiesOf(records), r::toString);
            assertEquals(0, records.get(0).get("seq_num").asLong());
            assertEquals(19, records.get(19).get("seq_num").asLong());
        }
        assertEquals(20, tail(basin, S)[0]);
    }
}
