package dev.brook.log;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Concurrent callers that each need a fresh read of the same thing (a stream's tail, its floor)
 * share one: a caller gets the result of a round that starts after it called, so every request of
 * that round is issued after the call (what a read must see, docs/ARCHITECTURE.md, invariants 3
 * and 7, still holds for each caller); one round runs at a time, and every caller that arrives
 * while it runs shares the next. N followers woken by one commit cost two rounds, not N
 * (docs/LOG.md, fan-out). A round's failure is every one of its callers' failure.
 */
final class Rounds<T> {

    private final Supplier<CompletionStage<T>> source;
    /** The callers of the round to start next; null when none waits. */
    private CompletableFuture<T> queued;
    private boolean running;

    Rounds(Supplier<CompletionStage<T>> source) {
        this.source = source;
    }

    /** The result of a round that starts after this call. */
    CompletionStage<T> next() {
        CompletableFuture<T> mine;
        boolean start;
        synchronized (this) {
            if (queued == null) {
                queued = new CompletableFuture<>();
            }
            mine = queued;
            start = !running;
            running = true;
        }
        if (start) {
            run();
        }
        return mine;
    }

    /**
     * Starts the queued rounds one after another. A round that completes at once is settled in this
     * loop, and a caller waiting on it that asks again from its continuation only queues for the
     * next turn of the loop rather than starting a round inside the settling one.
     */
    private void run() {
        while (true) {
            CompletableFuture<T> round;
            synchronized (this) {
                round = queued;
                queued = null;
                if (round == null) {
                    running = false;
                    return;
                }
            }
            CompletableFuture<T> result;
            try {
                result = source.get().toCompletableFuture();
            } catch (RuntimeException | Error e) {
                // the round fails, not the rounds: left running, every later caller would wait forever
                result = CompletableFuture.failedFuture(e);
            }
            if (!result.isDone()) {
                result.whenComplete((v, e) -> {
                    settle(round, v, e);
                    run();
                });
                return;
            }
            result.whenComplete((v, e) -> settle(round, v, e));
        }
    }

    private static <T> void settle(CompletableFuture<T> round, T value, Throwable failure) {
        if (failure != null) {
            round.completeExceptionally(failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure);
        } else {
            round.complete(value);
        }
    }
}
