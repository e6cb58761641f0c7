package dev.brook.log;

import dev.brook.store.ObjectStore;
import dev.brook.store.PutOutcome;
import dev.brook.store.StoreException;
import dev.brook.store.StoredObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Rewrites old commits into segments (docs/LOG.md, "Compaction"), one cell of the sequence space at
 * a time, from the floor up: the commits of the cell are read along the chain (verbatim, with the
 * store's stamps), validated by a floor read issued after them, written as one segment with
 * put-if-absent (any two compactors of a cell write first occupants of the same keys), then the floor
 * is raised to the first commit of the next cell, and only then are the cell's commit objects deleted.
 * A reader below the floor reads segments, never objects there (a freed key may take a zombie's write).
 * A cell with a commit reaching into later cells is followed by a segment for each cell it covers,
 * holding nothing but the name of that commit, so that every cell below the floor has a segment
 * until a trim or expiry deletes it from the bottom.
 */
final class Compactor {

    /** Cells one run compacts at most. */
    static final int CELLS_PER_RUN = 4;
    /** A cell bigger than this is not compacted (nor any after it): its commits are few and large already. */
    static final long SEGMENT_BYTES_MAX = 32L << 20;

    private final Chain chain;
    private final Trimmer trimmer;
    private final ObjectStore store;
    private final LogKeys keys;
    private final LogSettings settings;
    private final Segments segments;
    private final java.util.function.LongSupplier nanoClock;

    Compactor(Chain chain, Trimmer trimmer, LogEnv env, Segments segments) {
        this.chain = chain;
        this.trimmer = trimmer;
        this.store = env.store();
        this.keys = chain.keys();
        this.settings = env.settings();
        this.segments = segments;
        this.nanoClock = env.nanoClock();
    }

    /**
     * Compacts every cell that lies wholly below the tail with a full cell of records still above it,
     * at most {@value #CELLS_PER_RUN} per run.
     */
    CompletionStage<CompactionReport> run() {
        return chain.tail().thenCompose(tail -> {
            if (tail.last().isEmpty() || tail.state().sealed()) {
                return CompletableFuture.completedFuture(CompactionReport.NOTHING);
            }
            int[] done = {0, 0};
            return Loops.until(CELLS_PER_RUN + 1, settings.loopDeadline(nanoClock), n -> chain.floors().read().thenCompose(view -> {
                CommitKey floor = view.floor();
                long cell = segments.cellOf(floor.start());
                boolean ready = !floor.equals(CommitKey.INFINITY) && cell + 2L * segments.cellRecords() <= tail.state().nextSeq();
                if (!ready || n == CELLS_PER_RUN) {
                    return CompletableFuture.completedFuture(Optional.of(new CompactionReport(done[0], done[1], ready)));
                }
                return compactCell(view, cell, tail.last().get().key()).thenApply(compacted -> {
                    if (compacted.isEmpty()) {
                        return Optional.of(new CompactionReport(done[0], done[1], false)); // too big, or the floor moved: later
                    }
                    done[0] += compacted.get()[0];
                    done[1] += compacted.get()[1];
                    return Optional.<CompactionReport>empty();
                });
            }), () -> new StoreException(StoreException.Kind.TRANSIENT, "compaction of " + keys.sid() + " did not finish"));
        });
    }

    /**
     * One cell, from the floor: segments written and commits replaced, or empty when it was not done
     * (too big, the chain broken by a concurrent trim, or the floor moved under it).
     */
    private CompletionStage<Optional<int[]>> compactCell(Floors.View view, long cell, CommitKey tailKey) {
        long next = cell + segments.cellRecords();
        List<SegmentCodec.Entry> entries = new ArrayList<>();
        List<Commit> commits = new ArrayList<>();
        CommitKey[] at = {view.floor()};
        long[] bytes = {0};
        return Loops.until(segments.cellRecords() + 2, settings.loopDeadline(nanoClock), step -> {
            if (at[0].start() >= next) {
                return CompletableFuture.completedFuture(Optional.of(true));
            }
            CommitKey key = at[0];
            return store.get(keys.commit(key)).thenApply(found -> {
                if (found.isEmpty()) {
                    return Optional.of(false); // trimmed or compacted by another meanwhile
                }
                StoredObject o = found.get();
                Commit c = CommitCodec.decode(key, o.body());
                if (!commits.isEmpty() && !Arrays.equals(c.previousHash(), entries.get(entries.size() - 1).hash())) {
                    throw new StoreException(StoreException.Kind.CORRUPT, "commit " + key + " of " + keys.sid() + " does not extend its predecessor");
                }
                bytes[0] += o.body().length;
                if (bytes[0] > SEGMENT_BYTES_MAX) {
                    return Optional.of(false);
                }
                entries.add(new SegmentCodec.Entry(key, o.info().lastModifiedMs(), o.body()));
                commits.add(c);
                at[0] = c.successor();
                return Optional.<Boolean>empty();
            });
        }, () -> new StoreException(StoreException.Kind.TRANSIENT, "a cell of " + keys.sid() + " holds too many commits"))
                .thenCompose(complete -> {
                    // The next cell's first commit becomes the floor: it must exist, at or below the tail read at
                    // the start (the last commit is never compacted away: it holds the stream's state).
                    if (!complete || commits.isEmpty() || tailKey.isBelow(at[0])) {
                        return CompletableFuture.completedFuture(Optional.<int[]>empty());
                    }
                    // Validated: the floor read after every GET is still the one the walk started from.
                    return chain.floors().read().thenCompose(after -> {
                        if (after.version() != view.version()) {
                            return CompletableFuture.completedFuture(Optional.<int[]>empty());
                        }
                        return write(cell, view.floor(), commits, entries, at[0]);
                    });
                });
    }

    /** Writes the cell's segment and those of the cells its last commit covers, raises the floor, deletes the objects. */
    private CompletionStage<Optional<int[]>> write(long cell, CommitKey from, List<Commit> commits, List<SegmentCodec.Entry> entries,
                                                   CommitKey successor) {
        Commit first = commits.get(0);
        // The holder of the cell's first record, when it starts in an earlier cell: the floor commit's predecessor.
        Optional<CommitKey> holder = first.key().start() > cell ? first.previous().filter(p -> p.start() < cell) : Optional.empty();
        List<SegmentCodec.Segment> toWrite = new ArrayList<>();
        toWrite.add(new SegmentCodec.Segment(cell, segments.cellRecords(), holder, entries));
        Commit last = commits.get(commits.size() - 1);
        for (long c = cell + segments.cellRecords(); c < segments.cellOf(successor.start()); c += segments.cellRecords()) {
            toWrite.add(new SegmentCodec.Segment(c, segments.cellRecords(), Optional.of(last.key()), List.of())); // covered by `last`
        }
        CompletionStage<Void> written = CompletableFuture.completedFuture(null);
        for (SegmentCodec.Segment s : toWrite) {
            byte[] body = SegmentCodec.encode(s);
            written = written.thenCompose(x -> store.putIfAbsent(keys.segment(s.cellStart()), body, SegmentCodec.metadata(s))
                    .thenAccept((PutOutcome outcome) -> { }));
        }
        return written.thenCompose(x -> chain.floors().raiseTo(successor))
                .thenCompose(raised -> raised.floor().equals(CommitKey.INFINITY)
                        ? deleteWritten(toWrite).thenApply(x -> Optional.<int[]>empty())
                        : trimmer.deleteCommitsBelow(successor, settings.deleteKeysMax())
                                .thenApply(r -> Optional.of(new int[]{toWrite.size(), commits.size()})));
    }

    /**
     * The stream was purged while this compactor worked: the purge raised the floor to infinity before it
     * listed the segments to delete, and the segments written here may have landed after that listing. They
     * landed before this compactor read the infinite floor, so deleting them here leaves nothing behind
     * (docs/LOG.md, "Compaction"); a compactor that dies in between leaves them to no one.
     */
    private CompletionStage<Void> deleteWritten(List<SegmentCodec.Segment> written) {
        CompletionStage<Void> deleted = CompletableFuture.completedFuture(null);
        for (SegmentCodec.Segment s : written) {
            deleted = deleted.thenCompose(x -> segments.delete(s.cellStart()));
        }
        return deleted;
    }
}
