package dev.brook.http.records;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brook.core.Header;
import dev.brook.core.SequencedRecord;
import dev.brook.http.wire.Http;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streaming ReadBatch encoding (what SSE sends) is byte for byte the tree encoding's, for every
 * kind of text S2's formats carry: escapes, control characters, non-ASCII, invalid UTF-8 (replaced),
 * empty bodies, headers, u64 values above 2^63 - 1, with and without a tail.
 */
class RecordJsonTest {

    /** The ReadBatch as a Jackson tree, field by field as spec §5.2 shows it: the reference for the streaming encoding. */
    static ObjectNode treeEncoding(List<SequencedRecord> records, Optional<ObjectNode> tail, RecordJson.Format format) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        ArrayNode array = n.putArray("records");
        for (SequencedRecord r : records) {
            ObjectNode o = array.addObject();
            RecordJson.putU64(o, "seq_num", r.seqNum());
            RecordJson.putU64(o, "timestamp", r.timestamp());
            if (!r.headers().isEmpty()) {
                ArrayNode hs = o.putArray("headers");
                for (Header h : r.headers()) {
                    hs.addArray().add(RecordJson.text(h.name(), format)).add(RecordJson.text(h.value(), format));
                }
            }
            if (r.body().length > 0) {
                o.put("body", RecordJson.text(r.body(), format));
            }
        }
        tail.ifPresent(t -> n.set("tail", t));
        return n;
    }


    static final byte[] MIXED = "aé\"\\\n€😀".getBytes(StandardCharsets.UTF_8);

    static byte[] randomBytes(Random r) {
        int kind = r.nextInt(5);
        int n = r.nextInt(kind == 0 ? 3 : 300);
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = switch (kind) {
                case 1 -> (byte) (32 + r.nextInt(95)); // printable ASCII, quotes and backslashes included
                case 2 -> (byte) r.nextInt(128); // ASCII with control characters
                case 3 -> (byte) r.nextInt(256); // anything, mostly invalid UTF-8
                default -> MIXED[r.nextInt(MIXED.length)]; // multi-byte sequences, some cut
            };
        }
        if (kind == 4 && r.nextBoolean()) {
            b = "héllo \"wörld\" \\ € 😀 \u0001".getBytes(StandardCharsets.UTF_8);
        }
        return b;
    }

    static long u64(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> r.nextInt(1000);
            case 1 -> -1L; // 2^64 - 1
            case 2 -> Long.MIN_VALUE + r.nextInt(10); // just above 2^63 - 1
            default -> r.nextLong();
        };
    }

    @Test
    void theStreamingEncodingIsTheTreeEncoding() {
        Random r = new Random(5);
        for (int round = 0; round < 500; round++) {
            List<SequencedRecord> records = new ArrayList<>();
            int n = r.nextInt(6);
            for (int i = 0; i < n; i++) {
                List<Header> headers = new ArrayList<>();
                for (int h = r.nextInt(3); h > 0; h--) {
                    headers.add(new Header(randomBytes(r), randomBytes(r)));
                }
                records.add(new SequencedRecord(u64(r), u64(r), headers, randomBytes(r)));
            }
            Optional<long[]> tail = r.nextBoolean() ? Optional.of(new long[]{u64(r), u64(r)}) : Optional.empty();
            for (RecordJson.Format format : RecordJson.Format.values()) {
                String tree = Http.write(treeEncoding(records, tail.map(t -> RecordJson.position(t[0], t[1])), format));
                String streamed = new String(RecordJson.readBatchBytes(records, tail, format), StandardCharsets.UTF_8);
                assertEquals(tree, streamed, "round " + round + ", " + format);
            }
        }
    }
}
