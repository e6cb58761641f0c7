package dev.brook.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.testing.LossyStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ObjectStore contract (docs/STORE.md, contract), run against every adapter by a subclass that says how
 * to open a fresh, empty store. Seeds are fixed: a failure names what to rerun.
 */
abstract class ObjectStoreContract {

    static final long SEED = 0xB200C;
    static final int RACE_KEYS = 100;
    static final int RACE_WRITERS = 8;
    static final int LIST_KEYS = 1_500;
    static final int BIG_OBJECT_BYTES = 8 << 20;
    static final int CONCURRENT_LIST_KEYS = 100;

    /** A fresh, empty store; each call in one test may return a new handle on the same objects. */
    protected abstract ObjectStore openAdapter() throws Exception;

    /** Removes what {@link #openAdapter} made. */
    protected void cleanUp() throws Exception {}

    protected ObjectStore store;

    @BeforeEach
    void openStore() throws Exception {
        store = openAdapter();
    }

    @AfterEach
    void closeStore() throws Exception {
        store.close();
        cleanUp();
    }

    static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("store call failed: " + e, e);
        }
    }

    static StoreException failureOf(CompletionStage<?> stage) {
        CompletionException e = assertThrows(CompletionException.class, () -> stage.toCompletableFuture().join());
        return StoreException.unwrap(e);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    ResilientObjectStore resilient(ObjectStore inner) {
        return new ResilientObjectStore(inner, new ResilientObjectStore.RetryPolicy(4, 60_000, 0, 0), System::nanoTime,
                ms -> CompletableFuture.completedFuture(null), new Random(SEED));
    }

    @Test
    void raceOfEightWritersOnEachOfAHundredKeysHasExactlyOneWinnerWhoseBytesAreStored() throws Exception {
        Random random = new Random(SEED);
        ExecutorService pool = Executors.newFixedThreadPool(RACE_WRITERS);
        try {
            for (int k = 0; k < RACE_KEYS; k++) {
                String key = "race/" + String.format("%04d", k);
                byte[][] bodies = new byte[RACE_WRITERS][];
                for (int w = 0; w < RACE_WRITERS; w++) {
                    bodies[w] = new byte[1 + random.nextInt(2_000)];
                    random.nextBytes(bodies[w]);
                }
                CyclicBarrier start = new CyclicBarrier(RACE_WRITERS);
                List<Future<PutOutcome>> results = new ArrayList<>();
                for (int w = 0; w < RACE_WRITERS; w++) {
                    int writer = w;
                    results.add(pool.submit(() -> {
                        start.await(30, TimeUnit.SECONDS);
                        return await(store.putIfAbsent(key, bodies[writer], Map.of("writer", "w" + writer)));
                    }));
                }
                int winner = -1;
                for (int w = 0; w < RACE_WRITERS; w++) {
                    if (results.get(w).get(60, TimeUnit.SECONDS) == PutOutcome.CREATED) {
                        assertEquals(-1, winner, key + ": writers " + winner + " and " + w + " both created");
                        winner = w;
                    }
                }
                assertTrue(winner >= 0, key + ": nobody created");
                StoredObject stored = await(store.get(key)).orElseThrow();
                assertArrayEquals(bodies[winner], stored.body(), key + ": stored bytes are not the winner's");
                assertEquals("w" + winner, stored.info().metadata().get("writer"), key);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void metadataAndWriterIdRoundTripThroughHeadAndGet() {
        ResilientObjectStore resilient = resilient(store);
        Map<String, String> metadata = Map.of("end-seq", "00000000000000000042", "kind", "commit v1; ascii only!");
        byte[] body = bytes("the authoritative body");
        assertEquals(PutOutcome.CREATED, await(resilient.putIfAbsent("meta/one", body, metadata)));

        ObjectInfo info = await(store.head("meta/one")).orElseThrow();
        assertEquals(body.length, info.size());
        assertEquals("00000000000000000042", info.metadata().get("end-seq"));
        assertEquals("commit v1; ascii only!", info.metadata().get("kind"));
        String writer = info.metadata().get(ResilientObjectStore.WRITER_METADATA);
        assertTrue(writer != null && !writer.isEmpty(), "the writer id is stored: " + info.metadata());
        assertEquals(3, info.metadata().size(), "exactly our metadata and the writer id: " + info.metadata());
        assertTrue(Math.abs(info.lastModifiedMs() - System.currentTimeMillis()) < TimeUnit.HOURS.toMillis(1),
                "lastModified is the store's clock, near ours: " + info.lastModifiedMs());

        StoredObject got = await(store.get("meta/one")).orElseThrow();
        assertArrayEquals(body, got.body());
        assertEquals(info.metadata(), got.info().metadata());
        assertEquals(info.lastModifiedMs(), got.info().lastModifiedMs());

        // A second writer gets ALREADY_EXISTS and changes nothing, its writer id included.
        assertEquals(PutOutcome.ALREADY_EXISTS, await(resilient.putIfAbsent("meta/one", bytes("other"), Map.of("kind", "x"))));
        assertEquals(info.metadata(), await(store.head("meta/one")).orElseThrow().metadata());
        assertThrows(IllegalArgumentException.class,
                () -> resilient.putIfAbsent("meta/two", body, Map.of(ResilientObjectStore.WRITER_METADATA, "forged")));
    }

    @Test
    void emptyBodyAndEmptyMetadataAreObjectsToo() {
        assertEquals(PutOutcome.CREATED, await(store.putIfAbsent("empty", new byte[0], Map.of())));
        assertEquals(0, await(store.get("empty")).orElseThrow().body().length);
        assertEquals(0, await(store.head("empty")).orElseThrow().size());
    }

    @Test
    void listingIsInKeyOrderWithStartAfterAndPaginationAcrossMoreThanAThousandKeys() {
        Random random = new Random(SEED);
        TreeSet<String> expected = new TreeSet<>();
        // Siblings that sort around '/': "a-b" < "a.b" < "a/..." < "a0" < "a_b" < "ab". No key is the
        // directory of another (StoreKeys: file-backed S3 servers cannot hold "a" and "a/x").
        String[] tricky = {"l/a-b", "l/a.b", "l/a/-", "l/a/x", "l/a/y/z", "l/a0", "l/a_b", "l/b", "l/ab/c"};
        Collections.addAll(expected, tricky);
        while (expected.size() < LIST_KEYS) {
            int n = random.nextInt(100_000);
            expected.add(random.nextInt(7) == 0 ? String.format("l/m/%05d/x", n) : String.format("l/n/%05d", n));
        }
        List<String> shuffled = new ArrayList<>(expected);
        Collections.shuffle(shuffled, random);
        putAll(shuffled);
        // Neighbours outside the prefix must not leak in.
        putAll(List.of("k/z", "la", "l-", "m"));

        assertEquals(List.copyOf(expected), listAll("l/", "", StoreKeys.LIST_LIMIT_MAX));
        assertEquals(List.copyOf(expected), listAll("l/", "", 7));

        ListPage first = await(store.list("l/", "", StoreKeys.LIST_LIMIT_MAX));
        assertEquals(StoreKeys.LIST_LIMIT_MAX, first.objects().size());
        assertTrue(first.next().isPresent(), "a full page says more follow");

        List<String> all = List.copyOf(expected);
        String middle = all.get(777);
        assertEquals(all.subList(778, all.size()), listAll("l/", middle, 100), "startAfter an existing key");
        String between = all.get(500) + "-";
        assertEquals(List.copyOf(expected.tailSet(between, false)), listAll("l/", between, 100), "startAfter between keys");
        assertEquals(all, listAll("l/", "a", 1000), "startAfter before the prefix has no effect");
        assertEquals(List.of(), listAll("l/", "l/zzz", 1000), "startAfter after every key");
        assertEquals(List.of("l/a-b", "l/a.b", "l/a/-", "l/a/x", "l/a/y/z", "l/a0", "l/a_b", "l/ab/c"),
                listAll("l/a", "", 3), "a prefix that ends inside a segment");
        assertEquals(List.of("l/a/-", "l/a/x", "l/a/y/z"), listAll("l/a/", "", 2), "a prefix that ends with '/'");
        assertEquals(List.of("l/a/y/z"), listAll("l/a/", "l/a/y", 1), "startAfter a directory");
        assertEquals(List.of("l/a0", "l/a_b", "l/ab/c"), listAll("l/a", "l/a/y/z", 5), "startAfter deep inside a subtree");

        ListPage last = await(store.list("l/", all.get(all.size() - 2), 1));
        assertEquals(List.of(all.get(all.size() - 1)), last.keys());
        assertEquals(Optional.empty(), last.next(), "the last page says nothing follows");
    }

    @Test
    void aListingDuringConcurrentCreatesShowsOnlyCompletedObjects() throws Exception {
        Random random = new Random(SEED);
        List<String> keys = new ArrayList<>();
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < CONCURRENT_LIST_KEYS; i++) {
            keys.add(String.format("busy/c/%020d", i));
            byte[] body = new byte[256 * 1024 + random.nextInt(256 * 1024)];
            random.nextBytes(body);
            bodies.add(body);
        }
        ExecutorService writers = Executors.newFixedThreadPool(8);
        try {
            List<Future<PutOutcome>> writes = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                int n = i;
                writes.add(writers.submit(() -> await(store.putIfAbsent(keys.get(n), bodies.get(n), Map.of()))));
            }
            int listings = 0;
            while (listings < 3 || !writes.stream().allMatch(Future::isDone)) {
                assertTrue(listings < 100_000, "writes do not finish");
                listings++;
                for (String listed : await(store.list("busy/", "", StoreKeys.LIST_LIMIT_MAX)).keys()) {
                    int index = keys.indexOf(listed);
                    assertTrue(index >= 0, "listed `" + listed + "`, which nobody created");
                    assertArrayEquals(bodies.get(index), await(store.get(listed)).orElseThrow().body(),
                            "listed `" + listed + "` before it was whole");
                }
            }
            for (Future<PutOutcome> write : writes) {
                assertEquals(PutOutcome.CREATED, write.get());
            }
            assertEquals(keys, listAll("busy/", "", StoreKeys.LIST_LIMIT_MAX));
        } finally {
            writers.shutdownNow();
        }
    }

    @Test
    void absentKeysReadAsAbsentAndDeletingThemSucceeds() {
        assertEquals(Optional.empty(), await(store.get("nothing/here")));
        assertEquals(Optional.empty(), await(store.head("nothing/here")));
        await(store.delete("nothing/here"));
        ListPage page = await(store.list("nothing/", "", 10));
        assertEquals(List.of(), page.objects());
        assertEquals(Optional.empty(), page.next());
        assertEquals(List.of(), await(store.list("", "", 10)).objects());
    }

    @Test
    void anEightMebibyteObjectRoundTrips() {
        byte[] big = new byte[BIG_OBJECT_BYTES];
        new Random(SEED).nextBytes(big);
        assertEquals(PutOutcome.CREATED, await(store.putIfAbsent("big/one", big, Map.of("size", "8MiB"))));
        assertArrayEquals(big, await(store.get("big/one")).orElseThrow().body());
        assertEquals(BIG_OBJECT_BYTES, await(store.head("big/one")).orElseThrow().size());
    }

    @Test
    void putReplacesWholeAndDeleteRemovesFromReadsAndListings() {
        await(store.put("hint/latest", bytes("one"), Map.of("v", "1")));
        await(store.put("hint/latest", bytes("two, longer"), Map.of("v", "2")));
        StoredObject got = await(store.get("hint/latest")).orElseThrow();
        assertArrayEquals(bytes("two, longer"), got.body());
        assertEquals("2", got.info().metadata().get("v"));
        assertEquals(PutOutcome.ALREADY_EXISTS, await(store.putIfAbsent("hint/latest", bytes("three"), Map.of())));

        await(store.putIfAbsent("hint/other", bytes("x"), Map.of()));
        await(store.delete("hint/latest"));
        assertEquals(Optional.empty(), await(store.get("hint/latest")));
        assertEquals(Optional.empty(), await(store.head("hint/latest")));
        assertEquals(List.of("hint/other"), await(store.list("hint/", "", 10)).keys());
        assertEquals(PutOutcome.CREATED, await(store.putIfAbsent("hint/latest", bytes("four"), Map.of())),
                "a deleted key can be created again");
    }

    @Test
    void invalidKeysAndMetadataAreRefusedAndChangeNothing() {
        for (String key : List.of("", "/a", "a/", "a//b", "A", "a b", "a/./b", "a/../b", "..", "é", "a".repeat(901))) {
            assertThrows(IllegalArgumentException.class, () -> store.putIfAbsent(key, bytes("x"), Map.of()), key);
            assertThrows(IllegalArgumentException.class, () -> store.get(key), key);
        }
        assertThrows(IllegalArgumentException.class, () -> store.putIfAbsent("ok", bytes("x"), Map.of("Upper", "v")));
        assertThrows(IllegalArgumentException.class, () -> store.putIfAbsent("ok", bytes("x"), Map.of("k", "line\nbreak")));
        assertThrows(IllegalArgumentException.class, () -> store.list("", "", 0));
        assertThrows(IllegalArgumentException.class, () -> store.list("", "", StoreKeys.LIST_LIMIT_MAX + 1));
        assertEquals(List.of(), await(store.list("", "", 10)).objects());
    }

    @Test
    void aCreateWhoseResponseIsLostIsSettledAsCreatedByItsWriterId() {
        LossyStore lossy = new LossyStore(store).failNextCreates(() -> {}, LossyStore.Fault.LAND_THEN_LOSE_RESPONSE);
        byte[] ours = bytes("ours");
        assertEquals(PutOutcome.CREATED, await(resilient(lossy).putIfAbsent("lost/response", ours, Map.of())));
        assertEquals(2, lossy.createAttempts(), "one lost attempt, one identical resend");
        assertArrayEquals(ours, await(store.get("lost/response")).orElseThrow().body());
    }

    @Test
    void aCreateLostWhileAnotherWriterWinsIsSettledAsAlreadyExists() {
        byte[] theirs = bytes("theirs");
        LossyStore lossy = new LossyStore(store).failNextCreates(
                () -> await(store.putIfAbsent("lost/request", theirs, Map.of())), LossyStore.Fault.LOSE_REQUEST);
        assertEquals(PutOutcome.ALREADY_EXISTS, await(resilient(lossy).putIfAbsent("lost/request", bytes("ours"), Map.of())));
        assertArrayEquals(theirs, await(store.get("lost/request")).orElseThrow().body());
    }

    @Test
    void aCreateThatCannotBeSettledInItsAttemptsFailsAsOutcomeUnknown() {
        LossyStore lossy = new LossyStore(store).failNextCreates(() -> {},
                LossyStore.Fault.LAND_THEN_LOSE_RESPONSE, LossyStore.Fault.LOSE_REQUEST,
                LossyStore.Fault.LOSE_REQUEST, LossyStore.Fault.LOSE_REQUEST);
        StoreException e = failureOf(resilient(lossy).putIfAbsent("lost/forever", bytes("ours"), Map.of()));
        assertEquals(StoreException.Kind.OUTCOME_UNKNOWN, e.kind());
        assertFalse(e.retryable());
        assertEquals(4, lossy.createAttempts());
        assertTrue(await(store.get("lost/forever")).isPresent(), "the first attempt did land: unknown was the truth");
    }

    private void putAll(List<String> keys) {
        Semaphore inFlight = new Semaphore(32);
        List<CompletableFuture<PutOutcome>> puts = new ArrayList<>();
        for (String key : keys) {
            inFlight.acquireUninterruptibly();
            puts.add(store.putIfAbsent(key, bytes(key), Map.of()).toCompletableFuture().whenComplete((r, e) -> inFlight.release()));
        }
        for (CompletableFuture<PutOutcome> put : puts) {
            assertEquals(PutOutcome.CREATED, await(put));
        }
    }

    private List<String> listAll(String prefix, String startAfter, int pageSize) {
        List<String> keys = new ArrayList<>();
        Optional<String> next = Optional.of(startAfter);
        for (int pages = 0; next.isPresent(); pages++) {
            assertTrue(pages <= LIST_KEYS, "pagination does not end");
            ListPage page = await(store.list(prefix, next.get(), pageSize));
            assertTrue(page.objects().size() <= pageSize);
            keys.addAll(page.keys());
            next = page.next();
        }
        return keys;
    }
}
