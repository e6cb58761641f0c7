package dev.brook.engine;

import dev.brook.core.BasinConfig;
import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import dev.brook.core.StreamConfig;
import dev.brook.core.StreamConfigSpec;
import dev.brook.store.ObjectStore;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Basins and streams as logs of versions (docs/ARCHITECTURE.md, object layout), with S2's lifecycle rules (spec §3.1,
 * §3.2): idempotent creates by request token, ensure (PUT) and reconfigure (PATCH), deletion that
 * marks first and cleans up after. Every change is a read of the current version followed by a
 * conditional claim of the next one; a lost claim is read again and decided again, a bounded
 * number of times.
 */
public final class Catalog {

    /** Conditional claims one change may lose before it answers 409 transaction_conflict. */
    static final int CLAIM_ATTEMPTS_MAX = 8;

    private final ObjectStore store;
    private final LongSupplier wallClockMs;
    private final RandomGenerator random;

    public Catalog(ObjectStore store, LongSupplier wallClockMs, RandomGenerator random) {
        this.store = store;
        this.wallClockMs = wallClockMs;
        this.random = random;
    }

    // ---------------------------------------------------------------- version logs

    VersionLog<BasinRecord> basinLog(String basin) {
        return new VersionLog<>(store, CatalogKeys.basinVersions(basin), v -> CatalogKeys.basinVersion(basin, v),
                key -> CatalogKeys.parseBasinVersion(key).filter(p -> p.basin().equals(basin)).map(CatalogKeys.Versioned::version),
                CatalogCodec::decodeBasin);
    }

    VersionLog<StreamRecord> streamLog(String basin, String stream) {
        unstorableStream(basin, stream).ifPresent(e -> {
            throw e; // the public entry points answer this as a failed stage before they get here
        });
        return new VersionLog<>(store, CatalogKeys.streamVersions(basin, stream), v -> CatalogKeys.streamVersion(basin, stream, v),
                key -> CatalogKeys.parseStreamVersion(basin, key).filter(p -> p.stream().equals(stream)).map(CatalogKeys.Named::version),
                CatalogCodec::decodeStream);
    }

    /** The current version of a basin that exists (active or being deleted). */
    public CompletionStage<Optional<BasinRecord>> basin(String basin) {
        return basinLog(basin).latest().thenApply(r -> r.filter(b -> b.state() != Lifecycle.DELETED));
    }

    // ---------------------------------------------------------------- names the store can hold

    /**
     * Why a basin name cannot be stored here (its keys would be longer than the store holds,
     * docs/SECURITY.md), or empty. A resource that takes the name from a body asks first, to
     * answer {@code bad_json}; the catalog refuses it as {@code bad_path} otherwise.
     */
    public Optional<String> basinNameProblem(String basin) {
        return CatalogKeys.basinKeyProblem(basin, store.keyCharsMax());
    }

    /** As {@link #basinNameProblem}, for a stream name in {@code basin}. */
    public Optional<String> streamNameProblem(String basin, String stream) {
        return CatalogKeys.streamKeyProblem(basin, stream, store.keyCharsMax());
    }

    private Optional<S2Error> unstorableBasin(String basin) {
        return basinNameProblem(basin).map(problem -> new S2Error(ErrorCode.BAD_PATH, problem));
    }

    /**
     * Such a stream cannot exist, so every operation on it (not only creation) is refused: its
     * version keys could not even be listed on some stores.
     */
    private Optional<S2Error> unstorableStream(String basin, String stream) {
        return streamNameProblem(basin, stream).map(problem -> new S2Error(ErrorCode.BAD_PATH, problem));
    }

    /** The current version of a stream that exists (active or being deleted). */
    public CompletionStage<Optional<StreamRecord>> stream(String basin, String stream) {
        Optional<S2Error> unstorable = unstorableStream(basin, stream);
        if (unstorable.isPresent()) {
            return CompletableFuture.failedFuture(unstorable.get());
        }
        return streamLog(basin, stream).latest().thenApply(r -> r.filter(s -> s.state() != Lifecycle.DELETED));
    }

    /** Runs a read-decide-claim step until it yields, at most {@link #CLAIM_ATTEMPTS_MAX} times. */
    private <T> CompletionStage<T> claiming(String what, Function<Integer, CompletionStage<Optional<T>>> step) {
        return claiming(what, step, 0);
    }

