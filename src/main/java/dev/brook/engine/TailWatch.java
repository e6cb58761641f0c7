package dev.brook.engine;

import dev.brook.log.StreamLog;
import dev.brook.log.TailPosition;
import dev.brook.store.ResilientObjectStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Wakes readers waiting at a stream's tail (long-poll reads, sessions). Appends committed by this
 * process wake them at once; appends by other processes are found by polling the chain (a HEAD of
 * the next commit and of the next floor version), only while someone waits, backing off while the
 * stream stays idle. A wake-up is a hint: the woken reader reads from storage.
 */
public final class TailWatch {

    /** First poll after a waiter arrives or the tail moved; doubled while nothing moves. */
    static final long POLL_FIRST_MS = 100;
    /** Idle polling settles here: with one waiter, 2 requests per second per stream and process. */
    static final long POLL_MAX_MS = 1_000;

    private record Waiter(long beyond, CompletableFuture<Boolean> woken) {}

    private final StreamLog log;
    private final ResilientObjectStore.Delay delay;
    private final List<Waiter> waiters = new ArrayList<>();
    private long known = -1;
    private boolean polling;
    private long pollMs = POLL_FIRST_MS;

    TailWatch(StreamLog log, ResilientObjectStore.Delay delay) {
        this.log = log;
        this.delay = delay;
        log.onCommitted(this::observed);
    }

    /**
     * Completes with true once a tail beyond {@code seq} is seen, or false when {@code waitMs} passes
     * first.
     */
    public CompletionStage<Boolean> awaitBeyond(long seq, long waitMs) {
        CompletableFuture<Boolean> woken = new CompletableFuture<>();
        boolean startPolling;
        synchronized (this) {
            if (known > seq) {
                return CompletableFuture.completedFuture(true);
            }
            waiters.add(new Waiter(seq, woken));
            startPolling = !polling;
            polling = true;
            pollMs = POLL_FIRST_MS;
        }
        delay.after(Math.max(0, waitMs)).thenRun(() -> woken.complete(false));
        woken.whenComplete((x, e) -> {
            synchronized (this) {
                waiters.removeIf(w -> w.woken == woken);
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

    /** A tail seen by this process (its own commit, or a poll). */
    void observed(TailPosition tail) {
        List<Waiter> wake = new ArrayList<>();
        synchronized (this) {
            if (tail.seqNum() > known) {
                known = tail.seqNum();
                pollMs = POLL_FIRST_MS;
            }
            for (Waiter w : waiters) {
                if (known > w.beyond) {
                    wake.add(w);
                }
            }
        }
        wake.forEach(w -> w.woken.complete(true));
    }

    private void schedulePoll() {
        long after;
        synchronized (this) {
            if (waiters.isEmpty()) {
                polling = false;
                return;
            }
            after = pollMs;
            pollMs = Math.min(POLL_MAX_MS, pollMs * 2);
        }
        delay.after(after).thenCompose(x -> log.checkTail())
                .whenComplete((tail, failure) -> {
                    if (tail != null) {
                        observed(tail);
                    }
                    schedulePoll();
                });
    }
}
