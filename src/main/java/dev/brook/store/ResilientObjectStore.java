package dev.brook.store;

import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The one place where store calls are retried, bounded in attempts and time.
 *
 * <p>Reads, deletes and plain puts are idempotent and simply retried on TRANSIENT failures. A
 * conditional create is different: an attempt whose response was lost may have landed, and the
 * retry then meets a 412 caused by our own write. Each create therefore tags its object with a
 * writer id in the metadata, resends only the identical request, and settles a 412 that follows
 * a failed attempt by reading the key back: our writer id means CREATED. When that cannot be
 * settled within the bounds, the create fails with OUTCOME_UNKNOWN, never a guess.
 */
public final class ResilientObjectStore implements ObjectStore {

    /** Metadata name that carries the writer id of a conditional create; reserved. */
    public static final String WRITER_METADATA = "brook-writer";

    /** Bounds for one logical operation: attempts, a deadline, and exponential backoff with jitter. */
    public record RetryPolicy(int attemptsMax, long deadlineMs, long backoffBaseMs, long backoffMaxMs) {
        public static final RetryPolicy DEFAULT = new RetryPolicy(5, 30_000, 25, 1_000);

        public RetryPolicy {
            if (attemptsMax < 1 || deadlineMs < 0 || backoffBaseMs < 0 || backoffMaxMs < backoffBaseMs) {
                throw new IllegalArgumentException("invalid retry policy");
            }
        }
    }

    /** Completes after a delay; injected so that tests control time. */
    @FunctionalInterface
    public interface Delay {
        /** Completes after {@code millis}; a caller done waiting early may complete it itself, which releases the timer. */
        CompletionStage<Void> after(long millis);

        /**
         * Completes on one shared daemon timer thread. Not {@code CompletableFuture.delayedExecutor}:
         * without an executor of its own it runs each task on the default async pool, which on a
         * machine with one or two CPUs starts a new thread per task (docs/DECISIONS.md 35).
         */
        Delay REAL = millis -> Timer.after(millis);
    }

    /** The timer behind {@link Delay#REAL}; what it completes must not block (callers chain asynchronous calls). */
    static final class Timer {
        private static final java.util.concurrent.ScheduledThreadPoolExecutor TIMER = timer();

        private Timer() {}

