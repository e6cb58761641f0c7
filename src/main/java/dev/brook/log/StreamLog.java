package dev.brook.log;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendDecision;
import dev.brook.core.Rejection;
import dev.brook.core.SequencedRecord;
import dev.brook.core.StreamState;
import dev.brook.store.StoreException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;

/**
 * One stream incarnation's log, as one instance sees it: appends through group commit, reads,
 * check-tail and trim runs. Instances share nothing but the store; any number may serve one stream.
 */
public final class StreamLog {

    private final Chain chain;
    private final Committer committer;
    private final Reader reader;
    private final Trimmer trimmer;
    private final Compactor compactor;
    private final Map<String, CompletableFuture<List<AppendOutcome>>> forwards = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<List<AppendOutcome>>> eldest) {
            return size() > FORWARDS_REMEMBERED_MAX;
        }
    };

    /**
     * What differs between logs of one process.
     *
     * @param meter           the metered size of a stored record as reads bound it (an encrypted record
     *                        counts as its plaintext)
     * @param recordSeqNumMax the highest sequence number a record other than a command may take, decided
     *                        in the fold against the validated tail (aes-256-gcm streams: 2^32 - 1)
     * @param peering         how this instance reaches the others writing the stream; empty when it
     *                        neither names itself in its commits nor hands batches to peers
     */
    public record Options(ToLongFunction<SequencedRecord> meter, long recordSeqNumMax, Optional<Peering> peering) {
        public static final Options DEFAULT = new Options(SequencedRecord::meteredBytes, AppendDecision.RECORD_SEQ_NUM_UNLIMITED);

        public Options(ToLongFunction<SequencedRecord> meter, long recordSeqNumMax) {
            this(meter, recordSeqNumMax, Optional.empty());
        }

        public Options withPeering(Peering p) {
            return new Options(meter, recordSeqNumMax, Optional.of(p));
        }
    }

    /** Forwards remembered per log, so that a duplicate delivery is answered with the first one's outcomes. */
    static final int FORWARDS_REMEMBERED_MAX = 4096;

    /**
     * @param sid     the incarnation's id (32 hex digits), never reused
     * @param genesis the state of the stream before its first commit (its configuration at creation)
     */
    public StreamLog(LogEnv env, String sid, StreamState genesis) {
        this(env, sid, genesis, Options.DEFAULT);
    }

    public StreamLog(LogEnv env, String sid, StreamState genesis, Options options) {
        LogKeys keys = new LogKeys(sid);
        Floors floors = new Floors(env.store(), keys, env.settings(), env.nanoClock());
        this.chain = new Chain(env.store(), keys, floors, env.settings(), genesis, env.nanoClock());
        this.committer = new Committer(chain, env, options.recordSeqNumMax(), options.peering());
        Segments segments = new Segments(env.store(), keys, env.settings().segmentCellRecords(), env.commits(),
                () -> chain.floors().cached().floor().start());
        this.reader = new Reader(chain, env, options.meter(), segments);
        this.trimmer = new Trimmer(chain, reader, env, segments);
        this.compactor = new Compactor(chain, trimmer, env, segments);
    }

    public String sid() {
        return chain.keys().sid();
    }

    /** Tells {@code listener} of every commit this instance adds, once it is durable and guarded. */
    public void onCommitted(java.util.function.Consumer<TailPosition> listener) {
        committer.onCommitted(listener);
    }

    /** Tells {@code listener} of every commit this instance wins, once it is durable and guarded, with where it starts. */
    public void onWon(java.util.function.Consumer<CommitNotice> listener) {
        committer.onWon(listener);
    }

    /** True when no item is queued or being committed: dropping this object then loses nothing but caches. */
    public boolean idle() {
        return committer.idle();
    }

    public CompletionStage<AppendOutcome> append(AppendBatch batch) {
        return append(batch, UnaryOperator.identity());
    }

    /** An append whose accepted records are stored as {@code seal} makes them (encryption at rest). */
    public CompletionStage<AppendOutcome> append(AppendBatch batch, UnaryOperator<SequencedRecord> seal) {
        return committer.submit(new Committer.Item.Batch(batch, seal));
    }

    /**
     * A batch of an append session: once one of the session's batches fails (rejected, failed, or
     * with an unknown outcome), none of its later batches is applied; they fail as
     * {@link AppendOutcome.Failure#SESSION_BROKEN}. Batches of one session must be submitted in
     * session order, to this log only; their outcomes complete in that order.
     */
    public CompletionStage<AppendOutcome> append(AppendBatch batch, UnaryOperator<SequencedRecord> seal, AppendSession session) {
        return committer.submit(new Committer.Item.Batch(batch, seal, Optional.of(session)));
    }

    /**
     * Batches a peer handed over ({@link Peering#forward}): committed here in this instance's groups,
     * never passed on, one outcome each, in order. A forward delivered again under the same
     * {@code id} gets the first delivery's outcomes and appends nothing (ids are remembered per log,
     * up to {@link #FORWARDS_REMEMBERED_MAX}; the sender never resends, so only a network that
     * duplicates a request delivers one twice, and it does so soon after).
     */
    public CompletionStage<List<AppendOutcome>> acceptForwarded(String id, List<AppendBatch> batches) {
        CompletableFuture<List<AppendOutcome>> mine = new CompletableFuture<>();
        CompletableFuture<List<AppendOutcome>> first;
        synchronized (forwards) {
            first = forwards.putIfAbsent(id, mine);
        }
        if (first != null) {
            return first;
        }
        Optional<String> leader = committer.leader();
        if (leader.isPresent()) {
            // This instance hands its own batches on: point the sender there instead of racing the leader.
            synchronized (forwards) {
                forwards.remove(id, mine);
            }
            Peering.NotDelivered redirect = new Peering.NotDelivered("this instance hands this stream's batches to "
                    + leader.get(), leader);
            mine.completeExceptionally(redirect);
            return CompletableFuture.failedFuture(redirect);
        }
        List<CompletableFuture<AppendOutcome>> each = new ArrayList<>(batches.size());
        for (AppendBatch b : batches) {
            each.add(committer.submit(new Committer.Item.Batch(b, UnaryOperator.identity(), Optional.empty(), true)).toCompletableFuture());
        }
        CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                .whenComplete((x, e) -> mine.complete(each.stream().map(CompletableFuture::join).toList()));
        return mine;
    }

    /** A zero-record commit changing the state (reconfiguration, seal); {@code change} keeps positions. */
    public CompletionStage<AppendOutcome> control(String what, UnaryOperator<StreamState> change) {
        return committer.submit(new Committer.Item.Control(what, change));
    }

    /**
     * Delete-on-empty's seal (docs/LIFECYCLE.md, "Delete-on-empty"): seals the log if, and only if, its
     * tail is still {@code end}, the tail at which the stream was judged empty (a control commit that
     * changes nothing when an append landed first). True when this sealed it, or found it sealed; false
     * when the tail moved (the stream is not empty any more, nothing is lost). Fails with a
     * {@link StoreException} when the commit did not reach the stream: OUTCOME_UNKNOWN when
     * it may have landed, TRANSIENT otherwise.
     */
    public CompletionStage<Boolean> sealIfAt(long end) {
        return control("seal-if-empty", st -> st.sealed() || st.nextSeq() != end ? st
                : new StreamState(st.nextSeq(), st.lastTimestamp(), st.fencingToken(), st.trimPoint(), st.configVersion(),
                st.timestamping(), true))
                .thenApply(o -> {
                    if (o instanceof AppendOutcome.Rejected r && r.rejection() instanceof Rejection.StreamSealed) {
                        return true;
                    }
                    if (o instanceof AppendOutcome.Failed f) {
                        throw new StoreException(f.mayHaveLanded() ? StoreException.Kind.OUTCOME_UNKNOWN : StoreException.Kind.TRANSIENT,
                                "seal-if-empty did not reach the stream: " + f.message());
                    }
                    return o instanceof AppendOutcome.Applied a && a.tailSeq() == end;
                });
    }

    /** The durable tail, from storage (linearizable: reflects every append acknowledged before the call). */
    public CompletionStage<TailPosition> checkTail() {
        return chain.tail().thenApply(t -> new TailPosition(t.state().nextSeq(), t.state().lastTimestamp()));
    }

    /**
     * Another process's notice of a commit ending at {@code end}: the tail this process validated
     * after following the chain to it (Reader#learn); behind {@code end} when the notice did not hold.
     * Not linearizable: for waking followers, never for check-tail.
     */
    public CompletionStage<TailPosition> learn(long end) {
        return reader.learn(end);
    }

    /** The state after the durable tail, from storage. */
    public CompletionStage<StreamState> state() {
        return chain.tail().thenApply(Chain.Tail::state);
    }

    public CompletionStage<ReadOutcome> read(ReadRequest request) {
        return reader.read(request);
    }

    /** A read that continues one which already read the tail from storage: it may use the tail validated here last (Reader#readOn). */
    public CompletionStage<ReadOutcome> readOn(ReadRequest request) {
        return reader.readOn(request);
    }

    /** A continuing read answered at once from commits validated in memory, or empty (Reader#readOnFromMemory). */
    public Optional<ReadOutcome> readOnFromMemory(ReadRequest request) {
        return reader.readOnFromMemory(request);
    }

    /** After the seal: floor to infinity, then delete what lies below the seal (repeat while {@code more}). */
    public CompletionStage<TrimReport> purge() {
        return trimmer.purge();
    }

    /** Deletes what retention hides and trims made unreachable, within the per-run budget (Trimmer#expire). */
    public CompletionStage<ExpiryReport> expire(ReadRequest.Retention retention) {
        return trimmer.expire(retention);
    }

    /** Rewrites whole cells of old commits into segments, within the per-run budget (Compactor). */
    public CompletionStage<CompactionReport> compact() {
        return compactor.run();
    }

    /** Raises the floor to the trim point and deletes commits below it, within the per-run budget. */
    public CompletionStage<TrimReport> trim() {
        return trimmer.run();
    }
}
