package dev.brook.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.SequencedRecord;
import dev.brook.core.StreamState;
import dev.brook.core.Timestamping;
import dev.brook.store.MemoryObjectStore;
import dev.brook.store.ObjectStore;
import dev.brook.store.StoredObject;
import dev.brook.testing.CountingStore;
import dev.brook.testing.ForwardingStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Fan-out shares each fetch (docs/LOG.md, fan-out): however many readers of a stream one process
 * has, each commit is fetched from storage once by that process, and a commit the process wrote
 * itself is served from memory.
 */
class SharedFetchTest {

    static final String SID = "fa70000000000000000000000000000a";

    /** Counts GETs per commit key, and holds them until released (so that readers overlap). */
    static final class HeldGets extends ForwardingStore {
        final Map<String, AtomicInteger> commitGets = new ConcurrentHashMap<>();
        final List<Runnable> held = new ArrayList<>();
        boolean holding;

        HeldGets(ObjectStore store) {
            super(store);
        }

        @Override
        public CompletionStage<Optional<StoredObject>> get(String key) {
            if (key.contains("/c/")) {
                commitGets.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            }
            synchronized (this) {
                if (holding) {
                    CompletableFuture<Optional<StoredObject>> later = new CompletableFuture<>();
                    held.add(() -> relay(super.get(key), later));
                    return later;
                }
            }
            return super.get(key);
        }

        void release() {
            List<Runnable> now;
            synchronized (this) {
                holding = false;
                now = new ArrayList<>(held);
                held.clear();
            }
            now.forEach(Runnable::run);
        }

        int gets() {
            return commitGets.values().stream().mapToInt(AtomicInteger::get).sum();
        }
    }

    /** Holds every request until drained, and counts them by kind: readers in flight overlap. */
    static final class HeldAll extends CountingStore {
        final List<Runnable> held = new ArrayList<>();

        HeldAll(ObjectStore store) {
            super(store);
        }

        private <T> CompletionStage<T> hold(java.util.function.Supplier<CompletionStage<T>> call) {
            CompletableFuture<T> later = new CompletableFuture<>();
            synchronized (this) {
                held.add(() -> relay(call.get(), later));
            }
            return later;
        }

        @Override
        public CompletionStage<Optional<StoredObject>> get(String key) {
            return hold(() -> super.get(key));
        }

        @Override
        public CompletionStage<Optional<dev.brook.store.ObjectInfo>> head(String key) {
            return hold(() -> super.head(key));
        }

        @Override
        public CompletionStage<dev.brook.store.ListPage> list(String prefix, String startAfter, int limit) {
            return hold(() -> super.list(prefix, startAfter, limit));
        }

        /** Runs what is held, and what that leads to, until nothing is. */
        void drain() {
            for (int i = 0; i < 100_000; i++) {
                List<Runnable> now;
                synchronized (this) {
                    if (held.isEmpty()) {
                        return;
                    }
                    now = new ArrayList<>(held);
                    held.clear();
                }
                now.forEach(Runnable::run);
            }
            throw new AssertionError("requests kept coming");
        }
    }

    /** Completes {@code to} as {@code from} completes. */
    static <T> void relay(CompletionStage<T> from, CompletableFuture<T> to) {
        from.whenComplete((v, e) -> {
            if (e != null) {
                to.completeExceptionally(e);
            } else {
                to.complete(v);
            }
        });
    }

    static StreamLog log(ObjectStore store, long cacheBytes) {
        LogEnv env = new LogEnv(store, () -> 1_000, System::nanoTime, ms -> CompletableFuture.completedFuture(null),
                new Random(3), LogSettings.DEFAULT, new CommitCache(cacheBytes));
        return new StreamLog(env, SID, StreamState.empty(1, Timestamping.DEFAULT));
    }

    static AppendBatch one(int i) {
        return new AppendBatch(List.of(new AppendRecord(OptionalLong.empty(), List.of(), ("r" + i).getBytes())),
                OptionalLong.empty(), Optional.empty(), 1_000);
    }

    static CompletableFuture<ReadOutcome> readFrom(StreamLog log, long seq) {
        return log.read(new ReadRequest(new ReadRequest.Start.SeqNum(seq), 1_000, 1 << 20, OptionalLong.empty(), false)).toCompletableFuture();
    }

    static List<Long> seqs(ReadOutcome o) {
        return assertInstanceOf(ReadOutcome.Records.class, o).records().stream().map(SequencedRecord::seqNum).toList();
    }

