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
import dev.brook.testing.ForwardingStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Catch-up reads fetch ahead (docs/LOG.md, "Read-ahead"): several GETs in flight before the first one
 * is served, for cells and for runs of commits alike, never more bytes than the read-ahead window, and
 * every record served once, in order, across cell and commit boundaries.
 */
class ReaderReadAheadTest {

    static final String SID = "0ead0000000000000000000000000a4d";
    static final int CELL = 8;

    final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    final MemoryObjectStore memory = new MemoryObjectStore(clock::get);

    /** GETs of the keys {@link #park} matches are held until released: the ones held now are those in flight. */
    static final class ParkingStore extends ForwardingStore {
        final List<Runnable> parked = new ArrayList<>();
        final List<String> parkedKeys = new ArrayList<>();
        Predicate<String> park = k -> false;

        ParkingStore(ObjectStore inner) {
            super(inner);
        }

        @Override
        public CompletionStage<Optional<StoredObject>> get(String key) {
            synchronized (this) {
                if (park.test(key)) {
                    CompletableFuture<Optional<StoredObject>> later = new CompletableFuture<>();
                    parked.add(() -> super.get(key).whenComplete((o, e) -> {
                        if (e != null) {
                            later.completeExceptionally(e);
                        } else {
                            later.complete(o);
                        }
                    }));
                    parkedKeys.add(key);
                    return later;
                }
            }
            return super.get(key);
        }

        synchronized int inFlight() {
            return parked.size();
        }

        /** Stops parking and lets every GET held go, in the order sent. */
        void releaseAll() {
            List<Runnable> go;
            synchronized (this) {
                park = k -> false;
                go = new ArrayList<>(parked);
                parked.clear();
            }
            go.forEach(Runnable::run);
        }

        /** Lets the first GET held go. */
        void releaseFirst() {
            Runnable go;
            synchronized (this) {
                go = parked.remove(0);
                parkedKeys.remove(0);
            }
            go.run();
        }
    }

    static <T> T join(CompletionStage<T> s) {
        return s.toCompletableFuture().join();
    }

    StreamLog log(ObjectStore store, CommitCache cache) {
        LogEnv env = new LogEnv(store, clock::get, System::nanoTime, ms -> CompletableFuture.completedFuture(null),
                new Random(7), LogSettings.DEFAULT.withSegmentCellRecords(CELL), cache);
        return new StreamLog(env, SID, StreamState.empty(1, Timestamping.DEFAULT));
    }

    /** {@code commits} appends of one record of {@code size} bytes each (its body names its commit). */
    void write(StreamLog log, int from, int commits, int size) {
        for (int i = from; i < from + commits; i++) {
            byte[] body = new byte[size];
            Arrays.fill(body, (byte) i);
            body[0] = (byte) (i >> 8);
            AppendRecord record = new AppendRecord(OptionalLong.empty(), List.of(), body);
            assertInstanceOf(AppendOutcome.Acked.class, join(log.append(new AppendBatch(List.of(record), OptionalLong.empty(),
                    Optional.empty(), clock.get()))));
            clock.addAndGet(10);
        }
    }

    static void compactAll(StreamLog log) {
        for (int i = 0; i < 100; i++) {
            if (!join(log.compact()).more()) {
                return;
            }
        }
        throw new AssertionError("compaction did not end");
    }

    static ReadOutcome.Records read(StreamLog log, long from, int count) {
        return assertInstanceOf(ReadOutcome.Records.class,
                join(log.read(new ReadRequest(new ReadRequest.Start.SeqNum(from), count, 1 << 20, OptionalLong.empty(), false))));
    }

