package dev.brook.http.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.brook.core.SequencedRecord;
import dev.brook.http.records.RecordJson;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Sessions sending the same records share one encoding of them (docs/LOG.md, "Fan-out"), and what
 * each sends is exactly what it would have encoded alone: its own event id, the batch, the tail.
 */
class SessionOutputsTest {

    static List<SequencedRecord> records(String... bodies) {
        return java.util.stream.IntStream.range(0, bodies.length)
                .mapToObj(i -> new SequencedRecord(10 + i, 1_000 + i, List.of(), bodies[i].getBytes(StandardCharsets.UTF_8))).toList();
    }

    @Test
    void followersOfOneCommitShareItsEncodingAndKeepTheirOwnIds() {
        List<SequencedRecord> batch = records("a", "b", "c");
        Optional<long[]> tail = Optional.of(new long[]{13, 1_002});
        long before = SessionOutputs.SHARED.hits();
        String first = SessionOutputs.sse(RecordJson.Format.RAW).batch(batch, tail, 3, 30).toString();
        String second = SessionOutputs.sse(RecordJson.Format.RAW).batch(List.copyOf(batch), tail, 7, 70).toString();
        assertEquals(1, SessionOutputs.SHARED.hits() - before, "the second session reused the first one's encoding");
        assertEquals(first.replace("id: 12,3,30", "id: 12,7,70"), second, "the same batch, with each session's own id");
        assertEquals("event: batch\nid: 12,3,30\ndata: {\"records\":[{\"seq_num\":10,\"timestamp\":1000,\"body\":\"a\"},"
                + "{\"seq_num\":11,\"timestamp\":1001,\"body\":\"b\"},{\"seq_num\":12,\"timestamp\":1002,"
                + "\"body\":\"c\"}],\"tail\":{\"seq_num\":13,\"timestamp\":1002}}\n\n", first);

        // Another form, another tail, or equal records that are other objects: encoded anew, never mixed up.
        before = SessionOutputs.SHARED.hits();
        String base64 = SessionOutputs.sse(RecordJson.Format.BASE64).batch(batch, tail, 3, 30).toString();
        String otherTail = SessionOutputs.sse(RecordJson.Format.RAW).batch(batch, Optional.of(new long[]{14, 1_003}), 3, 30).toString();
        String copies = SessionOutputs.sse(RecordJson.Format.RAW).batch(records("a", "b", "c"), tail, 3, 30).toString();
        assertEquals(0, SessionOutputs.SHARED.hits() - before);
        assertNotEquals(first, base64);
        assertNotEquals(first, otherTail);
        assertEquals(first, copies);

        before = SessionOutputs.SHARED.hits();
        byte[] s2s = SessionOutputs.s2s(Optional.empty()).batch(batch, tail, 3, 30).getBytes();
        byte[] again = SessionOutputs.s2s(Optional.empty()).batch(batch, tail, 9, 90).getBytes();
        assertEquals(1, SessionOutputs.SHARED.hits() - before);
        assertEquals(java.util.Arrays.toString(s2s), java.util.Arrays.toString(again));
    }
}
