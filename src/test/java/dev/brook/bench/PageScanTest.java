package dev.brook.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.core.Header;
import dev.brook.core.SequencedRecord;
import dev.brook.http.wire.ProtoCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The catch-up's page scan finds what a full decoding finds: the records, their sequence numbers and metered bytes. */
class PageScanTest {

    private static byte[] bytes(Random r, int max) {
        byte[] b = new byte[r.nextInt(max + 1)];
        r.nextBytes(b);
        return b;
    }

    @Test
    void agreesWithTheFullDecodingOnRandomPages() {
        for (int seed = 0; seed < 500; seed++) {
            Random r = new Random(seed);
            long start = r.nextInt(4) == 0 ? 0 : r.nextLong() & Long.MAX_VALUE >>> 1;
            List<SequencedRecord> records = new ArrayList<>();
            for (int i = 0; i < 1 + r.nextInt(40); i++) {
                List<Header> headers = new ArrayList<>();
                for (int h = r.nextInt(3); h > 0; h--) {
                    headers.add(new Header(bytes(r, 10), bytes(r, 20)));
                }
                records.add(new SequencedRecord(start + i, r.nextLong() & Long.MAX_VALUE, headers, bytes(r, 3000)));
            }
            Optional<long[]> tail = r.nextBoolean() ? Optional.of(new long[] {start + records.size(), 5}) : Optional.empty();
            byte[] page = ProtoCodec.encodeReadBatch(records, tail);
            PageScan scan = PageScan.of(page);
            List<SequencedRecord> decoded = ProtoCodec.decodeReadBatch(page).records();
            assertEquals(decoded.size(), scan.records, "seed " + seed);
            assertEquals(decoded.get(0).seqNum(), scan.firstSeq, "seed " + seed);
            assertEquals(decoded.get(decoded.size() - 1).seqNum(), scan.lastSeq, "seed " + seed);
            assertEquals(decoded.stream().mapToLong(SequencedRecord::meteredBytes).sum(), scan.meteredBytes, "seed " + seed);
            assertTrue(scan.consecutive, "seed " + seed);
        }
    }

    @Test
    void aGapIsSeen() {
        List<SequencedRecord> records = List.of(new SequencedRecord(3, 1, List.of(), new byte[] {1}),
                new SequencedRecord(5, 1, List.of(), new byte[] {2}));
        PageScan scan = PageScan.of(ProtoCodec.encodeReadBatch(records, Optional.empty()));
        assertEquals(2, scan.records);
        assertFalse(scan.consecutive);
    }
}
