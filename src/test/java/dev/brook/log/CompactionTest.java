package dev.brook.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.Header;
import dev.brook.core.SequencedRecord;
import dev.brook.core.StreamState;
import dev.brook.core.Timestamping;
import dev.brook.store.MemoryObjectStore;
import dev.brook.store.ObjectStore;
import dev.brook.testing.ForwardingStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Compaction into segments (docs/LOG.md, "Compaction"): old commits are rewritten, cell by cell, into
 * segment objects and their objects deleted; every read, by any start, in this process or a fresh
 * one, sees exactly what it saw before (records, sequence numbers, timestamps); the chain stays
 * verifiable; trims and expiry delete segments from the bottom; a catch-up costs a GET per cell.
 */
class CompactionTest {

    static final String SID = "c0c0000000000000000000000000c0c0";
    static final int CELL = 8;

    final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    final MemoryObjectStore memory = new MemoryObjectStore(clock::get);
    final AtomicInteger gets = new AtomicInteger();
    final ObjectStore counted = new ForwardingStore(memory) {
        @Override
        public CompletionStage<Optional<dev.brook.store.StoredObject>> get(String key) {
            gets.incrementAndGet();
            return super.get(key);
        }
    };

    StreamLog log() {
        return log(counted);
    }

    StreamLog log(ObjectStore store) {
        LogEnv env = new LogEnv(store, clock::get, System::nanoTime, ms -> CompletableFuture.completedFuture(null),
                new Random(1), LogSettings.DEFAULT.withSegmentCellRecords(CELL));
        return new StreamLog(env, SID, StreamState.empty(1, Timestamping.DEFAULT));
    }

    static <T> T join(CompletionStage<T> s) {
        return s.toCompletableFuture().join();
    }

    /** {@code commits} appends of {@code perCommit} records each, the clock a second further for each. */
    void write(StreamLog log, int commits, int perCommit) {
        for (int i = 0; i < commits; i++) {
            List<AppendRecord> records = new ArrayList<>();
            for (int r = 0; r < perCommit; r++) {
                records.add(new AppendRecord(OptionalLong.empty(), List.of(new Header("h".getBytes(StandardCharsets.UTF_8),
                        new byte[]{(byte) r})), ("c" + i + "r" + r).getBytes(StandardCharsets.UTF_8)));
            }
            assertInstanceOf(AppendOutcome.Acked.class, join(log.append(new AppendBatch(records, OptionalLong.empty(),
                    Optional.empty(), clock.get()))));
            clock.addAndGet(1_000);
        }
    }

