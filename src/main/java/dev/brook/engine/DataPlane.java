package dev.brook.engine;

import dev.brook.core.AppendBatch;
import dev.brook.core.Rejection;
import dev.brook.core.S2Error;
import dev.brook.core.StreamConfigSpec;
import dev.brook.core.StreamState;
import dev.brook.core.Timestamping;
import dev.brook.log.AppendOutcome;
import dev.brook.log.LogEnv;
import dev.brook.log.ReadOutcome;
import dev.brook.log.ReadRequest;
import dev.brook.log.StreamLog;
import dev.brook.store.StoreException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Appends, reads and check-tails by stream name: the name resolves to its current incarnation (with
 * auto-creation where the basin allows it), whose log does the rest. The name-to-incarnation cache
 * needs no validation on every request: a deleted stream's log is sealed, so a stale entry shows up
 * as a sealed log and is then resolved again.
 */
public final class DataPlane {

    /** Stream logs kept per instance (their caches make steady-state appends cost one PUT and one HEAD). */
    static final int LOGS_CACHED_MAX = 10_000;

    public enum AutoCreate { NEVER, ON_APPEND, ON_READ }

    private final Catalog catalog;
    private final LogEnv env;
    private final Map<String, StreamRecord> incarnations = new ConcurrentHashMap<>();
    private final Map<String, StreamLog> logs = new LinkedHashMap<>(256, 0.75f, true);

    public DataPlane(Catalog catalog, LogEnv env) {
        this.catalog = catalog;
        this.env = env;
    }

    private static String name(String basin, String stream) {
        return basin + '\n' + stream;
    }

    /** The log of an incarnation; one object per incarnation and instance, so group commit works across requests. */
    public StreamLog logOf(StreamRecord s) {
        synchronized (logs) {
            StreamLog log = logs.get(s.sid());
            if (log == null) {
                // Every instance must start from the same state: the creation's timestamping at config
                // version 0; later changes reach the log as control commits.
                log = new StreamLog(env, s.sid(), StreamState.empty(0, s.genesis()));
                logs.put(s.sid(), log);
                if (logs.size() > LOGS_CACHED_MAX) {
                    logs.remove(logs.keySet().iterator().next());
                }
            }
            return log;
        }
    }

    /** The stream's current active incarnation, creating it when the basin says so. */
    public CompletionStage<StreamRecord> resolve(String basin, String stream, AutoCreate autoCreate) {
        return resolve(basin, stream, autoCreate, StreamConfigSpec.EMPTY);
    }

    /** As {@link #resolve(String, String, AutoCreate)}, creating with {@code config} (the {@code s2-stream-config} header). */
    public CompletionStage<StreamRecord> resolve(String basin, String stream, AutoCreate autoCreate, StreamConfigSpec config) {
        StreamRecord cached = incarnations.get(name(basin, stream));
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        return catalog.stream(basin, stream).thenCompose(found -> {
            if (found.isPresent()) {
                StreamRecord s = found.get();
                if (s.state() == Lifecycle.DELETING) {
                    throw S2Error.streamDeletionPending(basin, stream);
                }
                incarnations.put(name(basin, stream), s);
                return CompletableFuture.completedFuture(s);
            }
            return catalog.basin(basin).thenCompose(b -> {
                if (b.isEmpty()) {
                    throw S2Error.basinNotFound(basin);
                }
                boolean create = switch (autoCreate) {
                    case NEVER -> false;
                    case ON_APPEND -> b.get().config().createStreamOnAppend();
                    case ON_READ -> b.get().config().createStreamOnRead();
                };
                if (!create) {
                    throw S2Error.streamNotFound(basin, stream);
                }
                return catalog.createStream(basin, stream, config, Optional.empty(), Optional.empty())
                        .handle((p, failure) -> {
                            if (failure == null) {
                                return CompletableFuture.completedFuture(p.value());
                            }
                            Throwable c = cause(failure);
                            if (c instanceof S2Error e && e.code() == dev.brook.core.ErrorCode.RESOURCE_ALREADY_EXISTS) {
                                return resolve(basin, stream, AutoCreate.NEVER); // someone created it first: use theirs
                            }
                            return CompletableFuture.<StreamRecord>failedFuture(c);
                        }).thenCompose(x -> x);
            });
        });
    }

