package dev.brook.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.BasinConfig;
import dev.brook.core.StreamConfigSpec;
import dev.brook.log.AppendOutcome;
import dev.brook.log.LogEnv;
import dev.brook.log.LogSettings;
import dev.brook.log.ReadOutcome;
import dev.brook.log.ReadRequest;
import dev.brook.store.MemoryObjectStore;
import dev.brook.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * Long-poll reads, on a clock the test drives: a waiting reader is woken by a commit of its own
 * process at once, by another process's commit through polling, and gives up when its wait ends.
 */
class LongPollTest {

    /** Delays that fire only when the test says so. */
    static final class ManualDelay implements dev.brook.store.ResilientObjectStore.Delay {
        record Timer(long millis, CompletableFuture<Void> fire) {}

        final List<Timer> pending = new ArrayList<>();

        @Override
        public synchronized CompletionStage<Void> after(long millis) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            pending.add(new Timer(millis, f));
            return f;
        }

        /** Fires the timers set for at most {@code millis}. */
        void fireUpTo(long millis) {
            List<Timer> now = new ArrayList<>();
            synchronized (this) {
                pending.removeIf(t -> t.millis() <= millis && now.add(t));
            }
            now.forEach(t -> t.fire().complete(null));
        }

        void fireAll() {
            fireUpTo(Long.MAX_VALUE);
        }
    }

    static final String BASIN = "long-poll-basin";
    static final long WAIT_MS = 30_000;
    private final ObjectStore store = new MemoryObjectStore(() -> 0);
    private final ManualDelay delay = new ManualDelay();
    private final long[] clock = {1_000_000};

    private DataPlane process(int n) {
        LogEnv env = new LogEnv(store, () -> clock[0], System::nanoTime, delay, new Random(n), LogSettings.DEFAULT);
        return new DataPlane(new Catalog(store, env.wallClockMs(), env.random()), env);
    }

    private static AppendBatch batch(String body) {
        return new AppendBatch(List.of(new AppendRecord(OptionalLong.empty(), List.of(), body.getBytes(StandardCharsets.UTF_8))),
                OptionalLong.empty(), Optional.empty(), 5);
    }

    private static ReadRequest atTail() {
        return new ReadRequest(new ReadRequest.Start.TailOffset(0), 1000, 1 << 20, OptionalLong.empty(), false, true);
    }

    private void createStream(DataPlane p) {
        Catalog c = new Catalog(store, () -> clock[0], new Random(9));
        c.createBasin(BASIN, BasinConfig.DEFAULT, Optional.empty(), "h").toCompletableFuture().join();
        c.createStream(BASIN, "s", StreamConfigSpec.EMPTY, Optional.empty(), Optional.empty()).toCompletableFuture().join();
    }

    private static void append(DataPlane p, String body) {
        assertInstanceOf(AppendOutcome.Acked.class,
                p.append(BASIN, "s", batch(body), Optional.empty(), StreamConfigSpec.EMPTY, false).toCompletableFuture().join());
    }

    private static List<String> bodies(DataPlane.ReadResult r) {
        return ((ReadOutcome.Records) r.outcome()).records().stream().map(x -> new String(x.body(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void aReaderAtTheTailIsWokenByAnAppendOfItsOwnProcess() {
        DataPlane p = process(1);
        createStream(p);
        append(p, "old");
        CompletableFuture<DataPlane.ReadResult> poll = p.read(BASIN, "s", atTail(), WAIT_MS, Optional.empty(), StreamConfigSpec.EMPTY)
                .toCompletableFuture();
        assertFalse(poll.isDone(), "nothing after the tail: the read waits");
        append(p, "new");
        assertTrue(poll.isDone(), "the commit woke the reader without any timer firing");
        DataPlane.ReadResult r = poll.join();
        assertEquals(List.of("new"), bodies(r));
        assertTrue(r.live(), "records from the live tail carry the tail");
    }

    @Test
    void aFollowersContinuingReadComesFromMemoryExceptOnAnEncryptedStream() {
        // A follower woken by a commit reads it from memory, at once (DataPlane#readFromMemory): the same
        // answer as the continuing read. An encrypted stream's records are opened on the usual path.
        DataPlane p = process(1);
        createStream(p);
        append(p, "a");
        append(p, "b");
        ReadRequest fromOne = new ReadRequest(new ReadRequest.Start.SeqNum(1), 1000, 1 << 20, OptionalLong.empty(), false, true);
        assertTrue(process(2).readFromMemory(BASIN, "s", fromOne).isEmpty(), "a process that has not resolved the name");
        ReadOutcome.Records usual = (ReadOutcome.Records) p.read(BASIN, "s", fromOne, Optional.empty(), StreamConfigSpec.EMPTY, false, false)
                .toCompletableFuture().join();
        ReadOutcome.Records now = (ReadOutcome.Records) p.readFromMemory(BASIN, "s", fromOne).orElseThrow();
        assertEquals(usual.records(), now.records());
        assertEquals(List.of("b"), now.records().stream().map(x -> new String(x.body(), StandardCharsets.UTF_8)).toList());
        assertEquals(usual.tailSeq(), now.tailSeq());

        Catalog c = new Catalog(store, () -> clock[0], new Random(10)); // not createStream's seed: another stream id
        c.createBasin("sealed-basin", new BasinConfig(StreamConfigSpec.EMPTY, Optional.of(dev.brook.core.Cipher.AEGIS_256), false, false),
                Optional.empty(), "h2").toCompletableFuture().join();
        c.createStream("sealed-basin", "s", StreamConfigSpec.EMPTY, Optional.empty(), Optional.empty()).toCompletableFuture().join();
        Optional<byte[]> key = Optional.of(new byte[32]);
        assertInstanceOf(AppendOutcome.Acked.class,
                p.append("sealed-basin", "s", batch("secret"), key, StreamConfigSpec.EMPTY, false).toCompletableFuture().join());
        ReadRequest fromZero = new ReadRequest(new ReadRequest.Start.SeqNum(0), 1000, 1 << 20, OptionalLong.empty(), false, true);
        ReadOutcome.Records opened = (ReadOutcome.Records) p.read("sealed-basin", "s", fromZero, key, StreamConfigSpec.EMPTY, false, true)
                .toCompletableFuture().join();
        assertEquals("secret", new String(opened.records().get(0).body(), StandardCharsets.UTF_8));
        assertTrue(p.readFromMemory("sealed-basin", "s", fromZero).isEmpty(), "encrypted records are opened on the usual path");
    }

    @Test
    void wokenReadersLeaveNoTimerBehind() {
        // A thousand followers woken by each commit must not leave a thousand wait timers pending
        // until their waits would have ended (held in the timer's queue for up to the whole wait).
        DataPlane p = process(1);
        createStream(p);
        append(p, "old");
        List<CompletableFuture<DataPlane.ReadResult>> polls = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            polls.add(p.read(BASIN, "s", atTail(), WAIT_MS, Optional.empty(), StreamConfigSpec.EMPTY).toCompletableFuture());
        }
        append(p, "new");
        for (CompletableFuture<DataPlane.ReadResult> poll : polls) {
            assertEquals(List.of("new"), bodies(poll.join()));
        }
        long live;
        synchronized (delay) {
            live = delay.pending.stream().filter(t -> t.millis() > TailWatch.POLL_MAX_MS && !t.fire().isDone()).count();
        }
        assertEquals(0, live, "wait timers of woken readers still pending");
    }

    @Test
    void waitersOnOneExecutorAreWokenByOneTaskOnIt() {
        // Followers of a stream spread over a server's event loops: a commit hands each loop one task
        // that wakes all its followers, not one hand-off per follower; waiters naming no executor are
        // woken on the committing thread as before.
        DataPlane p = process(1);
        createStream(p);
        append(p, "old");
        StreamRecord s = p.resolve(BASIN, "s", DataPlane.AutoCreate.NEVER).toCompletableFuture().join();
        long tail = p.checkTail(BASIN, "s", StreamConfigSpec.EMPTY, false).toCompletableFuture().join().nextSeq();
        List<Runnable> loopA = new ArrayList<>();
        List<Runnable> loopB = new ArrayList<>();
        java.util.concurrent.Executor a = loopA::add;
        java.util.concurrent.Executor b = loopB::add;
        List<CompletableFuture<Boolean>> onA = new ArrayList<>();
        List<CompletableFuture<Boolean>> onB = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            onA.add(p.awaitBeyond(s, tail, WAIT_MS, a).toCompletableFuture());
            onB.add(p.awaitBeyond(s, tail, WAIT_MS, b).toCompletableFuture());
        }
        CompletableFuture<Boolean> direct = p.awaitBeyond(s, tail, WAIT_MS).toCompletableFuture();
        append(p, "new");
        assertTrue(direct.join(), "a waiter naming no executor is woken by the commit itself");
        assertEquals(1, loopA.size(), "one task for the fifty waiters on the first executor");
        assertEquals(1, loopB.size(), "one task for the fifty waiters on the second executor");
        assertTrue(onA.stream().noneMatch(CompletableFuture::isDone), "nobody woken before its executor runs the task");
        loopA.get(0).run();
        assertTrue(onA.stream().allMatch(f -> f.getNow(false)), "the task wakes all of them");
        assertTrue(onB.stream().noneMatch(CompletableFuture::isDone));
        loopB.get(0).run();
        assertTrue(onB.stream().allMatch(f -> f.getNow(false)));
    }

    @Test
    void aReaderIsWokenByAnotherProcessThroughPolling() {
        DataPlane reader = process(1);
        DataPlane writer = process(2);
        createStream(reader);
        CompletableFuture<DataPlane.ReadResult> poll = reader.read(BASIN, "s", atTail(), WAIT_MS, Optional.empty(),
                StreamConfigSpec.EMPTY).toCompletableFuture();
        assertFalse(poll.isDone());
        append(writer, "from-elsewhere");
        assertFalse(poll.isDone(), "another process's commit is not seen without a poll");
        delay.fireUpTo(TailWatch.POLL_MAX_MS); // the poll timers only, not the 30 s wait
        DataPlane.ReadResult r = poll.join();
        assertEquals(List.of("from-elsewhere"), bodies(r), "found by polling, not by the wait timing out");
        assertTrue(r.live());
    }

    @Test
    void aReaderGivesUpWithNothingWhenItsWaitEnds() {
        DataPlane p = process(1);
        createStream(p);
        CompletableFuture<DataPlane.ReadResult> poll = p.read(BASIN, "s", atTail(), WAIT_MS, Optional.empty(), StreamConfigSpec.EMPTY)
                .toCompletableFuture();
        clock[0] += WAIT_MS; // the deadline passes; the wait timer fires with the poll timers
        delay.fireAll();
        delay.fireAll();
        DataPlane.ReadResult r = poll.join();
        assertEquals(List.of(), bodies(r));
        assertFalse(r.live());
    }

    @Test
    void storedRecordsAreReturnedAtOnceWithoutATail() {
        DataPlane p = process(1);
        createStream(p);
        append(p, "stored");
        ReadRequest fromStart = new ReadRequest(new ReadRequest.Start.SeqNum(0), 1000, 1 << 20, OptionalLong.empty(), false, true);
        CompletableFuture<DataPlane.ReadResult> read = p.read(BASIN, "s", fromStart, WAIT_MS, Optional.empty(), StreamConfigSpec.EMPTY)
                .toCompletableFuture();
        assertTrue(read.isDone(), "catch-up does not wait");
        assertEquals(List.of("stored"), bodies(read.join()));
        assertFalse(read.join().live());
    }
}
