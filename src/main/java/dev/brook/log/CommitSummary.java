package dev.brook.log;

import dev.brook.core.StreamState;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a HEAD (or a GET) tells about a commit without its records: enough to extend it, to report
 * it as the tail, and to find its predecessor. {@code hash} is the SHA-256 of the whole object.
 */
public record CommitSummary(CommitKey key, Optional<CommitKey> previous, byte[] nonce, byte[] hash,
                            StreamState state, OptionalLong firstTimestamp, long lastModifiedMs) {

    public long end() {
        return state.nextSeq();
    }

    public boolean hasRecords() {
        return end() > key.start();
    }

    public CommitKey successor() {
        return key.successor(end(), hasRecords());
    }

    public boolean hasNonce(byte[] candidate) {
        return Arrays.equals(nonce, candidate);
    }
}
