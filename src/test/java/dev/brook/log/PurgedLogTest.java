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
}
