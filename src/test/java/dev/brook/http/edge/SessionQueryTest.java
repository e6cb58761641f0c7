package dev.brook.http.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import dev.brook.log.ReadRequest;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** SSE resume by {@code last-event-id} (docs/DECISIONS.md 17): values Brook never emits are refused, never wrapped. */
class SessionQueryTest {

    private static SessionQuery parse(Map<String, String> query, String lastEventId) {
        return SessionQuery.parse(query::get, lastEventId);
    }

    @Test
    void anIdResumesAfterItsSeqNumWithTheBoundsReduced() {
        SessionQuery q = parse(Map.of("seq_num", "0", "count", "10", "bytes", "100"), "4,3,30");
        assertEquals(new ReadRequest.Start.SeqNum(5), q.start());
        assertEquals(OptionalLong.of(7), q.count());
        assertEquals(OptionalLong.of(70), q.bytes());
        assertEquals(3, q.deliveredCount());
        assertEquals(30, q.deliveredBytes());
    }

    @Test
    void theLargestSeqNumThatHasASuccessorIsAccepted() {
        long s = Long.MAX_VALUE - 1;
        assertEquals(new ReadRequest.Start.SeqNum(Long.MAX_VALUE), parse(Map.of(), s + ",0,0").start());
        assertEquals(Long.MAX_VALUE, parse(Map.of(), "0," + Long.MAX_VALUE + "," + Long.MAX_VALUE).deliveredBytes());
    }

    @Test
    void seqNumsWhoseSuccessorIsNotBelow2To63AreRefusedNotWrapped() {
        // u64::MAX + 1 wrapped to 0 (a replay from the start); 2^63 - 1 + 1 wrapped to a negative position.
        for (String seq : new String[]{"18446744073709551615", "9223372036854775807", "9223372036854775808"}) {
            S2Error e = assertThrows(S2Error.class, () -> parse(Map.of("seq_num", "0"), seq + ",1,1"), seq);
            assertEquals(ErrorCode.BAD_HEADER, e.code(), seq);
            assertEquals("Invalid header `last-event-id`: " + seq + ",1,1", e.getMessage());
        }
    }

    @Test
    void countsAndBytesAtOrAbove2To63AreRefusedNotWrapped() {
        // Read as a negative long, a delivered count would have raised the remaining bound instead of lowering it.
        for (String id : new String[]{"1,9223372036854775808,0", "1,0,9223372036854775808", "1,18446744073709551615,0"}) {
            S2Error e = assertThrows(S2Error.class, () -> parse(Map.of("seq_num", "0", "count", "5", "bytes", "50"), id), id);
            assertEquals(ErrorCode.BAD_HEADER, e.code(), id);
        }
    }
}
