package dev.brook.engine;

import dev.brook.log.StreamLog;
import dev.brook.log.TailPosition;
import dev.brook.store.ResilientObjectStore;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Wakes readers waiting at a stream's tail (long-poll reads, sessions). Appends committed by this
 * process wake them at once; appends by other processes wake them when their notice arrives
 * ({@link #notified}, docs/LOG.md "Wake-ups") and are otherwise found by polling the chain (a HEAD
 * of the next commit and of the next floor version), only while someone waits, backing off while
 * the stream stays idle: it starts at 1 s and settles at 15 s (the safety net). A wake-up is a hint: the woken reader reads from storage.
 */
public final class TailWatch {

    /**
     * First poll after a waiter arrives or the tail moved; doubled while nothing moves. Polling is
     * only the safety net: this process's own commits wake its waiters at once, and other processes'
     * commits arrive as notices when peers are configured (docs/DECISIONS.md 35).
     */
    static final long POLL_FIRST_MS = 1_000;
    /** Idle polling settles here: 2 requests per 15 s per followed stream and process, 8 a minute. */
    static final long POLL_MAX_MS = 15_000;

    /** A reader waiting for the tail to pass {@code beyond}; woken on {@code wakeOn} when it names one. */
    private record Waiter(long beyond, CompletableFuture<Boolean> woken, Executor wakeOn) {}

    /** With notices from other processes the safety net is the same; the watch also keeps the process registered. */
    static final long NOTIFIED_POLL_FIRST_MS = POLL_FIRST_MS;
    static final long NOTIFIED_POLL_MAX_MS = POLL_MAX_MS;

    /** How a watch polls, and what it does while it has waiters (keep this process registered for notices). */
    record Polling(long firstMs, long maxMs, Runnable whileWaiting) {
        static final Polling ALONE = new Polling(POLL_FIRST_MS, POLL_MAX_MS, () -> {});

        static Polling notified(Runnable keepAlive) {
            return new Polling(NOTIFIED_POLL_FIRST_MS, NOTIFIED_POLL_MAX_MS, keepAlive);
        }
    }

    private final StreamLog log;
    private final ResilientObjectStore.Delay delay;
    private final Polling polling0;
    /** Insertion-ordered and hashed: a thousand followers woken by one commit leave in one pass, not one scan each. */
    private final java.util.LinkedHashSet<Waiter> waiters = new java.util.LinkedHashSet<>();
    private long known = -1;
    private boolean polling;
    private long pollMs;
    /** Waiters were woken since the last check a notice caused: they may be about to wait again. */
    private boolean wokenSinceCheck;

    TailWatch(StreamLog log, ResilientObjectStore.Delay delay) {
        this(log, delay, Polling.ALONE);
    }

    TailWatch(StreamLog log, ResilientObjectStore.Delay delay, Polling polling) {
        this.log = log;
        this.delay = delay;
        this.polling0 = polling;
        this.pollMs = polling.firstMs();
        log.onCommitted(this::observed);
    }

    /** A wait with no timer: it ends when the tail moves or when its caller completes the returned future itself. */
    public static final long UNTIL_CALLER_ENDS = Long.MAX_VALUE;

    /**
     * Completes with true once a tail beyond {@code seq} is seen, or false when {@code waitMs} passes
     * first (with {@link #UNTIL_CALLER_ENDS}: when the caller completes the returned future with false);
     * woken by a commit on {@code wakeOn} (null: on the thread that saw the tail move). Waiters that
     * name the same executor (a connection's event loop) are woken by one task on it, not one hand-off
     * each: a commit followed by a thousand sessions on two event loops costs two hand-offs, and each
     * session's read and write then run on its own loop, in one batch (docs/LOG.md, "Fan-out").
     */
    public CompletionStage<Boolean> awaitBeyond(long seq, long waitMs, Executor wakeOn) {
        CompletableFuture<Boolean> woken = new CompletableFuture<>();
        Waiter waiter = new Waiter(seq, woken, wakeOn);
        boolean startPolling;
        synchronized (this) {
            if (known > seq) {
                return CompletableFuture.completedFuture(true);
            }
            // The caller read the tail at seq (validated): a notice that starts there is for it.
            known = seq;
            waiters.add(waiter);
            startPolling = !polling;
            polling = true;
            if (startPolling) {
                pollMs = polling0.firstMs();
            }
        }
        polling0.whileWaiting().run();
        // A read session ends its own waits (UNTIL_CALLER_ENDS) from one timer per heartbeat interval: one
        // timer per wait, scheduled and dropped on the shared timer queue, was about 5 % of the CPU of a
        // thousand followers (docs/DECISIONS.md 48).
        CompletableFuture<Void> timeout = waitMs == UNTIL_CALLER_ENDS ? null : delay.after(Math.max(0, waitMs)).toCompletableFuture();
        if (timeout != null) {
            timeout.thenRun(() -> woken.complete(false));
        }
        woken.whenComplete((x, e) -> {
            synchronized (this) {
                waiters.remove(waiter);
            }
            // Woken first: completing the timer early releases it now, not when the wait would have ended
            // (not cancel(): that builds three exceptions with stack traces per follower per commit).
            if (timeout != null) {
                timeout.complete(null);
            }
        });
        if (startPolling) {
            schedulePoll();
        }
        return woken;
    }

    /** True when nobody waits (the data plane may then drop this watch with its log). */
    synchronized boolean idle() {
        return waiters.isEmpty();
    }

    /**
     * Another process's notice of a commit {@code [start, end)}. Never trusted: a notice that starts at
     * or beyond this watch's tail and ends beyond it only makes the log follow its chain to the
     * commit and validate it (StreamLog#learn: one GET, which the woken followers share, and one
     * floor read), and that validated tail wakes the waiters. A notice that starts exactly at the
     * tail is the expected one; one that starts beyond it means another was missed, which the same
     * follow repairs (or, past a few commits, a tail check). Older notices are ignored, and so are
     * notices for a stream nobody has waited on since the last check (docs/LOG.md, "Wake-ups").
     */
    void notified(dev.brook.log.CommitNotice notice) {
        synchronized (this) {
            if (notice.start() < known || notice.end() <= known || (waiters.isEmpty() && !wokenSinceCheck)) {
                return;
            }
        }
        // Follow the chain to the notice's commit (a GET its followers share, one floor read); a tail
        // check only when that did not get there (a missed notice further back, or a false one).
        log.learn(notice.end()).thenCompose(reached -> reached.seqNum() >= notice.end()
                        ? CompletableFuture.completedFuture(reached) : log.checkTail())
                .thenAccept(tail -> {
                    synchronized (this) {
                        wokenSinceCheck = false;
                    }
                    observed(tail);
                });
    }

    /** A tail seen by this process (its own commit, or a poll). */
    void observed(TailPosition tail) {
        List<Waiter> wake = new ArrayList<>();
        synchronized (this) {
            if (tail.seqNum() > known) {
                known = tail.seqNum();
                pollMs = polling0.firstMs();
            }
            for (java.util.Iterator<Waiter> i = waiters.iterator(); i.hasNext(); ) {
                Waiter w = i.next();
                if (known > w.beyond) {
                    wake.add(w);
                    i.remove();
                }
            }
        }
        if (!wake.isEmpty()) {
            synchronized (this) {
                // Woken readers come back to wait at a newer tail: a notice meanwhile is theirs.
                wokenSinceCheck = true;
            }
        }
        Map<Executor, List<Waiter>> byExecutor = new IdentityHashMap<>();
        for (Waiter w : wake) {
            if (w.wakeOn == null) {
                w.woken.complete(true);
            } else {
                byExecutor.computeIfAbsent(w.wakeOn, x -> new ArrayList<>()).add(w);
            }
        }
        byExecutor.forEach((executor, waiters) -> {
            try {
                executor.execute(() -> waiters.forEach(w -> w.woken.complete(true)));
            } catch (RejectedExecutionException e) {
                waiters.forEach(w -> w.woken.complete(true)); // the executor is shutting down: wake them here
            }
        });
    }

    private void schedulePoll() {
        long after;
        synchronized (this) {
            if (waiters.isEmpty()) {
                polling = false;
                return;
            }
            after = pollMs;
            pollMs = Math.min(polling0.maxMs(), pollMs * 2);
        }
        polling0.whileWaiting().run();
        delay.after(after).thenCompose(x -> log.checkTail())
                .whenComplete((tail, failure) -> {
                    if (tail != null) {
                        observed(tail);
                    }
                    schedulePoll();
                });
    }
}
