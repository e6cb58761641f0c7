package dev.brook.engine;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendDecision;
import dev.brook.core.Cipher;
import dev.brook.core.Limits;
import dev.brook.core.Rejection;
import dev.brook.core.S2Error;
import dev.brook.core.StreamConfigSpec;
import dev.brook.core.StreamState;
import dev.brook.core.Timestamping;
import dev.brook.log.AppendOutcome;
import dev.brook.log.AppendSession;
import dev.brook.log.LogEnv;
import dev.brook.log.Peering;
import dev.brook.log.ReadOutcome;
import dev.brook.log.ReadRequest;
import dev.brook.log.StreamLog;
import dev.brook.log.TrimReport;
import dev.brook.store.StoreException;
import dev.brook.core.SequencedRecord;
import dev.brook.engine.crypto.RecordCipher;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
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
    public static final int LOGS_CACHED_MAX = 10_000;

    public enum AutoCreate { NEVER, ON_APPEND, ON_READ }

    private final Catalog catalog;
    private final LogEnv env;
    private final Map<String, StreamRecord> incarnations = new ConcurrentHashMap<>();
    private final LogCache logs;
    private final Optional<Wakeups> wakeups;
    private final DueWork due;
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(DataPlane.class);

    /** Rounds of "woken, but nothing for this reader yet" one long poll may go through. */
    static final int WAIT_ROUNDS_MAX = 1_000;

    public DataPlane(Catalog catalog, LogEnv env) {
        this(catalog, env, LOGS_CACHED_MAX);
    }

    /**
     * @param logsCachedMax stream logs kept in this process when nothing uses them (tests make it
     *                      small); logs in use are never dropped (LogCache)
     */
    public DataPlane(Catalog catalog, LogEnv env, int logsCachedMax) {
        this(catalog, env, logsCachedMax, Optional.empty());
    }

    /**
     * @param peers how this instance names itself in its commits and hands batches to the instance
     *              that keeps winning a stream's tail (docs/LOG.md, "Contention"); empty: neither
     */
    public DataPlane(Catalog catalog, LogEnv env, int logsCachedMax, Optional<Peers> peers) {
        this.catalog = catalog;
        this.env = env;
        this.due = new DueWork(env.store());
        // Every instance must start from the same state: the creation's timestamping at the creation's
        // config version (0 for streams created before it was recorded); later changes reach the log
        // as control commits.
        this.wakeups = peers.map(p -> new Wakeups(env.store(), p, env.wallClockMs(), env.random()));
        this.logs = new LogCache(logsCachedMax, s -> {
            StreamLog log = new StreamLog(env, s.sid(), StreamState.empty(s.genesisVersion(), s.genesis()),
                    peers.map(p -> options(s).withPeering(peering(p, s))).orElseGet(() -> options(s)));
            wakeups.ifPresent(w -> log.onWon(notice -> w.committed(s.sid(), notice)));
            return log;
        }, env.delay(), wakeups.map(w -> TailWatch.Polling.notified(w::keepAlive)).orElse(TailWatch.Polling.ALONE));
    }

    /**
     * Another process's notice of a commit to the incarnation {@code sid}: a hint for this process's
     * followers of it, if any (docs/LOG.md, "Wake-ups"); ignored otherwise.
     */
    public void notified(String sid, dev.brook.log.CommitNotice notice) {
        logs.watchIfPresent(sid).ifPresent(w -> w.notified(notice));
    }

    /** One incarnation's link to the peers: batches of an encrypted stream never leave (the key stays with its request). */
    private static Peering peering(Peers peers, StreamRecord s) {
        return new Peering() {
            @Override
            public String self() {
                return peers.self();
            }

            @Override
            public boolean forwards() {
                return s.cipher().isEmpty();
            }

            @Override
            public CompletionStage<List<AppendOutcome>> forward(String peer, String id, List<AppendBatch> batches) {
                return peers.link().forward(peer, s.sid(), id, batches);
            }
        };
    }

    /**
     * Batches a peer handed to this instance for the incarnation {@code sid} (docs/LOG.md, "Contention"):
     * committed here, one outcome each. Refused with {@link Peering.NotDelivered} when this process does
     * not hold that incarnation's log: it is then no writer the peer could have lost to recently, and
     * the peer commits the batches itself.
     */
    public CompletionStage<List<AppendOutcome>> acceptForwarded(String sid, String id, List<AppendBatch> batches) {
        return logs.usingIfPresent(sid, l -> l.log().acceptForwarded(id, batches)).orElseGet(() ->
                CompletableFuture.failedFuture(new Peering.NotDelivered("this instance holds no log of " + sid)));
    }

    private static String name(String basin, String stream) {
        return basin + '\n' + stream;
    }

    /** Keeps an incarnation's log (its queue, its tail cache) in this process until closed. */
    public interface Pin extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Pins the incarnation's log for an append session: its batches all go to the one group-commit
     * queue this process has for the stream (each submission holds its own lease as well).
     */
    public Pin pin(StreamRecord s) {
        return logs.acquire(s);
    }

    /**
     * Encrypted streams meter records by their plaintext; under aes-256-gcm (random 96-bit nonces)
     * no record but a command may take a sequence number above 2^32 - 1, as in S2 (decision 16).
     */
    static StreamLog.Options options(StreamRecord s) {
        if (s.cipher().isEmpty()) {
            return StreamLog.Options.DEFAULT;
        }
        long recordSeqNumMax = s.cipher().get() == Cipher.AES_256_GCM ? Limits.AES_256_GCM_SEQ_NUM_MAX
                : AppendDecision.RECORD_SEQ_NUM_UNLIMITED;
        return new StreamLog.Options(DataPlane::encryptedMeteredBytes, recordSeqNumMax);
    }

    /** Logs held in this process now (tests). */
    int logsCached() {
        return logs.size();
    }

    /**
     * Completes with true once this process sees the incarnation's tail beyond {@code seq} (its own
     * commit wakes it at once, others' are found by polling), or with false after {@code waitMs}.
     */
    public CompletionStage<Boolean> awaitBeyond(StreamRecord s, long seq, long waitMs) {
        return awaitBeyond(s, seq, waitMs, null);
    }

    /** As {@link #awaitBeyond(StreamRecord, long, long)}, woken on {@code wakeOn} (see {@link TailWatch}). */
    public CompletionStage<Boolean> awaitBeyond(StreamRecord s, long seq, long waitMs, java.util.concurrent.Executor wakeOn) {
        return logs.using(s, l -> l.watch().awaitBeyond(seq, waitMs, wakeOn));
    }

    /** A read's outcome, and whether its records came from waiting at the live tail. */
    public record ReadResult(ReadOutcome outcome, boolean live) {}

    /**
     * A read that, when nothing is stored after its start, waits up to {@code waitMs} for records to
     * arrive and returns as soon as some do (spec §7.3 long poll).
     */
    public CompletionStage<ReadResult> read(String basin, String stream, ReadRequest request, long waitMs, Optional<byte[]> key,
                                            StreamConfigSpec autoCreateConfig) {
        long deadline = env.wallClockMs().getAsLong() + waitMs;
        return read(basin, stream, request, key, autoCreateConfig, false).thenCompose(o -> {
            if (waitMs <= 0 || !(o instanceof ReadOutcome.Records r) || !r.records().isEmpty() || !r.atTail()) {
                return CompletableFuture.completedFuture(new ReadResult(o, false));
            }
            ReadRequest from = new ReadRequest(new ReadRequest.Start.SeqNum(r.startSeq()), request.count(), request.bytes(),
                    request.until(), false, true);
            return waitFor(basin, stream, from, r, deadline, key, 0);
        });
    }

    private CompletionStage<ReadResult> waitFor(String basin, String stream, ReadRequest from, ReadOutcome.Records last, long deadline,
                                                Optional<byte[]> key, int round) {
        long remaining = deadline - env.wallClockMs().getAsLong();
        if (remaining <= 0 || round >= WAIT_ROUNDS_MAX) {
            return CompletableFuture.completedFuture(new ReadResult(last, false));
        }
        long seq = ((ReadRequest.Start.SeqNum) from.start()).seqNum();
        return resolve(basin, stream, AutoCreate.NEVER)
                .thenCompose(s -> awaitBeyond(s, seq, remaining))
                .thenCompose(woken -> {
                    if (!woken) {
                        return CompletableFuture.completedFuture(new ReadResult(last, false));
                    }
                    return read(basin, stream, from, key, StreamConfigSpec.EMPTY, false, true).thenCompose(o -> {
                        if (o instanceof ReadOutcome.Records r && r.records().isEmpty() && r.atTail()) {
                            return waitFor(basin, stream, from, r, deadline, key, round + 1);
                        }
                        return CompletableFuture.completedFuture(new ReadResult(o, o instanceof ReadOutcome.Records));
                    });
                });
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
                                // Created here: its lifecycle check is armed like an explicit create's (failure
                                // only logged: the first append arms it again).
                                return armLifecycle(basin, stream, p.value()).handle((x, e) -> {
                                    if (e != null) {
                                        LOG.warnf("lifecycle check of %s/%s not armed: %s", basin, stream, e.getMessage());
                                    }
                                    return p.value();
                                });
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

    public CompletionStage<AppendOutcome> append(String basin, String stream, AppendBatch batch, Optional<byte[]> key,
                                                 StreamConfigSpec autoCreateConfig, boolean retried) {
        return resolve(basin, stream, AutoCreate.ON_APPEND, autoCreateConfig)
                .thenCompose(s -> afterAck(basin, stream, s, batch, append(s, batch, key)))
                .thenCompose(outcome -> {
                    if (outcome instanceof AppendOutcome.Rejected r && r.rejection() instanceof Rejection.StreamSealed) {
                        forget(basin, stream);
                        if (retried) {
                            throw S2Error.streamDeletionPending(basin, stream);
                        }
                        // The cached incarnation was deleted; the name may have a new one, or be being deleted.
                        return append(basin, stream, batch, key, autoCreateConfig, true);
                    }
                    return CompletableFuture.completedFuture(outcome);
                });
    }

    /**
     * An append of an S2S append session on a stream it resolved at its start: submitted to group
     * commit at once (so a session's batches queue in the order they are submitted), under the
     * session's {@code link}, which keeps every batch after its first failure from being applied.
     * A deleted stream answers {@code Rejected(StreamSealed)}; the session ends there.
     */
    public CompletionStage<AppendOutcome> append(String basin, String stream, StreamRecord s, AppendBatch batch,
                                                 Optional<byte[]> key, AppendSession link) {
        UnaryOperator<SequencedRecord> seal = sealer(s, key);
        return afterAck(basin, stream, s, batch, logs.using(s, l -> l.log().append(batch, seal, link)));
    }

    /** The janitor's index of due work (docs/LIFECYCLE.md). */
    public DueWork dueWork() {
        return due;
    }

    /** This process's wall clock, as the log environment has it (simulations inject theirs). */
    public long nowMs() {
        return env.wallClockMs().getAsLong();
    }

    /** The log environment's monotonic clock, for deadlines. */
    public long nanos() {
        return env.nanoClock().getAsLong();
    }

    /**
     * Work an acknowledged append makes due in the janitor's index (docs/LIFECYCLE.md), recorded after
     * the ack, off its path and without reordering a session's batches; the outcome returned is the
     * append's, whatever the index write does:
     * <ul>
     *   <li>a trim command frees storage in the background: a trim task is due at once (a process that
     *       dies in between leaves the commits to the stream's next trim);</li>
     *   <li>the first append to a stream in this process makes sure its lifecycle check is armed
     *       ({@link StreamLifecycle#armDueMs}: one conditional PUT per stream per process, a no-op when
     *       the check is already there), so that a stream whose arming at creation was lost still expires.</li>
     * </ul>
     */
    private CompletionStage<AppendOutcome> afterAck(String basin, String stream, StreamRecord s, AppendBatch batch,
                                                    CompletionStage<AppendOutcome> outcome) {
        boolean trim = batch.carriesTrim();
        boolean arm = !armedHere.contains(s.sid()) && StreamLifecycle.armDueMs(s).isPresent();
        return outcome.whenComplete((o, failure) -> {
            if (!(o instanceof AppendOutcome.Acked acked)) {
                return;
            }
            long cell = env.settings().segmentCellRecords();
            if (acked.range().startSeq() / cell != acked.range().endSeq() / cell) {
                // This batch completed a cell of the sequence space (once per cell): the stream's lifecycle check
                // compacts what is ready (docs/LIFECYCLE.md, "Compaction").
                due.schedule(DueWork.Task.lifecycle(basin, stream), env.wallClockMs().getAsLong()).whenComplete((x, e) -> {
                    if (e != null) {
                        LOG.warnf("compaction of %s/%s not recorded for the janitor (the next cell records it): %s", basin, stream,
                                e.getMessage());
                    }
                });
            }
            if (trim) {
                due.schedule(DueWork.Task.trim(s, basin, stream), env.wallClockMs().getAsLong()).whenComplete((x, e) -> {
                    if (e != null) {
                        LOG.warnf("trim of %s/%s not recorded for the janitor (the next trim frees it): %s", basin, stream, e.getMessage());
                    }
                });
            }
            if (arm && armedHere.add(s.sid())) {
                if (armedHere.size() > ARMED_REMEMBERED_MAX) {
                    armedHere.clear(); // forgetting only costs a conditional PUT per stream
                }
                armLifecycle(basin, stream, s).whenComplete((x, e) -> {
                    if (e != null) {
                        armedHere.remove(s.sid());
                        LOG.warnf("lifecycle check of %s/%s not armed (the next append tries again): %s", basin, stream, e.getMessage());
                    }
                });
            }
        });
    }

    /** Streams whose lifecycle check this process made sure of (bounded: cleared past this many). */
    static final int ARMED_REMEMBERED_MAX = 100_000;
    private final java.util.Set<String> armedHere = ConcurrentHashMap.newKeySet();

    /**
     * Arms the stream's lifecycle check (retention, delete-on-empty) in the janitor's index, if its
     * configuration asks for one. The due time depends only on the incarnation, so arming it again
     * writes the same key (docs/LIFECYCLE.md).
     */
    public CompletionStage<Void> armLifecycle(String basin, String stream, StreamRecord s) {
        java.util.OptionalLong dueMs = StreamLifecycle.armDueMs(s);
        return dueMs.isEmpty() ? CompletableFuture.completedFuture(null)
                : due.schedule(DueWork.Task.lifecycle(basin, stream), dueMs.getAsLong());
    }

    /** What retention hides from a read of {@code s} now, by the store's clock (docs/LIFECYCLE.md, "Retention"). */
    ReadRequest.Retention retention(StreamRecord s) {
        return s.config().retention() instanceof dev.brook.core.RetentionPolicy.Age a
                ? ReadRequest.Retention.age(s.version(), a.seconds(), env.store().clockMs())
                : ReadRequest.Retention.keepAll(s.version());
    }

    /** The store's clock now, as this process can tell (ObjectStore#clockMs). */
    public long storeNowMs() {
        return env.store().clockMs();
    }

    /** One compaction run of an incarnation: old cells of commits rewritten into segments, bounded. */
    public CompletionStage<dev.brook.log.CompactionReport> compact(StreamRecord s) {
        return logs.using(s, l -> l.log().compact());
    }

    /** One expiry run of an incarnation: deletes what its retention hides and its trims made unreachable, bounded. */
    public CompletionStage<dev.brook.log.ExpiryReport> expire(StreamRecord s) {
        return logs.using(s, l -> l.log().expire(retention(s)));
    }

    /**
     * Seals the incarnation's log if, and only if, its tail is still {@code end}: true when this sealed
     * it, or found it sealed; false when an append landed first (the stream is not empty any more).
     * Delete-on-empty's seal (docs/LIFECYCLE.md, "Delete-on-empty"): {@link StreamLog#sealIfAt}.
     */
    public CompletionStage<Boolean> sealIfAt(StreamRecord s, long end) {
        return logs.using(s, l -> l.log().sealIfAt(end));
    }

    /** One trim run of an incarnation: deletes commits below its trim point, a bounded number per run. */
    public CompletionStage<TrimReport> trim(StreamRecord s) {
        return logs.using(s, l -> l.log().trim());
    }

    private CompletionStage<AppendOutcome> append(StreamRecord s, AppendBatch batch, Optional<byte[]> key) {
        UnaryOperator<SequencedRecord> seal = sealer(s, key);
        return logs.using(s, l -> l.log().append(batch, seal));
    }

    public CompletionStage<ReadOutcome> read(String basin, String stream, ReadRequest request, Optional<byte[]> key,
                                             StreamConfigSpec autoCreateConfig, boolean retried) {
        return read(basin, stream, request, key, autoCreateConfig, retried, false);
    }

    /**
     * @param continuing the read continues one that already read the tail from storage (a session's next
     *                   batch, a long poll woken at the tail): it may be bounded by the tail this process
     *                   validated last instead of reading the tail again (docs/LOG.md, "Reading"), and is
     *                   answered at once when memory holds all it needs ({@link #readFromMemory})
     */
    public CompletionStage<ReadOutcome> read(String basin, String stream, ReadRequest request, Optional<byte[]> key,
                                             StreamConfigSpec autoCreateConfig, boolean retried, boolean continuing) {
        if (continuing) {
            Optional<ReadOutcome> now = readFromMemory(basin, stream, request); // a woken follower's read, usually
            if (now.isPresent()) {
                return CompletableFuture.completedFuture(now.get());
            }
        }
        return resolve(basin, stream, AutoCreate.ON_READ, autoCreateConfig).thenCompose(s -> {
            Optional<RecordCipher> cipher = cipher(s, key);
            ReadRequest judged = request.withRetention(retention(s));
            return logs.using(s, l -> continuing ? l.log().readOn(judged) : l.log().read(judged)).thenApply(o -> cipher.isEmpty() || !(o instanceof ReadOutcome.Records r) ? o
                    : new ReadOutcome.Records(open(s, cipher.get(), r.records()), r.tailSeq(), r.tailTimestamp(), r.startSeq()));
        }).thenCompose(outcome -> {
            if (outcome instanceof ReadOutcome.Sealed) {
                forget(basin, stream);
                if (retried) {
                    throw S2Error.streamDeletionPending(basin, stream);
                }
                return read(basin, stream, request, key, autoCreateConfig, true);
            }
            if (outcome instanceof ReadOutcome.Reconfigured) {
                // Reconfigured elsewhere since this process read the stream's record: read it again, judge again.
                forget(basin, stream);
                if (retried) {
                    throw new StoreException(StoreException.Kind.TRANSIENT, "the configuration of " + basin + "/" + stream
                            + " changed twice during one read");
                }
                return read(basin, stream, request, key, autoCreateConfig, true, continuing);
            }
            return CompletableFuture.completedFuture(outcome);
        });
    }

    /**
     * A continuing read ({@link #read(String, String, ReadRequest, Optional, StreamConfigSpec, boolean, boolean)}
     * with {@code continuing}) answered at once from commits this process holds validated, when it can
     * be: what that read would answer, without a stage chained or storage asked (StreamLog#readOnFromMemory).
     * Empty when it cannot (the name or its log not held here, an encrypted stream, anything the log
     * must fetch or judge): then read as usual. A follower woken by a commit reads it this way.
     */
    public Optional<ReadOutcome> readFromMemory(String basin, String stream, ReadRequest request) {
        StreamRecord s = incarnations.get(name(basin, stream));
        if (s == null || s.cipher().isPresent()) {
            return Optional.empty();
        }
        StreamLog log = logs.logIfPresent(s.sid());
        return log == null ? Optional.empty() : log.readOnFromMemory(request.withRetention(retention(s)));
    }

    /**
     * What a session checks before it starts: the stream ({@code autoCreate} says whether a missing
     * one is created, with {@code config}) and that the request's key opens it.
     */
    public CompletionStage<StreamRecord> preflight(String basin, String stream, AutoCreate autoCreate, StreamConfigSpec config,
                                                   Optional<byte[]> key) {
        return resolve(basin, stream, autoCreate, config).thenApply(s -> {
            cipher(s, key);
            return s;
        });
    }

    // ---------------------------------------------------------------- encryption at rest

    /**
     * The cipher of an encrypted stream with the request's key, checked before anything is read or
     * written (spec §4.3); empty for a plaintext stream, whatever key was sent.
     */
    public static Optional<RecordCipher> cipher(StreamRecord s, Optional<byte[]> key) {
        if (s.cipher().isEmpty()) {
            return Optional.empty();
        }
        String name = s.cipher().get().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        byte[] k = key.orElseThrow(() -> new S2Error(dev.brook.core.ErrorCode.BAD_HEADER,
                "missing encryption key for stream cipher '" + name + "'"));
        return Optional.of(RecordCipher.of(RecordCipher.Algorithm.of(s.cipher().get()), k));
    }

    /** Stores every record but commands encrypted, bound to its stream and position. */
    private UnaryOperator<SequencedRecord> sealer(StreamRecord s, Optional<byte[]> key) {
        Optional<RecordCipher> cipher = cipher(s, key);
        if (cipher.isEmpty()) {
            return UnaryOperator.identity();
        }
        return r -> isCommand(r) ? r : new SequencedRecord(r.seqNum(), r.timestamp(), List.of(),
                cipher.get().seal(aad(s.sid(), r.seqNum()), r.headers(), r.body(), env.random()));
    }

    private static List<SequencedRecord> open(StreamRecord s, RecordCipher cipher, List<SequencedRecord> stored) {
        List<SequencedRecord> out = new ArrayList<>(stored.size());
        for (SequencedRecord r : stored) {
            if (isCommand(r)) {
                out.add(r);
                continue;
            }
            try {
                RecordCipher.Opened o = cipher.open(aad(s.sid(), r.seqNum()), r.body());
                out.add(new SequencedRecord(r.seqNum(), r.timestamp(), o.headers(), o.body()));
            } catch (RecordCipher.DecryptionFailed e) {
                throw new S2Error(dev.brook.core.ErrorCode.DECRYPTION_FAILED, "record decryption failed");
            }
        }
        return out;
    }

    /** Reads bound an encrypted record by its plaintext size, which its envelope carries in clear. */
    private static long encryptedMeteredBytes(SequencedRecord r) {
        if (isCommand(r)) {
            return r.meteredBytes();
        }
        try {
            return RecordCipher.plaintextMeteredBytes(r.body());
        } catch (RecordCipher.DecryptionFailed e) {
            return r.meteredBytes();
        }
    }

    private static boolean isCommand(SequencedRecord r) {
        return r.headers().size() == 1 && r.headers().get(0).name().length == 0;
    }

    /** Associated data: the stream incarnation and the position, so a record cannot be moved and still open. */
    private static byte[] aad(String sid, long seqNum) {
        byte[] id = sid.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return java.nio.ByteBuffer.allocate(id.length + 8).put(id).putLong(seqNum).array();
    }

    /** The tail's state, from storage: the next sequence number and the last timestamp. */
    public CompletionStage<StreamState> checkTail(String basin, String stream, StreamConfigSpec autoCreateConfig, boolean retried) {
        return resolve(basin, stream, AutoCreate.ON_READ, autoCreateConfig).thenCompose(s -> state(s).thenCompose(state -> {
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

    /** The state after the incarnation's durable tail, from storage. */
    public CompletionStage<StreamState> state(StreamRecord s) {
        return logs.using(s, l -> l.log().state());
    }

    /** One purge run of a sealed incarnation (the janitor repeats it while {@code more}). */
    public CompletionStage<TrimReport> purge(StreamRecord s) {
        return logs.using(s, l -> l.log().purge());
    }

    /**
     * Makes the log enforce the configuration of {@code s} (docs/LOG.md, decision 23): a control
     * commit at the tail that sets config version and timestamping to the record's whenever the log's
     * version is older, even if the timestamping is the same, so that an older reconfiguration still
     * in flight elsewhere cannot land after it and win. Idempotent: a log at this version or a later
     * one is left as it is. True once the log enforces this version or a later one; false when the
     * log is sealed (the incarnation is being deleted); a store failure when that is not known.
     */
    public CompletionStage<Boolean> reconcile(StreamRecord s) {
        Timestamping t = s.config().timestamping();
        long version = s.version();
        return logs.using(s, l -> l.log().control("reconfigure", st -> st.configVersion() >= version ? st
                : new StreamState(st.nextSeq(), st.lastTimestamp(), st.fencingToken(), st.trimPoint(), version, t, st.sealed())))
                .thenApply(o -> {
                    if (o instanceof AppendOutcome.Rejected r && r.rejection() instanceof Rejection.StreamSealed) {
                        return false;
                    }
                    requireApplied(o, "reconfigure");
                    return true;
                });
    }

    /** Seals a deleting stream's log: after this no append to it can be acknowledged. */
    public CompletionStage<Void> seal(StreamRecord deleting) {
        return logs.using(deleting, l -> l.log().control("seal", s -> s.sealed() ? s
                : new StreamState(s.nextSeq(), s.lastTimestamp(), s.fencingToken(), s.trimPoint(), s.configVersion(), s.timestamping(), true)))
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
