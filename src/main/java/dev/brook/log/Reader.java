package dev.brook.log;

import dev.brook.core.SequencedRecord;
import dev.brook.store.ObjectStore;
import dev.brook.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Reads what is stored (spec §7.1-§7.3 without waiting): resolves the start against a tail read
 * from storage, finds the commit holding it, and walks the chain forward by computed successor
 * keys. Every commit served was validated after it was read; a key missing below the tail means
 * trimmed, never "not written yet".
 */
final class Reader {

    /** Restarts of one read after a floor moved under it. */
    static final int READ_RESTARTS_MAX = 4;
    /** Bisection steps of a search by timestamp (two per bit of the sequence space is plenty). */
    static final int TIMESTAMP_SEARCH_STEPS_MAX = 128;
    /** Predecessors one seek follows back from a listed key (a listing that missed recent keys). */
    static final int LOCATE_HOPS_MAX = 64;
    /** A remembered commit this many records below a read's start or more is too far to walk from. */
    static final long NEAR_RECORDS = 10_000;
    /** Commits a notice makes this process follow from the tail it validated last; beyond, the watch checks the tail instead. */
    static final int NOTICE_HOPS_MAX = 8;

    private final Chain chain;
    private final ObjectStore store;
    private final CommitCache commits;
    private final LogKeys keys;
    private final LogSettings settings;
    private final java.util.function.LongSupplier nanoClock;

    private final java.util.function.ToLongFunction<SequencedRecord> meter;

    private final Segments segments;
    private final CommitReadAhead commitsAhead;

    Reader(Chain chain, LogEnv env, java.util.function.ToLongFunction<SequencedRecord> meter, Segments segments) {
        this.segments = segments;
        this.meter = meter;
        this.chain = chain;
        this.store = env.store();
        this.commits = env.commits();
        this.keys = chain.keys();
        this.settings = env.settings();
        this.nanoClock = env.nanoClock();
        this.commitsAhead = new CommitReadAhead(store, keys, commits);
    }

    CompletionStage<ReadOutcome> read(ReadRequest request) {
        return chain.tail().thenCompose(tail -> against(request, tail));
    }

    /**
     * A read that continues one whose tail was already read from storage (a read session's next
     * batch, a long poll woken at the tail): when the tail this instance last validated lies at or
     * beyond the start, it bounds the read without another tail check (docs/LOG.md, "Reading"). That tail
     * is at least the one the first read found, so the read still reflects every append acknowledged
     * before the request began; and every commit it serves is validated by the floor read after its
     * GETs, as always.
     */
    CompletionStage<ReadOutcome> readOn(ReadRequest request) {
        Chain.Tail known = chain.cachedTail();
        if (request.start() instanceof ReadRequest.Start.SeqNum s && known.last().isPresent() && !known.state().sealed()
                && known.state().nextSeq() >= s.seqNum()) {
            // At that tail it answers "nothing new" without a request: a follower then waits on the watch.
            return against(request, known);
        }
        return read(request);
    }

