package dev.brook.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.LongSupplier;

/**
 * Objects in a sorted map: the store for tests and for throwaway runs ({@code BROOK_STORE=memory:}).
 * Every operation is atomic and completes before it returns.
 */
public final class MemoryObjectStore implements ObjectStore {

    private record Stored(byte[] body, Map<String, String> metadata, long lastModifiedMs) {}

    private final ConcurrentSkipListMap<String, Stored> objects = new ConcurrentSkipListMap<>();
    private final LongSupplier clockMs;

    public MemoryObjectStore(LongSupplier clockMs) {
        this.clockMs = clockMs;
    }

    @Override
    public long clockMs() {
        return clockMs.getAsLong();
    }

    @Override
    public CompletionStage<PutOutcome> putIfAbsent(String key, byte[] body, Map<String, String> metadata) {
        Stored stored = stored(key, body, metadata);
        return CompletableFuture.completedFuture(
                objects.putIfAbsent(key, stored) == null ? PutOutcome.CREATED : PutOutcome.ALREADY_EXISTS);
    }

    @Override
    public CompletionStage<Void> put(String key, byte[] body, Map<String, String> metadata) {
        objects.put(key, stored(key, body, metadata));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Optional<StoredObject>> get(String key) {
        StoreKeys.checkKey(key);
        Stored s = objects.get(key);
        return CompletableFuture.completedFuture(
                s == null ? Optional.empty() : Optional.of(new StoredObject(info(key, s), s.body.clone())));
    }

    @Override
    public CompletionStage<Optional<ObjectInfo>> head(String key) {
        StoreKeys.checkKey(key);
        Stored s = objects.get(key);
        return CompletableFuture.completedFuture(s == null ? Optional.empty() : Optional.of(info(key, s)));
    }

    @Override
    public CompletionStage<ListPage> list(String prefix, String startAfter, int limit) {
        StoreKeys.checkPrefix(prefix);
        StoreKeys.checkLimit(limit);
        String from = startAfter.compareTo(prefix) > 0 ? startAfter : prefix;
        NavigableMap<String, Stored> tail = objects.tailMap(from, !from.equals(startAfter));
        List<ListPage.Entry> page = new ArrayList<>();
        Optional<String> next = Optional.empty();
        for (Map.Entry<String, Stored> e : tail.entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            if (page.size() == limit) {
                next = Optional.of(page.get(page.size() - 1).key());
                break;
            }
            page.add(new ListPage.Entry(e.getKey(), e.getValue().lastModifiedMs));
        }
        return CompletableFuture.completedFuture(new ListPage(page, next));
    }

    @Override
    public CompletionStage<Void> delete(String key) {
        StoreKeys.checkKey(key);
        objects.remove(key);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public String describe() {
        return "memory:";
    }

    @Override
    public void close() {}

    private Stored stored(String key, byte[] body, Map<String, String> metadata) {
        StoreKeys.checkKey(key);
        StoreKeys.checkMetadata(metadata);
        return new Stored(body.clone(), Map.copyOf(metadata), clockMs.getAsLong());
    }

    private static ObjectInfo info(String key, Stored s) {
        return new ObjectInfo(key, s.body.length, s.lastModifiedMs, s.metadata);
    }
}
