package dev.brook.log;

import dev.brook.core.SequencedRecord;
import dev.brook.core.StreamState;
import java.util.List;
import java.util.Optional;

/**
 * One object of the chain: the records {@code [key.start, state.nextSeq)} of one or more client
 * batches (their sizes in order), and the stream state after them. It names its predecessor's key
 * and the SHA-256 of the predecessor's object, and carries a random nonce that makes this exact
 * payload recognisable when it is read back. A commit without records changes only the state (a
 * reconfiguration, or the seal of a deleted stream).
 */
public record Commit(CommitKey key, Optional<CommitKey> previous, byte[] previousHash, byte[] nonce,
                     StreamState state, List<Integer> batchSizes, List<SequencedRecord> records) {

    public static final int HASH_BYTES = 32;
    public static final int NONCE_BYTES = 16;

    public Commit {
        batchSizes = List.copyOf(batchSizes);
        records = List.copyOf(records);
        if (previousHash.length != HASH_BYTES || nonce.length != NONCE_BYTES) {
            throw new IllegalArgumentException("hash and nonce have fixed sizes");
        }
        if (state.nextSeq() - key.start() != records.size()) {
            throw new IllegalArgumentException("commit at " + key + " ends at " + state.nextSeq() + " but holds " + records.size() + " records");
        }
        if (batchSizes.stream().mapToLong(Integer::longValue).sum() != records.size() || batchSizes.contains(0)) {
            throw new IllegalArgumentException("batch sizes " + batchSizes + " do not partition " + records.size() + " records");
        }
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i).seqNum() != key.start() + i) {
                throw new IllegalArgumentException("record " + i + " of commit " + key + " has seq " + records.get(i).seqNum());
            }
        }
        if (state.fencingToken().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > dev.brook.core.Limits.FENCING_TOKEN_BYTES_MAX) {
            throw new IllegalArgumentException("fencing token longer than " + dev.brook.core.Limits.FENCING_TOKEN_BYTES_MAX + " bytes");
        }
        // The first commit of a log is at its genesis position with epoch 0 (0/0 for every stream; tests
        // may start a log elsewhere); every other commit names its predecessor.
        if (previous.isEmpty() ? key.epoch() != 0 : key.equals(CommitKey.FIRST)) {
            throw new IllegalArgumentException("only the first commit has no predecessor: " + key + " after " + previous);
        }
    }

    public long end() {
        return state.nextSeq();
    }

    public boolean hasRecords() {
        return !records.isEmpty();
    }

    public CommitKey successor() {
        return key.successor(end(), hasRecords());
    }
}