    /**
     * A continuing read ({@link #readOn}) answered at once from commits this process holds validated,
     * with no stage chained and nothing asked of storage: what {@link #readOn} would answer, or empty
     * when any part of it needs more (a commit not in memory or not validated, one below the floor, one
     * retention hides, a sealed or reconfigured log, a start that is not a sequence number). A thousand
     * followers woken by one commit each read it this way (docs/LOG.md, "Fan-out").
     */
    Optional<ReadOutcome> readOnFromMemory(ReadRequest request) {
        Chain.Tail tail = chain.cachedTail();
        if (!(request.start() instanceof ReadRequest.Start.SeqNum s) || tail.last().isEmpty() || tail.state().sealed()
                || tail.state().configVersion() > request.retention().configVersion()) {
            return Optional.empty();
        }
        long end = tail.state().nextSeq();
        long endTs = tail.state().lastTimestamp();
        long from = s.seqNum();
        if (from > end || (from == end && !request.follow())) {
            return Optional.empty(); // a 416: the usual path answers it
        }
        from = Math.max(from, tail.state().trimPoint());
        if (from >= end || request.count() == 0 || request.bytes() == 0) {
            return Optional.of(new ReadOutcome.Records(List.of(), end, endTs, Math.min(from, end)));
        }
        CommitKey tailKey = tail.last().get().key();
        CommitKey floor = chain.floors().cached().floor();
        CommitKey at = tailKey;
        if (from < tailKey.start()) {
            Optional<CommitKey> near = chain.recentAtOrBelow(from);
            if (near.isEmpty() || near.get().isBelow(floor) || !near.get().isBelow(tailKey) || from - near.get().start() >= NEAR_RECORDS) {
                return Optional.empty();
            }
            at = near.get();
        }
        Taken taken = new Taken(from, request);
        for (int n = 0; n < settings.readCommitsMax(); n++) {
            if (at.isBelow(floor)) {
                return Optional.empty();
            }
            CommitCache.Cached cached = commits.validatedInMemory(keys.commit(at));
            if (cached == null || cached.commit().key().start() != at.start()
                    || request.retention().hides(cached.summary().lastModifiedMs())) {
                // Not here (or hidden: the boundary search and its floor reads belong to the usual path).
                return Optional.empty();
            }
            Commit commit = cached.commit();
            if (!taken.take(commit) || !commit.key().isBelow(tailKey) || commit.end() >= end) {
                break;
            }
            at = commit.successor();
        }
        return Optional.of(new ReadOutcome.Records(taken.out, end, endTs, from));
    }

    /** Records a read collects from the commits it walks, within its count, bytes and timestamp bounds. */
    private final class Taken {
        final long from;
        final ReadRequest request;
        final List<SequencedRecord> out = new ArrayList<>();
        long bytes;

        Taken(long from, ReadRequest request) {
            this.from = from;
            this.request = request;
        }

        /** Takes the commit's records at or after the start; false when a bound stopped the read. */
        boolean take(Commit commit) {
            for (SequencedRecord r : commit.records()) {
                if (r.seqNum() < from) {
                    continue;
                }
                long size = meter.applyAsLong(r);
                if (out.size() + 1 > request.count() || bytes + size > request.bytes()
                        || (request.until().isPresent() && Long.compareUnsigned(r.timestamp(), request.until().getAsLong()) >= 0)) {
                    return false;
                }
                out.add(r);
                bytes += size;
            }
            return true;
        }

        void clear() {
            out.clear();
            bytes = 0;
        }
    }

    /**
     * Another process's notice that the chain now reaches {@code end}, never trusted: follows the
     * chain from the tail validated here by GETs (through the commit cache, so this process's
     * followers then read those commits from memory), at most {@link #NOTICE_HOPS_MAX}, until it
     * reaches {@code end}, and validates what it found with one floor read issued after; the last
     * commit found becomes the tail validated here. Answers that tail (behind {@code end} when the
     * notice was stale or forged, or the hops ran out). Not a check-tail: it bounds continuing reads
     * only (docs/LOG.md, "Wake-ups"), so it does not look beyond the commit it was told of.
     */
    CompletionStage<TailPosition> learn(long end) {
        Chain.Tail from = chain.cachedTail();
        if (from.last().isEmpty() || from.state().sealed() || from.state().nextSeq() >= end) {
            return CompletableFuture.completedFuture(position(from));
        }
        List<CommitCache.Cached> found = new ArrayList<>();
        Chain.Tail[] at = {from};
        return Loops.until(NOTICE_HOPS_MAX + 1, settings.loopDeadline(nanoClock), hop -> {
            if (hop == NOTICE_HOPS_MAX || at[0].state().nextSeq() >= end || at[0].state().sealed()) {
                return CompletableFuture.completedFuture(Optional.of(true));
            }
            CommitKey key = at[0].nextKey();
            return commits.fetch(store, keys.commit(key), key).thenApply(c -> {
                if (c.isEmpty() || !at[0].isExtendedBy(c.get().summary())) {
                    return Optional.of(true); // nothing there (a stale or forged notice), or not on this chain
                }
                found.add(c.get());
                at[0] = Chain.Tail.of(c.get().summary());
                return Optional.<Boolean>empty();
            });
        }, () -> new IllegalStateException("notice follow ended without a value")).thenCompose(x -> {
            if (found.isEmpty()) {
                return CompletableFuture.completedFuture(position(chain.cachedTail()));
            }
            return chain.floors().read().thenApply(floor -> {
                if (!found.get(0).commit().key().isBelow(floor.floor())) {
                    // The first found is at or above the floor, so every later one is: all authentic.
                    found.forEach(c -> commits.validated(keys.commit(c.commit().key()), c.commit()));
                    chain.advance(at[0]);
                }
                return position(chain.cachedTail());
            });
        });
    }

