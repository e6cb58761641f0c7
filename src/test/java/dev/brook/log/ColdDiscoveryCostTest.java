package dev.brook.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.StreamState;
import dev.brook.core.Timestamping;
import dev.brook.store.MemoryObjectStore;
import dev.brook.store.ObjectStore;
import dev.brook.testing.CountingStore;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * What a cold process (nothing cached: a function just started for this request) pays to find a
 * stream's tail, in storage requests, each a round trip on the first request's path. It must not
 * grow with the stream's length: one LIST page finds the tail of any stream up to a page of
 * commits past its floor, the hint finds it past that (docs/LOG.md, tail discovery). Before: a
 * cold append made 37 requests on a stream of 100 commits or more (16 HEADs from the start,
 * then page-of-one LIST probes).
 */
class ColdDiscoveryCostTest {

    static final String SID = "c01d0000000000000000000000000001";

    static StreamLog log(ObjectStore store) {
        LogEnv env = new LogEnv(store, () -> 1_000, System::nanoTime, ms -> CompletableFuture.completedFuture(null),
                new Random(7), LogSettings.DEFAULT);
        return new StreamLog(env, SID, StreamState.empty(1, Timestamping.DEFAULT));
    }

    static AppendBatch one(int i) {
        return new AppendBatch(List.of(new AppendRecord(OptionalLong.empty(), List.of(), ("r" + i).getBytes())),
                OptionalLong.empty(), Optional.empty(), 1_000);
    }

    /** A stream of {@code commits} one-record commits, written by one process. */
    static CountingStore streamOf(int commits) {
        CountingStore store = new CountingStore(new MemoryObjectStore(() -> 0));
        StreamLog writer = log(store);
        for (int i = 0; i < commits; i++) {
            assertInstanceOf(AppendOutcome.Acked.class, writer.append(one(i)).toCompletableFuture().join());
        }
        return store;
    }

    /** A cold process's first append: acknowledged at the right place, and what it cost. */
    static int coldAppend(CountingStore store, int commits) {
        store.reset();
        AppendOutcome.Acked acked = assertInstanceOf(AppendOutcome.Acked.class, log(store).append(one(commits)).toCompletableFuture().join());
        assertEquals(commits, acked.range().startSeq(), "appended at the tail");
        return store.total();
    }

    @Test
    void aColdAppendCostsTheSameFewRequestsWhateverTheStreamsLength() {
        // a new stream: one HEAD finds it empty, then the floor, the commit and the floor guard
        assertEquals(4, coldAppend(streamOf(0), 0));
        for (int commits : new int[] {1, 5, 17, 100, 999, 1_500, 3_000}) {
            int cost = coldAppend(streamOf(commits), commits);
            assertTrue(cost <= 10, "a cold append on a stream of " + commits + " commits made " + cost + " requests");
        }
    }

    @Test
    void withoutAHintALongStreamsTailIsStillFoundWithinBoundedRequests() {
        int commits = 3_000;
        CountingStore store = streamOf(commits);
        store.delete(new LogKeys(SID).hint()).toCompletableFuture().join();
        int cost = coldAppend(store, commits);
        // one page, then a gallop of page-of-one probes over the ~2,000 commits past it
        assertTrue(cost <= 40, "a cold append without a hint made " + cost + " requests");
    }

    @Test
    void aColdReadOfTheNewestRecordCostsTheSameFewRequestsWhateverTheStreamsLength() {
        for (int commits : new int[] {5, 100, 1_500}) {
            CountingStore store = streamOf(commits);
            store.reset();
            ReadOutcome.Records read = assertInstanceOf(ReadOutcome.Records.class, log(store).read(new ReadRequest(
                    new ReadRequest.Start.SeqNum(commits - 1), 1, 1 << 20, OptionalLong.empty(), false)).toCompletableFuture().join());
            assertEquals(commits - 1, read.records().get(0).seqNum());
            assertTrue(store.total() <= 14, "a cold read of the newest of " + commits + " commits made " + store.total() + " requests");
        }
    }
}
