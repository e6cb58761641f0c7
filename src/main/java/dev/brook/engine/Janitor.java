package dev.brook.engine;

import dev.brook.log.TrimReport;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Does the work that comes due after a request has been answered (docs/LIFECYCLE.md): it finishes
 * deletions after their 202 (a stream's log is sealed, its floor raised to infinity, its commits
 * deleted, and its name marked deleted, free again; a basin's streams the same way, then the basin's
 * name) and frees the commits a trim made unreachable. Every step is idempotent. Work is recorded
 * in the bucket's due-work index ({@link DueWork}) when it becomes due; {@link #runDue} does what is
 * due, from any process, on a schedule or as its own invocation, so nothing depends on the process
 * that took the request staying up. A process also starts a deletion's cleanup itself after the
 * grace period, and resumes one whenever it meets a name still being deleted.
 */
public final class Janitor {

    private static final Logger LOG = Logger.getLogger(Janitor.class);
    /** Purge runs per stream in one cleanup (each deletes up to LogSettings.deleteKeysMax commits). */
    static final int PURGE_RUNS_MAX = 1_000;
    static final int STREAM_PAGES_MAX = 1_000;

    private final Catalog catalog;
    private final DataPlane data;
    private final dev.brook.store.ResilientObjectStore.Delay delay;
    private final long graceMs;
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    /**
     * @param graceMs how long a deleted name stays "being deleted" before its cleanup starts: S2 clients
     *                expect {@code 409 stream_deletion_pending} right after a delete, not a free name
     */
    public Janitor(Catalog catalog, DataPlane data, dev.brook.store.ResilientObjectStore.Delay delay, long graceMs) {
        this.catalog = catalog;
        this.data = data;
        this.delay = delay;
        this.graceMs = graceMs;
        this.lifecycle = new StreamLifecycle(catalog, data, this);
    }

    private final StreamLifecycle lifecycle;

    /** Due-work tasks one {@link #runDue} does at most. */
    static final int TASKS_PER_RUN_MAX = 1_000;
    /** Entries listed per page of the index. */
    static final int DUE_PAGE = 100;
    /** How long one {@link #runDue} may take before it stops and leaves the rest to the next. */
    static final long RUN_DEADLINE_MS = 120_000;

    /** What one {@link #runDue} did: tasks done (or found moot), left for another run, failed (left in place). */
    public record RunReport(int done, int rescheduled, int failed, boolean more) {}

    /**
     * Records a deletion's cleanup in the due-work index, due when the grace period ends, before the
     * deletion is answered: whatever happens to this process, a janitor finishes it.
     */
    public CompletionStage<Void> deletionDue(String basin, Optional<String> stream) {
        DueWork.Task task = stream.map(s -> DueWork.Task.streamDelete(basin, s)).orElseGet(() -> DueWork.Task.basinDelete(basin));
        return data.dueWork().schedule(task, data.nowMs() + graceMs);
    }

    /**
     * One pass over the due-work index: every task due at {@code nowMs}, oldest first, one at a time,
     * at most {@value #TASKS_PER_RUN_MAX} and within {@value #RUN_DEADLINE_MS} ms. A task that did part
     * of its work (a trim or purge with more to delete) is rescheduled due at once; one that failed
     * stays for the next run. Safe with several janitors at once and with one that resumes late: the
     * tasks are idempotent and the log's floor rule guards every deletion.
     */
    public CompletionStage<RunReport> runDue(long nowMs) {
        long deadline = data.nanos() + RUN_DEADLINE_MS * 1_000_000L;
        int[] counts = new int[3];
        return page(nowMs, "", counts, deadline).thenApply(more -> new RunReport(counts[0], counts[1], counts[2], more));
    }

