package dev.brook.testing;

import dev.brook.store.ListPage;
import dev.brook.store.ObjectInfo;
import dev.brook.store.ObjectStore;
import dev.brook.store.PutOutcome;
import dev.brook.store.StoredObject;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Passes everything through and counts the requests, by operation (GET, HEAD, LIST, PUT, PUT_IF_ABSENT, DELETE). */
public class CountingStore extends ForwardingStore {

    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    public CountingStore(ObjectStore inner) {
        super(inner);
    }

    private void record(String operation) {
        counts.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
    }

    /** Requests of one operation so far. */
    public int count(String operation) {
        AtomicInteger n = counts.get(operation);
        return n == null ? 0 : n.get();
    }

    /** Requests of every operation so far. */
    public int total() {
        return counts.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    public void reset() {
        counts.clear();
    }

    @Override
    public String toString() {
        return counts.toString();
    }

    @Override
    public CompletionStage<PutOutcome> putIfAbsent(String key, byte[] body, Map<String, String> metadata) {
        record("PUT_IF_ABSENT");
        return super.putIfAbsent(key, body, metadata);
    }

    @Override
    public CompletionStage<Void> put(String key, byte[] body, Map<String, String> metadata) {
        record("PUT");
        return super.put(key, body, metadata);
    }

    @Override
    public CompletionStage<Optional<StoredObject>> get(String key) {
        record("GET");
        return super.get(key);
    }

    @Override
    public CompletionStage<Optional<ObjectInfo>> head(String key) {
        record("HEAD");
        return super.head(key);
    }

    @Override
    public CompletionStage<ListPage> list(String prefix, String startAfter, int limit) {
        record("LIST");
        return super.list(prefix, startAfter, limit);
    }

    @Override
    public CompletionStage<Void> delete(String key) {
        record("DELETE");
        return super.delete(key);
    }
}