    private <T> CompletionStage<T> claiming(String what, Function<Integer, CompletionStage<Optional<T>>> step, int attempt) {
        if (attempt == CLAIM_ATTEMPTS_MAX) {
            return CompletableFuture.failedFuture(new S2Error(ErrorCode.TRANSACTION_CONFLICT,
                    what + " kept changing under concurrent requests; retry"));
        }
        CompletionStage<Optional<T>> decided;
        try {
            decided = step.apply(attempt);
        } catch (RuntimeException e) {
            decided = CompletableFuture.failedFuture(e); // callers get every failure as a failed stage
        }
        return decided.thenCompose(r -> r.isPresent() ? CompletableFuture.completedFuture(r.get())
                : claiming(what, step, attempt + 1));
    }

    // ---------------------------------------------------------------- basins

    public CompletionStage<Page<BasinRecordNamed>> listBasins(String prefix, String startAfter, int limit) {
        String after = startAfter.isEmpty() ? "" : CatalogKeys.basinVersions(startAfter) + "~";
        NameListing<BasinRecordNamed> listing = new NameListing<>(store, CatalogKeys.basinListPrefix(prefix),
                key -> CatalogKeys.parseBasinVersion(key).map(v -> new NameListing.Candidate(v.basin(), v.version())),
                name -> name.startsWith(prefix) && CatalogKeys.compareNames(name, startAfter) > 0,
                (name, version) -> basinLog(name).at(version).thenApply(b -> Optional.of(b).filter(x -> x.state() != Lifecycle.DELETED)
                        .map(x -> new BasinRecordNamed(name, x))));
        return listing.list(after, limit);
    }

    /** A basin and its current version, for listings. */
    public record BasinRecordNamed(String name, BasinRecord record) {}

    public CompletionStage<Provisioned<BasinRecord>> createBasin(String basin, BasinConfig config, Optional<String> requestToken,
                                                                 String requestHash) {
        Optional<S2Error> unstorable = unstorableBasin(basin);
        if (unstorable.isPresent()) {
            return CompletableFuture.failedFuture(unstorable.get());
        }
        return claiming("basin `" + basin + "`", attempt -> basinLog(basin).latest().thenCompose(current -> {
            if (current.isPresent() && current.get().state() == Lifecycle.ACTIVE) {
                BasinRecord b = current.get();
                if (requestToken.isPresent() && requestToken.equals(b.requestToken()) && b.requestHash().equals(Optional.of(requestHash))) {
                    return done(new Provisioned<>(b, Provisioned.Result.NOOP));
                }
                throw new S2Error(ErrorCode.RESOURCE_ALREADY_EXISTS, "basin `" + basin + "` already exists");
            }
            if (current.isPresent() && current.get().state() == Lifecycle.DELETING) {
                throw S2Error.basinDeletionPending(basin);
            }
            long version = current.map(b -> b.version() + 1).orElse(1L);
            BasinRecord created = new BasinRecord(version, Lifecycle.ACTIVE, wallClockMs.getAsLong(), OptionalLong.empty(), config,
                    requestToken, Optional.of(requestHash));
            return claimed(basinLog(basin).claim(version, CatalogCodec.encode(created)), new Provisioned<>(created, Provisioned.Result.CREATED));
        }));
    }

    public CompletionStage<BasinRecord> basinConfig(String basin) {
        return basin(basin).thenApply(b -> b.orElseThrow(() -> S2Error.basinNotFound(basin)));
    }