    private CompletionStage<Boolean> page(long nowMs, String after, int[] counts, long deadline) {
        int budget = TASKS_PER_RUN_MAX - counts[0] - counts[1] - counts[2];
        if (budget <= 0 || data.nanos() - deadline > 0) {
            return CompletableFuture.completedFuture(true);
        }
        return data.dueWork().due(nowMs, after, Math.min(DUE_PAGE, budget)).thenCompose(entries -> {
            if (entries.isEmpty()) {
                return CompletableFuture.completedFuture(false);
            }
            CompletionStage<Void> all = CompletableFuture.completedFuture(null);
            for (DueWork.Entry e : entries) {
                all = all.thenCompose(x -> data.nanos() - deadline > 0 ? CompletableFuture.completedFuture(null)
                        : task(e, nowMs, counts));
            }
            String last = entries.get(entries.size() - 1).key();
            return all.thenCompose(x -> page(nowMs, last, counts, deadline));
        });
    }

    /** Does one entry's task; never fails (a failure is counted and the entry kept). */
    private CompletionStage<Void> task(DueWork.Entry e, long nowMs, int[] counts) {
        CompletionStage<OptionalLong> finished;
        try {
            finished = perform(e, nowMs);
        } catch (RuntimeException ex) {
            finished = CompletableFuture.failedFuture(ex);
        }
        return finished.thenCompose(next -> {
            if (next.isEmpty()) {
                counts[0]++;
                return data.dueWork().done(e);
            }
            counts[1]++;
            if (next.getAsLong() == e.dueMs()) {
                return CompletableFuture.completedFuture(null); // due then already: this entry is the next one
            }
            return data.dueWork().schedule(e.task(), next.getAsLong()).thenCompose(x -> data.dueWork().done(e));
        }).handle((x, failure) -> {
            if (failure != null) {
                counts[2]++;
                LOG.warnf("due task %s %s/%s failed, kept for the next run: %s", e.task().kind(), e.task().basin(),
                        e.task().stream(), failure.getMessage());
            }
            return null;
        });
    }

    /**
     * Empty when the task's work is done or moot; else when it is due again: a task that made progress
     * and has more to do at once (after its own entry), a lifecycle check when its next check is due.
     */
    private CompletionStage<OptionalLong> perform(DueWork.Entry e, long nowMs) {
        DueWork.Task task = e.task();
        OptionalLong again = OptionalLong.of(Math.max(nowMs, e.dueMs() + 1));
        switch (task.kind()) {
            case TRIM:
                return catalog.stream(task.basin(), task.stream()).thenCompose(found -> {
                    if (found.isEmpty() || found.get().state() != Lifecycle.ACTIVE || !found.get().sid().equals(task.sid())) {
                        return CompletableFuture.completedFuture(OptionalLong.empty()); // deleted or replaced: its deletion frees everything
                    }
                    StreamRecord s = found.get();
                    return data.trim(s).thenCompose(r -> r.more() ? CompletableFuture.completedFuture(again)
                            // a trim may have emptied the stream: delete-on-empty looks again
                            : (StreamLifecycle.emptyAgeMs(s).isPresent() ? data.armLifecycle(task.basin(), task.stream(), s)
                                    : CompletableFuture.<Void>completedFuture(null)).thenApply(x -> OptionalLong.empty()));
                });
            case STREAM_DELETE:
                return stream(task.basin(), task.stream()).thenApply(x -> OptionalLong.empty());
            case BASIN_DELETE:
                return basin(task.basin()).thenApply(x -> OptionalLong.empty());
            case LIFECYCLE:
                return lifecycle.check(task.basin(), task.stream(), nowMs)
                        .thenApply(next -> next.isPresent() && next.getAsLong() <= e.dueMs() ? again : next);
            default:
                throw new IllegalStateException("unhandled due task " + task.kind());
        }
    }

    /** Schedules (once at a time per name) the cleanup of a stream being deleted. */
    public void cleanStream(String basin, String stream) {
        start("stream " + basin + "/" + stream, () -> stream(basin, stream));
    }

    /** Schedules (once at a time per name) the cleanup of a basin being deleted. */
    public void cleanBasin(String basin) {
        start("basin " + basin, () -> basin(basin));
    }

    /** Cleans a stream now, without the grace period (tests, operators). */
    public CompletionStage<Void> cleanStreamNow(String basin, String stream) {
        return stream(basin, stream);
    }

