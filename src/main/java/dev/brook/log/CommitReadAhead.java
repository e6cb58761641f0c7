package dev.brook.log;

import dev.brook.store.ObjectStore;
import java.util.ArrayDeque;
import java.util.Optional;

/**
 * Read-ahead over a run of commits not compacted yet (docs/LOG.md, "Read-ahead"), one per stream: a
 * walk fetches the chain one commit after another, since a commit's successor is known only from
 * the commit; this lists the keys after the one a walk reached (a hint, never trusted: the walk still
 * follows the chain by computed keys) and sends GETs for them, several in flight, through the commit
 * cache, so that the walk finds them there or joins their GETs.
 *
 * <p>Nothing about what a read serves changes. A commit fetched ahead is served only when the walk
 * reaches its key by the chain, and, like any commit read, is validated by the floor read the read
 * issues after it collected its commits (the GET completed before). Only keys up to the tail the walk
 * reads against are fetched. A key listed exists, so a GET sent ahead finds "absent" only when the
 * floor passed the key since, which a walk that joins it learns from its floor read, as for any
 * commit deleted under it.
 *
 * <p>Bounded: at most {@value #IN_FLIGHT_MAX} GETs in flight, each holding its estimated bytes of the
 * process's read-ahead window ({@link CommitCache#reserveAhead}) until it lands; commits fetched
 * ahead of the walk, at most {@value #AHEAD_MAX}, and no more bytes (estimated by the last commit
 * read) than the window; what lands is held by the commit cache, within its bound.
 */
final class CommitReadAhead {

    /** Keys one LIST asks for (S3's most): the walk must not overtake the listing while the next LIST is out. */
    static final int LISTED_MAX = 1000;
    /** GETs sent ahead and not landed, at most. */
    static final int IN_FLIGHT_MAX = 16;
    /** Commits fetched ahead of the walk's position, at most. */
    static final int AHEAD_MAX = 256;
    /**
     * Commits in a row a walk must have found neither in memory nor fetched ahead before a LIST goes out: a
     * follower reading the commit or two after its position (mostly from memory) costs no LIST.
     */
    static final int RUN_MIN = 4;

    private final ObjectStore store;
    private final LogKeys keys;
    private final CommitCache commits;

    // All guarded by this.
    /** Keys listed after the position, in order, not sent yet. */
    private final ArrayDeque<CommitKey> listed = new ArrayDeque<>();
    /** Keys sent ahead of the position, in order (landed or not). */
    private final ArrayDeque<CommitKey> sent = new ArrayDeque<>();
    /** The last key listed (the next LIST starts after it), or null. */
    private CommitKey listedTo;
    private boolean listing;
    /** Counts the times the plan was dropped: a LIST sent before answers nothing after. */
    private long generation;
    private int inFlight;
    private CommitKey position = CommitKey.FIRST;
    private CommitKey tail = CommitKey.FIRST;
    /** Bytes of the last commit the walk read: the estimate of the next ones. */
    private long estimate = 1024;
    /** Commits in a row the walk reached that were not in memory. */
    private int run;
    /** Steps in a row of walks behind the position. */
    private int behind;

    CommitReadAhead(ObjectStore store, LogKeys keys, CommitCache commits) {
        this.store = store;
        this.keys = keys;
        this.commits = commits;
    }

