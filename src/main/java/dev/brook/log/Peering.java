package dev.brook.log;

import dev.brook.core.AppendBatch;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * How one stream's log reaches the other instances that write it (docs/LOG.md, "Contention"). Every
 * commit names the instance that wrote it ({@link #self()}, in the commit's metadata); an instance
 * that keeps losing the stream's tail to one peer hands its queued batches to that peer, which
 * commits them in its own groups. This steers work only: the log's rules decide every batch, where
 * it is committed and whatever the hints say.
 */
public interface Peering {

    /** This instance's address as its peers reach it (printable ASCII, at most 256 characters). */
    String self();

    /** Whether this stream's batches may be handed to a peer (not for encrypted streams: keys never leave the instance). */
    default boolean forwards() {
        return true;
    }

    /**
     * Hands {@code batches} to the instance at {@code peer}, which commits them as its own
     * ({@link StreamLog#acceptForwarded}). Completes with one outcome per batch, in order. Fails with
     * {@link NotDelivered} when provably none of them reached the peer's log (they may then be
     * committed here); any other failure means their fate is unknown, and they are never sent again.
     *
     * @param id names this forward, so that the peer answers a duplicate delivery with the first one's outcomes
     */
    CompletionStage<List<AppendOutcome>> forward(String peer, String id, List<AppendBatch> batches);

    /**
     * Nothing of a forward reached the peer's log: refused, or the peer could not be reached at all.
     * {@code leader} is set when the peer refused because it hands this stream's batches to another
     * instance itself: the sender may follow that hint (docs/LOG.md, "Contention").
     */
    final class NotDelivered extends RuntimeException {
        private final transient Optional<String> leader;

        public NotDelivered(String message) {
            this(message, Optional.empty());
        }

        public NotDelivered(String message, Optional<String> leader) {
            super(message, null, false, false);
            this.leader = leader;
        }

        public Optional<String> leader() {
            return leader;
        }
    }
}
