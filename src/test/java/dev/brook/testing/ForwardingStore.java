package dev.brook.testing;

import dev.brook.store.ListPage;
import dev.brook.store.ObjectInfo;
import dev.brook.store.ObjectStore;
import dev.brook.store.PutOutcome;
import dev.brook.store.StoredObject;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Passes everything through; tests override what they need to break. */
public class ForwardingStore implements ObjectStore {
    private final ObjectStore inner;

    public ForwardingStore(ObjectStore inner) {
        this.inner = inner;
    }

    @Override
    public CompletionStage<PutOutcome> putIfAbsent(String key, byte[] body, Map<String, String> metadata) {
        return inner.putIfAbsent(key, body, metadata);
    }

    @Override
    public CompletionStage<Void> put(String key, byte[] body, Map<String, String> metadata) {
        return inner.put(key, body, metadata);
    }

    @Override
    public CompletionStage<Optional<StoredObject>> get(String key) {
        return inner.get(key);
    }

    @Override
    public CompletionStage<Optional<ObjectInfo>> head(String key) {
        return inner.head(key);
    }

    @Override
    public CompletionStage<ListPage> list(String prefix, String startAfter, int limit) {
        return inner.list(prefix, startAfter, limit);
    }

    @Override
    public CompletionStage<Void> delete(String key) {
        return inner.delete(key);
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
}
