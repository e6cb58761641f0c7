package dev.brook.log;

import dev.brook.store.ObjectStore;
import dev.brook.store.StoreException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The compacted part of a log (docs/LOG.md, "Compaction"): below the floor, commits are read from
 * segments, one per cell of {@link #CELL_RECORDS} sequence numbers, at keys computed from the
 * sequence number alone (no listing, which could miss a fresh segment and serve a gap). A cell holds
 * the commits that start in it; the commit holding a cell's first record may start in an earlier
 * cell, which the segment names. An absent cell below the floor was deleted by a trim or by expiry,
 * which delete from the bottom: absent cells are a prefix of the compacted range.
 *
 * <p>Every commit served from here is authentic without a floor read: a segment is written only by a
 * compactor from commits it validated, is never overwritten, and every segment ever written at a
 * key holds first occupants of the same commit keys. Segments are cached as read (their bytes; each
 * commit is decoded when asked) with the process's commits ({@link CommitCache}), bounded in bytes.
 */
final class Segments {

    /** Sequence numbers per cell. Persistent: segment keys are cell starts (format 1). */
    static final int CELL_RECORDS = 8192;
    /** Cells one search for the first remaining cell looks at. */
    static final int SEARCH_STEPS_MAX = 128;

    /**
     * A segment as read, checked, held in its own bytes ({@link SegmentCodec.View}): its commits in chain
     * order, each decoded when asked (a catch-up asks once per commit; what it decodes dies young), and the
     * holder of its first record. Commits served from here are validated (see above).
     */
    static final class Cell {
        private final String key;
        private final SegmentCodec.View view;

        Cell(String key, SegmentCodec.View view) {
            this.key = key;
            this.view = view;
        }

        long cellStart() {
            return view.cellStart();
        }

        Optional<CommitKey> holder() {
            return view.holder();
        }

        /** Bytes held: the segment's. */
        long bytes() {
            return view.body().length;
        }

        int size() {
            return view.size();
        }

        /** The first sequence number of commit {@code i}, without decoding it. */
        long start(int i) {
            return view.start(i);
        }

        /** The key of commit {@code i}, without decoding it. */
        CommitKey key(int i) {
            return view.key(i);
        }

        /**
         * Commit {@code i}, decoded from the segment's bytes in place (its records copied out), linked to
         * commit {@code i - 1} by key and hash as the chain requires.
         */
        CommitCache.Cached commit(int i) {
            CommitKey k = view.key(i);
            byte[] hash = view.hash(i);
            Commit commit = CommitCodec.decode(k, view.body(), view.offset(i), view.length(i));
            if (i > 0 && !(commit.previous().equals(Optional.of(view.key(i - 1))) && Arrays.equals(commit.previousHash(), view.hash(i - 1)))) {
                throw new StoreException(StoreException.Kind.CORRUPT, "segment " + key + " breaks the chain at " + k);
            }
            return new CommitCache.Cached(commit, CommitCodec.summaryOf(commit, hash, view.lastModifiedMs(i)), true);
        }
    }

    private final ObjectStore store;
    private final LogKeys keys;
    private final int cellRecords;
    private final CommitCache cache;
    private final java.util.function.LongSupplier compactedBelow;
    private final Map<Long, CompletableFuture<Optional<Cell>>> inFlight = new HashMap<>();

    Segments(ObjectStore store, LogKeys keys, int cellRecords, CommitCache cache) {
        this(store, keys, cellRecords, cache, () -> 0);
    }

    /**
     * @param compactedBelow the start of the floor this process knows: cells wholly below it are compacted, and
     *                       only those are read ahead (a hint: what read-ahead finds absent is asked again)
     */
    Segments(ObjectStore store, LogKeys keys, int cellRecords, CommitCache cache, java.util.function.LongSupplier compactedBelow) {
        this.compactedBelow = compactedBelow;
        this.store = store;
        this.keys = keys;
        this.cellRecords = cellRecords;
        this.cache = cache;
    }

    int cellRecords() {
        return cellRecords;
    }

    long cellOf(long seq) {
        return seq - Math.floorMod(seq, cellRecords);
    }

    /** The segment of the cell starting at {@code cellStart}, from memory or fetched; empty when there is none. */
    CompletionStage<Optional<Cell>> cell(long cellStart) {
        CompletableFuture<Optional<Cell>> mine;
        synchronized (this) {
            Optional<Cell> c = cache.cell(keys.segment(cellStart));
            if (c.isPresent()) {
                return CompletableFuture.completedFuture(c);
            }
            CompletableFuture<Optional<Cell>> running = inFlight.get(cellStart);
            if (running != null) {
                // A GET in flight may have been sent before the cell was compacted (for the floor's own cell,
                // whose first records the previous cell may hold): "absent" from it is no answer for a caller
                // that knows the floor passed the cell since. Asked again, alone (LogSimulationTest, seed 47).
                return running.thenCompose(found -> found.isPresent() ? CompletableFuture.completedFuture(found) : fetchAlone(cellStart));
            }
            CompletableFuture<Optional<Cell>> readingAhead = ahead.get(cellStart);
            if (readingAhead != null) {
                // A catch-up that reaches a cell its read-ahead is still fetching waits for that GET instead of
                // sending a second one; on the same terms as above, "absent" from it is no answer. Found, it is
                // taken out of the read-ahead window into the cache (when the window still holds it).
                String key = keys.segment(cellStart);
                return readingAhead.thenCompose(found -> found.isPresent()
                        ? CompletableFuture.completedFuture(cache.cell(key).or(() -> found)) : fetchAlone(cellStart));
            }
            mine = new CompletableFuture<>();
            inFlight.put(cellStart, mine);
        }
        String key = keys.segment(cellStart);
        store.get(key).whenComplete((object, failure) -> {
            Optional<Cell> found = Optional.empty();
            Throwable error = failure;
            if (error == null && object.isPresent()) {
                try {
                    found = Optional.of(held(key, cellStart, object.get().body()));
                } catch (RuntimeException e) {
                    error = e;
                }
            }
            found.ifPresent(c -> cache.rememberCell(key, c));
            synchronized (this) {
                inFlight.remove(cellStart);
            }
            if (error != null) {
                mine.completeExceptionally(error);
            } else {
                mine.complete(found);
            }
        });
        return mine;
    }

    /**
     * The commit holding {@code seq}; or, when {@code seq} lies in a trimmed gap of its cell, the first
     * commit after it; empty when its cell is absent (deleted) or holds nothing at or after it.
     */
    CompletionStage<Optional<CommitCache.Cached>> holding(long seq) {
        return cell(cellOf(seq)).thenCompose(found -> {
            if (found.isEmpty()) {
                return heldFromBefore(seq);
            }
            Cell c = found.get();
            if (Math.floorMod(seq, cellRecords) >= cellRecords / 8 && cache.bytesMax() >= 2 * c.bytes()) {
                // A catch-up an eighth into a cell: fetch the next ones meanwhile, in parallel, so that their GETs
                // and checks overlap the seven eighths still to serve (docs/LOG.md, "Read-ahead"); only when the
                // cache holds a cell served from the window beside the one being read.
                readAhead(cellOf(seq), c.bytes());
            }
            // The last commit starting at or before seq (by bisection over starts, nothing decoded: a catch-up asks
            // once per commit); at one start, the commit with records comes after the zero-record ones (greater epoch).
            int lo = 0;
            int hi = c.size(); // the first index starting after seq
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (c.start(mid) <= seq) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            if (lo > 0) {
                CommitCache.Cached candidate = c.commit(lo - 1);
                CommitSummary s = candidate.summary();
                if (s.hasRecords() && seq < s.end()) {
                    return CompletableFuture.completedFuture(Optional.of(candidate));
                }
            }
            boolean beforeFirst = lo == 0;
            if (beforeFirst && c.holder().isPresent() && cellOf(c.holder().get().start()) < c.cellStart()) {
                return named(c.holder().get()).thenApply(held -> held.or(() -> firstAfter(c, seq)));
            }
            return CompletableFuture.completedFuture(firstAfter(c, seq));
        });
    }

    /**
     * A cell not compacted yet can still begin with records of a compacted commit: the last commit of
     * the cell before reaches into it, and the floor (the first commit of this cell) starts after them.
     * Found through the previous cell: its last commit, or the commit it names when it holds none.
     * Empty when that does not hold {@code seq} either (deleted, trimmed).
     */
    private CompletionStage<Optional<CommitCache.Cached>> heldFromBefore(long seq) {
        long previous = cellOf(seq) - cellRecords;
        if (previous < 0) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return cell(previous).thenCompose(found -> {
            if (found.isEmpty()) {
                return CompletableFuture.completedFuture(Optional.<CommitCache.Cached>empty());
            }
            Cell p = found.get();
            if (p.size() > 0) {
                return CompletableFuture.completedFuture(holds(p.commit(p.size() - 1), seq));
            }
            if (p.holder().isEmpty() || cellOf(p.holder().get().start()) >= previous) {
                return CompletableFuture.completedFuture(Optional.<CommitCache.Cached>empty());
            }
            return named(p.holder().get()).thenApply(held -> held.flatMap(x -> holds(x, seq)));
        });
    }

    /** The commit at {@code key}, from the segment of the cell it starts in; empty when that cell or the commit is gone. */
    private CompletionStage<Optional<CommitCache.Cached>> named(CommitKey key) {
        return cell(cellOf(key.start())).thenApply(found -> found.flatMap(c -> {
            for (int i = 0; i < c.size(); i++) {
                if (c.key(i).equals(key)) {
                    return Optional.of(c.commit(i));
                }
            }
            return Optional.empty();
        }));
    }

    private static Optional<CommitCache.Cached> holds(CommitCache.Cached c, long seq) {
        return c.summary().hasRecords() && c.summary().key().start() <= seq && seq < c.summary().end() ? Optional.of(c) : Optional.empty();
    }

    private static Optional<CommitCache.Cached> firstAfter(Cell c, long seq) {
        for (int i = 0; i < c.size(); i++) { // only on a gap (trimmed records): rare
            if (c.start(i) > seq) {
                return Optional.of(c.commit(i));
            }
        }
        return Optional.empty();
    }

    /**
     * The first cell after the one holding {@code seq}, below {@code limit}, that still has a segment,
     * by HEADs forward, at most {@value #SEARCH_STEPS_MAX}. Deletions go from the bottom, but a compactor
     * frozen long enough can land a segment trimmed meanwhile again (LogSimulationTest), so absent cells
     * are a prefix only nearly: a bisection could land on such a segment and jump over live cells. A read
     * reaches here only over a gap a trim or expiry left while it read: a few cells at most.
     */
    CompletionStage<Optional<Long>> firstRemaining(long seq, long limit, Loops.Deadline deadline) {
        long[] at = {cellOf(seq) + cellRecords};
        return Loops.until(SEARCH_STEPS_MAX + 1, deadline, step -> {
            if (step == SEARCH_STEPS_MAX || at[0] >= limit) {
                return CompletableFuture.completedFuture(Optional.of(Optional.<Long>empty()));
            }
            long cell = at[0];
            return store.head(keys.segment(cell)).thenApply(info -> {
                if (info.isPresent()) {
                    return Optional.of(Optional.of(cell));
                }
                at[0] += cellRecords;
                return Optional.<Optional<Long>>empty();
            });
        }, () -> new StoreException(StoreException.Kind.TRANSIENT, "no end to the search for segments of " + keys.sid()));
    }

    /** One GET of a cell's segment, shared with nobody; cached when found. */
    private CompletionStage<Optional<Cell>> fetchAlone(long cellStart) {
        String key = keys.segment(cellStart);
        return store.get(key).thenApply(object -> object.map(o -> {
            Cell c = held(key, cellStart, o.body());
            cache.rememberCell(key, c);
            return c;
        }));
    }

    /** Cells a catch-up reads ahead of the one it serves, at most (fewer when the read-ahead window is full). */
    static final int CELLS_AHEAD_MAX = 4;

    /** Read-ahead GETs in flight, by cell: a lookup of one of them joins it for what it finds. Guarded by this. */
    private final Map<Long, CompletableFuture<Optional<Cell>>> ahead = new HashMap<>();

    /** The last cell read-ahead found absent (not compacted yet, or deleted): not asked again by read-ahead. */
    private volatile long aheadMissed = -1;

    /** The cell whose read-ahead was planned last: a catch-up asks once per commit, and plans once per cell. */
    private volatile long aheadPlanned = -1;

    /**
     * Reads ahead of the cell starting at {@code current} (docs/LOG.md, "Read-ahead"): GETs, all in flight
     * at once, of the next cells up to {@value #CELLS_AHEAD_MAX}, each sent only when the process's
     * read-ahead window takes its bytes (estimated by the current cell's) and only for cells wholly below
     * the floor known (compacted; one beyond would be asked in vain). What they find waits in the window
     * until served; "absent" from them is no answer (see {@link #cell}).
     */
    private void readAhead(long current, long estimate) {
        if (aheadPlanned == current) {
            return;
        }
        aheadPlanned = current;
        long compactedBelow = this.compactedBelow.getAsLong();
        for (int k = 1; k <= CELLS_AHEAD_MAX; k++) { // count-bound; sends GETs, waits for none
            long next = current + (long) k * cellRecords;
            if (next + cellRecords > compactedBelow || next < current) {
                return;
            }
            if (next == aheadMissed) {
                continue;
            }
            String key = keys.segment(next);
            CompletableFuture<Optional<Cell>> result;
            synchronized (this) {
                if (ahead.containsKey(next) || inFlight.containsKey(next) || cache.holdsCell(key)) {
                    continue;
                }
                if (!cache.reserveAhead(estimate)) {
                    return; // the window is full: the next cell's plan tries again
                }
                result = new CompletableFuture<>();
                ahead.put(next, result);
            }
            store.get(key).whenComplete((object, e) -> {
                Cell found = null;
                if (e == null && object.isEmpty()) {
                    aheadMissed = next;
                } else if (e == null) {
                    try {
                        found = held(key, next, object.get().body());
                    } catch (RuntimeException corrupt) {
                        // the lookup that needs it fetches it again and reports what it finds
                    }
                } // a failed read-ahead is simply fetched again when needed
                cache.landAhead(estimate, key, found);
                synchronized (this) {
                    ahead.remove(next);
                }
                result.complete(Optional.ofNullable(found));
            });
        }
    }

    /** Deletes a cell's segment and forgets it here. */
    CompletionStage<Void> delete(long cellStart) {
        return store.delete(keys.segment(cellStart)).thenRun(() -> cache.forgetCell(keys.segment(cellStart)));
    }

    /** Checks a segment as read (checksum, cell, chain order, every commit in this cell) and holds it; decodes nothing. */
    private Cell held(String key, long cellStart, byte[] body) {
        SegmentCodec.View s = SegmentCodec.view(key, cellStart, body);
        if (s.cellRecords() != cellRecords) {
            throw new StoreException(StoreException.Kind.CORRUPT, "segment " + key + " is cut in cells of " + s.cellRecords());
        }
        for (int i = 0; i < s.size(); i++) {
            if (cellOf(s.start(i)) != cellStart) {
                throw new StoreException(StoreException.Kind.CORRUPT, "segment " + key + " holds " + s.key(i) + " of another cell");
            }
        }
        return new Cell(key, s);
    }
}