    @Test
    void manyReadersInOneProcessFetchEachCommitOnce() {
        HeldGets store = new HeldGets(new MemoryObjectStore(() -> 0));
        StreamLog writer = log(store, CommitCache.DEFAULT_BYTES_MAX);
        CommitCache cache = new CommitCache(CommitCache.DEFAULT_BYTES_MAX);
        StreamLog readers = new StreamLog(new LogEnv(store, () -> 1_000, System::nanoTime, ms -> CompletableFuture.completedFuture(null),
                new Random(3), LogSettings.DEFAULT, cache), SID, StreamState.empty(1, Timestamping.DEFAULT)); // another process
        int commits = 20;
        int followers = 50;
        for (int c = 0; c < commits; c++) {
            assertInstanceOf(AppendOutcome.Acked.class, writer.append(one(c)).toCompletableFuture().join());
            synchronized (store) {
                store.holding = true;
            }
            List<CompletableFuture<ReadOutcome>> reads = new ArrayList<>();
            for (int f = 0; f < followers; f++) {
                reads.add(readFrom(readers, c)); // every follower reads the new commit at once
            }
            store.release();
            for (CompletableFuture<ReadOutcome> r : reads) {
                assertEquals(List.of((long) c), seqs(r.join()), "each follower gets the new record");
            }
        }
        assertEquals(commits, store.commitGets.size(), "every commit was fetched");
        store.commitGets.forEach((key, n) -> assertEquals(1, n.get(), key + " fetched " + n.get() + " times for " + followers + " readers"));
        assertEquals(commits, cache.readsFetched(), "what the metrics say: one fetch per commit");
        assertEquals((long) commits * (followers - 1), cache.readsShared() + cache.readsFromMemory(), "the rest shared or from memory");
    }

    @Test
    void manyReadersInOneProcessShareTailChecksAndFloorReads() {
        MemoryObjectStore memory = new MemoryObjectStore(() -> 0);
        StreamLog writer = log(memory, CommitCache.DEFAULT_BYTES_MAX);
        HeldAll store = new HeldAll(memory);
        StreamLog readers = log(store, CommitCache.DEFAULT_BYTES_MAX);
        int commits = 10;
        int followers = 50;
        readFrom(readers, 0); // learns the (empty) stream
        store.drain();
        for (int c = 0; c < commits; c++) {
            assertInstanceOf(AppendOutcome.Acked.class, writer.append(one(c)).toCompletableFuture().join());
            store.reset();
            List<CompletableFuture<ReadOutcome>> reads = new ArrayList<>();
            for (int f = 0; f < followers; f++) {
                reads.add(readFrom(readers, c)); // all woken by the same commit
            }
            store.drain();
            for (CompletableFuture<ReadOutcome> r : reads) {
                assertEquals(List.of((long) c), seqs(r.join()), "each follower gets the new record");
            }
            // alone, one read of a new commit costs: HEAD next, HEAD floor, HEAD after, HEAD floor, GET, HEAD floor
            assertTrue(store.total() <= 20, followers + " readers of commit " + c + " made " + store + " requests");
        }
    }

    /** Followers a few commits behind, at the last one, and already at the tail. */
    static long followerStart(int f, int c) {
        return f % 5 == 4 ? c + 1 : Math.max(0, c - f % 4);
    }

    /** Continuing reads of {@code followers} followers (docs/LOG.md, "Reading"), each checked to get [its start, c]. */
    static void followersRead(StreamLog log, HeldAll store, int followers, int c) {
        List<CompletableFuture<ReadOutcome>> reads = new ArrayList<>();
        for (int f = 0; f < followers; f++) {
            reads.add(log.readOn(new ReadRequest(new ReadRequest.Start.SeqNum(followerStart(f, c)), 1000, 1 << 20, OptionalLong.empty(), false, true))
                    .toCompletableFuture());
        }
        store.drain();
        for (int f = 0; f < followers; f++) {
            List<Long> expected = new ArrayList<>();
            for (long x = followerStart(f, c); x <= c; x++) {
                expected.add(x);
            }
            assertEquals(expected, seqs(reads.get(f).join()));
        }
    }