    /** PUT: create, or replace the configuration (unspecified fields reset to defaults). */
    public CompletionStage<Provisioned<BasinRecord>> ensureBasin(String basin, BasinConfig config) {
        Optional<S2Error> unstorable = unstorableBasin(basin);
        if (unstorable.isPresent()) {
            return CompletableFuture.failedFuture(unstorable.get());
        }
        return claiming("basin `" + basin + "`", attempt -> basinLog(basin).latest().thenCompose(current -> {
            if (current.isEmpty() || current.get().state() == Lifecycle.DELETED) {
                long version = current.map(b -> b.version() + 1).orElse(1L);
                BasinRecord created = new BasinRecord(version, Lifecycle.ACTIVE, wallClockMs.getAsLong(), OptionalLong.empty(), config,
                        Optional.empty(), Optional.empty());
                return claimed(basinLog(basin).claim(version, CatalogCodec.encode(created)),
                        new Provisioned<>(created, Provisioned.Result.CREATED));
            }
            BasinRecord b = active(basin, current.get());
            if (b.config().equals(config)) {
                return done(new Provisioned<>(b, Provisioned.Result.NOOP));
            }
            BasinRecord updated = new BasinRecord(b.version() + 1, Lifecycle.ACTIVE, b.createdAtMs(), OptionalLong.empty(), config,
                    b.requestToken(), b.requestHash());
            return claimed(basinLog(basin).claim(updated.version(), CatalogCodec.encode(updated)),
                    new Provisioned<>(updated, Provisioned.Result.UPDATED));
        }));
    }

    /** PATCH: {@code change} maps the current configuration to the new one. */
    public CompletionStage<BasinRecord> reconfigureBasin(String basin, Function<BasinConfig, BasinConfig> change) {
        return claiming("basin `" + basin + "`", attempt -> basinLog(basin).latest().thenCompose(current -> {
            BasinRecord b = active(basin, current.filter(r -> r.state() != Lifecycle.DELETED)
                    .orElseThrow(() -> S2Error.basinNotFound(basin)));
            BasinConfig next = change.apply(b.config());
            if (next.equals(b.config())) {
                return done(b);
            }
            BasinRecord updated = new BasinRecord(b.version() + 1, Lifecycle.ACTIVE, b.createdAtMs(), OptionalLong.empty(), next,
                    b.requestToken(), b.requestHash());
            return claimed(basinLog(basin).claim(updated.version(), CatalogCodec.encode(updated)), updated);
        }));
    }

    /** Marks the basin as being deleted; returns the deleting version (the caller starts the cleanup). */
    public CompletionStage<BasinRecord> markBasinDeleting(String basin) {
        return claiming("basin `" + basin + "`", attempt -> basinLog(basin).latest().thenCompose(current -> {
            BasinRecord b = current.filter(r -> r.state() != Lifecycle.DELETED).orElseThrow(() -> S2Error.basinNotFound(basin));
            if (b.state() == Lifecycle.DELETING) {
                return done(b);
            }
            BasinRecord deleting = new BasinRecord(b.version() + 1, Lifecycle.DELETING, b.createdAtMs(),
                    OptionalLong.of(wallClockMs.getAsLong()), b.config(), b.requestToken(), b.requestHash());
            return claimed(basinLog(basin).claim(deleting.version(), CatalogCodec.encode(deleting)), deleting);
        }));
    }

    /**
     * The end of a basin's cleanup: its name is free again. Only the incarnation that was being
     * deleted ({@code deleting}, the version the cleanup read) is marked: a version after it is
     * either this mark, claimed by another cleanup, or a re-created basin, which must not be touched.
     */
    CompletionStage<Void> markBasinDeleted(String basin, BasinRecord deleting) {
        return claiming("basin `" + basin + "`", attempt -> basinLog(basin).latest().thenCompose(current -> {
            if (current.isEmpty() || current.get().version() != deleting.version() || current.get().state() != Lifecycle.DELETING) {
                return done(Boolean.TRUE);
            }
            BasinRecord b = current.get();
            BasinRecord deleted = new BasinRecord(b.version() + 1, Lifecycle.DELETED, b.createdAtMs(), b.deletedAtMs(), b.config(),
                    Optional.empty(), Optional.empty());
            return claimed(basinLog(basin).claim(deleted.version(), CatalogCodec.encode(deleted)), Boolean.TRUE);
        })).thenApply(x -> null);
    }

    private static BasinRecord active(String basin, BasinRecord b) {
        if (b.state() == Lifecycle.DELETING) {
            throw S2Error.basinDeletionPending(basin);
        }
        return b;
    }

    // ---------------------------------------------------------------- streams

    /** A stream and its current version, for listings. */
    public record StreamRecordNamed(String name, StreamRecord record) {}

