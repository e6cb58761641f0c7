package dev.brook.log;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendDecision;
import dev.brook.core.Fold;
import dev.brook.core.Rejection;
import dev.brook.core.SequencedRecord;
import dev.brook.core.StreamState;
import dev.brook.core.Verdict;
import dev.brook.store.ObjectStore;
import dev.brook.store.PutOutcome;
import dev.brook.store.StoreException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Group commit for one stream on one instance (docs/LOG.md, appending): at most one commit in flight;
 * items that arrive meanwhile queue and go into the next commit together, each answered on its
 * own. Every answer, acknowledgement or rejection, is released only after the commit it was
 * decided against is durable and has passed the floor guard.
 *
 * <p>Batches of one append session ({@link AppendSession}) keep S2's prefix rule: after the first
 * one that fails, none of the later ones is applied. In a group, a session's batches after its
 * first rejection are held back from the commit and go back to the queue; a batch of a session
 * that is already broken is never decided and fails as {@link AppendOutcome.Failure#SESSION_BROKEN}.
 */
final class Committer {

    /**
     * Times a control item whose commit had an unknown outcome is decided again before it fails as
     * OUTCOME_UNKNOWN (control changes are idempotent functions of the tail's state).
     */
    static final int CONTROL_UNKNOWN_RETRIES_MAX = 2;

    /** Races lost in a row to one peer after which this instance hands its groups to that peer (docs/LOG.md, "Contention"). */
    static final int FORWARD_AFTER_LOSSES = 2;
    /** The first backoff window after a lost race; it doubles with each further loss of the same group, up to the cap. */
    static final long BACKOFF_FIRST_MS = 10;
    static final long BACKOFF_MAX_MS = 160;
    /**
     * Forwards to the leader that may be in flight at once before the next group waits for one of
     * them: a forward commits nothing here, so groups need not wait for each other's answers.
     */
    static final int FORWARDS_IN_FLIGHT_MAX = 32;
    /** Refusals naming another leader followed in a row; after that the group is committed here (no endless chase). */
    static final int REDIRECTS_MAX = 2;
    /**
     * How long after its guard the tail this instance wrote itself is extended without reading the
     * tail first (docs/LOG.md, "Appending"): the conditional put finds a stale tail anyway, and the
     * guard after it finds a freed key. The bound keeps the cost of a stale tail (a lost race, then
     * the read) to streams that other processes took over, and the chance of landing on a key freed
     * meanwhile (an unknown outcome) to a window far shorter than any deleter needs to free one.
     */
    static final long OWN_TAIL_FRESH_MS = 1_000;

    /** What can be submitted: a client batch, or a change of state without records. */
    sealed interface Item {
        /**
         * {@code seal} transforms each accepted record as it goes into the commit (encryption at rest);
         * the decision and the acknowledgement see the records as sent. {@code session} links the
         * batches of one append session; empty for a unary append.
         */
        record Batch(AppendBatch batch, UnaryOperator<SequencedRecord> seal, Optional<AppendSession> session, boolean fromPeer)
                implements Item {
            Batch(AppendBatch batch, UnaryOperator<SequencedRecord> seal) {
                this(batch, seal, Optional.empty(), false);
            }

            Batch(AppendBatch batch, UnaryOperator<SequencedRecord> seal, Optional<AppendSession> session) {
                this(batch, seal, session, false);
            }

            boolean ofBrokenSession() {
                return session.isPresent() && session.get().broken();
            }
        }

        /**
         * A zero-record commit: {@code change} maps the tail's state to the new one (same sequence
         * numbers). It must be idempotent (applied to a state it produced, it changes nothing), so
         * that after an unknown outcome it can be decided again against the tail: if its commit
         * landed, the change finds itself there and nothing more is written.
         */
        record Control(String what, UnaryOperator<StreamState> change) implements Item {}
    }

    /** A submitted item and its answer; {@code unknowns} counts commits of it whose outcome was unknown. */
    private record Pending(Item item, CompletableFuture<AppendOutcome> result, int unknowns) {
        Pending(Item item, CompletableFuture<AppendOutcome> result) {
            this(item, result, 0);
        }
    }

    /** How a write of one payload at one key ended, after the guard. */
    private enum Written { WON, LOST, UNKNOWN, RESEND }

    private final Chain chain;
    private final LogEnv env;
    private final ObjectStore store;
    private final LogKeys keys;
    private final long recordSeqNumMax;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private boolean running;
    private long commitsSinceHint;
    private final Optional<Peering> peering;
    /** The peer that won this stream's last race we lost, and how many in a row it won (guarded by this). */
    private String lostTo;
    private int lossesInARow;
    /** Where groups go instead of being committed here, while set (guarded by this). */
    private String leader;
    /** Refusals in a row that named another leader and were followed (guarded by this). */
    private int redirectsInARow;
    /** Forwards sent by {@link #drain} and not answered yet (guarded by this). */
    private int forwardsInFlight;
    /** The writer named by the commit that beat our last write (set by {@link #settle}; one commit in flight at a time). */
    private volatile Optional<String> beatenBy = Optional.empty();
    /** The tail this instance's last won commit made, and when its guard passed (one commit in flight at a time). */
    private volatile Chain.Tail ownTail;
    private volatile long ownTailAtNanos;
    private volatile java.util.function.Consumer<TailPosition> onCommitted = tail -> {};
    private volatile java.util.function.Consumer<CommitNotice> onWon = notice -> {};

    /** @param recordSeqNumMax the highest sequence number a record other than a command may take (AppendDecision) */
    Committer(Chain chain, LogEnv env, long recordSeqNumMax) {
        this(chain, env, recordSeqNumMax, Optional.empty());
    }

    Committer(Chain chain, LogEnv env, long recordSeqNumMax, Optional<Peering> peering) {
        this.peering = peering;
        this.chain = chain;
        this.recordSeqNumMax = recordSeqNumMax;
        this.env = env;
        this.store = env.store();
        this.keys = chain.keys();
    }

    /** Told of every commit this instance wins, after its floor guard (a hint for followers, never needed for correctness). */
    void onCommitted(java.util.function.Consumer<TailPosition> listener) {
        this.onCommitted = listener;
    }

    /** Told of every commit this instance wins, after its floor guard, with its first position (for other processes). */
    void onWon(java.util.function.Consumer<CommitNotice> listener) {
        this.onWon = listener;
    }

    /** The peer this instance hands its groups to now, if any. */
    synchronized Optional<String> leader() {
        return Optional.ofNullable(leader);
    }

    synchronized boolean idle() {
        return queue.isEmpty() && !running && forwardsInFlight == 0;
    }

    CompletionStage<AppendOutcome> submit(Item item) {
        Pending pending = new Pending(item, new CompletableFuture<>());
        boolean start;
        synchronized (this) {
            if (item instanceof Item.Batch b && b.fromPeer()) {
                leader = null; // a peer hands us its batches: commit here
            }
            queue.addLast(pending);
            start = !running;
            running = true;
        }
        if (start) {
            drain();
        }
        return pending.result;
    }

    /** Commits queued groups one after the other until the queue is empty. */
    private void drain() {
        while (true) {
            List<Pending> group;
            List<Pending> abandoned = new ArrayList<>();
            synchronized (this) {
                group = takeGroup(abandoned);
                if (group.isEmpty() && abandoned.isEmpty()) {
                    running = false;
                    return;
                }
            }
            abandon(abandoned);
            if (group.isEmpty()) {
                continue;
            }
            String to = forwardTarget(group);
            if (to != null) {
                // Pipelined: the next group goes out without waiting for this one's answer, up to a bound.
                boolean wait;
                synchronized (this) {
                    wait = ++forwardsInFlight >= FORWARDS_IN_FLIGHT_MAX;
                }
                CompletableFuture<Void> sent = forward(group, to).thenAccept(answered -> {
                    synchronized (this) {
                        forwardsInFlight--;
                    }
                    if (answered.isEmpty()) {
                        // Nothing reached the peer (the leader is forgotten): commit the group here, first in line.
                        requeueFirst(group);
                        resume();
                    }
                }).toCompletableFuture();
                if (wait && !sent.isDone()) {
                    sent.whenComplete((x, e) -> drain());
                    return;
                }
                continue;
            }
            CompletableFuture<Void> round = commitGroup(group).toCompletableFuture();
            if (!round.isDone()) {
                round.whenComplete((x, e) -> drain());
                return;
            }
        }
    }

    /** Starts draining again when items were put back while nothing drains. */
    private void resume() {
        boolean start;
        synchronized (this) {
            start = !running && !queue.isEmpty();
            running |= start;
        }
        if (start) {
            drain();
        }
    }

    /**
     * A control item alone, or client batches up to the commit's caps (at least one). Batches of a
     * broken session met on the way go to {@code abandoned} instead: they are never decided.
     */
    private List<Pending> takeGroup(List<Pending> abandoned) {
        List<Pending> group = new ArrayList<>();
        if (queue.isEmpty()) {
            return group;
        }
        if (queue.peekFirst().item() instanceof Item.Control) {
            group.add(queue.pollFirst());
            return group;
        }
        long bytes = 0;
        while (!queue.isEmpty() && queue.peekFirst().item() instanceof Item.Batch b && group.size() < env.settings().commitBatchesMax()) {
            if (b.ofBrokenSession()) {
                abandoned.add(queue.pollFirst());
                continue;
            }
            long size = b.batch().meteredBytes();
            if (!group.isEmpty() && bytes + size > env.settings().commitBytesMax()) {
                break;
            }
            bytes += size;
            group.add(queue.pollFirst());
        }
        return group;
    }

    private synchronized void requeueFirst(List<Pending> items) {
        for (int i = items.size() - 1; i >= 0; i--) {
            queue.addFirst(items.get(i));
        }
    }

    /**
     * Tries commits for one group until it is answered; never completes exceptionally. After a lost
     * race it waits a random time in a window that doubles with each loss, so that the winner's next
     * group takes what queued meanwhile; once it has lost {@link #FORWARD_AFTER_LOSSES} races in a row
     * to one peer, it hands the group to that peer instead (docs/LOG.md, "Contention").
     */
    private CompletionStage<Void> commitGroup(List<Pending> group) {
        long startNanos = env.nanoClock().getAsLong();
        int[] losses = {0};
        return Loops.until(env.settings().commitAttemptsMax(), env.settings().loopDeadline(env.nanoClock()), attempt -> {
            if (attempt > 0 && elapsedMs(startNanos) > env.settings().appendDeadlineMs()) {
                fail(group, AppendOutcome.Failure.CONTENDED, "lost every race for the tail within "
                        + env.settings().appendDeadlineMs() + " ms");
                return CompletableFuture.completedFuture(Optional.of(true));
            }
            String to = forwardTarget(group);
            if (to != null) {
                return forward(group, to);
            }
            CompletionStage<Void> pause = losses[0] == 0 ? CompletableFuture.completedFuture(null) : env.delay().after(backoffMs(losses[0]));
            // The first attempt extends this instance's own fresh tail as it is, without the two requests of a
            // tail read (the next key's HEAD, the floor read that validates it); any later one reads the tail.
            Chain.Tail own = attempt == 0 ? freshOwnTail() : null;
            CompletionStage<Chain.Tail> tail = own != null ? CompletableFuture.completedFuture(own) : pause.thenCompose(x -> chain.tail());
            return tail.thenCompose(t -> attempt(group, t)).thenApply(answered -> {
                // A put on the own tail that lost found it stale: no backoff, the next attempt reads the tail
                // at once (as the first would have). The winner still counts as a peer that took the tail
                // (it did, within the last second) towards handing groups to it.
                if (answered.isEmpty() && own == null) {
                    losses[0]++;
                }
                return answered;
            });
        }, () -> new ContendedException()).handle((done, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                if (cause instanceof ControlChangeException) {
                    fail(group, AppendOutcome.Failure.UNAVAILABLE, cause.getMessage());
                } else if (cause instanceof ContendedException) {
                    fail(group, AppendOutcome.Failure.CONTENDED, "lost " + env.settings().commitAttemptsMax()
                            + " races for the tail in a row");
                } else {
                    // Only a failure to read the tail gets here: nothing of this group was written yet.
                    fail(group, AppendOutcome.Failure.UNAVAILABLE, "cannot read the stream's tail: " + cause.getMessage());
                }
            }
            return null;
        });
    }

    /** A control change that breaks its contract: a programmer error, reported to its caller. */
    static final class ControlChangeException extends IllegalStateException {
        ControlChangeException(String message) {
            super(message);
        }
    }

    private static final class ContendedException extends RuntimeException {
        ContendedException() {
            super(null, null, false, false);
        }
    }

    /** One attempt against a validated tail: present when the group is answered, empty to try again. */
    private CompletionStage<Optional<Boolean>> attempt(List<Pending> group, Chain.Tail tail) {
        Plan plan = plan(group, tail);
        if (plan.commit == null) {
            answer(group, plan, tail.state());
            return CompletableFuture.completedFuture(Optional.of(true));
        }
        CommitCodec.Encoded encoded = CommitCodec.encode(plan.commit, peering.map(Peering::self));
        return write(plan.commit.key(), encoded, plan.commit.nonce()).thenApply(written -> {
            switch (written) {
                case WON -> {
                    // Its Last-Modified as this process can tell (retention): the store's clock when the PUT was
                    // answered, or the store's stamp when the outcome was settled by reading the key back.
                    CommitSummary summary = CommitCodec.summaryOf(plan.commit.key(), encoded.metadata(), wonStampMs).orElseThrow();
                    Chain.Tail made = Chain.Tail.of(summary);
                    chain.advance(made);
                    ownTail = made;
                    ownTailAtNanos = env.nanoClock().getAsLong();
                    won();
                    // This process's followers read it from memory (encode and decode round-trip exactly).
                    env.commits().put(chain.keys().commit(plan.commit.key()), plan.commit, summary, encoded.body().length);
                    answer(group, plan, plan.commit.state());
                    maybeRefreshHint(plan.commit.key());
                    // Only after the guard: a follower woken by this must find the commit on the chain.
                    onCommitted.accept(new TailPosition(plan.commit.end(), plan.commit.state().lastTimestamp()));
                    onWon.accept(new CommitNotice(plan.commit.key().start(), plan.commit.end(), plan.commit.state().lastTimestamp()));
                    return Optional.of(true);
                }
                case LOST -> {
                    lost(beatenBy);
                    return Optional.empty();
                }
                case UNKNOWN, RESEND -> {
                    chain.forget();
                    unknown(group, plan);
                    return Optional.of(true);
                }
            }
            throw new IllegalStateException("unhandled write outcome " + written);
        });
    }

    /**
     * The decision for a group against a tail: per item a verdict (null for a control item and for
     * an item held back), the items held back from this commit, and the commit to write (null when
     * nothing is).
     */
    private record Plan(List<Verdict> verdicts, BitSet heldBack, Commit commit) {
        Plan(List<Verdict> verdicts, Commit commit) {
            this(verdicts, new BitSet(), commit);
        }
    }

    private Plan plan(List<Pending> group, Chain.Tail tail) {
        StreamState base = tail.state();
        List<Verdict> verdicts = new ArrayList<>();
        StreamState after;
        List<Integer> sizes = new ArrayList<>();
        List<SequencedRecord> records = new ArrayList<>();
        BitSet heldBack = new BitSet();
        if (group.get(0).item() instanceof Item.Control control) {
            if (base.sealed()) {
                return new Plan(List.of(new Verdict.Rejected(new Rejection.StreamSealed())), null);
            }
            after = control.change().apply(base);
            if (after.nextSeq() != base.nextSeq() || after.lastTimestamp() != base.lastTimestamp()) {
                throw new ControlChangeException("control change `" + control.what() + "` must not move the stream");
            }
            verdicts.add(null);
            if (after.equals(base)) {
                return new Plan(verdicts, null);
            }
        } else {
            after = fold(group, base, verdicts, heldBack, recordSeqNumMax);
            for (int i = 0; i < verdicts.size(); i++) {
                if (verdicts.get(i) instanceof Verdict.Accepted a) {
                    UnaryOperator<SequencedRecord> seal = ((Item.Batch) group.get(i).item()).seal();
                    sizes.add(a.records().size());
                    for (SequencedRecord r : a.records()) {
                        records.add(seal.apply(r));
                    }
                }
            }
            if (records.isEmpty()) {
                return new Plan(verdicts, heldBack, null);
            }
        }
        byte[] nonce = new byte[Commit.NONCE_BYTES];
        env.random().nextBytes(nonce);
        Commit commit = new Commit(tail.nextKey(), tail.last().map(CommitSummary::key), tail.hash(), nonce, after, sizes, records);
        return new Plan(verdicts, heldBack, commit);
    }

    /**
     * The group's batches as one left fold ({@link AppendDecision}), one batch at a time so that a
     * session's batches after its first rejection in the group can be left out: they are held back
     * (no verdict, no effect on the state), since S2 applies no batch of a session after one that
     * failed. Leaving a batch out changes only what comes after it, so one pass gives the same
     * verdicts as folding, removing the offenders and folding again until nothing changes.
     * Returns the state after the accepted batches; fills {@code verdicts} and {@code heldBack}.
     */
    private static StreamState fold(List<Pending> group, StreamState base, List<Verdict> verdicts, BitSet heldBack,
                                    long recordSeqNumMax) {
        StreamState state = base;
        Set<AppendSession> rejected = new HashSet<>();
        for (int i = 0; i < group.size(); i++) {
            Item.Batch b = (Item.Batch) group.get(i).item();
            Optional<AppendSession> session = b.session();
            if (b.ofBrokenSession() || session.isPresent() && rejected.contains(session.get())) {
                heldBack.set(i);
                verdicts.add(null);
                continue;
            }
            Fold one = AppendDecision.decide(state, List.of(b.batch()), recordSeqNumMax);
            Verdict v = one.verdicts().get(0);
            if (v instanceof Verdict.Rejected) {
                session.ifPresent(rejected::add);
            }
            verdicts.add(v);
            state = one.after();
        }
        return state;
    }

    /**
     * Answers a group decided against a durable, guarded state. Held-back items go back to the head
     * of the queue first, ahead of anything the answers cause to be submitted: the next round fails
     * them, their session being broken by then.
     */
    private void answer(List<Pending> group, Plan plan, StreamState tailState) {
        requeueFirst(heldBack(group, plan.heldBack));
        for (int i = 0; i < group.size(); i++) {
            if (plan.heldBack.get(i)) {
                continue;
            }
            Verdict v = plan.verdicts.get(i);
            AppendOutcome outcome;
            if (v == null) {
                outcome = new AppendOutcome.Applied(tailState.nextSeq(), tailState.lastTimestamp());
            } else if (v instanceof Verdict.Accepted a) {
                outcome = new AppendOutcome.Acked(a, tailState.nextSeq(), tailState.lastTimestamp());
            } else {
                Rejection why = ((Verdict.Rejected) v).reason();
                breakSession(group.get(i), "a batch was rejected (" + describe(why) + ")");
                outcome = new AppendOutcome.Rejected(why);
            }
            group.get(i).result().complete(outcome);
        }
    }

    /**
     * After a commit whose outcome is unknown: accepted batches fail as OUTCOME_UNKNOWN and are never
     * resent. Rejected ones go back to the queue undecided, since the state that rejected them may
     * never have existed, and so do held-back ones, together in queue order: whether a session's
     * later batches may still be applied is for the next round to tell. A control item (always alone
     * in its group) goes back too, up to {@link #CONTROL_UNKNOWN_RETRIES_MAX} times: its change is
     * idempotent, so deciding it again against the tail read afresh either finds it applied or
     * writes it; after that it fails as OUTCOME_UNKNOWN. Every item is answered (docs/LOG.md).
     */
    private void unknown(List<Pending> group, Plan plan) {
        List<Pending> undecided = new ArrayList<>();
        List<Pending> failed = new ArrayList<>();
        for (int i = 0; i < group.size(); i++) {
            Pending p = group.get(i);
            if (p.item() instanceof Item.Control) {
                if (p.unknowns() < CONTROL_UNKNOWN_RETRIES_MAX) {
                    undecided.add(new Pending(p.item(), p.result(), p.unknowns() + 1));
                } else {
                    failed.add(p);
                }
            } else if (plan.heldBack.get(i) || plan.verdicts.get(i) instanceof Verdict.Rejected) {
                undecided.add(p);
            } else {
                failed.add(p);
            }
        }
        requeueFirst(undecided);
        String message = "the commit at " + plan.commit.key() + " may or may not be in the stream";
        for (Pending p : failed) {
            failOne(p, AppendOutcome.Failure.OUTCOME_UNKNOWN, message);
        }
    }

    private static List<Pending> heldBack(List<Pending> group, BitSet heldBack) {
        List<Pending> items = new ArrayList<>();
        heldBack.stream().forEach(i -> items.add(group.get(i)));
        return items;
    }

    private void fail(List<Pending> group, AppendOutcome.Failure failure, String message) {
        for (Pending p : group) {
            failOne(p, failure, message);
        }
    }

    /** Batches of sessions broken before they were decided: nothing of them is written. */
    private static void abandon(List<Pending> items) {
        for (Pending p : items) {
            String why = ((Item.Batch) p.item()).session().flatMap(AppendSession::why).orElse("");
            p.result().complete(new AppendOutcome.Failed(AppendOutcome.Failure.SESSION_BROKEN,
                    "an earlier batch of this append session failed: " + why));
        }
    }

    /** Fails one item, breaking its session first. */
    private static void failOne(Pending p, AppendOutcome.Failure failure, String message) {
        breakSession(p, failure + ": " + message);
        p.result().complete(new AppendOutcome.Failed(failure, message));
    }

    /** Breaks the item's session, if any, before its answer is released (AppendSession#breakWith). */
    private static void breakSession(Pending p, String why) {
        if (p.item() instanceof Item.Batch b) {
            b.session().ifPresent(s -> s.breakWith(why));
        }
    }

    private static String describe(Rejection why) {
        if (why instanceof Rejection.SeqNumMismatch m) {
            return "seq_num_mismatch, expected " + m.expected();
        }
        if (why instanceof Rejection.FencingTokenMismatch) {
            return "fencing_token_mismatch";
        }
        if (why instanceof Rejection.Invalid i) {
            return "invalid: " + i.message();
        }
        return "the stream is being deleted";
    }

    /**
     * Writes one payload at one key and settles the outcome (docs/LOG.md, appending): resent only
     * byte-identical, never after a 412, and every outcome checked by the floor guard.
     */
    /** The stamp of the commit the last {@link #write} won (one attempt at a time per log). */
    private volatile long wonStampMs;

    private CompletionStage<Written> write(CommitKey key, CommitCodec.Encoded encoded, byte[] nonce) {
        String storeKey = keys.commit(key);
        return Loops.until(env.settings().resendsMax() + 1, env.settings().loopDeadline(env.nanoClock()), send -> store.putIfAbsent(storeKey, encoded.body(), encoded.metadata())
                .handle((outcome, failure) -> {
                    if (failure == null && outcome == PutOutcome.CREATED) {
                        wonStampMs = store.clockMs(); // as close to the store's stamp as this process can tell
                        return guard(key).thenApply(ok -> Optional.of(ok ? Written.WON : Written.UNKNOWN));
                    }
                    if (failure != null && StoreException.unwrap(failure).kind() != StoreException.Kind.TRANSIENT
                            && StoreException.unwrap(failure).kind() != StoreException.Kind.OUTCOME_UNKNOWN) {
                        return CompletableFuture.completedFuture(Optional.of(Written.UNKNOWN));
                    }
                    // 412, or a send whose outcome is unknown: whose object is at the key, and was the key ever freed?
                    return settle(key, nonce, failure == null).thenApply(w -> w == Written.RESEND ? Optional.<Written>empty() : Optional.of(w));
                }).thenCompose(x -> x), () -> new IllegalStateException("resends exhausted"))
                .exceptionally(e -> Written.UNKNOWN);
    }

    /** After a 412 ({@code occupied}) or an unknown send: read the key, then the floor. */
    private CompletionStage<Written> settle(CommitKey key, byte[] nonce, boolean occupied) {
        return chain.summaryAt(key).thenCompose(found -> guard(key).thenApply(neverFreed -> {
            if (!neverFreed) {
                return Written.UNKNOWN; // ours may have landed, been extended, trimmed and replaced
            }
            if (found.isEmpty()) {
                return occupied ? Written.UNKNOWN : Written.RESEND;
            }
            if (found.get().hasNonce(nonce)) {
                wonStampMs = found.get().lastModifiedMs(); // the store's own stamp, read back
                return Written.WON;
            }
            beatenBy = found.get().writer();
            return Written.LOST;
        })).exceptionally(e -> Written.UNKNOWN);
    }

    /** The floor guard: true when a floor read issued now is at or below {@code key}. */
    private CompletionStage<Boolean> guard(CommitKey key) {
        return chain.floors().read().thenApply(view -> !key.isBelow(view.floor()));
    }

    /**
     * The tail made by this instance's last won commit, when nothing newer has been seen here since (a
     * notice, a follower's read, a tail check would have replaced the chain's cached tail) and its guard
     * passed less than {@link #OWN_TAIL_FRESH_MS} ago; null otherwise. Extending it keeps invariant 1:
     * this instance wrote that commit and a floor read issued after the write was at or below its key.
     */
    private Chain.Tail freshOwnTail() {
        Chain.Tail own = ownTail;
        return own != null && chain.cachedTail() == own
                && env.nanoClock().getAsLong() - ownTailAtNanos <= TimeUnit.MILLISECONDS.toNanos(OWN_TAIL_FRESH_MS) ? own : null;
    }

    /** A random wait after the {@code losses}-th lost race of one group, in a window that doubles with each loss. */
    private long backoffMs(int losses) {
        long window = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS << Math.min(losses - 1, 20));
        return env.random().nextLong(window + 1);
    }

    private synchronized void won() {
        redirectsInARow = 0;
        lostTo = null;
        lossesInARow = 0;
        leader = null;
    }

    /** A race lost to the commit of {@code winner}: after enough in a row to one peer, it leads. */
    private synchronized void lost(Optional<String> winner) {
        if (peering.isEmpty() || winner.isEmpty() || winner.get().equals(peering.get().self())) {
            lostTo = null;
            lossesInARow = 0;
            return;
        }
        if (winner.get().equals(lostTo)) {
            lossesInARow++;
        } else {
            lostTo = winner.get();
            lossesInARow = 1;
        }
        if (lossesInARow >= FORWARD_AFTER_LOSSES) {
            leader = lostTo;
        }
    }

    /**
     * The peer to hand this group to, or null to commit it here: only plain batches that came from
     * a client of this instance travel (a session's batches keep their one queue, a peer's batches
     * are never passed on), and only while a leader is known.
     */
    private String forwardTarget(List<Pending> group) {
        if (peering.isEmpty() || !peering.get().forwards()) {
            return null;
        }
        synchronized (this) {
            if (leader == null) {
                return null;
            }
        }
        for (Pending p : group) {
            if (!(p.item() instanceof Item.Batch b) || b.session().isPresent() || b.fromPeer()) {
                return null;
            }
        }
        synchronized (this) {
            return leader;
        }
    }

    /**
     * Hands the group to {@code peer}; its outcomes answer the group's items. When nothing reached the
     * peer the group is tried here again (empty); when that is unknown, its items fail as
     * OUTCOME_UNKNOWN and are never sent anywhere again. Either way the leader is forgotten.
     */
    private CompletionStage<Optional<Boolean>> forward(List<Pending> group, String peer) {
        List<AppendBatch> batches = new ArrayList<>(group.size());
        for (Pending p : group) {
            batches.add(((Item.Batch) p.item()).batch());
        }
        byte[] id = new byte[16];
        env.random().nextBytes(id);
        CompletionStage<List<AppendOutcome>> sent;
        try {
            sent = peering.get().forward(peer, java.util.HexFormat.of().formatHex(id), batches);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        return sent.handle((outcomes, failure) -> {
            if (failure == null && outcomes != null && outcomes.size() == group.size()) {
                synchronized (this) {
                    redirectsInARow = 0;
                }
                TailPosition tail = null;
                for (int i = 0; i < group.size(); i++) {
                    AppendOutcome o = outcomes.get(i);
                    if (o instanceof AppendOutcome.Acked a && (tail == null || a.tailSeq() > tail.seqNum())) {
                        tail = new TailPosition(a.tailSeq(), a.tailTimestamp());
                    }
                    group.get(i).result().complete(o);
                }
                if (tail != null) {
                    // The peer answered after its floor guard: its commit is on the chain.
                    onCommitted.accept(tail);
                }
                return Optional.of(true);
            }
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            synchronized (this) {
                leader = null;
                lostTo = null;
                lossesInARow = 0;
                if (cause instanceof Peering.NotDelivered refused && refused.leader().isPresent()
                        && !refused.leader().get().equals(peering.get().self()) && ++redirectsInARow <= REDIRECTS_MAX) {
                    // The peer hands its batches to another instance: follow it there (a bounded number of times).
                    leader = refused.leader().get();
                } else {
                    redirectsInARow = 0;
                }
            }
            if (cause instanceof Peering.NotDelivered) {
                return Optional.empty();
            }
            fail(group, AppendOutcome.Failure.OUTCOME_UNKNOWN, "handed to the instance at " + peer
                    + ", whose answer did not arrive: " + (cause == null ? "a malformed answer" : cause.getMessage()));
            return Optional.of(true);
        });
    }

    private void maybeRefreshHint(CommitKey key) {
        boolean refresh;
        synchronized (this) {
            refresh = ++commitsSinceHint >= env.settings().hintEveryCommits();
            if (refresh) {
                commitsSinceHint = 0;
            }
        }
        if (refresh) {
            chain.refreshHint(key);
        }
    }

    private long elapsedMs(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(env.nanoClock().getAsLong() - startNanos);
    }
}
