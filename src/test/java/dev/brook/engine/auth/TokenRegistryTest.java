package dev.brook.engine.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brook.engine.CatalogKeys;
import dev.brook.engine.Page;
import dev.brook.engine.auth.TokenRegistry.IssuedToken;
import dev.brook.store.ListPage;
import dev.brook.store.MemoryObjectStore;
import dev.brook.store.ObjectInfo;
import dev.brook.store.StoreException;
import dev.brook.store.StoreKeys;
import dev.brook.testing.CountingStore;
import dev.brook.testing.ForwardingStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TokenRegistryTest {

    static final ObjectMapper JSON = new ObjectMapper();

    final AtomicLong nanos = new AtomicLong(123_456_789);
    final MemoryObjectStore memory = new MemoryObjectStore(() -> 0);
    final CountingStore store = new CountingStore(memory);
    final TokenRegistry registry = new TokenRegistry(store, nanos::get);

    static String info(String id) {
        return "{\"id\":" + JSON.valueToTree(id) + ",\"scope\":{\"ops\":[\"read\"]},\"auto_prefix_streams\":false,\"expires_at\":null}";
    }

    static <T> T join(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    List<String> ids(Page<IssuedToken> page) {
        return page.items().stream().map(IssuedToken::id).toList();
    }

    // ---------------------------------------------------------------- record

    @Test
    void anIdIsRecordedOnce() throws Exception {
        assertTrue(join(registry.record("user/1", info("user/1"))));
        assertFalse(join(registry.record("user/1", info("user/1"))));
        assertFalse(join(new TokenRegistry(store, nanos::get).record("user/1", "{\"other\":true}")));
        Page<IssuedToken> page = join(registry.list("", "", 10));
        assertEquals(List.of("user/1"), ids(page));
        assertEquals(JSON.readTree(info("user/1")), JSON.readTree(page.items().get(0).infoJson()));
    }

    @Test
    void theKeysEncodeIdsLikeStreamNames() {
        join(registry.record("a/b", info("a/b")));
        String key = "tokens/issued/" + CatalogKeys.encode("a/b");
        assertTrue(join(memory.head(key)).isPresent(), key);
        assertTrue(StoreKeys.isValidKey(TokenRegistryKeys.issued("\uFFFF".repeat(32))), "a 96-byte id fits one key segment");
    }

    @Test
    void aRevokedIdStaysTaken() {
        assertTrue(join(registry.record("gone", info("gone"))));
        assertTrue(join(registry.revoke("gone", false)));
        assertFalse(join(registry.record("gone", info("gone"))));
        // an id revoked without ever being recorded (the bootstrap admin token) is taken too
        assertTrue(join(registry.revoke(Keygen.ADMIN_TOKEN_ID, true)));
        assertFalse(join(registry.record(Keygen.ADMIN_TOKEN_ID, info(Keygen.ADMIN_TOKEN_ID))));
    }

    @Test
    void infoMustBeAJsonObject() {
        assertThrows(IllegalArgumentException.class, () -> registry.record("t", "[1]"));
        assertThrows(IllegalArgumentException.class, () -> registry.record("t", "{"));
        assertThrows(IllegalArgumentException.class, () -> registry.record("", "{}"));
        assertThrows(IllegalArgumentException.class, () -> registry.record("x".repeat(97), "{}"));
        assertEquals(List.of(), join(memory.list("", "", 1000)).keys());
    }

    // ---------------------------------------------------------------- list

    @Test
    void listingIsInIdByteOrderWithPrefixAndStartAfter() {
        // UTF-16 order differs from UTF-8 byte order for U+FFFD against a supplementary character
        List<String> all = new ArrayList<>(List.of("a", "a/b", "a-", "ab", "abcdef", "abcdefg", "b", "é", "\uFFFD", "\uD83D\uDE00",
                "user/1", "user/10", "user/2", "~"));
        for (String id : all) {
            assertTrue(join(registry.record(id, info(id))));
        }
        all.sort(CatalogKeys::compareNames);
        assertEquals(all, ids(join(registry.list("", "", 1000))));
        assertEquals(List.of("abcdef", "abcdefg"), ids(join(registry.list("abcde", "", 1000))));
        assertEquals(List.of("abcdefg"), ids(join(registry.list("abcde", "abcdef", 1000))));
        assertEquals(List.of("user/10", "user/2"), ids(join(registry.list("user/", "user/1", 1000))));
        assertEquals(List.of("user/1", "user/10", "user/2"), ids(join(registry.list("user/", "a", 1000))), "startAfter before the prefix");
        assertEquals(List.of(), ids(join(registry.list("user/", "user/3", 1000))));
        assertEquals(List.of("\uFFFD", "\uD83D\uDE00"), ids(join(registry.list("", "é", 1000))));

        Page<IssuedToken> first = join(registry.list("", "", 2));
        assertEquals(List.of("a", "a-"), ids(first));
        assertTrue(first.hasMore());
        Page<IssuedToken> last = join(registry.list("", "\uFFFD", 1));
        assertEquals(List.of("\uD83D\uDE00"), ids(last));
        assertFalse(last.hasMore());
    }

    @Test
    void listingCrossesStorePagesAndHidesRevokedTokens() {
        List<String> all = IntStream.range(0, 1_200).mapToObj(i -> String.format("t%04d", i)).toList();
        for (String id : all) {
            join(registry.record(id, info(id)));
        }
        Page<IssuedToken> first = join(registry.list("", "", 1000));
        assertEquals(all.subList(0, 1000), ids(first));
        assertTrue(first.hasMore());
        Page<IssuedToken> second = join(registry.list("", "t0999", 1000));
        assertEquals(all.subList(1000, 1200), ids(second));
        assertFalse(second.hasMore());
        assertEquals(all.subList(1100, 1200), ids(join(registry.list("t11", "", 1000))));

        for (int i = 990; i < 1_100; i++) {
            assertTrue(join(registry.revoke(all.get(i), false)));
        }
        List<String> live = new ArrayList<>(all.subList(0, 990));
        live.addAll(all.subList(1_100, 1_200));
        Page<IssuedToken> afterRevocations = join(registry.list("", "", 1000));
        assertEquals(live.subList(0, 1000), ids(afterRevocations));
        assertTrue(afterRevocations.hasMore());
        Page<IssuedToken> rest = join(registry.list("", live.get(999), 1000));
        assertEquals(live.subList(1000, 1090), ids(rest));
        assertFalse(rest.hasMore());
        assertEquals(List.of(), ids(join(registry.list("t10", "", 1000))), "every t10xx is revoked");
    }

    @Test
    void hasMoreIsFalseWhenOnlyRevokedTokensFollow() {
        for (String id : List.of("a", "b", "c", "d")) {
            join(registry.record(id, info(id)));
        }
        join(registry.revoke("c", false));
        join(registry.revoke("d", false));
        Page<IssuedToken> page = join(registry.list("", "", 2));
        assertEquals(List.of("a", "b"), ids(page));
        assertFalse(page.hasMore());
        assertTrue(join(registry.list("", "", 1)).hasMore());
    }

    @Test
    void aListingGivesUpAtItsDeadline() {
        for (int i = 0; i < 1_200; i++) {
            join(registry.record(String.format("t%04d", i), info("t")));
        }
        TokenRegistry slow = new TokenRegistry(new ForwardingStore(memory) {
            @Override
            public CompletionStage<ListPage> list(String prefix, String startAfter, int limit) {
                nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(TokenRegistry.LIST_DEADLINE_MS / 2));
                return super.list(prefix, startAfter, limit);
            }
        }, nanos::get);
        // each store page takes half the deadline: the listing reads issued and revoked keys, then gives up
        CompletionException e = assertThrows(CompletionException.class, () -> join(slow.list("", "", 1000)));
        assertEquals(StoreException.Kind.TRANSIENT, ((StoreException) e.getCause()).kind(), e.getCause().getMessage());
        assertTrue(e.getCause().getMessage().contains("longer than"), e.getCause().getMessage());
    }

    @Test
    void limitsOutsideOneToAThousandAreProgrammerErrors() {
        assertThrows(IllegalArgumentException.class, () -> registry.list("", "", 0));
        assertThrows(IllegalArgumentException.class, () -> registry.list("", "", 1001));
    }

    // ---------------------------------------------------------------- revoke

    @Test
    void revokingAnUnknownIdIsFalseAndWritesNothing() {
        assertFalse(join(registry.revoke("nobody", false)));
        assertFalse(join(registry.isRevoked("nobody")));
        assertEquals(List.of(), join(memory.list("", "", 1000)).keys());
    }

    /** S2 answers a second revocation 404 access_token_not_found: only the first one revokes. */
    @Test
    void revokingAnAlreadyRevokedTokenIsFalseEverywhere() {
        join(registry.record("t", info("t")));
        assertTrue(join(registry.revoke("t", false)));
        assertFalse(join(registry.revoke("t", false)));
        assertFalse(join(new TokenRegistry(store, nanos::get).revoke("t", false)));
        assertFalse(join(registry.revoke("t", true)));
        assertTrue(join(registry.isRevoked("t")));
        assertEquals(List.of(), ids(join(registry.list("", "", 1000))));
    }

    @Test
    void forceRevokesAnIdThatWasNeverRecorded() {
        assertTrue(join(registry.revoke("admin", true)));
        assertTrue(join(new TokenRegistry(store, nanos::get).isRevoked("admin")));
        assertFalse(join(new TokenRegistry(store, nanos::get).revoke("admin", false)), "already revoked: 404, as S2 answers");
        assertFalse(join(registry.revoke("admin", true)), "forcing does not revoke twice either");
    }

    @Test
    void anotherInstancesRevocationIsSeenOnceTheNegativeCacheExpiresAndNotBefore() {
        TokenRegistry other = new TokenRegistry(store, nanos::get);
        join(registry.record("t", info("t")));
        assertFalse(join(registry.isRevoked("t")));
        long checkedAt = nanos.get();
        assertTrue(join(other.revoke("t", false)));

        nanos.set(checkedAt + TimeUnit.MILLISECONDS.toNanos(TokenRegistry.REVOCATION_CACHE_MS) - 1);
        int headsBefore = store.count("HEAD");
        assertFalse(join(registry.isRevoked("t")), "still within the cache bound");
        assertEquals(headsBefore, store.count("HEAD"), "answered from the cache");

        nanos.set(checkedAt + TimeUnit.MILLISECONDS.toNanos(TokenRegistry.REVOCATION_CACHE_MS));
        assertTrue(join(registry.isRevoked("t")), "the cache bound has passed");
        assertEquals(headsBefore + 1, store.count("HEAD"));
    }

    @Test
    void aRevocationIsRememberedForever() {
        join(registry.record("t", info("t")));
        assertFalse(join(registry.isRevoked("t")));
        join(registry.revoke("t", false));
        assertTrue(join(registry.isRevoked("t")), "this instance's own revocation is seen at once");
        join(memory.delete(TokenRegistryKeys.revoked("t"))); // never happens; proves no second look
        nanos.addAndGet(TimeUnit.DAYS.toNanos(365));
        int headsBefore = store.count("HEAD");
        assertTrue(join(registry.isRevoked("t")));
        assertEquals(headsBefore, store.count("HEAD"));
    }

    @Test
    void aSlowNegativeAnswerDoesNotOverwriteALaterRevocation() {
        java.util.concurrent.CompletableFuture<Void> gate = new java.util.concurrent.CompletableFuture<>();
        AtomicInteger gatedHeads = new AtomicInteger();
        TokenRegistry gated = new TokenRegistry(new ForwardingStore(memory) {
            @Override
            public CompletionStage<Optional<ObjectInfo>> head(String key) {
                Optional<ObjectInfo> now = join(super.head(key)); // read now; the first answer arrives late
                return gatedHeads.getAndIncrement() == 0 ? gate.thenApply(x -> now) : java.util.concurrent.CompletableFuture.completedFuture(now);
            }
        }, nanos::get);
        assertTrue(join(registry.record("t", info("t"))));
        CompletionStage<Boolean> slow = gated.isRevoked("t");
        assertTrue(join(gated.revoke("t", false)));
        gate.complete(null);
        assertFalse(join(slow), "the slow HEAD saw no revocation");
        assertTrue(join(gated.isRevoked("t")), "its late negative answer did not replace the revocation");
    }

    @Test
    void theCacheIsBoundedLeastRecentlyUsedFirst() {
        for (int i = 0; i <= TokenRegistry.REVOCATION_CACHE_ENTRIES_MAX; i++) {
            join(registry.isRevoked("id" + i));
        }
        int headsBefore = store.count("HEAD");
        join(registry.isRevoked("id" + TokenRegistry.REVOCATION_CACHE_ENTRIES_MAX));
        assertEquals(headsBefore, store.count("HEAD"), "the newest entry is cached");
        join(registry.isRevoked("id0"));
        assertEquals(headsBefore + 1, store.count("HEAD"), "the oldest entry was evicted");
    }
}