    /** Forget a name's incarnation: it was sealed, deleted or replaced. */
    public void forget(String basin, String stream) {
        incarnations.remove(name(basin, stream));
    }

    public CompletionStage<AppendOutcome> append(String basin, String stream, AppendBatch batch, StreamConfigSpec autoCreateConfig,
                                                 boolean retried) {
        return resolve(basin, stream, AutoCreate.ON_APPEND, autoCreateConfig).thenCompose(s -> logOf(s).append(batch).thenCompose(outcome -> {
            if (outcome instanceof AppendOutcome.Rejected r && r.rejection() instanceof Rejection.StreamSealed) {
                forget(basin, stream);
                if (retried) {
                    throw S2Error.streamDeletionPending(basin, stream);
                }
                // The cached incarnation was deleted; the name may have a new one, or be being deleted.
                return append(basin, stream, batch, autoCreateConfig, true);
            }
            return CompletableFuture.completedFuture(outcome);
        }));
    }

    public CompletionStage<ReadOutcome> read(String basin, String stream, ReadRequest request, StreamConfigSpec autoCreateConfig,
                                             boolean retried) {
        return resolve(basin, stream, AutoCreate.ON_READ, autoCreateConfig).thenCompose(s -> logOf(s).read(request).thenCompose(outcome -> {
            if (outcome instanceof ReadOutcome.Sealed) {
                forget(basin, stream);
                if (retried) {
                    throw S2Error.streamDeletionPending(basin, stream);
                }
                return read(basin, stream, request, autoCreateConfig, true);
            }
            return CompletableFuture.completedFuture(outcome);
        }));
    }

    /** The tail's state, from storage: the next sequence number and the last timestamp. */
    public CompletionStage<StreamState> checkTail(String basin, String stream, StreamConfigSpec autoCreateConfig, boolean retried) {
        return resolve(basin, stream, AutoCreate.ON_READ, autoCreateConfig).thenCompose(s -> logOf(s).state().thenCompose(state -> {
            if (state.sealed()) {
                forget(basin, stream);
                if (retried) {
                    throw S2Error.streamDeletionPending(basin, stream);
                }
                return checkTail(basin, stream, autoCreateConfig, true);
            }
            return CompletableFuture.completedFuture(state);
        }));
    }

    /**
     * Makes a reconfiguration reach appends (PROTOCOL-REVIEW finding 12): a control commit carrying
     * the new timestamping at the tail, applied only if it is newer than what the log has.
     */
    public CompletionStage<Void> applyTimestamping(StreamRecord updated) {
        Timestamping t = updated.config().timestamping();
        long version = updated.version();
        return logOf(updated).control("reconfigure", s -> s.configVersion() >= version ? s
                : new StreamState(s.nextSeq(), s.lastTimestamp(), s.fencingToken(), s.trimPoint(), version, t, s.sealed()))
                .thenAccept(o -> requireApplied(o, "reconfigure"));
    }

    /** Seals a deleting stream's log: after this no append to it can be acknowledged. */
    public CompletionStage<Void> seal(StreamRecord deleting) {
        return logOf(deleting).control("seal", s -> s.sealed() ? s
                : new StreamState(s.nextSeq(), s.lastTimestamp(), s.fencingToken(), s.trimPoint(), s.configVersion(), s.timestamping(), true))
                .thenAccept(o -> {
                    if (!(o instanceof AppendOutcome.Rejected r && r.rejection() instanceof Rejection.StreamSealed)) {
                        requireApplied(o, "seal");
                    }
                });
    }

    private static void requireApplied(AppendOutcome o, String what) {
        if (o instanceof AppendOutcome.Failed f) {
            throw new StoreException(f.mayHaveLanded() ? StoreException.Kind.OUTCOME_UNKNOWN : StoreException.Kind.TRANSIENT,
                    what + " did not reach the stream: " + f.message());
        }
    }

    private static Throwable cause(Throwable t) {
        return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
