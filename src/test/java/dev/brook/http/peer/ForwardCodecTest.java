package dev.brook.http.peer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.Header;
import dev.brook.core.Rejection;
import dev.brook.core.SequencedRecord;
import dev.brook.core.Verdict;
import dev.brook.log.AppendOutcome;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Forwards and their answers survive the wire exactly; anything else is refused before use. */
class ForwardCodecTest {

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    final AppendBatch plain = new AppendBatch(List.of(new AppendRecord(OptionalLong.empty(), List.of(), utf8("x"))),
            OptionalLong.empty(), Optional.empty(), 1_000);
    final AppendBatch conditional = new AppendBatch(List.of(
            new AppendRecord(OptionalLong.of(77), List.of(new Header(utf8("k"), utf8("v")), new Header(new byte[0], utf8("fence"))), utf8("tok")),
            new AppendRecord(OptionalLong.empty(), List.of(), new byte[0])), OptionalLong.of(5), Optional.of("é-token"), 2_000);

    @Test
    void batchesRoundTrip() {
        byte[] wire = ForwardCodec.encodeForward("5e1f", "id-9", List.of(plain, conditional));
        ForwardCodec.Forward f = ForwardCodec.decodeForward(wire);
        assertEquals("5e1f", f.sid());
        assertEquals("id-9", f.id());
        assertEquals(List.of(plain, conditional), f.batches());
    }

    @Test
    void everyOutcomeRoundTrips() {
        List<SequencedRecord> recs = List.of(new SequencedRecord(7, 100, List.of(), utf8("x")));
        List<AppendOutcome> outcomes = List.of(
                new AppendOutcome.Acked(new Verdict.Accepted(7, 8, 100, 100, recs), 9, 101),
                new AppendOutcome.Applied(9, 101),
                new AppendOutcome.Rejected(new Rejection.FencingTokenMismatch("cur")),
                new AppendOutcome.Rejected(new Rejection.SeqNumMismatch(42)),
                new AppendOutcome.Rejected(new Rejection.Invalid("bad")),
                new AppendOutcome.Rejected(new Rejection.StreamSealed()),
                new AppendOutcome.Failed(AppendOutcome.Failure.CONTENDED, "lost"));
        List<AppendBatch> sent = List.of(plain, plain, plain, plain, plain, plain, plain);
        List<AppendOutcome> back = ForwardCodec.decodeOutcomes(ForwardCodec.encodeOutcomes(outcomes), sent);
        assertEquals(outcomes.subList(1, outcomes.size()), back.subList(1, back.size()));
        AppendOutcome.Acked a = (AppendOutcome.Acked) back.get(0);
        assertEquals(9, a.tailSeq());
        assertEquals(101, a.tailTimestamp());
        assertEquals(7, a.range().startSeq());
        assertEquals(100, a.range().records().get(0).timestamp());
        assertArrayEquals(utf8("x"), a.range().records().get(0).body(), "the acked records are the ones sent");
    }

    @Test
    void malformedBodiesAreRefused() {
        byte[] wire = ForwardCodec.encodeForward("s", "i", List.of(plain));
        assertThrows(IllegalArgumentException.class, () -> ForwardCodec.decodeForward(Arrays.copyOf(wire, wire.length - 1)));
        byte[] longer = Arrays.copyOf(wire, wire.length + 1);
        assertThrows(IllegalArgumentException.class, () -> ForwardCodec.decodeForward(longer));
        assertThrows(IllegalArgumentException.class, () -> ForwardCodec.decodeForward(utf8("not a forward")));
        byte[] answer = ForwardCodec.encodeOutcomes(List.of(new AppendOutcome.Applied(1, 1)));
        assertThrows(IllegalArgumentException.class, () -> ForwardCodec.decodeOutcomes(answer, List.of(plain, plain)),
                "an answer that does not fit what was sent");
        byte[] ack = ForwardCodec.encodeOutcomes(List.of(new AppendOutcome.Acked(new Verdict.Accepted(0, 2, 1, 1,
                List.of(new SequencedRecord(0, 1, List.of(), new byte[0]), new SequencedRecord(1, 1, List.of(), new byte[0]))), 2, 1)));
        assertThrows(IllegalArgumentException.class, () -> ForwardCodec.decodeOutcomes(ack, List.of(plain)),
                "an ack of two records for a batch of one");
    }
}
