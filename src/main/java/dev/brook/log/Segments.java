package dev.brook.log;

import dev.brook.store.ObjectStore;
import dev.brook.store.StoreException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
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
 * key holds first occupants of the same commit keys. Decoded segments are cached with the process's
 * commits ({@link CommitCache}), bounded in bytes.
 */
final class Segments {

    /** Sequence numbers per cell. Persistent: segment keys are cell starts (format 1). */
    static final int CELL_RECORDS = 8192;
    /** Cells one search for the first remaining cell looks at. */
    static final int SEARCH_STEPS_MAX = 128;

    /** A decoded segment: its commits, validated, in chain order, and the holder of its first record. */
    record Cell(long cellStart, Optional<CommitKey> holder, List<CommitCache.Cached> commits, long bytes) {}

    private final ObjectStore store;
    private final LogKeys keys;
    private final int cellRecords;
    private final CommitCache cache;
    private final Map<Long, CompletableFuture<Optional<Cell>>> inFlight = new HashMap<>();

    Segments(ObjectStore store, LogKeys keys, int cellRecords, CommitCache cache) {
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
            Prefetch ahead = prefetched;
            if (ahead != null && ahead.cellStart() == cellStart) {
                // A catch-up that reaches the cell its prefetch is still fetching waits for that GET instead of
                // sending a second one; on the same terms as above, "absent" from it is no answer.
                return ahead.result().thenCompose(found -> found.isPresent() ? CompletableFuture.completedFuture(found) : fetchAlone(cellStart));
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
                    found = Optional.of(decode(key, cellStart, object.get().body()));
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
            if (Math.floorMod(seq, cellRecords) >= cellRecords - cellRecords / 4 && cache.bytesMax() >= 3 * c.bytes()) {
                // A catch-up nearing the end of a cell: fetch the next one meanwhile (one at a time per stream; only
                // when the cache holds both with room to spare, or the next would push out the one being read).
                prefetch(cellOf(seq) + cellRecords);
            }
            // The last commit starting at or before seq (by bisection: a catch-up asks once per commit); at one
            // start, the commit with records comes after the zero-record ones (greater epoch).
            List<CommitCache.Cached> commits = c.commits();
            int lo = 0;
            int hi = commits.size(); // the first index starting after seq
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (commits.get(mid).summary().key().start() <= seq) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            if (lo > 0) {
                CommitSummary s = commits.get(lo - 1).summary();
                if (s.hasRecords() && seq < s.end()) {
                    return CompletableFuture.completedFuture(Optional.of(commits.get(lo - 1)));
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
            if (!p.commits().isEmpty()) {
                return CompletableFuture.completedFuture(holds(p.commits().get(p.commits().size() - 1), seq));
            }
            if (p.holder().isEmpty() || cellOf(p.holder().get().start()) >= previous) {
                return CompletableFuture.completedFuture(Optional.<CommitCache.Cached>empty());
            }
            return named(p.holder().get()).thenApply(held -> held.flatMap(x -> holds(x, seq)));
        });
    }

    /** The commit at {@code key}, from the segment of the cell it starts in; empty when that cell or the commit is gone. */
    private CompletionStage<Optional<CommitCache.Cached>> named(CommitKey key) {
        return cell(cellOf(key.start())).thenApply(found -> found.flatMap(c -> c.commits().stream()
                .filter(x -> x.summary().key().equals(key)).findFirst()));
    }

    private static Optional<CommitCache.Cached> holds(CommitCache.Cached c, long seq) {
        return c.summary().hasRecords() && c.summary().key().start() <= seq && seq < c.summary().end() ? Optional.of(c) : Optional.empty();
    }

    private static Optional<CommitCache.Cached> firstAfter(Cell c, long seq) {
        for (CommitCache.Cached x : c.commits()) { // only on a gap (trimmed records): rare
            if (x.summary().key().start() > seq) {
                return Optional.of(x);
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
            Cell c = decode(key, cellStart, o.body());
            cache.rememberCell(key, c);
            return c;
        }));
    }

    /** The last cell a prefetch found absent (not compacted yet): not asked again by prefetches. */
    private volatile long prefetchMissed = -1;

    private final java.util.concurrent.atomic.AtomicBoolean prefetching = new java.util.concurrent.atomic.AtomicBoolean();

    /** The prefetch in flight: its cell and what it will find (empty when absent, failed or corrupt). */
    private record Prefetch(long cellStart, CompletableFuture<Optional<Cell>> result) {}

    private volatile Prefetch prefetched;

    private void prefetch(long cellStart) {
        String key = keys.segment(cellStart);
        if (prefetchMissed == cellStart || cache.cell(key).isPresent() || !prefetching.compareAndSet(false, true)) {
            return; // one prefetch at a time per stream
        }
        // A lookup joins it only for what it finds: a prefetch may be sent before the cell is compacted, and
        // a lookup that took its "absent" would take it for "deleted" (LogSimulationTest); it asks again alone.
        CompletableFuture<Optional<Cell>> result = new CompletableFuture<>();
        prefetched = new Prefetch(cellStart, result);
        store.get(key).whenComplete((object, e) -> {
            Optional<Cell> found = Optional.empty();
            if (e == null && object.isEmpty()) {
                prefetchMissed = cellStart;
            } else if (e == null) {
                try {
                    found = Optional.of(decode(key, cellStart, object.get().body()));
                    cache.rememberCell(key, found.get());
                } catch (RuntimeException corrupt) {
                    // the lookup that needs it fetches it again and reports what it finds
                }
            } // a failed prefetch is simply fetched again when needed
            prefetching.set(false);
            result.complete(found);
            synchronized (this) {
                if (prefetched != null && prefetched.result() == result) {
                    prefetched = null; // what it found is in the cache, bounded there; not held here as well
                }
            }
        });
    }

    /** Deletes a cell's segment and forgets it here. */
    CompletionStage<Void> delete(long cellStart) {
        return store.delete(keys.segment(cellStart)).thenRun(() -> cache.forgetCell(keys.segment(cellStart)));
    }

    private Cell decode(String key, long cellStart, byte[] body) {
        SegmentCodec.Layout s = SegmentCodec.layout(key, cellStart, body);
        if (s.cellRecords() != cellRecords) {
            throw new StoreException(StoreException.Kind.CORRUPT, "segment " + key + " is cut in cells of " + s.cellRecords());
        }
        List<CommitCache.Cached> commits = new ArrayList<>(s.commits().size());
        CommitSummary before = null;
        for (SegmentCodec.Span e : s.commits()) {
            Commit commit = CommitCodec.decode(e.key(), body, e.offset(), e.length()); // in place: no copy of the commit
            CommitSummary summary = CommitCodec.summaryOf(commit, e.hash(), e.lastModifiedMs());
            if (before != null && !(commit.previous().equals(Optional.of(before.key())) && Arrays.equals(commit.previousHash(), before.hash()))) {
                throw new StoreException(StoreException.Kind.CORRUPT, "segment " + key + " breaks the chain at " + e.key());
            }
            if (cellOf(e.key().start()) != cellStart) {
                throw new StoreException(StoreException.Kind.CORRUPT, "segment " + key + " holds " + e.key() + " of another cell");
            }
            commits.add(new CommitCache.Cached(commit, summary, true));
            before = summary;
        }
        return new Cell(cellStart, s.holder(), commits, body.length);
    }
}