        private static java.util.concurrent.ScheduledThreadPoolExecutor timer() {
            java.util.concurrent.ScheduledThreadPoolExecutor t = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
                Thread thread = new Thread(r, "brook-timer");
                thread.setDaemon(true);
                return thread;
            });
            // Waits that end early (a follower woken by a commit) cancel their timers: drop them from the queue at once.
            t.setRemoveOnCancelPolicy(true);
            return t;
        }

        /** Timers waiting to fire (for tests). */
        static int queued() {
            return TIMER.getQueue().size();
        }

        /**
         * Completes after {@code millis}. A caller done waiting completes the returned future itself
         * (or cancels it): the timer then leaves the queue at once.
         */
        static CompletionStage<Void> after(long millis) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            java.util.concurrent.ScheduledFuture<?> task = TIMER.schedule(() -> done.complete(null), Math.max(0, millis), TimeUnit.MILLISECONDS);
            done.whenComplete((x, e) -> task.cancel(false)); // a no-op when the timer completed it
            return done;
        }
    }

    private static final AtomicLong INSTANCES = new AtomicLong();

    private final ObjectStore inner;
    private final RetryPolicy policy;
    private final LongSupplier nanoClock;
    private final Delay delay;
    private final RandomGenerator random;
    private final String writerPrefix;
    private final AtomicLong writes = new AtomicLong();

    public ResilientObjectStore(ObjectStore inner, RetryPolicy policy, LongSupplier nanoClock, Delay delay, RandomGenerator random) {
        this.inner = inner;
        this.policy = policy;
        this.nanoClock = nanoClock;
        this.delay = delay;
        this.random = random;
        // Random across processes, counted within one: two instances never share writer ids,
        // even when tests give them equal seeds.
        this.writerPrefix = HexFormat.of().toHexDigits(random.nextLong()) + "-" + INSTANCES.incrementAndGet() + "-";
    }

    @Override
    public CompletionStage<PutOutcome> putIfAbsent(String key, byte[] body, Map<String, String> metadata) {
        if (metadata.containsKey(WRITER_METADATA)) {
            throw new IllegalArgumentException("metadata `" + WRITER_METADATA + "` is reserved");
        }
        String writer = writerPrefix + writes.incrementAndGet();
        Map<String, String> tagged = new HashMap<>(metadata);
        tagged.put(WRITER_METADATA, writer);
        StoreKeys.checkKey(key);
        StoreKeys.checkMetadata(tagged);
        return createAttempt(key, body, Map.copyOf(tagged), writer, 1, nanoClock.getAsLong(), null);
    }

    /** {@code earlierFailure} is the last failed attempt's error: one of them may have landed. */
    private CompletionStage<PutOutcome> createAttempt(String key, byte[] body, Map<String, String> metadata, String writer,
                                                      int attempt, long startNanos, StoreException earlierFailure) {
        return inner.putIfAbsent(key, body, metadata).handle((outcome, failure) -> {
            if (failure == null) {
                if (outcome == PutOutcome.ALREADY_EXISTS && earlierFailure != null) {
                    return settle(key, writer, startNanos, earlierFailure);
                }
                return CompletableFuture.completedFuture(outcome);
            }
            StoreException error = StoreException.unwrap(failure);
            StoreException mayHaveLanded = earlierFailure != null ? earlierFailure : error;
            if (error.retryable()) {
                Optional<Long> backoff = backoff(attempt, startNanos);
                if (backoff.isPresent()) {
                    return delay.after(backoff.get()).thenCompose(x ->
                            createAttempt(key, body, metadata, writer, attempt + 1, startNanos, error));
                }
                return CompletableFuture.<PutOutcome>failedFuture(unknown(key, attempt, mayHaveLanded));
            }
            return CompletableFuture.<PutOutcome>failedFuture(earlierFailure != null ? unknown(key, attempt, error) : error);
        }).thenCompose(x -> x);
    }

    /** A 412 after a failed attempt: whose object is it? */
    private CompletionStage<PutOutcome> settle(String key, String writer, long startNanos, StoreException earlierFailure) {
        return retrying(() -> inner.head(key), 1, startNanos).handle((info, failure) -> {
            if (failure != null) {
                throw unknown(key, policy.attemptsMax(), StoreException.unwrap(failure));
            }
            if (info.isEmpty()) {
                // Someone's object held the key and has since been deleted: ours may still land.
                throw unknown(key, policy.attemptsMax(), earlierFailure);
            }
            return writer.equals(info.get().metadata().get(WRITER_METADATA)) ? PutOutcome.CREATED : PutOutcome.ALREADY_EXISTS;
        });
    }

    private StoreException unknown(String key, int attempts, StoreException cause) {
        return new StoreException(StoreException.Kind.OUTCOME_UNKNOWN, inner.describe() + ": conditional create of `" + key
                + "` is unsettled after " + attempts + " attempt(s): " + cause.getMessage(), cause);
    }

    @Override
    public CompletionStage<Void> put(String key, byte[] body, Map<String, String> metadata) {
        return retrying(() -> inner.put(key, body, metadata), 1, nanoClock.getAsLong());
    }

    @Override
    public CompletionStage<Optional<StoredObject>> get(String key) {
        return retrying(() -> inner.get(key), 1, nanoClock.getAsLong());
    }

    @Override
    public CompletionStage<Optional<ObjectInfo>> head(String key) {
        return retrying(() -> inner.head(key), 1, nanoClock.getAsLong());
    }

    @Override
    public CompletionStage<ListPage> list(String prefix, String startAfter, int limit) {
        return retrying(() -> inner.list(prefix, startAfter, limit), 1, nanoClock.getAsLong());
    }

    @Override
    public CompletionStage<Void> delete(String key) {
        return retrying(() -> inner.delete(key), 1, nanoClock.getAsLong());
    }

    /** The same store with single attempts, for probes that must answer fast and say why. */
    public ObjectStore withoutRetries() {
        return inner;
    }

    @Override
    public int keyCharsMax() {
        return inner.keyCharsMax();
    }

    @Override
    public long clockMs() {
        return inner.clockMs();
    }

    @Override
    public String describe() {
        return inner.describe();
    }

    @Override
    public void close() {
        inner.close();
    }

    private <T> CompletionStage<T> retrying(Supplier<CompletionStage<T>> call, int attempt, long startNanos) {
        return call.get().handle((value, failure) -> {
            if (failure == null) {
                return CompletableFuture.completedFuture(value);
            }
            StoreException error = StoreException.unwrap(failure);
            Optional<Long> backoff = error.retryable() ? backoff(attempt, startNanos) : Optional.empty();
            if (backoff.isEmpty()) {
                return CompletableFuture.<T>failedFuture(error);
            }
            return delay.after(backoff.get()).thenCompose(x -> retrying(call, attempt + 1, startNanos));
        }).thenCompose(x -> x);
    }

    /** The pause before attempt {@code attempt + 1}, or empty when the attempts or the deadline are spent. */
    private Optional<Long> backoff(int attempt, long startNanos) {
        if (attempt >= policy.attemptsMax()) {
            return Optional.empty();
        }
        long ceiling = Math.min(policy.backoffMaxMs(), policy.backoffBaseMs() << Math.min(attempt - 1, 20));
        long pause = ceiling == 0 ? 0 : ceiling / 2 + random.nextLong(ceiling / 2 + 1);
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(nanoClock.getAsLong() - startNanos);
        return elapsedMs + pause > policy.deadlineMs() ? Optional.empty() : Optional.of(pause);
    }
}
