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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Group commit for one stream on one instance (DESIGN.md §5.2): at most one commit in flight;
 * items that arrive meanwhile queue and go into the next commit together, each answered on its
 * own. Every answer, acknowledgement or rejection, is released only after the commit it was
 * decided against is durable and has passed the floor guard.
 */
final class Committer {

    /** What can be submitted: a client batch, or a change of state without records. */
    sealed interface Item {
        /**
         * {@code seal} transforms each accepted record as it goes into the commit (encryption at rest);
         * the decision and the acknowledgement see the records as sent.
         */
        record Batch(AppendBatch batch, UnaryOperator<SequencedRecord> seal) implements Item {}

        /** A zero-record commit: {@code change} maps the tail's state to the new one (same sequence numbers). */
        record Control(String what, UnaryOperator<StreamState> change) implements Item {}
    }

    private record Pending(Item item, CompletableFuture<AppendOutcome> result) {}

    /** How a write of one payload at one key ended, after the guard. */
    private enum Written { WON, LOST, UNKNOWN, RESEND }

    private final Chain chain;
    private final LogEnv env;
    private final ObjectStore store;
    private final LogKeys keys;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private boolean running;
    private long commitsSinceHint;
    private volatile java.util.function.Consumer<TailPosition> onCommitted = tail -> {};

    Committer(Chain chain, LogEnv env) {
        this.chain = chain;
        this.env = env;
        this.store = env.store();
        this.keys = chain.keys();
    }

    /** Told of every commit this instance wins, after its floor guard (a hint for followers, never needed for correctness). */
    void onCommitted(java.util.function.Consumer<TailPosition> listener) {
        this.onCommitted = listener;
    }

    CompletionStage<AppendOutcome> submit(Item item) {
        Pending pending = new Pending(item, new CompletableFuture<>());
        boolean start;
        synchronized (this) {
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
            synchronized (this) {
                group = takeGroup();
                if (group.isEmpty()) {
                    running = false;
                    return;
                }
            }
            CompletableFuture<Void> round = commitGroup(group).toCompletableFuture();
            if (!round.isDone()) {
                round.whenComplete((x, e) -> drain());
                return;
            }
        }
    }

