package dev.brook.store;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** Reports each adapter request to a {@link StoreObserver}. */
public final class MeteredObjectStore implements ObjectStore {

    private final ObjectStore inner;
    private final StoreObserver observer;
    private final LongSupplier nanoClock;

    public MeteredObjectStore(ObjectStore inner, StoreObserver observer, LongSupplier nanoClock) {
        this.inner = inner;
        this.observer = observer;
        this.nanoClock = nanoClock;
    }

    @Override
    public CompletionStage<PutOutcome> putIfAbsent(String key, byte[] body, Map<String, String> metadata) {
        return observe(StoreObserver.Operation.PUT_IF_ABSENT, () -> inner.putIfAbsent(key, body, metadata),
                outcome -> outcome == PutOutcome.CREATED ? "created" : "exists", outcome -> body.length);
    }

    @Override
    public CompletionStage<Void> put(String key, byte[] body, Map<String, String> metadata) {
        return observe(StoreObserver.Operation.PUT, () -> inner.put(key, body, metadata), x -> "ok", x -> body.length);
    }

    @Override
    public CompletionStage<Optional<StoredObject>> get(String key) {
        return observe(StoreObserver.Operation.GET, () -> inner.get(key),
                found -> found.isPresent() ? "ok" : "absent", found -> found.map(o -> o.body().length).orElse(0));
    }

    @Override
    public CompletionStage<Optional<ObjectInfo>> head(String key) {
        return observe(StoreObserver.Operation.HEAD, () -> inner.head(key),
                found -> found.isPresent() ? "ok" : "absent", found -> 0);
    }

    @Override
    public CompletionStage<ListPage> list(String prefix, String startAfter, int limit) {
        return observe(StoreObserver.Operation.LIST, () -> inner.list(prefix, startAfter, limit), page -> "ok", page -> 0);
    }

    @Override
    public CompletionStage<Void> delete(String key) {
        return observe(StoreObserver.Operation.DELETE, () -> inner.delete(key), x -> "ok", x -> 0);
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

    private <T> CompletionStage<T> observe(StoreObserver.Operation operation, Supplier<CompletionStage<T>> call,
                                           Function<T, String> outcome, Function<T, Integer> bytes) {
        long start = nanoClock.getAsLong();
        return call.get().whenComplete((value, failure) -> {
            long nanos = nanoClock.getAsLong() - start;
            if (failure == null) {
                observer.completed(operation, outcome.apply(value), nanos, bytes.apply(value));
            } else {
                observer.completed(operation, StoreException.unwrap(failure).kind().name().toLowerCase(java.util.Locale.ROOT), nanos, 0);
            }
        });
    }
}
