package dev.brook.testing;

import dev.brook.store.ObjectStore;
import dev.brook.store.PutOutcome;
import dev.brook.store.StoreException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loses conditional creates on demand, the way a network does: the request lands and its
 * response is lost, or the request itself is lost. Either way the caller sees a timeout.
 */
public final class LossyStore extends ForwardingStore {

    public enum Fault { LAND_THEN_LOSE_RESPONSE, LOSE_REQUEST }

    private final ObjectStore inner;
    private final Deque<Fault> pending = new ArrayDeque<>();
    private Runnable onFault = () -> {};
    private final AtomicInteger createAttempts = new AtomicInteger();

    public LossyStore(ObjectStore inner) {
        super(inner);
        this.inner = inner;
    }

    /** The next creates suffer these faults in order; {@code onFault} runs after each one. */
    public synchronized LossyStore failNextCreates(Runnable onFault, Fault... faults) {
        this.onFault = onFault;
        pending.addAll(java.util.List.of(faults));
        return this;
    }

    public int createAttempts() {
        return createAttempts.get();
    }

    @Override
    public CompletionStage<PutOutcome> putIfAbsent(String key, byte[] body, Map<String, String> metadata) {
        createAttempts.incrementAndGet();
        Fault fault;
        Runnable after;
        synchronized (this) {
            fault = pending.pollFirst();
            after = onFault;
        }
        if (fault == null) {
            return inner.putIfAbsent(key, body, metadata);
        }
        CompletionStage<?> landed = fault == Fault.LAND_THEN_LOSE_RESPONSE
                ? inner.putIfAbsent(key, body, metadata) : CompletableFuture.completedFuture(null);
        return landed.thenCompose(x -> {
            after.run();
            return CompletableFuture.failedFuture(new StoreException(StoreException.Kind.TRANSIENT,
                    "simulated timeout (" + fault + ") on `" + key + "`"));
        });
    }

    @Override
    public String describe() {
        return "lossy " + inner.describe();
    }
}
