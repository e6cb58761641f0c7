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
import dev.brook.log.CommitNotice;
import dev.brook.log.LogEnv;
import dev.brook.log.LogSettings;
import dev.brook.log.ReadOutcome;
import dev.brook.log.ReadRequest;
import dev.brook.store.MemoryObjectStore;
import dev.brook.testing.CountingStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Wake-ups across processes (docs/LOG.md, "Wake-ups"), on a clock and timers the test drives: a
 * follower registered in the bucket is told of another process's commits and wakes its readers
 * without a poll; a notice is only ever a reason to check the tail (a forged one wakes nobody, a
 * stale one costs nothing, one that reveals a missed notice repairs it); registrations are rewritten
 * every 30 s at most and expire; polling stays as the safety net.
 */
class WakeupsTest {

    static final String BASIN = "wakeup-basin";
    static final long WAIT_MS = 60_000;

    final long[] clock = {10_000_000};
    final CountingStore store = new CountingStore(new MemoryObjectStore(() -> clock[0]));
    final LongPollTest.ManualDelay delay = new LongPollTest.ManualDelay();
    final Map<String, DataPlane> processes = new java.util.HashMap<>();
    /** Which notices the network carries. */
    Predicate<CommitNotice> delivers = n -> true;
    final List<String> noticesTo = new ArrayList<>();

    final Peers.Link link = new Peers.Link() {
        @Override
        public CompletionStage<List<AppendOutcome>> forward(String peer, String sid, String id, List<AppendBatch> batches) {
            throw new AssertionError("no forwards here");
        }

        @Override
        public void notify(String peer, String sid, CommitNotice notice) {
            noticesTo.add(peer);
            if (delivers.test(notice)) {
                processes.get(peer).notified(sid, notice);
            }
        }
    };

    DataPlane process(String address, int seed) {
        LogEnv env = new LogEnv(store, () -> clock[0], System::nanoTime, delay, new Random(seed), LogSettings.DEFAULT);
        DataPlane p = new DataPlane(new Catalog(store, env.wallClockMs(), env.random()), env, DataPlane.LOGS_CACHED_MAX,
                Optional.of(new Peers(address, link)));
        processes.put(address, p);
        return p;
    }

    void createStream() {
        Catalog c = new Catalog(store, () -> clock[0], new Random(9));
        c.createBasin(BASIN, BasinConfig.DEFAULT, Optional.empty(), "h").toCompletableFuture().join();
        c.createStream(BASIN, "s", StreamConfigSpec.EMPTY, Optional.empty(), Optional.empty()).toCompletableFuture().join();
    }

    static AppendBatch batch(String body) {
        return new AppendBatch(List.of(new AppendRecord(OptionalLong.empty(), List.of(), body.getBytes(StandardCharsets.UTF_8))),
                OptionalLong.empty(), Optional.empty(), 5);
    }

    static void append(DataPlane p, String body) {
        assertInstanceOf(AppendOutcome.Acked.class,
                p.append(BASIN, "s", batch(body), Optional.empty(), StreamConfigSpec.EMPTY, false).toCompletableFuture().join());
    }

    static CompletableFuture<DataPlane.ReadResult> waitAtTail(DataPlane p) {
        ReadRequest atTail = new ReadRequest(new ReadRequest.Start.TailOffset(0), 1000, 1 << 20, OptionalLong.empty(), false, true);
        return p.read(BASIN, "s", atTail, WAIT_MS, Optional.empty(), StreamConfigSpec.EMPTY).toCompletableFuture();
    }

    static List<String> bodies(DataPlane.ReadResult r) {
        return ((ReadOutcome.Records) r.outcome()).records().stream().map(x -> new String(x.body(), StandardCharsets.UTF_8)).toList();
    }

    String sid(DataPlane p) {
        return p.preflight(BASIN, "s", DataPlane.AutoCreate.NEVER, StreamConfigSpec.EMPTY, Optional.empty()).toCompletableFuture().join().sid();
    }

