package dev.brook.testing;

import dev.brook.store.ListPage;
import dev.brook.store.ObjectInfo;
import dev.brook.store.ObjectStore;
import dev.brook.store.PutOutcome;
import dev.brook.store.StoredObject;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A process that freezes part-way through its work (a long GC pause, a suspended function instance):
 * its first {@code requestsBeforeFreeze} requests go out at once, every later one only once the
 * scheduler's clock reaches {@code resumeAtMs}. What it decided before freezing, it acts on after.
 */
public final class FreezingStore extends ForwardingStore {

    private final Scheduler sim;
    private final int requestsBeforeFreeze;
    private final long resumeAtMs;
    private final AtomicInteger requests = new AtomicInteger();

    public FreezingStore(ObjectStore inner, Scheduler sim, int requestsBeforeFreeze, long resumeAtMs) {
        super(inner);
        this.sim = sim;
        this.requestsBeforeFreeze = requestsBeforeFreeze;
        this.resumeAtMs = resumeAtMs;
    }

    private <T> CompletionStage<T> when(Supplier<CompletionStage<T>> request) {
        long wait = resumeAtMs - sim.nowMs();
        if (requests.getAndIncrement() < requestsBeforeFreeze || wait <= 0) {
            return request.get();
        }
        return sim.delay(wait).thenCompose(x -> request.get());
    }

    @Override
    public CompletionStage<PutOutcome> putIfAbsent(String key, byte[] body, Map<String, String> metadata) {
        return when(() -> super.putIfAbsent(key, body, metadata));
    }

    @Override
    public CompletionStage<Void> put(String key, byte[] body, Map<String, String> metadata) {
        return when(() -> super.put(key, body, metadata));
    }

    @Override
    public CompletionStage<Optional<StoredObject>> get(String key) {
        return when(() -> super.get(key));
    }

    @Override
    public CompletionStage<Optional<ObjectInfo>> head(String key) {
        return when(() -> super.head(key));
    }

    @Override
    public CompletionStage<ListPage> list(String prefix, String startAfter, int limit) {
        return when(() -> super.list(prefix, startAfter, limit));
    }

    @Override
    public CompletionStage<Void> delete(String key) {
        return when(() -> super.delete(key));
    }
}
