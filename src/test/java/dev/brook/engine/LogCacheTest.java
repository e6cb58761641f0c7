package dev.brook.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.BasinConfig;
import dev.brook.core.Rejection;
import dev.brook.core.StreamConfigSpec;
import dev.brook.log.AppendOutcome;
import dev.brook.log.AppendSession;
import dev.brook.log.LogEnv;
import dev.brook.log.LogSettings;
import dev.brook.log.ReadOutcome;
import dev.brook.log.ReadRequest;
import dev.brook.store.MemoryObjectStore;
import dev.brook.store.ObjectStore;
import dev.brook.store.PutOutcome;
import dev.brook.testing.ForwardingStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * The data plane's cache of stream logs is bounded, but never holds two logs (two group-commit
 * queues, two tail watches) for one stream incarnation: a log something uses (an append in flight
 * or queued, a session, a waiting reader) is not evicted, whatever the cap; idle ones are.
 */
class LogCacheTest {

    static final String BASIN = "log-cache-basin";

    /** Holds every commit write until released; everything else passes. */
    static final class HeldCommits extends ForwardingStore {
        final List<CompletableFuture<Void>> gates = new ArrayList<>();

        HeldCommits(ObjectStore inner) {
            super(inner);
        }

        @Override
        public synchronized CompletionStage<PutOutcome> putIfAbsent(String key, byte[] body, Map<String, String> metadata) {
            if (!key.contains("/c/")) {
                return super.putIfAbsent(key, body, metadata);
            }
            CompletableFuture<Void> gate = new CompletableFuture<>();
            gates.add(gate);
            return gate.thenCompose(x -> super.putIfAbsent(key, body, metadata));
        }

        synchronized int held() {
            return gates.size();
        }

        /** Lets the held writes go, the latest first (a network may reorder them so). */
        void releaseLatestFirst() {
            List<CompletableFuture<Void>> open;
            synchronized (this) {
                open = new ArrayList<>(gates);
                gates.clear();
            }
            java.util.Collections.reverse(open);
            open.forEach(g -> g.complete(null));
        }
    }

    private final ObjectStore memory = new MemoryObjectStore(() -> 0);
    private final LongPollTest.ManualDelay delay = new LongPollTest.ManualDelay();

    private DataPlane process(ObjectStore store, int logsCachedMax) {
        LogEnv env = new LogEnv(store, () -> 1_000_000, System::nanoTime, delay, new Random(1), LogSettings.DEFAULT);
        return new DataPlane(new Catalog(store, env.wallClockMs(), env.random()), env, logsCachedMax);
    }

    private void createStreams(String... names) {
        Catalog c = new Catalog(memory, () -> 1_000_000, new Random(9));
        c.createBasin(BASIN, BasinConfig.DEFAULT, Optional.empty(), "h").toCompletableFuture().join();
        for (String name : names) {
            c.createStream(BASIN, name, StreamConfigSpec.EMPTY, Optional.empty(), Optional.empty()).toCompletableFuture().join();
        }
    }

    private static AppendBatch batch(OptionalLong match, String body) {
        return new AppendBatch(List.of(new AppendRecord(OptionalLong.empty(), List.of(), body.getBytes(StandardCharsets.UTF_8))),
                match, Optional.empty(), 5);
    }

    private static CompletableFuture<AppendOutcome> append(DataPlane p, String stream, String body) {
        return p.append(BASIN, stream, batch(OptionalLong.empty(), body), Optional.empty(), StreamConfigSpec.EMPTY, false)
                .toCompletableFuture();
    }

    private static void touch(DataPlane p, String stream) {
        p.checkTail(BASIN, stream, StreamConfigSpec.EMPTY, false).toCompletableFuture().join();
    }

    private List<String> bodies(String stream) {
        DataPlane fresh = process(memory, 4);
        ReadOutcome o = fresh.read(BASIN, stream, new ReadRequest(new ReadRequest.Start.SeqNum(0), 1000, 1 << 20,
                OptionalLong.empty(), false, false), Optional.empty(), StreamConfigSpec.EMPTY, false).toCompletableFuture().join();
        return assertInstanceOf(ReadOutcome.Records.class, o).records().stream()
                .map(r -> new String(r.body(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void aSessionKeepsOneQueueWhileOtherStreamsPassThroughTheCache() {
        createStreams("a", "b");
        HeldCommits held = new HeldCommits(memory);
        DataPlane p = process(held, 1);
        StreamRecord a = p.resolve(BASIN, "a", DataPlane.AutoCreate.NEVER).toCompletableFuture().join();
        AppendSession session = new AppendSession();

        CompletableFuture<AppendOutcome> u0 = append(p, "a", "u0");
        assertEquals(1, held.held(), "u0's commit is in flight");
        CompletableFuture<AppendOutcome> b1 = p.append(BASIN, "a", a, batch(OptionalLong.of(99), "b1"), Optional.empty(), session).toCompletableFuture();
        touch(p, "b"); // one log over the cap
        CompletableFuture<AppendOutcome> b2 = p.append(BASIN, "a", a, batch(OptionalLong.empty(), "b2"), Optional.empty(), session).toCompletableFuture();
        assertEquals(1, held.held(), "b2 queues behind u0's commit in the stream's one queue: no second commit in flight");

        for (int round = 0; round < 10 && !(u0.isDone() && b1.isDone() && b2.isDone()); round++) {
            held.releaseLatestFirst();
        }
        assertInstanceOf(AppendOutcome.Acked.class, u0.join());
        assertInstanceOf(AppendOutcome.Rejected.class, b1.join());
        assertEquals(List.of("u0"), bodies("a"), "after b1 failed, no later batch of the session is applied");
        AppendOutcome.Failed f = assertInstanceOf(AppendOutcome.Failed.class, b2.join());
        assertEquals(AppendOutcome.Failure.SESSION_BROKEN, f.failure());
        assertEquals(new Rejection.SeqNumMismatch(1), ((AppendOutcome.Rejected) b1.join()).rejection());
    }

    @Test
    void aWaitingReaderIsWokenByItsProcesssCommitWhileOtherStreamsPassThroughTheCache() {
        createStreams("a", "b");
        DataPlane p = process(memory, 1);
        ReadRequest atTail = new ReadRequest(new ReadRequest.Start.TailOffset(0), 1000, 1 << 20, OptionalLong.empty(), false, true);
        CompletableFuture<DataPlane.ReadResult> poll = p.read(BASIN, "a", atTail, 30_000, Optional.empty(), StreamConfigSpec.EMPTY)
                .toCompletableFuture();
        assertFalse(poll.isDone(), "nothing after the tail: the read waits");
        touch(p, "b");
        assertInstanceOf(AppendOutcome.Acked.class, append(p, "a", "new").join());
        assertTrue(poll.isDone(), "the commit woke the reader at once, without a poll");
        assertEquals(List.of("new"), ((ReadOutcome.Records) poll.join().outcome()).records().stream()
                .map(r -> new String(r.body(), StandardCharsets.UTF_8)).toList());
    }

    @Test
    void idleLogsAreEvictedDownToTheCap() {
        createStreams("a", "b", "c", "d", "e");
        DataPlane p = process(memory, 2);
        for (String s : List.of("a", "b", "c", "d", "e")) {
            assertInstanceOf(AppendOutcome.Acked.class, append(p, s, s).join());
        }
        assertEquals(2, p.logsCached(), "nothing uses the older logs: the cache is at its cap");
    }
}
