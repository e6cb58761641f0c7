package dev.brook.log;

import dev.brook.core.SequencedRecord;
import java.util.List;

/** What a read returns: records (possibly none), or the tail when the start is not satisfiable (416). */
public sealed interface ReadOutcome {

    /** {@code tailSeq}/{@code tailTimestamp}: the validated tail the read was served against. */
    record Records(List<SequencedRecord> records, long tailSeq, long tailTimestamp) implements ReadOutcome {
        public Records {
            records = List.copyOf(records);
        }
    }

    record RangeNotSatisfiable(long tailSeq, long tailTimestamp) implements ReadOutcome {}

    /** The stream is sealed (being deleted): nothing is served. */
    record Sealed() implements ReadOutcome {}
}
