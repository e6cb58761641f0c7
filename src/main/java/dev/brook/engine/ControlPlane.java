package dev.brook.engine;

import dev.brook.core.S2Error;
import dev.brook.core.StreamConfig;
import dev.brook.core.StreamConfigSpec;
import java.util.concurrent.CompletableFuture;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * The stream and basin changes that span the catalog and the logs: reconfiguration, reading a
 * configuration, deletion. The log is the one source of truth for what it enforces (decision 23):
 * after every PUT and PATCH, whatever the catalog did, the log is brought to the catalog's version,
 * so a retry after any failure converges; a GET reports the timestamping the log enforces. Resources
 * decode, make one call here, and encode.
 */
public final class ControlPlane {

    /** A stream's configuration as the API reports it: the catalog's, with the timestamping its log enforces. */
    public record StreamSettings(StreamRecord record, StreamConfig config, long enforcedVersion) {}

    private final Catalog catalog;
    private final DataPlane data;
    private final Janitor janitor;

    public ControlPlane(Catalog catalog, DataPlane data, Janitor janitor) {
        this.catalog = catalog;
        this.data = data;
        this.janitor = janitor;
    }

    /**
     * GET: the catalog's current version, with the timestamping read from the log's tail. A
     * reconfiguration whose control commit failed is thus reported as the log still enforces it,
     * until a retry converges.
     */
    public CompletionStage<StreamSettings> streamConfig(String basin, String stream) {
        return catalog.streamConfig(basin, stream).thenCompose(s -> data.state(s).thenApply(state -> {
            if (state.sealed()) {
                data.forget(basin, stream);
                throw S2Error.streamDeletionPending(basin, stream);
            }
            StreamConfig c = s.config();
            return new StreamSettings(s, new StreamConfig(c.storageClass(), c.retention(), state.timestamping(),
                    c.deleteOnEmptyMinAgeSecs()), state.configVersion());
        }));
    }

    /**
     * PUT: create, or replace the configuration; then the log is brought to the version the catalog
     * holds, whether this call changed it or not (a created incarnation starts there already).
     */
    public CompletionStage<Catalog.Changed> ensureStream(String basin, String stream, StreamConfigSpec spec) {
        return catalog.ensureStream(basin, stream, spec).thenCompose(changed -> (changed.result() == Provisioned.Result.CREATED
                ? CompletableFuture.<Void>completedFuture(null)
                : reconcile(basin, stream, changed.now())).thenCompose(x -> arm(basin, stream, changed.now())).thenApply(x -> changed));
    }

    /** POST: create; the lifecycle check is armed before the answer. */
    public CompletionStage<Provisioned<StreamRecord>> createStream(String basin, String stream, StreamConfigSpec spec,
                                                                   Optional<String> requestToken, Optional<String> requestHash) {
        return catalog.createStream(basin, stream, spec, requestToken, requestHash)
                .thenCompose(p -> arm(basin, stream, p.value()).thenApply(x -> p));
    }

    /** PATCH: {@code change} maps the current configuration (and the basin's defaults) to the new one; then as PUT. */
    public CompletionStage<StreamRecord> reconfigureStream(String basin, String stream,
                                                           BiFunction<StreamConfig, StreamConfigSpec, StreamConfig> change) {
        return catalog.reconfigureStream(basin, stream, change)
                .thenCompose(changed -> reconcile(basin, stream, changed.now()).thenCompose(x -> arm(basin, stream, changed.now()))
                        .thenApply(x -> changed.now()));
    }

    /**
     * Arms the stream's lifecycle check (retention, delete-on-empty; docs/LIFECYCLE.md) for its
     * configuration as it now stands. A failure to record it does not fail the request (the stream
     * exists, configured): it is logged, and the stream's next append arms it.
     */
    private CompletionStage<Void> arm(String basin, String stream, StreamRecord s) {
        return data.armLifecycle(basin, stream, s).exceptionally(e -> {
            LOG.warnf("lifecycle check of %s/%s not armed (its next append arms it): %s", basin, stream, e.getMessage());
            return null;
        });
    }

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ControlPlane.class);

    private CompletionStage<Void> reconcile(String basin, String stream, StreamRecord s) {
        return data.reconcile(s).thenAccept(enforced -> {
            if (!enforced) {
                data.forget(basin, stream);
                throw S2Error.streamDeletionPending(basin, stream);
            }
        });
    }

    /**
     * DELETE: marked, then sealed, then answered: no append can be acknowledged after the answer
     * (docs/ARCHITECTURE.md); the janitor purges and frees the name after the grace period. A retry
     * after a failed seal seals the same incarnation.
     */
    public CompletionStage<StreamRecord> deleteStream(String basin, String stream) {
        return catalog.markStreamDeleting(basin, stream).thenCompose(deleting -> {
            data.forget(basin, stream);
            return data.seal(deleting).thenCompose(x -> janitor.deletionDue(basin, Optional.of(stream))).thenApply(x -> {
                janitor.cleanStream(basin, stream);
                return deleting;
            });
        });
    }

    /**
     * A page of basins. A listing that meets a basin still being deleted resumes its cleanup (the
     * janitor runs one cleanup per name at a time): a deletion interrupted by a restart finishes.
     */
    public CompletionStage<Page<Catalog.BasinRecordNamed>> listBasins(String prefix, String startAfter, int limit) {
        return catalog.listBasins(prefix, startAfter, limit).thenApply(page -> {
            for (Catalog.BasinRecordNamed b : page.items()) {
                if (b.record().state() == Lifecycle.DELETING) {
                    janitor.cleanBasin(b.name());
                }
            }
            return page;
        });
    }

    /** A page of a basin's streams (stored names); as {@link #listBasins}, a stream still being deleted has its cleanup resumed. */
    public CompletionStage<Page<Catalog.StreamRecordNamed>> listStreams(String basin, String prefix, String startAfter, int limit) {
        return catalog.listStreams(basin, prefix, startAfter, limit).thenApply(page -> {
            for (Catalog.StreamRecordNamed s : page.items()) {
                if (s.record().state() == Lifecycle.DELETING) {
                    janitor.cleanStream(basin, s.name());
                }
            }
            return page;
        });
    }

    /** DELETE of a basin: marked, then its streams and name are cleaned up by the janitor. */
    public CompletionStage<BasinRecord> deleteBasin(String basin) {
        return catalog.markBasinDeleting(basin).thenCompose(b -> janitor.deletionDue(basin, Optional.empty()).thenApply(x -> {
            janitor.cleanBasin(basin);
            return b;
        }));
    }
}
