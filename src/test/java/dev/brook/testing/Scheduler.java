package dev.brook.testing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Time for simulations: virtual ({@link SimScheduler}, deterministic) or real ({@link RealScheduler}). */
public interface Scheduler {

    long nowMs();

    long nanoTime();

    /** Runs {@code action} after {@code delayMs}. */
    void at(long delayMs, Runnable action);

    /** Completes after {@code ms}. */
    default CompletionStage<Void> delay(long ms) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        at(ms, () -> done.complete(null));
        return done;
    }

    /** Runs until nothing is scheduled any more, or gives up; true when everything settled. */
    boolean run(long eventsMax);
}
