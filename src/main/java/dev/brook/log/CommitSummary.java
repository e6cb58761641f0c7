package dev.brook.log;

import dev.brook.core.StreamState;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a HEAD (or a GET) tells about a commit without its records: enough to extend it, to report
 * it as the tail, and to find its predecessor. {@code hash} is the SHA-256 of the whole object.
 * {@code writer} is the address of the instance that wrote it, from the object's metadata when it
 * had one: a hint that steers forwarding (docs/LOG.md, "Contention"), never validated, never needed
 * for correctness.
 */
public record CommitSummary(CommitKey key, Optional<CommitKey> previous, byte[] nonce, byte[] hash,
                            StreamState state, OptionalLong firstTimestamp, long lastModifiedMs, Optional<String> writer) {

    public CommitSummary(CommitKey key, Optional<CommitKey> previous, byte[] nonce, byte[] hash,
                         StreamState state, OptionalLong firstTimestamp, long lastModifiedMs) {
        this(key, previous, nonce, hash, state, firstTimestamp, lastModifiedMs, Optional.empty());
    }

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