    public CompletionStage<Page<StreamRecordNamed>> listStreams(String basin, String prefix, String startAfter, int limit) {
        String after = startAfter.isEmpty() ? "" : CatalogKeys.afterStream(basin, startAfter);
        NameListing<StreamRecordNamed> listing = new NameListing<>(store, CatalogKeys.streamListPrefix(basin, prefix),
                key -> CatalogKeys.parseStreamVersion(basin, key).map(v -> new NameListing.Candidate(v.stream(), v.version())),
                name -> name.startsWith(prefix) && CatalogKeys.compareNames(name, startAfter) > 0,
                (name, version) -> streamLog(basin, name).at(version).thenApply(s -> Optional.of(s).filter(x -> x.state() != Lifecycle.DELETED)
                        .map(x -> new StreamRecordNamed(name, x))));
        return listing.list(after, limit);
    }

    /** The basin a stream operation needs: it must exist and not be being deleted. */
    public CompletionStage<BasinRecord> activeBasin(String basin) {
        return basin(basin).thenApply(b -> active(basin, b.orElseThrow(() -> S2Error.basinNotFound(basin))));
    }

    /**
     * Creates a stream (POST), with the basin's defaults and cipher; idempotent for the same request
     * token and raw config. {@code requestHash} is empty for auto-creation.
     */
    public CompletionStage<Provisioned<StreamRecord>> createStream(String basin, String stream, StreamConfigSpec spec,
                                                                   Optional<String> requestToken, Optional<String> requestHash) {
        Optional<S2Error> unstorable = unstorableStream(basin, stream);
        if (unstorable.isPresent()) {
            return CompletableFuture.failedFuture(unstorable.get());
        }
        return activeBasin(basin).thenCompose(b -> claiming("stream `" + stream + "`", attempt -> streamLog(basin, stream).latest()
                .thenCompose(current -> {
                    if (current.isPresent() && current.get().state() == Lifecycle.ACTIVE) {
                        StreamRecord s = current.get();
                        if (requestToken.isPresent() && requestToken.equals(s.requestToken()) && requestHash.equals(s.requestHash())) {
                            return done(new Provisioned<>(s, Provisioned.Result.NOOP));
                        }
                        throw new S2Error(ErrorCode.RESOURCE_ALREADY_EXISTS,
                                "stream `" + stream + "` in basin `" + basin + "` already exists");
                    }
                    if (current.isPresent() && current.get().state() == Lifecycle.DELETING) {
                        throw S2Error.streamDeletionPending(basin, stream);
                    }
                    StreamRecord created = newIncarnation(current.map(s -> s.version() + 1).orElse(1L), spec.resolve(b.config()
                            .defaultStreamConfig()), b, requestToken, requestHash);
                    return claimed(streamLog(basin, stream).claim(created.version(), CatalogCodec.encode(created)),
                            new Provisioned<>(created, Provisioned.Result.CREATED));
                })).thenCompose(p -> p.result() != Provisioned.Result.CREATED ? CompletableFuture.completedFuture(p)
                        : recheckBasin(basin, stream, p)));
    }

    private StreamRecord newIncarnation(long version, StreamConfig config, BasinRecord basin, Optional<String> token,
                                        Optional<String> hash) {
        byte[] sid = new byte[16];
        random.nextBytes(sid);
        return new StreamRecord(version, Lifecycle.ACTIVE, HexFormat.of().formatHex(sid), wallClockMs.getAsLong(), OptionalLong.empty(),
                config, basin.config().streamCipher(), config.timestamping(), version, token, hash);
    }

    /**
     * A stream created while its basin was being marked for deletion would escape the basin's cleanup
     * (the stream would outlive its basin): read the basin again after the claim, and give the stream up if
     * so. It is marked as being deleted, not deleted: others may have resolved it and appended, and
     * only a cleanup that seals its log may free the name (docs/ARCHITECTURE.md). The basin's cleanup,
     * or the next listing that meets it, finishes it.
     */
    private CompletionStage<Provisioned<StreamRecord>> recheckBasin(String basin, String stream, Provisioned<StreamRecord> created) {
        return basin(basin).thenCompose(b -> {
            if (b.isPresent() && b.get().state() == Lifecycle.ACTIVE) {
                return CompletableFuture.completedFuture(created);
            }
            return markStreamDeleting(basin, stream, created.value()).<Provisioned<StreamRecord>>thenApply(x -> {
                throw S2Error.basinDeletionPending(basin);
            });
        });
    }

