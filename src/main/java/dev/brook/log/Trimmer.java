package dev.brook.log;

import dev.brook.store.ObjectStore;
import dev.brook.store.StoreException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Deletes what the trim point has made unreachable (docs/ARCHITECTURE.md, the stream log's invariants): first a floor version at the
 * commit holding the trim point is claimed, then commits below that floor are deleted. The last
 * commit is never deleted: it holds the stream's state. Records below the trim point inside a
 * retained commit stay, hidden by readers.
 */
final class Trimmer {

    private final Chain chain;
    private final Reader reader;
    private final ObjectStore store;
    private final LogKeys keys;
    private final LogSettings settings;
    private final java.util.function.LongSupplier nanoClock;

    private final Segments segments;

    Trimmer(Chain chain, Reader reader, LogEnv env, Segments segments) {
        this.segments = segments;
        this.chain = chain;
        this.reader = reader;
        this.store = env.store();
        this.keys = chain.keys();
        this.settings = env.settings();
        this.nanoClock = env.nanoClock();
    }

    CompletionStage<TrimReport> run() {
        return chain.tail().thenCompose(tail -> {
            if (tail.last().isEmpty() || tail.state().trimPoint() == 0) {
                return CompletableFuture.completedFuture(new TrimReport(chain.floors().cached().floor(), 0, false));
            }
            if (tail.state().sealed()) {
                // A deleted stream's commits are the purge's to delete; it keeps the seal.
                return CompletableFuture.completedFuture(new TrimReport(chain.floors().cached().floor(), 0, false));
            }
            // Deletes below its own target only, never below a higher floor someone else claimed
            // meanwhile: a purge's infinite floor would take the seal with it (PurgedLogTest).
            return reader.locate(tail.state().trimPoint(), tail)
                    // below the floor, locate names a position, not a commit: the commit holding it is the target
                    // (it may start in an earlier cell, whose segment must stay; docs/LOG.md, "Compaction")
                    .thenCompose(at -> !at.isBelow(chain.floors().cached().floor()) ? CompletableFuture.completedFuture(at)
                            : reader.summary(at).thenApply(found -> found.map(CommitSummary::key).orElse(at)))
                    .thenCompose(target -> target.start() > tail.state().trimPoint()
                            // not the commit holding the trim point (it moved under us): nothing is known to be below it
                            ? CompletableFuture.completedFuture(new TrimReport(chain.floors().cached().floor(), 0, false))
                            : chain.floors().raiseTo(target).thenCompose(view -> view.floor().equals(CommitKey.INFINITY)
                            ? CompletableFuture.completedFuture(new TrimReport(view.floor(), 0, false))
                            : deleteBelow(target, false)));
        });
    }

    /**
     * Deletes what retention hides and the trim point made unreachable (docs/LIFECYCLE.md, "Retention"):
     * as a trim run, to the commit holding the first visible record (the last commit when none is
     * visible: it holds the stream's state and is never deleted). Nothing is done when the log is
     * sealed, or enforces a newer configuration than {@code retention} was judged by.
     */
    CompletionStage<ExpiryReport> expire(ReadRequest.Retention retention) {
        return chain.tail().thenCompose(tail -> {
            if (tail.state().sealed() || tail.state().configVersion() > retention.configVersion()) {
                return CompletableFuture.completedFuture(ExpiryReport.nothing(tail.state().sealed(), !tail.state().sealed()));
            }
            long end = tail.state().nextSeq();
            if (tail.last().isEmpty()) {
                return CompletableFuture.completedFuture(new ExpiryReport(false, false, end, end, OptionalLong.empty(),
                        OptionalLong.empty(), 0, false));
            }
            CommitSummary last = tail.last().get();
            OptionalLong lastWritten = OptionalLong.of(last.lastModifiedMs());
            long trimPoint = tail.state().trimPoint();
            CompletionStage<Long> visible = trimPoint >= end ? CompletableFuture.completedFuture(end)
                    : reader.firstRetained(trimPoint, retention, tail);
            return visible.thenCompose(first -> {
                CompletionStage<Optional<CommitSummary>> holding = first >= end ? CompletableFuture.completedFuture(Optional.of(last))
                        : reader.locate(first, tail).thenCompose(key -> reader.summary(key));
                return holding.thenCompose(found -> {
                    if (found.isEmpty()) {
                        // Deleted meanwhile: another run raised the floor past it. Where the first visible record
                        // lies now is not known here, and the last commit as the target would take every
                        // retained record with it: delete nothing, judge again.
                        return CompletableFuture.completedFuture(new ExpiryReport(false, false, end, first, lastWritten,
                                OptionalLong.empty(), 0, true));
                    }
                    CommitSummary target = found.get();
                    OptionalLong oldest = first >= end ? OptionalLong.empty() : OptionalLong.of(target.lastModifiedMs());
                    if (!chain.floors().cached().floor().isBelow(target.key())) {
                        // The floor is past it already (compacted): only whole segments below it can go.
                        return deleteSegmentsBelow(target.key().start(), false).thenApply(n -> new ExpiryReport(false, false, end,
                                first, lastWritten, oldest, n, n >= settings.deleteKeysMax()));
                    }
                    return chain.floors().raiseTo(target.key()).thenCompose(view -> view.floor().equals(CommitKey.INFINITY)
                            ? CompletableFuture.completedFuture(new TrimReport(view.floor(), 0, false))
                            : deleteBelow(target.key(), false))
                            .thenApply(r -> new ExpiryReport(false, false, end, first, lastWritten, oldest, r.deleted(), r.more()));
                });
            });
        });
    }

    /**
     * The end of a deleted stream (docs/LOG.md, trimming): with the log sealed, the floor goes to infinity
     * and every commit below the seal is deleted. The seal and the floor versions stay.
     */
    CompletionStage<TrimReport> purge() {
        return chain.tail().thenCompose(tail -> {
            if (!tail.state().sealed()) {
                throw new IllegalStateException("purge of " + keys.sid() + " before it was sealed");
            }
            // The seal is the highest key; after an earlier run the floor is already infinite and the
            // tail no longer names it, so find it by listing.
            return chain.floors().raiseTo(CommitKey.INFINITY)
                    .thenCompose(view -> chain.highestAtOrAbove(CommitKey.FIRST))
                    .thenCompose(seal -> seal.isEmpty()
                            ? CompletableFuture.completedFuture(new TrimReport(CommitKey.INFINITY, 0, false))
                            : deleteBelow(seal.get(), true));
        });
    }

    /**
     * Deletes what lies below {@code floor}: the segments of cells wholly below it (every segment when
     * {@code everySegment}: a purge), then commit objects, oldest first, up to the per-run budget together.
     */
    private CompletionStage<TrimReport> deleteBelow(CommitKey floor, boolean everySegment) {
        return deleteSegmentsBelow(floor.start(), everySegment).thenCompose(deletedSegments -> deletedSegments >= settings.deleteKeysMax()
                ? CompletableFuture.completedFuture(new TrimReport(floor, deletedSegments, true))
                : deleteCommitsBelow(floor, settings.deleteKeysMax() - deletedSegments)
                        .thenApply(r -> new TrimReport(r.floor(), r.deleted() + deletedSegments, r.more())));
    }

    /**
     * Segments whose cell ends at or below {@code seq} (every one when {@code every}), oldest first,
     * at most the per-run budget: how many it deleted. A cell that ends at or below the commit holding
     * the target holds only commits that end there too (docs/LOG.md, "Compaction").
     */
    private CompletionStage<Integer> deleteSegmentsBelow(long seq, boolean every) {
        int[] deleted = {0};
        String[] cursor = {keys.segmentPrefix()};
        int cell = segments.cellRecords();
        return Loops.until(settings.deleteKeysMax() + 1, settings.loopDeadline(nanoClock), page -> {
            if (deleted[0] >= settings.deleteKeysMax()) {
                return CompletableFuture.completedFuture(Optional.of(deleted[0]));
            }
            return store.list(keys.segmentPrefix(), cursor[0], 1000).thenCompose(listing -> {
                CompletionStage<Void> chainOfDeletes = CompletableFuture.completedFuture(null);
                boolean reached = false;
                for (String k : listing.keys()) {
                    Optional<Long> start = keys.parseSegment(k);
                    if (start.isEmpty()) {
                        continue;
                    }
                    if ((!every && start.get() > seq - cell) || deleted[0] >= settings.deleteKeysMax()) {
                        reached = true;
                        break;
                    }
                    deleted[0]++;
                    long cellStart = start.get();
                    chainOfDeletes = chainOfDeletes.thenCompose(x -> segments.delete(cellStart));
                }
                boolean finished = reached || listing.next().isEmpty();
                listing.next().ifPresent(n -> cursor[0] = n);
                return chainOfDeletes.thenApply(x -> finished ? Optional.of(deleted[0]) : Optional.<Integer>empty());
            });
        }, () -> new StoreException(StoreException.Kind.TRANSIENT, "segment deletion of " + keys.sid() + " did not finish"));
    }

    /** Deletes commit objects below {@code floor}, oldest first, up to {@code budget}. */
    CompletionStage<TrimReport> deleteCommitsBelow(CommitKey floor, int budget) {
        int[] deleted = {0};
        String[] cursor = {keys.commitPrefix()};
        return Loops.until(budget + 1, settings.loopDeadline(nanoClock), page -> {
            if (deleted[0] >= budget) {
                return CompletableFuture.completedFuture(Optional.of(new TrimReport(floor, deleted[0], true)));
            }
            return store.list(keys.commitPrefix(), cursor[0], 1000).thenCompose(listing -> {
                CompletionStage<Boolean> chainOfDeletes = CompletableFuture.completedFuture(true);
                boolean reachedFloor = false;
                for (String k : listing.keys()) {
                    Optional<CommitKey> key = keys.parseCommit(k);
                    if (key.isEmpty()) {
                        continue;
                    }
                    if (!key.get().isBelow(floor) || deleted[0] >= budget) {
                        reachedFloor = !key.get().isBelow(floor);
                        break;
                    }
                    deleted[0]++;
                    chainOfDeletes = chainOfDeletes.thenCompose(x -> store.delete(k).thenApply(y -> true));
                }
                boolean stoppedByBudget = !reachedFloor && deleted[0] >= budget;
                if (stoppedByBudget) {
                    return chainOfDeletes.thenApply(x -> Optional.of(new TrimReport(floor, deleted[0], true)));
                }
                boolean finished = reachedFloor || listing.next().isEmpty();
                listing.next().ifPresent(n -> cursor[0] = n);
                return chainOfDeletes.thenApply(x -> finished
                        ? Optional.of(new TrimReport(floor, deleted[0], false))
                        : Optional.<TrimReport>empty());
            });
        }, () -> new StoreException(StoreException.Kind.TRANSIENT, "trim of " + keys.sid() + " did not finish"));
    }
}