    private static TailPosition position(Chain.Tail tail) {
        return new TailPosition(tail.state().nextSeq(), tail.state().lastTimestamp());
    }

    private CompletionStage<ReadOutcome> against(ReadRequest request, Chain.Tail tail) {
        if (tail.state().sealed()) {
            return done(new ReadOutcome.Sealed());
        }
        if (tail.state().configVersion() > request.retention().configVersion()) {
            return done(new ReadOutcome.Reconfigured(tail.state().configVersion()));
        }
        long end = tail.state().nextSeq();
        long endTs = tail.state().lastTimestamp();
        return resolveStart(request, tail).thenCompose(start -> {
            if (start.isEmpty()) {
                return done(new ReadOutcome.RangeNotSatisfiable(end, endTs));
            }
            long from = start.get();
            if (from > end || (from == end && !request.follow())) {
                return done(new ReadOutcome.RangeNotSatisfiable(end, endTs));
            }
            from = Math.max(from, tail.state().trimPoint());
            if (from >= end || request.count() == 0 || request.bytes() == 0) {
                return done(new ReadOutcome.Records(List.of(), end, endTs, Math.min(from, end)));
            }
            return firstRetained(from, request.retention(), tail).thenCompose(delivery -> delivery >= end
                    ? done(new ReadOutcome.Records(List.of(), end, endTs, end))
                    : collect(delivery, request, tail).thenApply(records -> new ReadOutcome.Records(records, end, endTs, delivery)));
        });
    }

    /**
     * The first sequence number at or after {@code from} that retention does not hide (docs/LIFECYCLE.md,
     * "Retention"). Commits are stamped in chain order (a commit is written only once its predecessor
     * exists), so the hidden ones are a prefix: the commit holding {@code from} is looked at first (the
     * walk reads it next anyway, so a reader at the live tail pays nothing), and only when it is hidden
     * is the boundary found by bisection, O(log n) commits.
     */
    CompletionStage<Long> firstRetained(long from, ReadRequest.Retention retention, Chain.Tail tail) {
        long end = tail.state().nextSeq();
        if (!retention.hidesAny()) {
            return CompletableFuture.completedFuture(from);
        }
        if (retention.hides(tail.last().orElseThrow().lastModifiedMs())) {
            return CompletableFuture.completedFuture(end); // the last commit is hidden: so is every one before it
        }
        long[] lo = {from}; // every record below lo is hidden (or trimmed)
        long[] hi = {end}; // the commit holding hi, if any, is not hidden
        return Loops.until(TIMESTAMP_SEARCH_STEPS_MAX, settings.loopDeadline(nanoClock), step -> {
            if (lo[0] >= hi[0]) {
                return CompletableFuture.completedFuture(Optional.of(lo[0]));
            }
            long probe = step == 0 ? lo[0] : lo[0] + (hi[0] - lo[0]) / 2;
            // Only the first probe may start from a commit validated here lately below it (what a walk from
            // there reads anyway): one that ends before a later probe would teach the bisection nothing.
            return locate(probe, tail, step == 0).thenCompose(key -> {
                boolean compacted = key.isBelow(chain.floors().cached().floor());
                return fetchAt(key).thenCompose(c -> {
                if (c.isEmpty() && compacted) {
                    // Its cell is gone, and with it every cell below (deletions go from the bottom): the probe too.
                    lo[0] = Math.max(lo[0], probe + 1);
                    return CompletableFuture.completedFuture(Optional.<Long>empty());
                }
                if (c.isEmpty()) {
                    // Deleted: the floor moved past it (a trim, an expiry, a compaction). Not a bound on its own:
                    // the commit located may end before the probe, and what lies between may be retained (in
                    // segments, if compacted). Learn the floor: the next probes below it read the segments.
                    return chain.floors().read().thenApply(floor -> Optional.<Long>empty());
                }
                CommitSummary found = c.get().summary();
                if (found.key().start() > probe) {
                    lo[0] = Math.max(lo[0], found.key().start()); // the probe lies below the floor: deleted, trimmed
                }
                if (retention.hides(found.lastModifiedMs())) {
                    lo[0] = Math.max(lo[0], found.end());
                } else {
                    hi[0] = Math.max(lo[0], Math.min(hi[0], found.key().start()));
                }
                return CompletableFuture.completedFuture(Optional.<Long>empty());
                });
            });
        }, () -> new StoreException(StoreException.Kind.TRANSIENT, "the retention boundary of " + keys.sid() + " was not found"));
    }

