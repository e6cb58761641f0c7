package dev.brook.log;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import dev.brook.store.StoreException;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Bounded asynchronous loops that do not grow the stack when steps complete at once (the memory
 * store completes every call before returning).
 */
final class Loops {

    private Loops() {}

    /** When a loop must stop starting steps. */
    record Deadline(LongSupplier nanoClock, long endNanos, long ms) {
        static Deadline in(LongSupplier nanoClock, long ms) {
            return new Deadline(nanoClock, nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(ms), ms);
        }

        boolean passed() {
            return nanoClock.getAsLong() - endNanos > 0;
        }
    }

    /**
     * Runs {@code step(0)}, {@code step(1)}, ... until one yields a value, at most {@code max} times
     * and not past {@code deadline}; then fails with {@code exhausted} (count) or a TRANSIENT store
     * failure (time).
     */
    static <T> CompletionStage<T> until(int max, Deadline deadline, IntFunction<CompletionStage<Optional<T>>> step,
                                        Supplier<RuntimeException> exhausted) {
        CompletableFuture<T> result = new CompletableFuture<>();
        new Object() {
            int i;

            void run() {
                while (true) {
                    if (i >= max) {
                        result.completeExceptionally(exhausted.get());
                        return;
                    }
                    if (i > 0 && deadline.passed()) {
                        result.completeExceptionally(new StoreException(StoreException.Kind.TRANSIENT,
                                "gave up after " + deadline.ms() + " ms and " + i + " steps"));
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
