package dev.brook.log;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendDecision;
import dev.brook.core.SequencedRecord;
import dev.brook.core.StreamState;
import java.util.Optional;
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

    /**
     * What differs between logs of one process.
     *
     * @param meter           the metered size of a stored record as reads bound it (an encrypted record
     *                        counts as its plaintext)
     * @param recordSeqNumMax the highest sequence number a record other than a command may take, decided
     *                        in the fold against the validated tail (aes-256-gcm streams: 2^32 - 1)
     */
    public record Options(ToLongFunction<SequencedRecord> meter, long recordSeqNumMax) {
        public static final Options DEFAULT = new Options(SequencedRecord::meteredBytes, AppendDecision.RECORD_SEQ_NUM_UNLIMITED);
    }

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
        this.committer = new Committer(chain, env, options.recordSeqNumMax());
        this.reader = new Reader(chain, env, options.meter());
        this.trimmer = new Trimmer(chain, reader, env);
    }

    public String sid() {
        return chain.keys().sid();
    }

    /** Tells {@code listener} of every commit this instance adds, once it is durable and guarded. */
    public void onCommitted(java.util.function.Consumer<TailPosition> listener) {
        committer.onCommitted(listener);
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

    /** A zero-record commit changing the state (reconfiguration, seal); {@code change} keeps positions. */
    public CompletionStage<AppendOutcome> control(String what, UnaryOperator<StreamState> change) {
        return committer.submit(new Committer.Item.Control(what, change));
    }

    /** The durable tail, from storage (linearizable: reflects every append acknowledged before the call). */
    public CompletionStage<TailPosition> checkTail() {
        return chain.tail().thenApply(t -> new TailPosition(t.state().nextSeq(), t.state().lastTimestamp()));
    }

    /** The state after the durable tail, from storage. */
    public CompletionStage<StreamState> state() {
        return chain.tail().thenApply(Chain.Tail::state);
    }

    public CompletionStage<ReadOutcome> read(ReadRequest request) {
        return reader.read(request);
    }

    /** After the seal: floor to infinity, then delete what lies below the seal (repeat while {@code more}). */
    public CompletionStage<TrimReport> purge() {
        return trimmer.purge();
    }

    /** Raises the floor to the trim point and deletes commits below it, within the per-run budget. */
    public CompletionStage<TrimReport> trim() {
        return trimmer.run();
    }
}