    @Test
    void continuingReadsOfTheWritersFollowersCostNothing() {
        // Followers in the writer's process, each continuing a read session: the commit comes from
        // memory, validated by the writer's floor guard; the tail from this process's last validation;
        // the start from the commits it remembers. Nothing is left to ask the store.
        HeldAll store = new HeldAll(new MemoryObjectStore(() -> 0));
        StreamLog log = log(store, CommitCache.DEFAULT_BYTES_MAX);
        int followers = 50;
        for (int c = 0; c < 10; c++) {
            CompletableFuture<AppendOutcome> ack = log.append(one(c)).toCompletableFuture();
            store.drain();
            assertInstanceOf(AppendOutcome.Acked.class, ack.join());
            store.reset();
            followersRead(log, store, followers, c);
            assertEquals(0, store.total(), followers + " continuing reads of commit " + c + " made " + store + " requests");
        }
    }

    @Test
    void aNotifiedProcessFetchesAndValidatesEachCommitOnceForAllItsFollowers() {
        // Followers in another process, woken by the writer's notices (docs/LOG.md, "Wake-ups"): the
        // process follows its chain to the notified commit with one GET and one floor read; its
        // followers' continuing reads then cost nothing.
        MemoryObjectStore memory = new MemoryObjectStore(() -> 0);
        StreamLog writer = log(memory, CommitCache.DEFAULT_BYTES_MAX);
        HeldAll store = new HeldAll(memory);
        StreamLog follower = log(store, CommitCache.DEFAULT_BYTES_MAX);
        assertInstanceOf(AppendOutcome.Acked.class, writer.append(one(0)).toCompletableFuture().join());
        CompletableFuture<ReadOutcome> first = readFrom(follower, 0);
        store.drain();
        assertEquals(List.of(0L), seqs(first.join()));
        int followers = 50;
        for (int c = 1; c < 10; c++) {
            assertInstanceOf(AppendOutcome.Acked.class, writer.append(one(c)).toCompletableFuture().join());
            store.reset();
            CompletableFuture<TailPosition> learned = follower.learn(c + 1).toCompletableFuture();
            store.drain();
            assertEquals(c + 1, learned.join().seqNum(), "the notified commit is the tail validated here");
            assertEquals(1, store.count("GET"), "one GET of the notified commit: " + store);
            assertEquals(2, store.total(), "and one floor read: " + store);
            store.reset();
            followersRead(follower, store, followers, c);
            assertEquals(0, store.total(), followers + " continuing reads of notified commit " + c + " made " + store + " requests");
        }
        // A notice of a commit that does not exist changes nothing here: one GET finds nothing.
        store.reset();
        CompletableFuture<TailPosition> forged = follower.learn(20).toCompletableFuture();
        store.drain();
        assertEquals(10, forged.join().seqNum());
        assertEquals(1, store.total(), "a false notice costs one GET: " + store);
    }

    @Test
    void aProcessReadsTheCommitsItWroteFromMemory() {
        HeldGets store = new HeldGets(new MemoryObjectStore(() -> 0));
        StreamLog log = log(store, CommitCache.DEFAULT_BYTES_MAX);
        for (int c = 0; c < 10; c++) {
            assertInstanceOf(AppendOutcome.Acked.class, log.append(one(c)).toCompletableFuture().join());
            assertEquals(List.of((long) c), seqs(readFrom(log, c).join()));
        }
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), seqs(readFrom(log, 0).join()));
        assertEquals(0, store.gets(), "no GET: its own commits are in memory");
    }

    @Test
    void theCacheStaysWithinItsBoundAndReadsStayRight() {
        HeldGets store = new HeldGets(new MemoryObjectStore(() -> 0));
        StreamLog writer = log(store, CommitCache.DEFAULT_BYTES_MAX);
        for (int c = 0; c < 50; c++) {
            assertInstanceOf(AppendOutcome.Acked.class, writer.append(one(c)).toCompletableFuture().join());
        }
        long bound = 1_000; // a few commits' worth
        LogEnv env = new LogEnv(store, () -> 1_000, System::nanoTime, ms -> CompletableFuture.completedFuture(null),
                new Random(3), LogSettings.DEFAULT, new CommitCache(bound));
        StreamLog reader = new StreamLog(env, SID, StreamState.empty(1, Timestamping.DEFAULT));
        for (int round = 0; round < 2; round++) {
            List<Long> all = seqs(readFrom(reader, 0).join());
            assertEquals(50, all.size());
            for (int i = 0; i < 50; i++) {
                assertEquals(i, all.get(i));
            }
            assertTrue(env.commits().bytes() <= bound, "held " + env.commits().bytes() + " bytes, bound " + bound);
        }
        assertTrue(store.gets() > 50, "evicted commits were fetched again: " + store.gets());
    }
}