    /** Cleans a basin now, without the grace period (tests, operators). */
    public CompletionStage<Void> cleanBasinNow(String basin) {
        return basin(basin);
    }

    private void start(String what, java.util.function.Supplier<CompletionStage<Void>> work) {
        if (!running.add(what)) {
            return;
        }
        CompletionStage<Void> done;
        try {
            done = delay.after(graceMs).thenCompose(x -> work.get());
        } catch (RuntimeException e) {
            done = CompletableFuture.failedFuture(e);
        }
        done.whenComplete((x, e) -> {
            running.remove(what);
            if (e != null) {
                LOG.warnf("cleanup of %s stopped, to resume when the name is next used: %s", what, e.getMessage());
            }
        });
    }

    /** Seal, purge, free the name: of the incarnation being deleted now, if any. */
    CompletionStage<Void> stream(String basin, String stream) {
        return catalog.stream(basin, stream).thenCompose(found -> {
            if (found.isEmpty() || found.get().state() != Lifecycle.DELETING) {
                return CompletableFuture.completedFuture(null);
            }
            return clean(basin, stream, found.get());
        });
    }

    /**
     * Seals and purges the incarnation {@code deleting}, then marks that incarnation (not whatever
     * the name holds by then) deleted: another cleanup may have finished it and the name been
     * created again meanwhile (docs/ARCHITECTURE.md). Every step is idempotent.
     */
    private CompletionStage<Void> clean(String basin, String stream, StreamRecord deleting) {
        data.forget(basin, stream);
        return data.seal(deleting).thenCompose(x -> purge(deleting, 0))
                .thenCompose(x -> catalog.markStreamDeleted(basin, stream, deleting));
    }

    private CompletionStage<Void> purge(StreamRecord s, int run) {
        if (run == PURGE_RUNS_MAX) {
            return CompletableFuture.failedFuture(new IllegalStateException("stream " + s.sid() + " has more commits than one cleanup deletes"));
        }
        return data.purge(s).thenCompose((TrimReport r) -> r.more() ? purge(s, run + 1) : CompletableFuture.completedFuture(null));
    }

    /**
     * Every stream of the basin deleted, then the basin's name freed: of the basin incarnation being
     * deleted now, if any. A cleanup that read an old deleting version must not touch a basin
     * created again since, nor its streams.
     */
    CompletionStage<Void> basin(String basin) {
        return catalog.basin(basin).thenCompose(found -> {
            if (found.isEmpty() || found.get().state() != Lifecycle.DELETING) {
                return CompletableFuture.completedFuture(null);
            }
            BasinRecord deleting = found.get();
            return deleteStreams(basin, deleting, 0).thenCompose(x -> catalog.markBasinDeleted(basin, deleting));
        });
    }

    /**
     * Lists the basin's streams, then reads the basin again: still at {@code deleting}, it was being
     * deleted all along, so every stream listed belongs to it; each is deleted at the version listed
     * (a stream changed since is met again by the next listing). Repeats until a listing is empty, or
     * stops when the basin moved on (another cleanup freed it; it may have been created again).
     */
    private CompletionStage<Void> deleteStreams(String basin, BasinRecord deleting, int page) {
        if (page == STREAM_PAGES_MAX) {
            return CompletableFuture.failedFuture(new IllegalStateException("basin " + basin + " has too many streams for one cleanup"));
        }
        return catalog.listStreams(basin, "", "", 100).thenCompose(p -> catalog.basin(basin).thenCompose(now -> {
            if (p.items().isEmpty() || now.isEmpty() || now.get().version() != deleting.version()) {
                return CompletableFuture.completedFuture(null);
            }
            CompletionStage<Void> all = CompletableFuture.completedFuture(null);
            for (Catalog.StreamRecordNamed s : p.items()) {
                all = all.thenCompose(x -> catalog.markStreamDeleting(basin, s.name(), s.record()))
                        .thenCompose(d -> d.isPresent() ? clean(basin, s.name(), d.get()) : CompletableFuture.completedFuture(null));
            }
            return all.thenCompose(x -> deleteStreams(basin, deleting, page + 1));
        }));
    }
}