    public CompletionStage<StreamRecord> streamConfig(String basin, String stream) {
        return stream(basin, stream).thenApply(s -> activeStream(basin, stream, s.orElseThrow(() -> S2Error.streamNotFound(basin, stream))));
    }

    /**
     * PUT: create, or replace the configuration with {@code spec} resolved against the basin's
     * defaults. Returns the previous version too, so the caller can tell whether appends must change.
     */
    public CompletionStage<Changed> ensureStream(String basin, String stream, StreamConfigSpec spec) {
        Optional<S2Error> unstorable = unstorableStream(basin, stream);
        if (unstorable.isPresent()) {
            return CompletableFuture.failedFuture(unstorable.get());
        }
        return activeBasin(basin).thenCompose(b -> claiming("stream `" + stream + "`", attempt -> streamLog(basin, stream).latest()
                .thenCompose(current -> {
                    StreamConfig desired = spec.resolve(b.config().defaultStreamConfig());
                    if (current.isEmpty() || current.get().state() == Lifecycle.DELETED) {
                        StreamRecord created = newIncarnation(current.map(s -> s.version() + 1).orElse(1L), desired, b,
                                Optional.empty(), Optional.empty());
                        return claimed(streamLog(basin, stream).claim(created.version(), CatalogCodec.encode(created)),
                                new Changed(Optional.empty(), created, Provisioned.Result.CREATED));
                    }
                    StreamRecord s = activeStream(basin, stream, current.get());
                    if (s.config().equals(desired)) {
                        return done(new Changed(Optional.of(s), s, Provisioned.Result.NOOP));
                    }
                    StreamRecord updated = withConfig(s, desired);
                    return claimed(streamLog(basin, stream).claim(updated.version(), CatalogCodec.encode(updated)),
                            new Changed(Optional.of(s), updated, Provisioned.Result.UPDATED));
                })).thenCompose(c -> c.result() != Provisioned.Result.CREATED ? CompletableFuture.completedFuture(c)
                : recheckBasin(basin, stream, new Provisioned<>(c.now(), c.result())).thenApply(p -> c)));
    }

    /** A stream change: the version before (none for a create), the version now, and what happened. */
    public record Changed(Optional<StreamRecord> before, StreamRecord now, Provisioned.Result result) {}

    /** PATCH: {@code change} maps the current config (and the basin's defaults) to the new one. */
    public CompletionStage<Changed> reconfigureStream(String basin, String stream,
                                                      java.util.function.BiFunction<StreamConfig, StreamConfigSpec, StreamConfig> change) {
        Optional<S2Error> unstorable = unstorableStream(basin, stream);
        if (unstorable.isPresent()) {
            return CompletableFuture.failedFuture(unstorable.get());
        }
        return activeBasin(basin).thenCompose(b -> claiming("stream `" + stream + "`", attempt -> streamLog(basin, stream).latest()
                .thenCompose(current -> {
                    StreamRecord s = activeStream(basin, stream, current.filter(r -> r.state() != Lifecycle.DELETED)
                            .orElseThrow(() -> S2Error.streamNotFound(basin, stream)));
                    StreamConfig next = change.apply(s.config(), b.config().defaultStreamConfig());
                    if (next.equals(s.config())) {
                        return done(new Changed(Optional.of(s), s, Provisioned.Result.NOOP));
                    }
                    StreamRecord updated = withConfig(s, next);
                    return claimed(streamLog(basin, stream).claim(updated.version(), CatalogCodec.encode(updated)),
                            new Changed(Optional.of(s), updated, Provisioned.Result.UPDATED));
                })));
    }

    private static StreamRecord withConfig(StreamRecord s, StreamConfig config) {
        return new StreamRecord(s.version() + 1, Lifecycle.ACTIVE, s.sid(), s.createdAtMs(), OptionalLong.empty(), config, s.cipher(),
                s.genesis(), s.genesisVersion(), s.requestToken(), s.requestHash());
    }

