package dev.brook.log;

/**
 * Where a commit lives in its stream's chain: the first sequence number it holds and its epoch, the
 * number of zero-record commits before it. A commit that holds records is followed at
 * {@code (end, epoch)}; one that holds none (a control commit or the seal) at {@code (end, epoch + 1)}.
 * So every commit's successor has a larger key, and a control commit and a data commit that extend
 * the same predecessor compete for the same key.
 */
public record CommitKey(long start, long epoch) implements Comparable<CommitKey> {

    public static final CommitKey FIRST = new CommitKey(0, 0);
    /** Above every real key: the floor of a deleted stream. */
    public static final CommitKey INFINITY = new CommitKey(Long.MAX_VALUE, Long.MAX_VALUE);

    public CommitKey {
        if (start < 0 || epoch < 0) {
            throw new IllegalArgumentException("negative commit key " + start + "/" + epoch);
        }
    }

    /** The key of the commit that extends one at this key ending at {@code end}. */
    public CommitKey successor(long end, boolean hasRecords) {
        if (end < start || hasRecords == (end == start)) {
            throw new IllegalArgumentException("a commit at " + this + " ending at " + end + (hasRecords ? " has" : " has no") + " records");
        }
        return new CommitKey(end, hasRecords ? epoch : epoch + 1);
    }

    @Override
    public int compareTo(CommitKey o) {
        int c = Long.compare(start, o.start);
        return c != 0 ? c : Long.compare(epoch, o.epoch);
    }

    public boolean isBelow(CommitKey o) {
        return compareTo(o) < 0;
    }

    @Override
    public String toString() {
        return start + "/" + epoch;
    }
}