    private static CompletionStage<ReadOutcome> done(ReadOutcome outcome) {
        return CompletableFuture.completedFuture(outcome);
    }

    /** The first sequence number to deliver, or empty for a 416. */
    private CompletionStage<Optional<Long>> resolveStart(ReadRequest request, Chain.Tail tail) {
        long end = tail.state().nextSeq();
        if (request.start() instanceof ReadRequest.Start.SeqNum s) {
            if (s.seqNum() > end) {
                return CompletableFuture.completedFuture(request.clamp() ? Optional.of(end) : Optional.empty());
            }
            return CompletableFuture.completedFuture(Optional.of(s.seqNum()));
        }
        if (request.start() instanceof ReadRequest.Start.TailOffset o) {
            return CompletableFuture.completedFuture(Optional.of(o.offset() >= end ? 0 : end - o.offset()));
        }
        long t = ((ReadRequest.Start.Timestamp) request.start()).timestamp();
        if (Long.compareUnsigned(t, tail.state().lastTimestamp()) > 0 || end == 0) {
            return CompletableFuture.completedFuture(request.clamp() || end == 0 ? Optional.of(end) : Optional.empty());
        }
        return firstAtOrAfterTimestamp(t, tail).thenApply(Optional::of);
    }

    /**
     * Records from {@code from} forward until a bound, the tail, or the per-read commit budget,
     * validated by a floor read issued after the last GET; restarted above the floor if it moved. A
     * read served wholly from commits already validated in this process needs no floor read
     * (CommitCache; docs/LOG.md, "Reading").
     */
    private CompletionStage<List<SequencedRecord>> collect(long from, ReadRequest request, Chain.Tail tail) {
        long[] start = {from};
        return Loops.until(READ_RESTARTS_MAX, settings.loopDeadline(nanoClock), restart -> locate(start[0], tail)
                .thenCompose(first -> walk(first, start[0], request, tail))
                .thenCompose(walked -> {
                    if (walked.firstKey != null && walked.unvalidated.isEmpty() && !walked.jumped) {
                        return CompletableFuture.completedFuture(Optional.of(walked.records));
                    }
                    return chain.floors().read().thenApply(floor -> {
                        if (walked.firstKey == null || walked.unvalidated.isEmpty()
                                || !walked.unvalidated.get(0).key().isBelow(floor.floor())) {
                            // Every object walked lies at or above the first one read: all of them are validated now.
                            // (Commits served from segments are authentic without a floor read: Segments.)
                            walked.unvalidated.forEach(c -> commits.validated(keys.commit(c.key()), c));
                            return Optional.of(walked.records);
                        }
                        // An object read at a key the floor has passed since: it may not be the first occupant.
                        // Read again: below the floor now known, through the segments; what no segment holds
                        // any more was trimmed (docs/LOG.md, "Compaction").
                        return Optional.<List<SequencedRecord>>empty();
                    });
                }), () -> new StoreException(StoreException.Kind.TRANSIENT, "the floor of " + keys.sid() + " kept moving under a read"));
    }

