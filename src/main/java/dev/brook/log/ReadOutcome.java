package dev.brook.log;

import dev.brook.core.SequencedRecord;
import java.util.List;

/** What a read returns: records (possibly none), or the tail when the start is not satisfiable (416). */
public sealed interface ReadOutcome {

    /**
     * {@code tailSeq}/{@code tailTimestamp}: the validated tail the read was served against;
     * {@code startSeq}: where delivery began (or would have, when nothing was delivered).
     */
    record Records(List<SequencedRecord> records, long tailSeq, long tailTimestamp, long startSeq) implements ReadOutcome {
        public Records {
            records = List.copyOf(records);
        }

        public Records(List<SequencedRecord> records, long tailSeq, long tailTimestamp) {
            this(records, tailSeq, tailTimestamp, records.isEmpty() ? tailSeq : records.get(0).seqNum());
        }

        /** Nothing was stored after the start: a reader that follows waits here. */
        public boolean atTail() {
            return startSeq >= tailSeq;
        }
    }

    record RangeNotSatisfiable(long tailSeq, long tailTimestamp) implements ReadOutcome {}

    /** The stream is sealed (being deleted): nothing is served. */
    record Sealed() implements ReadOutcome {}

    /**
     * The log enforces configuration {@code configVersion}, newer than the one the read's retention was
     * judged by: nothing is served; the caller reads its configuration again and asks again.
     */
    record Reconfigured(long configVersion) implements ReadOutcome {}
}
