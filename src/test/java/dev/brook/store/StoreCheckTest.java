package dev.brook.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import dev.brook.testing.ForwardingStore;
import org.junit.jupiter.api.Test;

class StoreCheckTest {

    @Test
    void aFreshStoreGetsItsMarkerAndAMarkedStorePassesAgain() {
        MemoryObjectStore store = new MemoryObjectStore(() -> 0);
        StoreCheck.verify(store);
        StoreCheck.verify(store);
        assertArrayEquals(StoreCheck.MARKER_CONTENT.getBytes(StandardCharsets.US_ASCII),
                store.get(StoreCheck.MARKER_KEY).toCompletableFuture().join().orElseThrow().body());
    }

    @Test
    void aStoreThatIgnoresConditionalWritesIsRefused() {
        ObjectStore ignoring = new ForwardingStore(new MemoryObjectStore(() -> 0)) {
            @Override
            public CompletionStage<PutOutcome> putIfAbsent(String key, byte[] body, Map<String, String> metadata) {
                return put(key, body, metadata).thenApply(x -> PutOutcome.CREATED);
            }
        };
        StoreException e = assertThrows(StoreException.class, () -> StoreCheck.verify(ignoring));
        assertEquals("memory: does not honour conditional writes (If-None-Match: *): a second create of `_brook/store` succeeded",
                e.getMessage());
    }

    @Test
    void aStoreOfAnotherLayoutIsRefused() {
        MemoryObjectStore store = new MemoryObjectStore(() -> 0);
        store.putIfAbsent(StoreCheck.MARKER_KEY, "brook-store-layout 9\n".getBytes(StandardCharsets.US_ASCII), StoreCheck.MARKER_METADATA);
        StoreException e = assertThrows(StoreException.class, () -> StoreCheck.verify(store));
        assertEquals("memory: holds data of another layout (`_brook/store` says `brook-store-layout 9`)", e.getMessage());
    }

    @Test
    void aStoreThatDropsMetadataIsRefused() {
        ObjectStore forgetful = new ForwardingStore(new MemoryObjectStore(() -> 0)) {
            @Override
            public CompletionStage<PutOutcome> putIfAbsent(String key, byte[] body, Map<String, String> metadata) {
                return super.putIfAbsent(key, body, Map.of());
            }
        };
        StoreException e = assertThrows(StoreException.class, () -> StoreCheck.verify(forgetful));
        assertEquals("memory: does not keep object metadata (`_brook/store` came back with {})", e.getMessage());
    }

    @Test
    void anUnreachableStoreIsNamedInOneLine() {
        ObjectStore down = new ForwardingStore(new MemoryObjectStore(() -> 0)) {
            @Override
            public CompletionStage<PutOutcome> putIfAbsent(String key, byte[] body, Map<String, String> metadata) {
                return CompletableFuture.failedFuture(new StoreException(StoreException.Kind.TRANSIENT,
                        "memory: put-if-absent `_brook/store` failed:\nConnection refused"));
            }
        };
        StoreException e = assertThrows(StoreException.class, () -> StoreCheck.verify(down));
        assertEquals("store unreachable: memory: put-if-absent `_brook/store` failed: Connection refused", e.getMessage());
    }
}