    /**
     * What a walk collected: the first commit it read, the records, the commits read that were not
     * validated yet, and whether it jumped to the floor over a missing commit (then what it read
     * before may lie below the floor: the floor read after it decides).
     */
    private record Walked(CommitKey firstKey, List<SequencedRecord> records, List<Commit> unvalidated, boolean jumped) {}

    /** GETs commits from {@code first} along the chain, applying the bounds. */
    private CompletionStage<Walked> walk(CommitKey first, long from, ReadRequest request, Chain.Tail tail) {
        CommitKey tailKey = tail.last().orElseThrow().key();
        Taken taken = new Taken(from, request);
        List<SequencedRecord> out = taken.out;
        CommitKey[] at = {first};
        CommitKey[] firstRead = {null};
        List<Commit> unvalidated = new ArrayList<>();
        boolean[] jumped = {false};
        long[] lastBytes = {0};
        return Loops.until(settings.readCommitsMax() + 1, settings.loopDeadline(nanoClock), n -> {
            if (n == settings.readCommitsMax()) {
                return CompletableFuture.completedFuture(Optional.of(new Walked(firstRead[0], out, unvalidated, jumped[0])));
            }
            CommitKey key = at[0];
            CommitKey floorBefore = chain.floors().cached().floor(); // known before the lookup below is sent
            boolean compacted = key.isBelow(floorBefore);
            if (!compacted) {
                // A run of commits: GETs of the ones listed after this one go out ahead (docs/LOG.md, "Read-ahead").
                commitsAhead.at(key, tailKey, lastBytes[0]);
            }
            return fetchAt(key).thenCompose(cached -> {
                if (cached.isEmpty() && compacted) {
                    // Its cell is gone (trimmed or expired, from the bottom): go on from the first cell left, or the
                    // floor. What was collected before the gap lies below it, trimmed too: the read starts after it.
                    // The floor known before the lookup, not a later one: the lookup may have found the cell absent
                    // because it was not compacted yet (the floor's own cell, passed by a trim), and a floor raised
                    // since by its compaction would jump over records of that cell nothing trimmed
                    // (LogSimulationTest, retention seed 7513).
                    jumped[0] = true;
                    taken.clear();
                    CommitKey floor = floorBefore;
                    return segments.firstRemaining(key.start(), floor.start(), settings.loopDeadline(nanoClock)).thenApply(cell -> {
                        at[0] = cell.filter(c -> c > key.start()).map(c -> new CommitKey(c, 0)).orElse(floor);
                        return Optional.<Walked>empty();
                    });
                }
                if (cached.isEmpty()) {
                    return chain.floors().read().thenApply(floor -> {
                        if (!key.isBelow(floor.floor())) {
                            throw new StoreException(StoreException.Kind.CORRUPT, "commit " + key + " of " + keys.sid()
                                    + " is missing at or above the floor " + floor.floor());
                        }
                        // Trimmed or compacted while we read: the same key again, below the floor now known.
                        jumped[0] = true;
                        return Optional.<Walked>empty();
                    });
                }
                Commit commit = cached.get().commit();
                if (!compacted) {
                    lastBytes[0] = bytesOf(commit);
                }
                if (commit.key().start() > key.start()) {
                    // A segment whose cell lost its first records to a trim (docs/LOG.md, "Compaction"): a jump over
                    // trimmed records, and what was collected before them was trimmed too.
                    jumped[0] = true;
                    taken.clear();
                }
                if (firstRead[0] == null) {
                    firstRead[0] = commit.key();
                }
                if (!cached.get().validated()) {
                    unvalidated.add(commit);
                }
                if (request.retention().hides(cached.get().summary().lastModifiedMs())) {
                    // Hidden, and so is every commit before it, whatever stamps this process judged them by:
                    // commits are stamped in chain order, and one it wrote it knows only by the store's clock
                    // when it learned that it won, later than the store's stamp (docs/LIFECYCLE.md). Nothing
                    // collected before it goes out.
                    taken.clear();
                } else if (!taken.take(commit)) {
                    return CompletableFuture.completedFuture(Optional.of(new Walked(firstRead[0], out, unvalidated, jumped[0])));
                }
                if (!commit.key().isBelow(tailKey) || commit.end() >= tail.state().nextSeq()) {
                    return CompletableFuture.completedFuture(Optional.of(new Walked(firstRead[0], out, unvalidated, jumped[0])));
                }
                at[0] = commit.successor();
                return CompletableFuture.completedFuture(Optional.<Walked>empty());
            });
        }, () -> new IllegalStateException("walk ended without a value"));
    }

