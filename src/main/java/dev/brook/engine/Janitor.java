package dev.brook.engine;

import dev.brook.log.TrimReport;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Finishes deletions after their 202 (docs/LOG.md, trimming): a stream's log is sealed, its floor raised
 * to infinity, its commits deleted, and its name marked deleted (free again); a basin's streams are
 * deleted the same way, then the basin's name is freed. Every step is idempotent, so a cleanup that
 * a process did not finish is simply started again the next time someone meets the name.
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