    @Test
    void anotherProcesssCommitWakesTheFollowerWithoutAPoll() {
        DataPlane follower = process("http://follower", 1);
        DataPlane writer = process("http://writer", 2);
        createStream();
        append(writer, "old");
        CompletableFuture<DataPlane.ReadResult> poll = waitAtTail(follower);
        assertFalse(poll.isDone());
        clock[0] += Wakeups.REFRESH_EVERY_MS; // the writer lists registrations again, and finds the follower's

        append(writer, "new");

        assertTrue(poll.isDone(), "woken by the notice, no timer fired");
        assertEquals(List.of("new"), bodies(poll.join()));
        assertEquals(List.of("http://follower"), noticesTo, "the writer told the registered follower, and not itself");
    }

    @Test
    void aNoticeIsOnlyAReasonToCheck() {
        DataPlane follower = process("http://follower", 1);
        DataPlane writer = process("http://writer", 2);
        createStream();
        append(writer, "old");
        String sid = sid(follower);
        CompletableFuture<DataPlane.ReadResult> poll = waitAtTail(follower);

        int before = store.total();
        follower.notified(sid, new CommitNotice(1, 9, 0)); // forged: nothing was committed
        assertFalse(poll.isDone(), "a forged notice wakes nobody");
        assertTrue(store.total() > before, "it made the follower check the tail");

        before = store.total();
        follower.notified(sid, new CommitNotice(0, 1, 0)); // stale: the follower is past it
        follower.notified("00000000000000000000000000000000", new CommitNotice(1, 2, 0)); // a stream it does not hold
        assertEquals(before, store.total(), "stale notices and unknown streams cost nothing");
        assertFalse(poll.isDone());
    }

    @Test
    void aNoticeFromBeyondTheTailRepairsOneThatWasLost() {
        DataPlane follower = process("http://follower", 1);
        DataPlane writer = process("http://writer", 2);
        createStream();
        append(writer, "old");
        CompletableFuture<DataPlane.ReadResult> poll = waitAtTail(follower);
        clock[0] += Wakeups.REFRESH_EVERY_MS;
        delivers = n -> n.start() != 1; // the notice of [1, 2) is lost
        append(writer, "lost");
        assertFalse(poll.isDone());
        append(writer, "next");
        assertTrue(poll.isDone(), "the notice of [2, 3) starts beyond the tail: the check finds both");
        assertEquals(List.of("lost", "next"), bodies(poll.join()));
    }

    @Test
    void withoutNoticesPollingIsTheSafetyNet() {
        DataPlane follower = process("http://follower", 1);
        DataPlane writer = process("http://writer", 2);
        createStream();
        CompletableFuture<DataPlane.ReadResult> poll = waitAtTail(follower);
        delivers = n -> false;
        append(writer, "unannounced");
        delay.fireUpTo(TailWatch.NOTIFIED_POLL_FIRST_MS - 1);
        assertFalse(poll.isDone(), "no poll before the safety net's first interval");
        delay.fireUpTo(TailWatch.NOTIFIED_POLL_FIRST_MS);
        assertEquals(List.of("unannounced"), bodies(poll.join()));
    }

    @Test
    void registrationsAreRewrittenEvery30SecondsAtMostAndExpire() {
        DataPlane follower = process("http://follower", 1);
        DataPlane writer = process("http://writer", 2);
        createStream();
        append(writer, "first");
        store.reset();
        waitAtTail(follower);
        waitAtTail(follower);
        delay.fireUpTo(TailWatch.NOTIFIED_POLL_MAX_MS); // polls keep the registration, within its interval
        assertEquals(1, store.count("PUT"), "one registration for any number of waits and polls within 30 s");
        clock[0] += Wakeups.REGISTER_EVERY_MS;
        waitAtTail(follower);
        assertEquals(2, store.count("PUT"));
        append(writer, "while registered");
        assertEquals(List.of("http://follower"), noticesTo, "a current registration is told");

        // The follower goes quiet for longer than a lease: the writer stops telling it.
        clock[0] += Wakeups.LEASE_MS + 1;
        noticesTo.clear();
        append(writer, "after the lease"); // lists the registrations again (its last listing is old)
        append(writer, "and again");
        assertEquals(List.of(), noticesTo, "an expired registration is told nothing");
    }
}
