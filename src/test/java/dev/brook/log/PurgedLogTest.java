package dev.brook.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.Rejection;
import dev.brook.core.StreamState;
import dev.brook.core.Timestamping;
import dev.brook.store.MemoryObjectStore;
import dev.brook.store.ObjectStore;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A deleted stream's log stays answerable once purged: an instance that meets the infinite floor
 * (a second cleanup, a stale reader) may ask it again and again, seal and purge included.
 */
class PurgedLogTest {

    static final String SID = "9e9e0000000000000000000000000001";

    private static StreamLog log(ObjectStore store) {
        LogEnv env = new LogEnv(store, () -> 1_000, System::nanoTime, ms -> CompletableFuture.completedFuture(null),
                new Random(1), LogSettings.DEFAULT);
        return new StreamLog(env, SID, StreamState.empty(1, Timestamping.DEFAULT));
    }

    private static StreamState sealed(StreamState s) {
        return new StreamState(s.nextSeq(), s.lastTimestamp(), s.fencingToken(), s.trimPoint(), s.configVersion(), s.timestamping(), true);
    }

    @Test
    void anInstanceThatMeetsThePurgedLogAnswersEveryLaterCallToo() {
        ObjectStore store = new MemoryObjectStore(() -> 0);
        StreamLog first = log(store);
        assertInstanceOf(AppendOutcome.Acked.class, first.append(new AppendBatch(List.of(new AppendRecord(OptionalLong.empty(),
                List.of(), new byte[]{1})), OptionalLong.empty(), Optional.empty(), 1_000)).toCompletableFuture().join());
        assertInstanceOf(AppendOutcome.Applied.class, first.control("seal", PurgedLogTest::sealed).toCompletableFuture().join());
        assertFalse(first.purge().toCompletableFuture().join().more());

        StreamLog second = log(store); // a second cleanup, in another process
        assertEquals(new Rejection.StreamSealed(), assertInstanceOf(AppendOutcome.Rejected.class,
                second.control("seal", PurgedLogTest::sealed).toCompletableFuture().join()).rejection());
        assertFalse(second.purge().toCompletableFuture().join().more(), "the purge finds nothing left to do");
        assertTrue(second.state().toCompletableFuture().join().sealed());
        assertInstanceOf(ReadOutcome.Sealed.class, second.read(new ReadRequest(new ReadRequest.Start.SeqNum(0), 10, 1 << 20,
                OptionalLong.empty(), false)).toCompletableFuture().join());
    }

    /** A log of three one-record commits whose trim point is 2. */
    private static StreamLog threeCommitsTrimmedTo2(ObjectStore store) {
        StreamLog log = log(store);
        for (int i = 0; i < 3; i++) {
            assertInstanceOf(AppendOutcome.Acked.class, log.append(new AppendBatch(List.of(new AppendRecord(OptionalLong.empty(),
                    List.of(), new byte[]{(byte) i})), OptionalLong.empty(), Optional.empty(), 1_000)).toCompletableFuture().join());
        }
        assertInstanceOf(AppendOutcome.Applied.class, log.control("trim", s -> new StreamState(s.nextSeq(), s.lastTimestamp(),
                s.fencingToken(), 2, s.configVersion(), s.timestamping(), s.sealed())).toCompletableFuture().join());
        return log;
    }

    @Test
    void aTrimRunAfterThePurgeLeavesTheSealAndTheFloor() {
        ObjectStore store = new MemoryObjectStore(() -> 0);
        StreamLog log = threeCommitsTrimmedTo2(store);
        assertInstanceOf(AppendOutcome.Applied.class, log.control("seal", PurgedLogTest::sealed).toCompletableFuture().join());
        assertFalse(log.purge().toCompletableFuture().join().more());
        List<String> afterPurge = store.list("", "", 1000).toCompletableFuture().join().keys();

        // a trim run that comes late (the trimmer of another process, a janitor resumed late)
        TrimReport late = log.trim().toCompletableFuture().join();
        assertEquals(0, log(store).trim().toCompletableFuture().join().deleted(), "nor for another process");
        assertEquals(0, late.deleted(), "nothing is left to trim in a purged log");
        assertEquals(afterPurge, store.list("", "", 1000).toCompletableFuture().join().keys(), "the seal and the floors stay");
        StreamLog again = log(store);
        assertTrue(again.state().toCompletableFuture().join().sealed(), "the seal still answers for the deleted stream");
        assertInstanceOf(ReadOutcome.Sealed.class, again.read(new ReadRequest(new ReadRequest.Start.SeqNum(0), 10, 1 << 20,
                OptionalLong.empty(), false)).toCompletableFuture().join());
    }

    @Test
    void aPurgeThatLandsWhileATrimRunClaimsItsFloorLeavesTheSeal() {
        MemoryObjectStore memory = new MemoryObjectStore(() -> 0);
        threeCommitsTrimmedTo2(memory);

        // The trim run of another process has read the tail (trim point 2) and is about to claim its floor
        // when the stream is deleted: sealed and purged. The trim's claim then loses to the purge's.
        boolean[] purged = {false};
        String floors = new LogKeys(SID).floorPrefix();
        ObjectStore slowTrimmer = new dev.brook.testing.ForwardingStore(memory) {
            @Override
            public java.util.concurrent.CompletionStage<dev.brook.store.PutOutcome> putIfAbsent(String key, byte[] body,
                                                                                             java.util.Map<String, String> metadata) {
                if (key.startsWith(floors) && !purged[0]) {
                    purged[0] = true;
                    StreamLog cleanup = log(memory);
                    assertInstanceOf(AppendOutcome.Applied.class, cleanup.control("seal", PurgedLogTest::sealed).toCompletableFuture().join());
                    assertFalse(cleanup.purge().toCompletableFuture().join().more());
                }
                return super.putIfAbsent(key, body, metadata);
            }
        };
        List<String> afterPurgeWithoutTrim;
        TrimReport late = log(slowTrimmer).trim().toCompletableFuture().join();
        assertTrue(purged[0], "the purge ran inside the trim run");
        afterPurgeWithoutTrim = memory.list("", "", 1000).toCompletableFuture().join().keys();
        assertEquals(0, late.deleted(), "the trim run deletes nothing once the log is purged");
        assertTrue(afterPurgeWithoutTrim.stream().anyMatch(k -> k.startsWith(new LogKeys(SID).commitPrefix())),
                "the seal stays: " + afterPurgeWithoutTrim);
        StreamLog again = log(memory);
        assertTrue(again.state().toCompletableFuture().join().sealed(), "the seal still answers for the deleted stream");
    }
}
