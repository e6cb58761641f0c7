package dev.brook.core;

import java.util.List;

/** The decision for one batch of a commit. */
public sealed interface Verdict {

    /**
     * Sequenced as {@code [startSeq, endSeq)}; {@code startTimestamp} is the first record's timestamp
     * and {@code endTimestamp} the last record's (not +1), as S2's ack reports them.
     */
    record Accepted(long startSeq, long endSeq, long startTimestamp, long endTimestamp, List<SequencedRecord> records)
            implements Verdict {
        public Accepted {
            records = List.copyOf(records);
        }
    }

    record Rejected(Rejection reason) implements Verdict {}
}
