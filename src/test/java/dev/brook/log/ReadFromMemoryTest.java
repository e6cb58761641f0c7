package dev.brook.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.SequencedRecord;
import dev.brook.store.MemoryObjectStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A continuing read answered at once from commits validated in memory (Reader#readOnFromMemory,
 * docs/LOG.md "Fan-out") must be the continuing read itself: the same records, tail and start for
 * every start and bound, with nothing asked of the store; and it must decline whatever needs the
 * store or a judgement the usual path makes (then that path answers).
 */
class ReadFromMemoryTest {

    /** Commits of 1, 3, 1, 3, ... records (a start may fall inside one); timestamps 1_000 + i. */
    static List<AppendOutcome> appendCommits(StreamLog log, SharedFetchTest.HeldAll store, int commits) {
        List<AppendOutcome> acks = new ArrayList<>();
        for (int c = 0; c < commits; c++) {
            List<AppendRecord> records = new ArrayList<>();
            for (int r = 0; r < (c % 2 == 0 ? 1 : 3); r++) {
                records.add(new AppendRecord(OptionalLong.empty(), List.of(), ("c" + c + "r" + r).getBytes()));
            }
            CompletableFuture<AppendOutcome> ack = log.append(new AppendBatch(records, OptionalLong.empty(), Optional.empty(), 1_000))
                    .toCompletableFuture();
            store.drain();
            acks.add(assertInstanceOf(AppendOutcome.Acked.class, ack.join()));
        }
        return acks;
    }

    static String describe(ReadOutcome o) {
        if (o instanceof ReadOutcome.Records r) {
            return "records " + r.records().stream().map(SequencedRecord::seqNum).toList() + " tail " + r.tailSeq() + "@"
                    + r.tailTimestamp() + " start " + r.startSeq();
        }
        return o.toString();
    }

    static ReadOutcome usual(StreamLog log, SharedFetchTest.HeldAll store, ReadRequest request) {
        CompletableFuture<ReadOutcome> read = log.readOn(request).toCompletableFuture();
        store.drain();
        return read.join();
    }

    @Test
    void aReadFromMemoryIsTheContinuingReadForEveryStartAndBoundAndAsksTheStoreNothing() {
        SharedFetchTest.HeldAll store = new SharedFetchTest.HeldAll(new MemoryObjectStore(() -> 0));
        StreamLog log = SharedFetchTest.log(store, CommitCache.DEFAULT_BYTES_MAX);
        appendCommits(log, store, 12); // 24 records
        long end = 24;
        int answered = 0;
        for (long start = 0; start <= end + 1; start++) {
            for (long count : new long[]{1, 2, 5, 1_000}) {
                for (long bytes : new long[]{1 << 20, 20, 0}) {
                    for (OptionalLong until : List.of(OptionalLong.empty(), OptionalLong.of(1_010))) {
                        for (boolean follow : new boolean[]{true, false}) {
                            ReadRequest request = new ReadRequest(new ReadRequest.Start.SeqNum(start), count, bytes, until, false, follow);
                            store.reset();
                            Optional<ReadOutcome> now = log.readOnFromMemory(request);
                            assertEquals(0, store.total(), "a read from memory asks the store nothing: " + store);
                            String expected = describe(usual(log, store, request));
                            if (start > end || (start == end && !follow)) {
                                assertTrue(now.isEmpty(), "a 416 is the usual path's answer: " + request);
                                continue;
                            }
                            assertTrue(now.isPresent(), "every commit is validated in memory: answered at once, " + request);
                            assertEquals(expected, describe(now.get()), request.toString());
                            answered++;
                        }
                    }
                }
            }
        }
        assertEquals(24 * 4 * 3 * 2 * 2 + 4 * 3 * 2, answered, "every start below the tail, and the tail itself when following");
    }

    @Test
    void itDeclinesWhatNeedsTheStoreOrAJudgementOfTheUsualPath() {
        SharedFetchTest.HeldAll store = new SharedFetchTest.HeldAll(new MemoryObjectStore(() -> 0));
        StreamLog writer = SharedFetchTest.log(store, CommitCache.DEFAULT_BYTES_MAX);
        appendCommits(writer, store, 6); // 12 records
        ReadRequest atStart = new ReadRequest(new ReadRequest.Start.SeqNum(0), 1_000, 1 << 20, OptionalLong.empty(), false, true);
        assertTrue(writer.readOnFromMemory(atStart).isPresent());

        // Another process that has not read the stream yet: no tail validated here.
        StreamLog cold = SharedFetchTest.log(store, CommitCache.DEFAULT_BYTES_MAX);
        assertTrue(cold.readOnFromMemory(atStart).isEmpty(), "no tail validated in this process");
        // Its first read fetches and validates; a continuing read from the tail commit then comes from memory.
        assertEquals(12, ((ReadOutcome.Records) usual(cold, store, atStart)).records().size());
        ReadRequest atLast = new ReadRequest(new ReadRequest.Start.SeqNum(10), 1_000, 1 << 20, OptionalLong.empty(), false, true);
        assertEquals(describe(usual(cold, store, atLast)), describe(cold.readOnFromMemory(atLast).orElseThrow()),
                "validated by its own read now");
        // But not from a start below the tail commit that no commit it saw as the tail is near (it would have to locate it).
        assertTrue(cold.readOnFromMemory(atStart).isEmpty(), "a start this process cannot place without the store");

        // A process whose cache holds less than the commits: what was evicted must be fetched again.
        StreamLog small = SharedFetchTest.log(store, 40);
        assertEquals(12, ((ReadOutcome.Records) usual(small, store, atStart)).records().size());
        assertTrue(small.readOnFromMemory(atStart).isEmpty(), "evicted commits are the usual path's");

        // Starts other than a sequence number, and commits retention hides, are judged by the usual path.
        assertTrue(writer.readOnFromMemory(new ReadRequest(new ReadRequest.Start.TailOffset(3), 1_000, 1 << 20,
                OptionalLong.empty(), false, true)).isEmpty());
        assertTrue(writer.readOnFromMemory(new ReadRequest(new ReadRequest.Start.Timestamp(0), 1_000, 1 << 20,
                OptionalLong.empty(), false, true)).isEmpty());
        // The store stamps every commit at 0 ms: a retention of 10 s judged at 20 s hides them all.
        ReadRequest hidden = atStart.withRetention(ReadRequest.Retention.age(1, 10, 20_000));
        assertTrue(writer.readOnFromMemory(hidden).isEmpty(), "hidden commits are the usual path's");
        ReadOutcome.Records none = assertInstanceOf(ReadOutcome.Records.class, usual(writer, store, hidden));
        assertEquals(List.of(), none.records(), "which delivers none of them");
        ReadRequest kept = atStart.withRetention(ReadRequest.Retention.age(1, 10, 5_000));
        assertEquals(describe(usual(writer, store, kept)), describe(writer.readOnFromMemory(kept).orElseThrow()),
                "a retention that hides nothing yet changes nothing");
        // A configuration newer than the request's: the usual path answers "reconfigured".
        assertTrue(writer.readOnFromMemory(atStart.withRetention(ReadRequest.Retention.keepAll(0))).isEmpty());
    }
}