    /**
     * A walk reached {@code key} (not compacted), reading against a tail at {@code tailKey}; {@code bytes}
     * is the size of the commit it last read, or 0. Sends what may be sent ahead; waits for nothing.
     */
    void at(CommitKey key, CommitKey tailKey, long bytes) {
        if (commits.readAheadBytesMax() == 0) {
            return;
        }
        boolean list;
        CommitKey after;
        long listGeneration;
        synchronized (this) {
            if (key.isBelow(position)) {
                if (++behind < RUN_MIN) {
                    // Another reader of the stream, further back (two catch-ups at once): it reads on without
                    // read-ahead rather than the two taking the plan from each other at every step.
                    return;
                }
                // A read further back, alone for a while: what was planned ahead of the old position is of no use.
                listed.clear();
                sent.clear();
                listedTo = null;
                generation++;
            }
            behind = 0;
            if (bytes > 0) {
                estimate = bytes;
            }
            boolean inMemory = commits.holds(keys.commit(key));
            run = inMemory ? 0 : position.isBelow(key) || run == 0 ? run + 1 : 1;
            position = key;
            tail = tailKey;
            while (!sent.isEmpty() && !position.isBelow(sent.peekFirst())) {
                sent.pollFirst();
            }
            while (!listed.isEmpty() && !position.isBelow(listed.peekFirst())) {
                listed.pollFirst();
            }
            if (listedTo != null && listedTo.isBelow(position)) {
                listedTo = null; // the walk went past everything listed (or jumped): list again from here
            }
            after = listedTo == null ? position : listedTo;
            list = !listing && (run >= RUN_MIN || !sent.isEmpty() || !listed.isEmpty()) && listed.size() + sent.size() < AHEAD_MAX / 2 && after.isBelow(tail);
            listing |= list;
            listGeneration = generation;
        }
        if (list) {
            list(after, listGeneration);
        }
        pump();
    }

    private void list(CommitKey after, long listGeneration) {
        store.list(keys.commitPrefix(), keys.commit(after), LISTED_MAX).whenComplete((page, e) -> {
            synchronized (this) {
                listing = false;
                if (e != null || listGeneration != generation) {
                    return; // failed (the walk reads on without it), or a read further back dropped the plan
                }
                CommitKey last = listedTo != null && position.isBelow(listedTo) ? listedTo : position;
                if (!sent.isEmpty() && last.isBelow(sent.peekLast())) {
                    last = sent.peekLast();
                }
                boolean beyondAfter = false;
                for (String k : page.keys()) { // at most LISTED_MAX
                    Optional<CommitKey> key = keys.parseCommit(k);
                    if (key.isEmpty() || tail.isBelow(key.get())) {
                        continue;
                    }
                    beyondAfter |= after.isBelow(key.get());
                    if (last.isBelow(key.get())) {
                        listed.addLast(key.get());
                        last = key.get();
                    }
                }
                if (!listed.isEmpty()) {
                    listedTo = last;
                } else if (beyondAfter) {
                    listedTo = null; // the walk passed every key listed while the LIST was out: list again from it
                } else {
                    // Nothing listed after the key (a listing that lags, or the tail next): no LIST more until the
                    // walk passes the tail it reads against; it reads on by the chain meanwhile.
                    listedTo = tail;
                }
            }
            pump();
        });
    }

    /** Sends GETs for listed keys while the bounds allow. */
    private void pump() {
        for (int n = 0; n < IN_FLIGHT_MAX; n++) { // count-bound: at most one GET per slot
            CommitKey key;
            long reserved;
            synchronized (this) {
                if (inFlight >= IN_FLIGHT_MAX || listed.isEmpty() || sent.size() >= AHEAD_MAX
                        || (sent.size() + 1) * estimate > commits.readAheadBytesMax()) {
                    return;
                }
                key = listed.peekFirst();
                if (commits.holds(keys.commit(key))) {
                    listed.pollFirst(); // in memory already: nothing to fetch
                    continue;
                }
                reserved = estimate;
                if (!commits.reserveAhead(reserved)) {
                    return; // the window is full: the next step of the walk tries again
                }
                listed.pollFirst();
                sent.addLast(key);
                inFlight++;
            }
            commits.fetch(store, keys.commit(key), key).whenComplete((c, e) -> {
                commits.landAhead(reserved, null, null);
                synchronized (this) {
                    inFlight--;
                }
                pump();
            });
        }
    }

    /** GETs sent ahead and not landed (tests). */
    synchronized int inFlight() {
        return inFlight;
    }
}
