package dev.brook.log;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Bounded asynchronous loops that do not grow the stack when steps complete at once (the memory
 * store completes every call before returning).
 */
final class Loops {

    private Loops() {}

    /**
     * Runs {@code step(0)}, {@code step(1)}, ... until one yields a value, at most {@code max} times;
     * then fails with {@code exhausted}.
     */
    static <T> CompletionStage<T> until(int max, IntFunction<CompletionStage<Optional<T>>> step, Supplier<RuntimeException> exhausted) {
        CompletableFuture<T> result = new CompletableFuture<>();
        new Object() {
            int i;

            void run() {
                while (true) {
                    if (i >= max) {
                        result.completeExceptionally(exhausted.get());
                        return;
                    }
                    CompletableFuture<Optional<T>> stage;
                    try {
                        stage = step.apply(i++).toCompletableFuture();
                    } catch (RuntimeException e) {
                        result.completeExceptionally(e);
                        return;
                    }
                    if (!stage.isDone()) {
                        stage.whenComplete((v, e) -> {
                            if (settle(v, e)) {
                                run();
                            }
                        });
                        return;
                    }
                    Optional<T> value = null;
                    Throwable failure = null;
                    try {
                        value = stage.join();
                    } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
                        failure = e.getCause() != null ? e.getCause() : e;
                    }
                    if (!settle(value, failure)) {
                        return;
                    }
                }
            }

            /** True when the loop should go on. */
            boolean settle(Optional<T> value, Throwable failure) {
                if (failure != null) {
                    result.completeExceptionally(failure);
                    return false;
                }
                if (value.isPresent()) {
                    result.complete(value.get());
                    return false;
                }
                return true;
            }
        }.run();
        return result;
    }
}
