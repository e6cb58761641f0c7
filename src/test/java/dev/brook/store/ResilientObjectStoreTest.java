package dev.brook.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import dev.brook.testing.ForwardingStore;
import org.junit.jupiter.api.Test;

/** Retry bounds, on a controlled clock: attempts, deadline, and what is never retried. */
class ResilientObjectStoreTest {

    /** A store whose head fails with the given kinds, in order, then answers. */
    static final class Failing extends ForwardingStore {
        final List<StoreException.Kind> failures;
        final AtomicInteger calls = new AtomicInteger();

        Failing(List<StoreException.Kind> failures) {
            super(new MemoryObjectStore(() -> 0));
            this.failures = new ArrayList<>(failures);
        }

        @Override
        public CompletionStage<Optional<ObjectInfo>> head(String key) {
            int n = calls.getAndIncrement();
            if (n < failures.size()) {
                return CompletableFuture.failedFuture(new StoreException(failures.get(n), "injected " + n));
            }
            return super.head(key);
        }
    }

    private final AtomicLong nanos = new AtomicLong();
    private final List<Long> pauses = new ArrayList<>();

    private ResilientObjectStore resilient(ObjectStore inner, ResilientObjectStore.RetryPolicy policy) {
        return new ResilientObjectStore(inner, policy, nanos::get, ms -> {
            pauses.add(ms);
            nanos.addAndGet(ms * 1_000_000);
            return CompletableFuture.completedFuture(null);
        }, new Random(1));
    }

    @Test
    void transientFailuresAreRetriedWithGrowingPausesUntilTheyPass() {
        Failing inner = new Failing(List.of(StoreException.Kind.TRANSIENT, StoreException.Kind.TRANSIENT, StoreException.Kind.TRANSIENT));
        var store = resilient(inner, new ResilientObjectStore.RetryPolicy(5, 60_000, 100, 1_000));
        assertEquals(Optional.empty(), store.head("k").toCompletableFuture().join());
        assertEquals(4, inner.calls.get());
        assertEquals(3, pauses.size());
        for (int i = 0; i < pauses.size(); i++) {
            long ceiling = Math.min(1_000, 100L << i);
            assertTrue(pauses.get(i) >= ceiling / 2 && pauses.get(i) <= ceiling, "pause " + i + " = " + pauses.get(i));
        }
    }

    @Test
    void attemptsAreBounded() {
        Failing inner = new Failing(List.of(StoreException.Kind.TRANSIENT, StoreException.Kind.TRANSIENT,
                StoreException.Kind.TRANSIENT, StoreException.Kind.TRANSIENT));
        var store = resilient(inner, new ResilientObjectStore.RetryPolicy(3, 60_000, 1, 1));
        StoreException e = StoreException.unwrap(assertThrows(CompletionException.class, () -> store.head("k").toCompletableFuture().join()));
        assertEquals(StoreException.Kind.TRANSIENT, e.kind());
        assertEquals(3, inner.calls.get());
    }

    @Test
    void theDeadlineEndsRetriesEvenWithAttemptsLeft() {
        Failing inner = new Failing(List.of(StoreException.Kind.TRANSIENT, StoreException.Kind.TRANSIENT,
                StoreException.Kind.TRANSIENT, StoreException.Kind.TRANSIENT));
        var store = resilient(inner, new ResilientObjectStore.RetryPolicy(100, 1_500, 1_000, 1_000));
        assertThrows(CompletionException.class, () -> store.head("k").toCompletableFuture().join());
        assertEquals(2, inner.calls.get(), "one pause of ≤1 s fits in 1.5 s, a second does not");
    }

    @Test
    void fatalAndCorruptAreNeverRetried() {
        for (StoreException.Kind kind : List.of(StoreException.Kind.FATAL, StoreException.Kind.CORRUPT)) {
            Failing inner = new Failing(List.of(kind));
            var store = resilient(inner, ResilientObjectStore.RetryPolicy.DEFAULT);
            StoreException e = StoreException.unwrap(assertThrows(CompletionException.class, () -> store.head("k").toCompletableFuture().join()));
            assertEquals(kind, e.kind());
            assertEquals(1, inner.calls.get());
        }
    }

    @Test
    void aCreateFailingFatallyAfterAMaybeLandedAttemptIsOutcomeUnknown() {
        AtomicInteger attempts = new AtomicInteger();
        ObjectStore inner = new ForwardingStore(new MemoryObjectStore(() -> 0)) {
            @Override
            public CompletionStage<PutOutcome> putIfAbsent(String key, byte[] body, Map<String, String> metadata) {
                StoreException.Kind kind = attempts.getAndIncrement() == 0 ? StoreException.Kind.TRANSIENT : StoreException.Kind.FATAL;
                return CompletableFuture.failedFuture(new StoreException(kind, "injected"));
            }
        };
        var store = resilient(inner, ResilientObjectStore.RetryPolicy.DEFAULT);
        StoreException e = StoreException.unwrap(assertThrows(CompletionException.class,
                () -> store.putIfAbsent("k", new byte[1], Map.of()).toCompletableFuture().join()));
        assertEquals(StoreException.Kind.OUTCOME_UNKNOWN, e.kind());
        assertEquals(2, attempts.get());
    }
}
