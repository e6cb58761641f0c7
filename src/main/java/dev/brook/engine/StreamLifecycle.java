package dev.brook.engine;

import dev.brook.core.RetentionPolicy;
import dev.brook.log.ExpiryReport;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A stream's lifecycle check, the janitor's perpetual task per stream (docs/LIFECYCLE.md): deletes the
 * commits its retention hides (and its trims made unreachable), deletes the stream when
 * delete-on-empty says so, and computes when the next check is due. One entry per stream in the
 * due-work index at a time as a rule: every due time is a function of the stream's stored facts
 * (its creation, the store's stamps of its commits, its configuration), whole seconds, so that the
 * same check armed twice, or rescheduled by two janitors, lands on the same key.
 */
final class StreamLifecycle {

    /** Due times are whole seconds: two janitors that judge the same facts schedule the same key. */
    static final long GRID_MS = 1_000;

    private final Catalog catalog;
    private final DataPlane data;
    private final Janitor janitor;

    StreamLifecycle(Catalog catalog, DataPlane data, Janitor janitor) {
        this.catalog = catalog;
        this.data = data;
        this.janitor = janitor;
    }

    /** Retention age in ms, when the stream's records expire. */
    static OptionalLong ageMs(StreamRecord s) {
        return s.config().retention() instanceof RetentionPolicy.Age a ? OptionalLong.of(times1000(a.seconds())) : OptionalLong.empty();
    }

    /** Delete-on-empty's minimum age in ms, when enabled. */
    static OptionalLong emptyAgeMs(StreamRecord s) {
        long secs = s.config().deleteOnEmptyMinAgeSecs();
        return secs > 0 ? OptionalLong.of(times1000(secs)) : OptionalLong.empty();
    }

    /**
     * When the first check of an incarnation is due, if its configuration asks for checks at all: its
     * creation plus the shorter of retention age and delete-on-empty age (nothing can expire, nor an
     * untouched stream be deleted, before). A function of the incarnation only, so arming again (at
     * creation, on a reconfiguration, on a process's first append) writes the same key; a time long
     * past just makes the check run on the next pass, which schedules the following one from the facts.
     */
    static OptionalLong armDueMs(StreamRecord s) {
        OptionalLong age = ageMs(s);
        OptionalLong empty = emptyAgeMs(s);
        if (age.isEmpty() && empty.isEmpty()) {
            return OptionalLong.empty();
        }
        long first = Math.min(age.orElse(Long.MAX_VALUE), empty.orElse(Long.MAX_VALUE));
        return OptionalLong.of(ceil(plus(s.createdAtMs(), first)));
    }

    /**
     * One check of the stream named by the task, at {@code nowMs} (this process's clock): the time the
     * next check is due (this process's clock), or empty when no further check is needed (the stream
     * is gone, being deleted, or its configuration asks for none: a reconfiguration arms it again).
     */
    CompletionStage<OptionalLong> check(String basin, String stream, long nowMs) {
        return catalog.stream(basin, stream).thenCompose(found -> {
            if (found.isEmpty() || found.get().state() != Lifecycle.ACTIVE) {
                return CompletableFuture.completedFuture(OptionalLong.empty());
            }
            StreamRecord s = found.get();
            return data.expire(s).thenCompose(report -> {
                if (report.sealed()) {
                    // Sealed while the name is active: only delete-on-empty seals before it marks (an
                    // explicit delete marks first), and a janitor stopped in between. Finish its deletion.
                    return deleteEmpty(basin, stream);
                }
                if (report.stale() || report.more()) {
                    return CompletableFuture.completedFuture(OptionalLong.of(nowMs)); // again on the next pass
                }
                return data.compact(s).thenCompose(compacted -> compacted.more()
                        ? CompletableFuture.completedFuture(OptionalLong.of(nowMs)) // more cells ready: again on the next pass
                        : decide(basin, stream, s, report, nowMs));
            });
        });
    }

    /** After expiry and compaction: delete-on-empty, or when the next check is due. */
    private CompletionStage<OptionalLong> decide(String basin, String stream, StreamRecord s, ExpiryReport report, long nowMs) {
        long storeNow = data.storeNowMs();
        long lastWrite = report.lastWrittenMs().orElse(s.createdAtMs());
        OptionalLong emptyAge = emptyAgeMs(s);
        if (emptyAge.isPresent() && report.emptyFor(emptyAge.getAsLong(), storeNow, s.createdAtMs())) {
            return data.sealIfAt(s, report.end()).thenCompose(sealed -> sealed ? deleteEmpty(basin, stream)
                    : CompletableFuture.completedFuture(OptionalLong.of(nowMs))); // written meanwhile: judge again
        }
        return CompletableFuture.completedFuture(next(s, report, lastWrite, storeNow, nowMs));
    }

    /**
     * When the next check is due: the earliest moment anything can change, judged from stored facts.
     * Store times are turned into this process's clock by the offset between the two.
     */
    static OptionalLong next(StreamRecord s, ExpiryReport report, long lastWrite, long storeNow, long nowMs) {
        OptionalLong age = ageMs(s);
        OptionalLong emptyAge = emptyAgeMs(s);
        long at = Long.MAX_VALUE;
        if (age.isPresent()) {
            if (report.oldestVisibleMs().isPresent()) {
                at = Math.min(at, plus(report.oldestVisibleMs().getAsLong(), age.getAsLong())); // the oldest visible commit expires
            } else {
                // Nothing visible: only records not yet written can expire. Look again every age period,
                // on a grid counted from the creation (the same times whoever computes them).
                long period = Math.max(GRID_MS, age.getAsLong());
                long since = Math.max(0, storeNow - s.createdAtMs());
                at = Math.min(at, plus(s.createdAtMs(), times(since / period + 1, period)));
            }
        }
        if (emptyAge.isPresent()) {
            if (report.empty()) {
                at = Math.min(at, plus(lastWrite, emptyAge.getAsLong()));
            } else if (age.isPresent()) {
                // Empty once the last record expires; deletable once, besides, nothing was written for the minimum age.
                at = Math.min(at, plus(lastWrite, Math.max(age.getAsLong(), emptyAge.getAsLong())));
            }
            // infinite retention with records: only a trim can empty it, and a trim's task arms this check
        }
        if (at == Long.MAX_VALUE) {
            return OptionalLong.empty();
        }
        long local = at - (storeNow - nowMs);
        return OptionalLong.of(ceil(Math.max(local, nowMs + GRID_MS)));
    }

    /** Delete-on-empty's deletion, after the seal: as an explicit delete (marked, its cleanup due after the grace period). */
    private CompletionStage<OptionalLong> deleteEmpty(String basin, String stream) {
        return catalog.markStreamDeleting(basin, stream).thenCompose(deleting -> {
            data.forget(basin, stream);
            return janitor.deletionDue(basin, Optional.of(stream));
        }).thenApply(x -> OptionalLong.empty());
    }

    private static long ceil(long ms) {
        long down = Math.floorDiv(ms, GRID_MS) * GRID_MS;
        return down == ms ? ms : plus(down, GRID_MS);
    }

    private static long plus(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private static long times1000(long secs) {
        return times(secs, 1000);
    }

    private static long times(long a, long b) {
        return a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }
}
