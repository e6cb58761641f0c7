package dev.brook.log;

import dev.brook.core.Rejection;
import dev.brook.core.Verdict;

/** How one submitted item ended. Every outcome is final when it is delivered. */
public sealed interface AppendOutcome {

    /** Durable, guarded and on the chain: {@code tailSeq}/{@code tailTimestamp} is the tail after it. */
    record Acked(Verdict.Accepted range, long tailSeq, long tailTimestamp) implements AppendOutcome {}

    /** A zero-record commit (reconfiguration, seal) is durable and on the chain. */
    record Applied(long tailSeq, long tailTimestamp) implements AppendOutcome {}

    /** Refused against a durable, guarded state; nothing was written. */
    record Rejected(Rejection rejection) implements AppendOutcome {}

    /** Not acknowledged. {@code mayHaveLanded} says whether it can be in the log anyway. */
    record Failed(Failure failure, String message) implements AppendOutcome {
        public boolean mayHaveLanded() {
            return switch (failure) {
                case OUTCOME_UNKNOWN -> true;
                case CONTENDED, UNAVAILABLE, SESSION_BROKEN -> false;
            };
        }
    }

    enum Failure {
        /** It may be in the log: it must not be resent blindly (answer 503 unavailable). */
        OUTCOME_UNKNOWN,
        /** Every attempt provably lost to other writers within the bounds (answer 502 hot_server). */
        CONTENDED,
        /** The store could not be reached before anything was written (answer 503 server_draining-like, no side effect). */
        UNAVAILABLE,
        /**
         * Never decided: an earlier batch of its append session failed, and S2 applies no later batch
         * of a session after its first failure. Nothing was written (answer 503 unavailable; a client
         * never sees it in practice, its session already ended with the first error).
         */
        SESSION_BROKEN
    }
}