    /** A control item alone, or client batches up to the commit's caps (at least one). */
    private List<Pending> takeGroup() {
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

    /** Tries commits for one group until it is answered; never completes exceptionally. */
    private CompletionStage<Void> commitGroup(List<Pending> group) {
        long startNanos = env.nanoClock().getAsLong();
        return Loops.until(env.settings().commitAttemptsMax(), env.settings().loopDeadline(env.nanoClock()), attempt -> {
            if (attempt > 0 && elapsedMs(startNanos) > env.settings().appendDeadlineMs()) {
                fail(group, AppendOutcome.Failure.CONTENDED, "lost every race for the tail within "
                        + env.settings().appendDeadlineMs() + " ms");
                return CompletableFuture.completedFuture(Optional.of(true));
            }
            return chain.tail().thenCompose(tail -> attempt(group, tail));
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
        CommitCodec.Encoded encoded = CommitCodec.encode(plan.commit);
        return write(plan.commit.key(), encoded, plan.commit.nonce()).thenApply(written -> {
            switch (written) {
                case WON -> {
                    CommitSummary summary = CommitCodec.summaryOf(plan.commit.key(), encoded.metadata(), 0).orElseThrow();
                    chain.advance(Chain.Tail.of(summary));
                    answer(group, plan, plan.commit.state());
                    maybeRefreshHint(plan.commit.key());
                    // Only after the guard: a follower woken by this must find the commit on the chain.
                    onCommitted.accept(new TailPosition(plan.commit.end(), plan.commit.state().lastTimestamp()));
                    return Optional.of(true);
                }
                case LOST -> {
                    return Optional.empty();
                }
                case UNKNOWN, RESEND -> {
                    chain.forget();
                    List<Pending> undecided = new ArrayList<>();
                    for (int i = 0; i < group.size(); i++) {
                        if (plan.verdicts.get(i) instanceof Verdict.Rejected) {
                            undecided.add(group.get(i)); // decided against a state that may never have existed
                        } else {
                            group.get(i).result().complete(new AppendOutcome.Failed(AppendOutcome.Failure.OUTCOME_UNKNOWN,
                                    "the commit at " + plan.commit.key() + " may or may not be in the stream"));
                        }
                    }
                    requeueFirst(undecided);
                    return Optional.of(true);
                }
            }
            throw new IllegalStateException("unhandled write outcome " + written);
        });
    }

    /** The decision for a group against a tail: per item a verdict, and the commit to write (null when nothing is). */
    private record Plan(List<Verdict> verdicts, Commit commit) {}

    private Plan plan(List<Pending> group, Chain.Tail tail) {
        StreamState base = tail.state();
        List<Verdict> verdicts = new ArrayList<>();
        StreamState after;
        List<Integer> sizes = new ArrayList<>();
        List<SequencedRecord> records = new ArrayList<>();
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
            List<AppendBatch> batches = group.stream().map(p -> ((Item.Batch) p.item()).batch()).toList();
            Fold fold = AppendDecision.decide(base, batches);
            verdicts.addAll(fold.verdicts());
            after = fold.after();
            for (int i = 0; i < fold.verdicts().size(); i++) {
                if (fold.verdicts().get(i) instanceof Verdict.Accepted a) {
                    UnaryOperator<SequencedRecord> seal = ((Item.Batch) group.get(i).item()).seal();
                    sizes.add(a.records().size());
                    for (SequencedRecord r : a.records()) {
                        records.add(seal.apply(r));
                    }
                }
            }
            if (records.isEmpty()) {
                return new Plan(verdicts, null);
            }
        }
        byte[] nonce = new byte[Commit.NONCE_BYTES];
        env.random().nextBytes(nonce);
        Commit commit = new Commit(tail.nextKey(), tail.last().map(CommitSummary::key), tail.hash(), nonce, after, sizes, records);
        return new Plan(verdicts, commit);
    }

    private void answer(List<Pending> group, Plan plan, StreamState tailState) {
        for (int i = 0; i < group.size(); i++) {
            Verdict v = plan.verdicts.get(i);
            AppendOutcome outcome;
            if (v == null) {
                outcome = new AppendOutcome.Applied(tailState.nextSeq(), tailState.lastTimestamp());
            } else if (v instanceof Verdict.Accepted a) {
                outcome = new AppendOutcome.Acked(a, tailState.nextSeq(), tailState.lastTimestamp());
            } else {
                outcome = new AppendOutcome.Rejected(((Verdict.Rejected) v).reason());
            }
            group.get(i).result().complete(outcome);
        }
    }

    private void fail(List<Pending> group, AppendOutcome.Failure failure, String message) {
        for (Pending p : group) {
            p.result().complete(new AppendOutcome.Failed(failure, message));
        }
    }

    /**
     * Writes one payload at one key and settles the outcome (DESIGN.md §5.4): resent only
     * byte-identical, never after a 412, and every outcome checked by the floor guard.
     */
    private CompletionStage<Written> write(CommitKey key, CommitCodec.Encoded encoded, byte[] nonce) {
        String storeKey = keys.commit(key);
        return Loops.until(env.settings().resendsMax() + 1, env.settings().loopDeadline(env.nanoClock()), send -> store.putIfAbsent(storeKey, encoded.body(), encoded.metadata())
                .handle((outcome, failure) -> {
                    if (failure == null && outcome == PutOutcome.CREATED) {
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
            return found.get().hasNonce(nonce) ? Written.WON : Written.LOST;
        })).exceptionally(e -> Written.UNKNOWN);
    }

    /** The floor guard: true when a floor read issued now is at or below {@code key}. */
    private CompletionStage<Boolean> guard(CommitKey key) {
        return chain.floors().read().thenApply(view -> !key.isBelow(view.floor()));
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
