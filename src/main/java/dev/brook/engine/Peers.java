package dev.brook.engine;

import dev.brook.core.AppendBatch;
import dev.brook.log.AppendOutcome;
import dev.brook.log.CommitCodec;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * This instance among the others that write the same bucket (docs/LOG.md, "Contention"): the address
 * its peers reach it at, written into its commits, and the link that hands batches to a peer.
 */
public record Peers(String self, Link link) {

    public Peers {
        if (!CommitCodec.usableWriter(self)) {
            throw new IllegalArgumentException("a peer address is printable ASCII without spaces, at most "
                    + CommitCodec.WRITER_CHARS_MAX + " characters: " + self);
        }
    }

    /** The transport of forwards between instances. */
    public interface Link {
        /**
         * Sends batches for the incarnation {@code sid} to the instance at {@code peer}. Completes with one
         * outcome per batch; fails with {@link dev.brook.log.Peering.NotDelivered} when provably nothing
         * reached the peer's log, with anything else when that is unknown. Never resends.
         */
        CompletionStage<List<AppendOutcome>> forward(String peer, String sid, String id, List<AppendBatch> batches);

        /** Tells the instance at {@code peer} of a commit to {@code sid}, best effort: nothing waits for it. */
        void notify(String peer, String sid, dev.brook.log.CommitNotice notice);
    }
}