    /** Marks the stream as being deleted; returns the deleting version (the caller seals the log and cleans up). */
    public CompletionStage<StreamRecord> markStreamDeleting(String basin, String stream) {
        Optional<S2Error> unstorable = unstorableStream(basin, stream);
        if (unstorable.isPresent()) {
            return CompletableFuture.failedFuture(unstorable.get());
        }
        return claiming("stream `" + stream + "`", attempt -> streamLog(basin, stream).latest().thenCompose(current -> {
            StreamRecord s = current.filter(r -> r.state() != Lifecycle.DELETED).orElseThrow(() -> S2Error.streamNotFound(basin, stream));
            if (s.state() == Lifecycle.DELETING) {
                return done(s);
            }
            StreamRecord deleting = new StreamRecord(s.version() + 1, Lifecycle.DELETING, s.sid(), s.createdAtMs(),
                    OptionalLong.of(wallClockMs.getAsLong()), s.config(), s.cipher(), s.genesis(), s.genesisVersion(), s.requestToken(),
                    s.requestHash());
            return claimed(streamLog(basin, stream).claim(deleting.version(), CatalogCodec.encode(deleting)), deleting);
        }));
    }

    /**
     * Marks the incarnation {@code seen} (a version read earlier, by a listing or a create) as being
     * deleted, if the name is still at that version; returns the deleting version of that
     * incarnation, or empty when the name has moved on (another cleanup, a re-creation).
     */
    CompletionStage<Optional<StreamRecord>> markStreamDeleting(String basin, String stream, StreamRecord seen) {
        return claiming("stream `" + stream + "`", attempt -> streamLog(basin, stream).latest().thenCompose(current -> {
            if (current.isEmpty() || !current.get().sid().equals(seen.sid()) || current.get().state() == Lifecycle.DELETED) {
                return done(Optional.<StreamRecord>empty());
            }
            StreamRecord s = current.get();
            if (s.state() == Lifecycle.DELETING) {
                return done(Optional.of(s));
            }
            if (s.version() != seen.version()) {
                return done(Optional.<StreamRecord>empty());
            }
            StreamRecord deleting = new StreamRecord(s.version() + 1, Lifecycle.DELETING, s.sid(), s.createdAtMs(),
                    OptionalLong.of(wallClockMs.getAsLong()), s.config(), s.cipher(), s.genesis(), s.genesisVersion(), s.requestToken(),
                    s.requestHash());
            return claimed(streamLog(basin, stream).claim(deleting.version(), CatalogCodec.encode(deleting)), Optional.of(deleting));
        }));
    }

    /**
     * The end of a stream's cleanup: its name is free again. Only the incarnation whose log the
     * cleanup sealed and purged ({@code deleting}, the version it read) is marked: nothing follows a
     * deleting version but its deleted mark, so a later version is either that mark (claimed by
     * another cleanup) or a re-created stream, which must not be touched.
     */
    CompletionStage<Void> markStreamDeleted(String basin, String stream, StreamRecord deleting) {
        return claiming("stream `" + stream + "`", attempt -> streamLog(basin, stream).latest().thenCompose(current -> {
            if (current.isEmpty() || current.get().version() != deleting.version() || current.get().state() != Lifecycle.DELETING
                    || !current.get().sid().equals(deleting.sid())) {
                return done(Boolean.TRUE);
            }
            StreamRecord s = current.get();
            StreamRecord deleted = new StreamRecord(s.version() + 1, Lifecycle.DELETED, s.sid(), s.createdAtMs(),
                    s.deletedAtMs().isPresent() ? s.deletedAtMs() : OptionalLong.of(wallClockMs.getAsLong()), s.config(), s.cipher(),
                    s.genesis(), s.genesisVersion(), Optional.empty(), Optional.empty());
            return claimed(streamLog(basin, stream).claim(deleted.version(), CatalogCodec.encode(deleted)), Boolean.TRUE);
        })).thenApply(x -> null);
    }

    private static StreamRecord activeStream(String basin, String stream, StreamRecord s) {
        if (s.state() == Lifecycle.DELETING) {
            throw S2Error.streamDeletionPending(basin, stream);
        }
        return s;
    }

    // ---------------------------------------------------------------- helpers

    private static <T> CompletionStage<Optional<T>> done(T value) {
        return CompletableFuture.completedFuture(Optional.of(value));
    }

    /** A claim's result: the value when this call claimed the version, empty (read and decide again) when not. */
    private static <T> CompletionStage<Optional<T>> claimed(CompletionStage<Boolean> claim, T value) {
        return claim.thenApply(won -> won ? Optional.of(value) : Optional.empty());
    }
}