    /**
     * About the bytes a commit's object takes, from its record count and first record (no pass over the
     * records: the walk asks once per commit, followers included): read-ahead's estimate of the next ones.
     */
    private static long bytesOf(Commit commit) {
        List<SequencedRecord> records = commit.records();
        return 64 + (records.isEmpty() ? 0 : records.size() * records.get(0).meteredBytes());
    }

    /**
     * The key of the commit holding {@code seq} (below the tail's end): the predecessor of the first
     * commit that starts after it, found with one LIST and one HEAD whatever the commit sizes.
     *
     * <p>The LIST is only a shortcut: a listing can miss keys written moments before (S3Proxy's
     * does under concurrent writes; docs/STORE.md), and trusting it would skip the commits it missed
     * (a gap in what a reader is served). So the answer always comes from the chain itself: from the
     * listed key, or the tail when the listing shows nothing after {@code seq}, predecessors are
     * followed by HEAD until one starts at or below {@code seq} (docs/LOG.md).
     */
    CompletionStage<CommitKey> locate(long seq, Chain.Tail tail) {
        return locate(seq, tail, true);
    }

    /**
     * As {@link #locate(long, Chain.Tail)}; with {@code nearby}, a commit this process validated lately
     * that starts at or below {@code seq}, close to it, may stand in for the one holding it: a walk
     * starts there at no cost, but it may end before {@code seq}.
     */
    private CompletionStage<CommitKey> locate(long seq, Chain.Tail tail, boolean nearby) {
        CommitKey tailKey = tail.last().orElseThrow().key();
        if (seq >= tailKey.start()) {
            return CompletableFuture.completedFuture(tailKey);
        }
        CommitKey floor = chain.floors().cached().floor();
        if (seq < floor.start()) {
            // Below the floor: compacted into segments or gone. A key there is looked up by its start (fetchAt).
            return CompletableFuture.completedFuture(new CommitKey(seq, 0));
        }
        Optional<CommitKey> near = chain.recentAtOrBelow(seq);
        if (nearby && near.isPresent() && !near.get().isBelow(floor) && near.get().isBelow(tailKey) && seq - near.get().start() < NEAR_RECORDS) {
            // A tail commit validated here starts at or below seq, close by: walk from it (no LIST, no HEADs).
            return CompletableFuture.completedFuture(near.get());
        }
        return chain.firstKeyAfter(keys.afterAllCommitsStartingAt(seq)).thenCompose(after -> {
            CommitKey[] at = {after.filter(k -> k.isBelow(tailKey)).orElse(tailKey)}; // starts after seq
            return Loops.until(LOCATE_HOPS_MAX, settings.loopDeadline(nanoClock), hop -> chain.summaryAt(at[0]).thenApply(summary -> {
                Optional<CommitKey> previous = summary.flatMap(CommitSummary::previous);
                if (previous.isEmpty()) {
                    // Gone (trimmed or compacted meanwhile) or the first commit: the walk starts at the floor and
                    // validates; or, when seq lies below the floor, at seq itself, in the segments (fetchAt).
                    CommitKey floorNow = chain.floors().cached().floor();
                    return Optional.of(seq < floorNow.start() ? new CommitKey(seq, 0) : floorNow);
                }
                if (previous.get().start() <= seq) {
                    return Optional.of(previous.get());
                }
                at[0] = previous.get(); // the listing missed commits between seq and at
                return Optional.<CommitKey>empty();
            }), () -> new StoreException(StoreException.Kind.TRANSIENT, "the listing of " + keys.sid() + " lags more than "
                    + LOCATE_HOPS_MAX + " commits behind its chain"));
        });
    }