    /** Pages of {@code page} records from 0 to the tail; checks that each record comes once, in order. */
    static List<SequencedRecord> readAll(StreamLog log, int page) {
        List<SequencedRecord> out = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ReadOutcome o = join(log.read(new ReadRequest(new ReadRequest.Start.SeqNum(out.size()), page, 1 << 20,
                    OptionalLong.empty(), false)));
            if (o instanceof ReadOutcome.RangeNotSatisfiable) {
                return out;
            }
            for (SequencedRecord r : assertInstanceOf(ReadOutcome.Records.class, o).records()) {
                assertEquals(out.size(), r.seqNum(), "every record once, in order");
                out.add(r);
            }
        }
        throw new AssertionError("the read did not end");
    }

    static void assertSameRecords(List<SequencedRecord> expected, List<SequencedRecord> actual) {
        assertEquals(expected.size(), actual.size(), "record count");
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).seqNum(), actual.get(i).seqNum());
            assertEquals(expected.get(i).timestamp(), actual.get(i).timestamp(), "timestamp of " + i);
            assertTrue(Arrays.equals(expected.get(i).body(), actual.get(i).body()), "body of " + i);
        }
    }

    long segmentBytes(LogKeys keys, long cellStart) {
        return join(memory.head(keys.segment(cellStart))).orElseThrow().size();
    }

    @Test
    void cellsAreFetchedAheadSeveralAtOnceWithinTheWindow() {
        StreamLog writer = log(memory, new CommitCache(64 << 20));
        write(writer, 0, 10 * CELL + 3, 1024);
        compactAll(writer);
        write(writer, 10 * CELL + 3, 40, 1024); // a run of commits after the cells
        List<SequencedRecord> expected = readAll(writer, 1_000);
        LogKeys keys = new LogKeys(SID);
        long cell = segmentBytes(keys, CELL);
        // A window of two cells and a half: two GETs of cells ahead go out at once, not a third.
        long window = cell * 5 / 2;
        ParkingStore store = new ParkingStore(memory);
        CommitCache cache = new CommitCache(64 << 20, window);
        StreamLog reader = log(store, cache); // another process: nothing in memory
        join(reader.checkTail());
        store.park = k -> k.startsWith(keys.segmentPrefix());

        // A catch-up an eighth into the first cell.
        CompletableFuture<ReadOutcome> first = reader.read(new ReadRequest(new ReadRequest.Start.SeqNum(1), 2, 1 << 20,
                OptionalLong.empty(), false)).toCompletableFuture();
        assertEquals(List.of(keys.segment(0)), store.parkedKeys, "the cell read first");
        store.releaseFirst();
        ReadOutcome.Records records = assertInstanceOf(ReadOutcome.Records.class, first.join());
        assertEquals(List.of(1L, 2L), records.records().stream().map(SequencedRecord::seqNum).toList());
        assertEquals(List.of(keys.segment(CELL), keys.segment(2 * CELL)), store.parkedKeys,
                "the next cells are fetched ahead, at once, before the first is served; no more than the window takes");
        assertTrue(cache.readAheadBytes() <= window && cache.readAheadHighWater() <= window, "within the window: " + cache.readAheadHighWater());

        // Reaching a cell still being fetched ahead joins its GET: no second one.
        CompletableFuture<ReadOutcome> next = reader.read(new ReadRequest(new ReadRequest.Start.SeqNum(CELL), 3, 1 << 20,
                OptionalLong.empty(), false)).toCompletableFuture();
        assertEquals(2, store.inFlight(), "joined the GET in flight");
        store.releaseAll();
        assertEquals(List.of((long) CELL, CELL + 1L, CELL + 2L), assertInstanceOf(ReadOutcome.Records.class, next.join()).records()
                .stream().map(SequencedRecord::seqNum).toList());

        List<SequencedRecord> all = readAll(reader, 5);
        assertSameRecords(expected, all);
        assertTrue(cache.readAheadHighWater() <= window, "never more than the window ahead: " + cache.readAheadHighWater() + " > " + window);
        assertEquals(0, cache.readAheadBytes(), "every cell fetched ahead was served, and no GET is left in flight");
    }

    @Test
    void aRunOfCommitsIsFetchedAheadSeveralAtOnceWithinTheWindow() {
        StreamLog writer = log(memory, new CommitCache(64 << 20));
        write(writer, 0, 300, 1024);
        List<SequencedRecord> expected = readAll(writer, 1_000);
        LogKeys keys = new LogKeys(SID);
        long window = 6 * 1024 + 512; // about six commits of one 1 KiB record
        ParkingStore store = new ParkingStore(memory);
        CommitCache cache = new CommitCache(64 << 20, window);
        StreamLog reader = log(store, cache);
        join(reader.checkTail());
        store.park = k -> k.startsWith(keys.commitPrefix());

        CompletableFuture<ReadOutcome> first = reader.read(new ReadRequest(new ReadRequest.Start.SeqNum(0), 1_000, 1 << 20,
                OptionalLong.empty(), false)).toCompletableFuture();
        // The first commits go one by one (a follower reading a commit or two costs no LIST), then the run is read ahead.
        for (int i = 0; i < CommitReadAhead.RUN_MIN && store.inFlight() < 2; i++) {
            assertEquals(1, store.inFlight(), "one GET at a time at first: " + store.parkedKeys);
            store.releaseFirst();
        }
        int inFlight = store.inFlight();
        assertTrue(inFlight > 2, "several commit GETs in flight before the next is served: " + store.parkedKeys);
        assertTrue(inFlight <= CommitReadAhead.IN_FLIGHT_MAX + 1, "at most the read-ahead's GETs and the walk's own: " + inFlight);
        assertTrue(cache.readAheadHighWater() <= window, "within the window: " + cache.readAheadHighWater());
        // Served one GET at a time, in the order sent (the walk's own among them): read-ahead keeps going, within the window.
        for (int i = 0; i < 400 && !first.isDone(); i++) {
            store.releaseFirst();
            assertTrue(store.inFlight() <= CommitReadAhead.IN_FLIGHT_MAX + 1, "in flight: " + store.inFlight());
            assertTrue(cache.readAheadHighWater() <= window, "within the window: " + cache.readAheadHighWater());
        }
        ReadOutcome.Records records = assertInstanceOf(ReadOutcome.Records.class, first.join());
        assertSameRecords(expected, records.records());
        store.releaseAll();
        assertEquals(0, cache.readAheadBytes(), "no GET left in flight");
        assertSameRecords(expected, readAll(reader, 7));
    }
}