    static List<SequencedRecord> readAll(StreamLog log, ReadRequest.Start start) {
        List<SequencedRecord> out = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            ReadRequest.Start from = out.isEmpty() ? start : new ReadRequest.Start.SeqNum(out.get(out.size() - 1).seqNum() + 1);
            ReadOutcome o = join(log.read(new ReadRequest(from, 1_000, 1 << 20, OptionalLong.empty(), true)));
            if (o instanceof ReadOutcome.RangeNotSatisfiable) {
                return out; // at the tail
            }
            ReadOutcome.Records r = assertInstanceOf(ReadOutcome.Records.class, o);
            if (r.records().isEmpty()) {
                return out;
            }
            out.addAll(r.records());
        }
        throw new AssertionError("the read did not end");
    }

    static void assertSame(List<SequencedRecord> expected, List<SequencedRecord> actual) {
        assertEquals(expected.size(), actual.size(), "record count");
        for (int i = 0; i < expected.size(); i++) {
            SequencedRecord e = expected.get(i);
            SequencedRecord a = actual.get(i);
            assertEquals(e.seqNum(), a.seqNum());
            assertEquals(e.timestamp(), a.timestamp(), "timestamp of " + e.seqNum());
            assertArrayEquals(e.body(), a.body(), "body of " + e.seqNum());
            assertEquals(e.headers().size(), a.headers().size());
            for (int h = 0; h < e.headers().size(); h++) {
                assertArrayEquals(e.headers().get(h).name(), a.headers().get(h).name());
                assertArrayEquals(e.headers().get(h).value(), a.headers().get(h).value());
            }
        }
    }

    List<String> keys(String family) {
        return join(memory.list("logs/" + SID + "/" + family + "/", "", 1000)).keys();
    }

    CompactionReport compactAll(StreamLog log) {
        int segments = 0;
        int commits = 0;
        for (int i = 0; i < 100; i++) {
            CompactionReport r = join(log.compact());
            segments += r.segments();
            commits += r.commits();
            if (!r.more()) {
                return new CompactionReport(segments, commits, false);
            }
        }
        throw new AssertionError("compaction did not end");
    }

    /**
     * A compactor whose segment lands after a purge listed the segments (it was paused between its floor
     * check and its write) finds the infinite floor when it raises the floor, and deletes what it wrote:
     * nothing of the deleted stream is left behind.
     */
    @Test
    void aCompactorHeldPastAPurgeDeletesTheSegmentItWrote() {
        write(log(), 3 * CELL, 1);
        CompletableFuture<Void> holding = new CompletableFuture<>();
        CompletableFuture<Void> release = new CompletableFuture<>();
        ObjectStore held = new ForwardingStore(memory) {
            @Override
            public CompletionStage<dev.brook.store.PutOutcome> putIfAbsent(String key, byte[] body, java.util.Map<String, String> metadata) {
                if (!key.startsWith("logs/" + SID + "/s/")) {
                    return super.putIfAbsent(key, body, metadata);
                }
                holding.complete(null);
                return release.thenCompose(x -> super.putIfAbsent(key, body, metadata));
            }
        };
        CompletionStage<CompactionReport> compaction = log(held).compact();
        join(holding);
        StreamLog deleter = log();
        assertInstanceOf(AppendOutcome.Applied.class, join(deleter.control("seal", s -> new StreamState(s.nextSeq(), s.lastTimestamp(),
                s.fencingToken(), s.trimPoint(), s.configVersion(), s.timestamping(), true))));
        assertFalse(join(deleter.purge()).more());
        assertEquals(List.of(), keys("s"));
        release.complete(null);
        join(compaction);
        assertEquals(List.of(), keys("s"), "the segment written after the purge is deleted by its writer");
        assertEquals(1, keys("c").size(), "the seal stays: " + keys("c"));
    }

    /**
     * A catch-up that reaches the cell its prefetch is still fetching waits for that GET rather than
     * sending its own: one GET per segment, however the reader and the store race.
     */
    @Test
    void aCatchUpThatOvertakesItsPrefetchSharesItsGet() {
        StreamLog writer = log();
        write(writer, 3 * CELL, 1);
        List<SequencedRecord> before = readAll(log(), new ReadRequest.Start.SeqNum(0));
        compactAll(log());
        String second = "logs/" + SID + "/s/" + String.format("%020d", CELL);
        assertTrue(keys("s").contains(second), keys("s").toString());
        AtomicInteger getsOfSecond = new AtomicInteger();
        CompletableFuture<Void> release = new CompletableFuture<>();
        ObjectStore holdsTheFirstGetOfTheSecondCell = new ForwardingStore(memory) {
            @Override
            public CompletionStage<Optional<dev.brook.store.StoredObject>> get(String key) {
                if (key.equals(second) && getsOfSecond.getAndIncrement() == 0) {
                    return release.thenCompose(x -> super.get(key)); // the prefetch's, sent from the first cell's end
                }
                return super.get(key);
            }
        };
        CompletableFuture<ReadOutcome> read = log(holdsTheFirstGetOfTheSecondCell)
                .read(new ReadRequest(new ReadRequest.Start.SeqNum(0), 1_000, 1 << 20, OptionalLong.empty(), true))
                .toCompletableFuture();
        assertEquals(1, getsOfSecond.get(), "one GET of the second cell so far: the prefetch's");
        assertFalse(read.isDone(), "the read waits for the prefetch instead of fetching the cell again");
        release.complete(null);
        ReadOutcome.Records r = assertInstanceOf(ReadOutcome.Records.class, join(read));
        assertSame(before.subList(0, r.records().size()), r.records());
        assertTrue(r.records().size() > 2 * CELL, "the read went through the second cell: " + r.records().size());
        assertEquals(1, getsOfSecond.get(), "one GET of the second cell's segment");
    }

    @Test
    void everyReadSeesTheSameRecordsAfterCompactionInThisProcessAndAFreshOne() {
        StreamLog writer = log();
        write(writer, 50, 1);
        List<SequencedRecord> before = readAll(log(), new ReadRequest.Start.SeqNum(0));
        assertEquals(50, before.size());

        CompactionReport report = compactAll(log());
        // cells of 8: the cells 0..32 are compacted (a full cell of records stays above: 40..49 as objects)
        assertEquals(5, report.segments(), report.toString());
        assertEquals(40, report.commits());
        assertEquals(10, keys("c").size(), "the compacted commits' objects are gone: " + keys("c"));
        assertEquals(5, keys("s").size());

        for (StreamLog reader : List.of(writer, log())) {
            assertSame(before, readAll(reader, new ReadRequest.Start.SeqNum(0)));
            assertSame(before.subList(13, 50), readAll(reader, new ReadRequest.Start.SeqNum(13)));
            assertSame(before.subList(20, 50), readAll(reader, new ReadRequest.Start.Timestamp(before.get(20).timestamp())));
            assertSame(before.subList(45, 50), readAll(reader, new ReadRequest.Start.TailOffset(5)));
            assertEquals(50, join(reader.checkTail()).seqNum());
        }
        write(writer, 1, 1);
        assertEquals(51, readAll(log(), new ReadRequest.Start.SeqNum(0)).size(), "appends go on after compaction");
    }

    @Test
    void theChainOfHashesStaysVerifiableAcrossSegmentsAndObjects() {
        write(log(), 30, 2);
        compactAll(log());
        List<byte[]> bodies = new ArrayList<>();
        List<CommitKey> keys = new ArrayList<>();
        for (String k : keys("s")) {
            long cell = Long.parseLong(k.substring(k.lastIndexOf('/') + 1));
            SegmentCodec.Segment s = SegmentCodec.decode(k, cell, join(memory.get(k)).orElseThrow().body());
            s.entries().forEach(e -> {
                bodies.add(e.body());
                keys.add(e.key());
            });
        }
        for (String k : keys("c")) {
            bodies.add(join(memory.get(k)).orElseThrow().body());
            keys.add(new LogKeys(SID).parseCommit(k).orElseThrow());
        }
        assertEquals(30, bodies.size(), "every commit is in a segment or an object, once");
        for (int i = 1; i < bodies.size(); i++) {
            Commit c = CommitCodec.decode(keys.get(i), bodies.get(i));
            assertEquals(Optional.of(keys.get(i - 1)), c.previous());
            assertArrayEquals(CommitCodec.sha256(bodies.get(i - 1)), c.previousHash(), "the hash chain at " + keys.get(i));
        }
    }

    @Test
    void commitsThatSpanCellsAreFoundFromEveryCellTheyCover() {
        StreamLog writer = log();
        write(writer, 6, 20); // every commit covers two or three cells of 8
        List<SequencedRecord> before = readAll(log(), new ReadRequest.Start.SeqNum(0));
        compactAll(log());
        assertFalse(keys("s").isEmpty());
        assertEquals(List.of("logs/" + SID + "/c/00000000000000000100-0000000000"), keys("c"),
                "the last commit stays an object (it once reached into a cell compaction would have taken)");
        for (long start : new long[]{0, 7, 8, 9, 17, 23, 33, 41, 79}) {
            assertSame(before.subList((int) start, 120), readAll(log(), new ReadRequest.Start.SeqNum(start)));
        }
    }

    @Test
    void aTrimAfterCompactionDeletesWholeSegmentsFromTheBottom() {
        StreamLog log = log();
        write(log, 50, 1);
        compactAll(log);
        assertInstanceOf(AppendOutcome.Acked.class, join(log.append(new AppendBatch(List.of(new AppendRecord(OptionalLong.empty(),
                List.of(new Header(new byte[0], "trim".getBytes(StandardCharsets.US_ASCII))),
                java.nio.ByteBuffer.allocate(8).putLong(20).array())), OptionalLong.empty(), Optional.empty(), clock.get()))));
        join(log.trim());
        assertEquals(List.of("00000000000000000016", "00000000000000000024", "00000000000000000032"),
                keys("s").stream().map(k -> k.substring(k.lastIndexOf('/') + 1)).toList(), "cells 0 and 8 lie below the trim point");
        List<SequencedRecord> after = readAll(log(), new ReadRequest.Start.SeqNum(0));
        assertEquals(20, after.get(0).seqNum(), "reads start at the trim point");
        assertEquals(31, after.size(), "20..49 and the trim command");
    }

    @Test
    void aTrimInsideACommitThatSpansCellsKeepsTheSegmentHoldingIt() {
        StreamLog log = log();
        write(log, 6, 20); // commits [0,20) [20,40) ... [100,120), cells of 8
        List<SequencedRecord> before = readAll(log(), new ReadRequest.Start.SeqNum(0));
        compactAll(log);
        assertInstanceOf(AppendOutcome.Acked.class, join(log.append(new AppendBatch(List.of(new AppendRecord(OptionalLong.empty(),
                List.of(new Header(new byte[0], "trim".getBytes(StandardCharsets.US_ASCII))),
                java.nio.ByteBuffer.allocate(8).putLong(30).array())), OptionalLong.empty(), Optional.empty(), clock.get()))));
        join(log.trim());
        // 30 lies in the commit [20,40), which starts in cell 16: cell 16 stays, cells 0 and 8 go
        assertEquals(List.of(), keys("s").stream().filter(k -> k.endsWith("/00000000000000000000") || k.endsWith("/00000000000000000008"))
                .toList(), "the cells wholly below the commit holding the trim point are deleted");
        assertTrue(keys("s").contains("logs/" + SID + "/s/00000000000000000016"), keys("s").toString());
        assertSame(before.subList(30, 120), readAll(log(), new ReadRequest.Start.SeqNum(0)).subList(0, 90));
        assertSame(before.subList(31, 120), readAll(log(), new ReadRequest.Start.SeqNum(31)).subList(0, 89));
    }

    @Test
    void retentionJudgesCompactedRecordsByTheirOriginalStampsAndExpiryDeletesTheirSegments() {
        StreamLog log = log();
        write(log, 50, 1); // commit i stamped at t0 + i s
        compactAll(log);
        long t0 = 1_700_000_000_000L;
        // at t0 + 60 s with an age of 40 s, commits 0..20 (stamped up to t0 + 20 s) are hidden
        clock.set(t0 + 60_000);
        ReadRequest.Retention r = ReadRequest.Retention.age(1, 40, clock.get());
        ReadOutcome.Records read = assertInstanceOf(ReadOutcome.Records.class, join(log().read(
                new ReadRequest(new ReadRequest.Start.SeqNum(0), 1_000, 1 << 20, OptionalLong.empty(), true, false, r))));
        assertEquals(21, read.records().get(0).seqNum(), "the first record younger than 40 s");
        ExpiryReport expired = join(log.expire(r));
        assertEquals(21, expired.firstVisible());
        assertEquals(List.of("00000000000000000016", "00000000000000000024", "00000000000000000032"),
                keys("s").stream().map(k -> k.substring(k.lastIndexOf('/') + 1)).toList(), "the wholly expired cells are deleted");
    }

    @Test
    void aReaderThatKnowsAnOldFloorFindsCompactedRecordsInTheSegments() {
        StreamLog reader = log();
        write(log(), 50, 1);
        List<SequencedRecord> before = readAll(reader, new ReadRequest.Start.SeqNum(0)); // caches objects and the old floor
        compactAll(log()); // another process compacts
        assertSame(before, readAll(reader, new ReadRequest.Start.SeqNum(0)));
        assertSame(before.subList(3, 50), readAll(reader, new ReadRequest.Start.SeqNum(3)));
    }

    @Test
    void aCatchUpReadCostsAGetPerCellInsteadOfPerCommit() {
        write(log(), 200, 1);
        gets.set(0);
        readAll(log(), new ReadRequest.Start.SeqNum(0));
        int perCommit = gets.get();
        compactAll(log());
        gets.set(0);
        readAll(log(), new ReadRequest.Start.SeqNum(0));
        int perCell = gets.get();
        assertTrue(perCommit >= 200, "before: a GET per commit, " + perCommit);
        assertTrue(perCell <= 200 / CELL + 20, "after: a GET per cell and per commit above the floor, " + perCell);
    }

    @Test
    void theSegmentFormatRoundTripsAndRefusesCorruption() {
        byte[] body = CommitCodec.encode(new Commit(CommitKey.FIRST, Optional.empty(), new byte[32], new byte[16],
                new StreamState(1, 5, "", 0, 1, Timestamping.DEFAULT, false), List.of(1),
                List.of(new SequencedRecord(0, 5, List.of(), new byte[]{42})))).body();
        SegmentCodec.Segment s = new SegmentCodec.Segment(0, CELL, Optional.of(new CommitKey(3, 1)),
                List.of(new SegmentCodec.Entry(CommitKey.FIRST, 1234, body)));
        byte[] encoded = SegmentCodec.encode(s);
        SegmentCodec.Segment back = SegmentCodec.decode("k", 0, encoded);
        assertEquals(s.holder(), back.holder());
        assertEquals(1234, back.entries().get(0).lastModifiedMs());
        assertArrayEquals(body, back.entries().get(0).body());
        byte[] flipped = Arrays.copyOf(encoded, encoded.length);
        flipped[40] ^= 1;
        assertEquals(dev.brook.store.StoreException.Kind.CORRUPT, org.junit.jupiter.api.Assertions.assertThrows(
                dev.brook.store.StoreException.class, () -> SegmentCodec.decode("k", 0, flipped)).kind());
        assertEquals(dev.brook.store.StoreException.Kind.CORRUPT, org.junit.jupiter.api.Assertions.assertThrows(
                dev.brook.store.StoreException.class, () -> SegmentCodec.decode("k", 8, encoded)).kind(), "another cell's");
    }

    /** A commit at {@code key} after {@code previous} (hash {@code previousHash}) holding {@code records} one-byte records. */
    static byte[] commitObject(CommitKey key, Optional<CommitKey> previous, byte[] previousHash, int records) {
        List<SequencedRecord> rs = new ArrayList<>();
        for (int r = 0; r < records; r++) {
            rs.add(new SequencedRecord(key.start() + r, 5, List.of(), new byte[]{(byte) r}));
        }
        return CommitCodec.encode(new Commit(key, previous, previousHash, new byte[16],
                new StreamState(key.start() + records, 5, "", 0, 1, Timestamping.DEFAULT, false), List.of(records), rs)).body();
    }

    @Test
    void aSegmentWhoseTableIsOutOfChainOrderIsRefusedOnRead() {
        byte[] first = commitObject(CommitKey.FIRST, Optional.empty(), new byte[32], 2);
        byte[] second = commitObject(new CommitKey(2, 0), Optional.of(CommitKey.FIRST), CommitCodec.sha256(first), 1);
        // Checksum intact, commits swapped: a lookup by bisection over the table would go astray.
        byte[] swapped = SegmentCodec.encode(new SegmentCodec.Segment(0, CELL, Optional.empty(), List.of(
                new SegmentCodec.Entry(new CommitKey(2, 0), 1, second), new SegmentCodec.Entry(CommitKey.FIRST, 1, first))));
        StoreExceptionAssert.corrupt(() -> SegmentCodec.view("k", 0, swapped), "out of chain order");
    }

    @Test
    void aSegmentCommitThatDoesNotLinkToTheOneBeforeIsCorruptWhenDecoded() {
        byte[] first = commitObject(CommitKey.FIRST, Optional.empty(), new byte[32], 2);
        byte[] unlinked = commitObject(new CommitKey(2, 0), Optional.of(CommitKey.FIRST), new byte[32], 1); // wrong previous hash
        LogKeys keys = new LogKeys(SID);
        join(memory.put(keys.segment(0), SegmentCodec.encode(new SegmentCodec.Segment(0, CELL, Optional.empty(), List.of(
                new SegmentCodec.Entry(CommitKey.FIRST, 1, first), new SegmentCodec.Entry(new CommitKey(2, 0), 1, unlinked)))), java.util.Map.of()));
        Segments segments = new Segments(memory, keys, CELL, new CommitCache(1 << 20));
        // Cells are held as read and decoded commit by commit: the first serves, the second is refused.
        assertEquals(0, join(segments.holding(1)).orElseThrow().commit().key().start());
        java.util.concurrent.CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.CompletionException.class,
                () -> join(segments.holding(2)));
        StoreExceptionAssert.corrupt(() -> {
            throw e.getCause();
        }, "breaks the chain");
    }

    /** Asserts that an action fails with a CORRUPT store exception naming {@code what}. */
    static final class StoreExceptionAssert {
        interface Action {
            void run() throws Throwable;
        }

        static void corrupt(Action action, String what) {
            dev.brook.store.StoreException e = org.junit.jupiter.api.Assertions.assertThrows(dev.brook.store.StoreException.class, action::run);
            assertEquals(dev.brook.store.StoreException.Kind.CORRUPT, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains(what), e.getMessage());
        }
    }
}