    /** The summary of the commit at {@code key}, with its store stamp: from memory when this process holds it, else fetched. */
    CompletionStage<Optional<CommitSummary>> summary(CommitKey key) {
        return fetchAt(key).thenApply(c -> c.map(CommitCache.Cached::summary));
    }

    /**
     * The commit at {@code key}: at or above the floor this process knows, the object (through the
     * commit cache); below it, the commit holding {@code key.start()} in the segments, or, in a trimmed
     * gap of its cell, the next one (docs/LOG.md, "Compaction"). Empty when nothing is there.
     */
    CompletionStage<Optional<CommitCache.Cached>> fetchAt(CommitKey key) {
        if (key.isBelow(chain.floors().cached().floor())) {
            return segments.holding(key.start());
        }
        return commits.fetch(store, keys.commit(key), key);
    }

    /** A summary as {@link #fetchAt} finds the commit: by HEAD at or above the floor, from the segments below. */
    private CompletionStage<Optional<CommitSummary>> summaryAt(CommitKey key) {
        if (key.isBelow(chain.floors().cached().floor())) {
            return segments.holding(key.start()).thenApply(c -> c.map(CommitCache.Cached::summary));
        }
        return chain.summaryAt(key);
    }

    /**
     * The first sequence number whose record has a timestamp at or after {@code t} (timestamps never
     * decrease along the chain), by bisection over commits using their summaries.
     */
    private CompletionStage<Long> firstAtOrAfterTimestamp(long t, Chain.Tail tail) {
        long[] lo = {tail.state().trimPoint()};
        long[] hi = {tail.state().nextSeq()};
        return Loops.until(TIMESTAMP_SEARCH_STEPS_MAX, settings.loopDeadline(nanoClock), step -> {
            if (lo[0] >= hi[0]) {
                return CompletableFuture.completedFuture(Optional.of(lo[0]));
            }
            long mid = lo[0] + (hi[0] - lo[0]) / 2;
            // The commit holding mid itself (a recent one below it would teach the bisection nothing).
            return locate(mid, tail, false).thenCompose(key -> summaryAt(key).thenCompose(summary -> {
                if (summary.isEmpty() && key.isBelow(chain.floors().cached().floor())) {
                    lo[0] = Math.max(lo[0], mid + 1); // its cell is gone: so is everything below it
                    return CompletableFuture.completedFuture(Optional.<Long>empty());
                }
                if (summary.isEmpty() || !summary.get().hasRecords()) {
                    lo[0] = Math.max(lo[0], chain.floors().cached().floor().start()); // trimmed meanwhile
                    return CompletableFuture.completedFuture(Optional.of(lo[0]));
                }
                CommitSummary c = summary.get();
                if (Long.compareUnsigned(c.state().lastTimestamp(), t) < 0) {
                    lo[0] = Math.max(lo[0], c.end());
                    return CompletableFuture.completedFuture(Optional.<Long>empty());
                }
                if (c.firstTimestamp().isPresent() && Long.compareUnsigned(c.firstTimestamp().getAsLong(), t) >= 0) {
                    hi[0] = Math.max(lo[0], c.key().start());
                    return CompletableFuture.completedFuture(Optional.<Long>empty());
                }
                return fetchAt(key).thenApply(o -> {
                    if (o.isEmpty()) {
                        return Optional.of(lo[0]);
                    }
                    for (SequencedRecord r : o.get().commit().records()) {
                        if (r.seqNum() >= lo[0] && Long.compareUnsigned(r.timestamp(), t) >= 0) {
                            return Optional.of(r.seqNum());
                        }
                    }
                    return Optional.of(c.end());
                });
            }));
        }, () -> new StoreException(StoreException.Kind.TRANSIENT, "timestamp search did not converge"));
    }
}
