package dev.brook.engine;

import static dev.brook.engine.JanitorDueTest.join;
import static dev.brook.engine.JanitorDueTest.one;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.core.BasinConfig;
import dev.brook.core.RetentionPolicy;
import dev.brook.core.StreamConfig;
import dev.brook.core.StreamConfigSpec;
import dev.brook.log.AppendOutcome;
import dev.brook.log.LogKeys;
import dev.brook.log.ReadOutcome;
import dev.brook.log.ReadRequest;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Retention by age and delete-on-empty (docs/LIFECYCLE.md): records are hidden from every read from
 * the moment the store's clock says they expired, under the configuration as it stands now; the
 * janitor deletes their commits (never the last), and deletes a stream that stayed empty.
 */
class RetentionTest {

    static final String BASIN = JanitorDueTest.BASIN;

    /** The store's clock (MemoryObjectStore stamps objects with it), on a whole second. */
    final JanitorDueTest fixture = new JanitorDueTest();

    static StreamConfigSpec retention(RetentionPolicy r, long deleteOnEmptySecs) {
        return new StreamConfigSpec(Optional.empty(), Optional.of(r), Optional.empty(), Optional.empty(),
                deleteOnEmptySecs > 0 ? OptionalLong.of(deleteOnEmptySecs) : OptionalLong.empty());
    }

    StreamRecord create(JanitorDueTest.Process p, String stream, StreamConfigSpec spec) {
        join(p.catalog().ensureBasin(BASIN, BasinConfig.DEFAULT));
        join(p.control().createStream(BASIN, stream, spec, Optional.empty(), Optional.empty()));
        return join(p.data().resolve(BASIN, stream, DataPlane.AutoCreate.NEVER));
    }

    void append(JanitorDueTest.Process p, String stream, int records) {
        for (int i = 0; i < records; i++) {
            assertInstanceOf(AppendOutcome.Acked.class, join(p.data().append(BASIN, stream, one("r" + i), Optional.empty(),
                    StreamConfigSpec.EMPTY, false)));
        }
    }

    static ReadRequest from(ReadRequest.Start start) {
        return new ReadRequest(start, 100, 1 << 20, OptionalLong.empty(), true);
    }

    ReadOutcome.Records read(JanitorDueTest.Process p, String stream, ReadRequest.Start start) {
        return assertInstanceOf(ReadOutcome.Records.class, join(p.data().read(BASIN, stream, from(start), Optional.empty(),
                StreamConfigSpec.EMPTY, false)));
    }

    static List<Long> seqs(ReadOutcome.Records r) {
        return r.records().stream().map(x -> x.seqNum()).toList();
    }

    void advance(long ms) {
        fixture.now.addAndGet(ms);
    }

    List<String> commits(StreamRecord s) {
        return fixture.keys(new LogKeys(s.sid()).commitPrefix());
    }

    @Test
    void recordsOlderThanTheAgeAreHiddenFromTheMomentTheyExpireByEveryKindOfStart() {
        JanitorDueTest.Process p = fixture.process(fixture.memory, 1);
        create(p, "events", retention(new RetentionPolicy.Age(10), 0));
        append(p, "events", 3); // written at t0
        advance(5_000);
        append(p, "events", 2); // written at t0 + 5 s

        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), seqs(read(p, "events", new ReadRequest.Start.SeqNum(0))));
        advance(4_999);
        assertEquals(5, read(p, "events", new ReadRequest.Start.SeqNum(0)).records().size(), "a millisecond before expiry");
        advance(1);
        // t0 + 10 s: the first three expired, by whichever start a read names, in this process and in another
        JanitorDueTest.Process other = fixture.process(fixture.memory, 2);
        for (JanitorDueTest.Process reader : List.of(p, other)) {
            assertEquals(List.of(3L, 4L), seqs(read(reader, "events", new ReadRequest.Start.SeqNum(0))));
            assertEquals(List.of(3L, 4L), seqs(read(reader, "events", new ReadRequest.Start.SeqNum(1))));
            assertEquals(List.of(3L, 4L), seqs(read(reader, "events", new ReadRequest.Start.Timestamp(0))));
            assertEquals(List.of(3L, 4L), seqs(read(reader, "events", new ReadRequest.Start.TailOffset(5))));
            assertEquals(List.of(4L), seqs(read(reader, "events", new ReadRequest.Start.SeqNum(4))));
        }
        advance(5_000);
        ReadOutcome.Records none = read(other, "events", new ReadRequest.Start.SeqNum(0));
        assertEquals(List.of(), none.records(), "everything expired");
        assertEquals(5, none.tailSeq(), "the tail stays where it was");
        assertEquals(5, join(p.data().checkTail(BASIN, "events", StreamConfigSpec.EMPTY, false)).nextSeq());
        append(p, "events", 1);
        assertEquals(List.of(5L), seqs(read(other, "events", new ReadRequest.Start.SeqNum(0))), "a new record is visible");
    }

    @Test
    void aReconfigurationAppliesToRecordsAlreadyWrittenEvenInAProcessThatCachedTheOldOne() {
        JanitorDueTest.Process p = fixture.process(fixture.memory, 1);
        create(p, "events", retention(new RetentionPolicy.Age(10), 0));
        append(p, "events", 3);
        advance(10_000);
        assertEquals(List.of(), read(p, "events", new ReadRequest.Start.SeqNum(0)).records(), "expired under 10 s");

        JanitorDueTest.Process admin = fixture.process(fixture.memory, 2);
        join(admin.control().reconfigureStream(BASIN, "events",
                (c, d) -> new StreamConfig(c.storageClass(), new RetentionPolicy.Age(60), c.timestamping(), c.deleteOnEmptyMinAgeSecs())));
        assertEquals(List.of(0L, 1L, 2L), seqs(read(p, "events", new ReadRequest.Start.SeqNum(0))),
                "kept under 60 s: the reader's cached configuration was stale and it read it again");
        join(admin.control().reconfigureStream(BASIN, "events",
                (c, d) -> new StreamConfig(c.storageClass(), new RetentionPolicy.Age(1), c.timestamping(), c.deleteOnEmptyMinAgeSecs())));
        assertEquals(List.of(), read(p, "events", new ReadRequest.Start.SeqNum(0)).records(), "hidden again under 1 s");
        join(admin.control().reconfigureStream(BASIN, "events",
                (c, d) -> new StreamConfig(c.storageClass(), new RetentionPolicy.Infinite(), c.timestamping(), c.deleteOnEmptyMinAgeSecs())));
        advance(1_000_000_000L);
        assertEquals(List.of(0L, 1L, 2L), seqs(read(p, "events", new ReadRequest.Start.SeqNum(0))), "infinite keeps everything");
    }

    @Test
    void theJanitorDeletesExpiredCommitsButNeverTheLastAndKeepsOneCheckPerStream() {
        JanitorDueTest.Process p = fixture.process(fixture.memory, 1);
        StreamRecord s = create(p, "events", retention(new RetentionPolicy.Age(10), 0));
        append(p, "events", 3);
        advance(5_000);
        append(p, "events", 2);
        assertEquals(5, commits(s).size());
        List<String> armed = fixture.keys(DueWork.PREFIX);
        assertEquals(1, armed.size(), "one lifecycle check, armed at creation (the appends armed the same key): " + armed);

        JanitorDueTest.Process janitor = fixture.process(fixture.memory, 2);
        assertEquals(0, join(janitor.janitor().runDue(fixture.now.get())).done() + join(janitor.janitor().runDue(fixture.now.get())).rescheduled(),
                "nothing is due before the first records can expire");
        advance(5_000); // t0 + 10 s: the first three commits expired
        Janitor.RunReport first = join(janitor.janitor().runDue(fixture.now.get()));
        assertEquals(1, first.rescheduled(), "the check ran and scheduled its next run: " + first);
        assertEquals(2, commits(s).size(), "the expired commits are deleted: " + commits(s));
        assertEquals(1, fixture.keys(DueWork.PREFIX).size(), "still one check: " + fixture.keys(DueWork.PREFIX));
        assertEquals(List.of(3L, 4L), seqs(read(janitor, "events", new ReadRequest.Start.SeqNum(0))));

        advance(5_000); // everything expired
        join(janitor.janitor().runDue(fixture.now.get()));
        assertEquals(1, commits(s).size(), "the last commit stays: it holds the stream's state");
        assertEquals(5, join(janitor.data().checkTail(BASIN, "events", StreamConfigSpec.EMPTY, false)).nextSeq());
        assertEquals(1, fixture.keys(DueWork.PREFIX).size(), "the check keeps looking every age period: " + fixture.keys(DueWork.PREFIX));
        append(p, "events", 1);
        assertEquals(List.of(5L), seqs(read(janitor, "events", new ReadRequest.Start.SeqNum(0))));
    }

    @Test
    void aStreamThatStaysEmptyIsDeletedAfterItsMinimumAgeAndOneWithRecordsIsNot() {
        JanitorDueTest.Process p = fixture.process(fixture.memory, 1);
        create(p, "never-written", retention(new RetentionPolicy.Infinite(), 30));
        create(p, "written", retention(new RetentionPolicy.Infinite(), 30));
        append(p, "written", 1);
        create(p, "expiring", retention(new RetentionPolicy.Age(10), 30));
        append(p, "expiring", 2);

        JanitorDueTest.Process janitor = fixture.process(fixture.memory, 2);
        advance(29_000);
        join(janitor.janitor().runDue(fixture.now.get()));
        assertEquals(List.of("expiring", "never-written", "written"), names(janitor), "too young to delete");
        advance(1_000);
        join(janitor.janitor().runDue(fixture.now.get()));
        // never written for 30 s: deleted; the expiring one's records expired at 10 s, written 30 s ago: deleted
        assertEquals(List.of("written"), names(janitor), "the empty ones are deleted");
        assertInstanceOf(dev.brook.core.S2Error.class, failure(() -> read(p, "never-written", new ReadRequest.Start.SeqNum(0))));
        advance(JanitorDueTest.GRACE_MS);
        join(janitor.janitor().runDue(fixture.now.get()));
        advance(1_000_000);
        join(janitor.janitor().runDue(fixture.now.get()));
        assertEquals(List.of("written"), names(janitor), "one with records stays, however old");
        assertEquals(List.of(0L), seqs(read(janitor, "written", new ReadRequest.Start.SeqNum(0))));
    }

    @Test
    void theSealOfDeleteOnEmptyLandsOnlyIfNothingWasAppendedSinceTheStreamWasJudgedEmpty() {
        JanitorDueTest.Process p = fixture.process(fixture.memory, 1);
        StreamRecord s = create(p, "events", retention(new RetentionPolicy.Infinite(), 30));
        // judged empty at tail 0, then an append lands before the seal: the seal must not go through
        append(p, "events", 1);
        assertFalse(join(p.data().sealIfAt(s, 0)));
        assertEquals(List.of(0L), seqs(read(p, "events", new ReadRequest.Start.SeqNum(0))), "the append stands");
        assertTrue(join(p.data().sealIfAt(s, 1)), "at the tail it judged, it seals");
        assertTrue(join(p.data().state(s)).sealed());
    }

    /**
     * The cost target (docs/LIFECYCLE.md, "What it costs"): an idle stream under S2's default retention
     * costs at most 10 storage requests a day, its lifecycle check included. Measured as the requests of a
     * janitor passing every minute for 14 days over 10 idle streams (one of them written once), minus
     * the same passes over none: every request the streams add.
     */
    @Test
    void anIdleStreamWithRetentionCostsAtMostTenStorageRequestsADay() {
        long baseline = requestsOverTwoWeeksOfPasses(0);
        long withStreams = requestsOverTwoWeeksOfPasses(10);
        double perStreamPerDay = (withStreams - baseline) / 10.0 / 14.0;
        assertTrue(perStreamPerDay <= 10, "an idle stream costs " + perStreamPerDay + " requests a day");
        assertTrue(withStreams > baseline, "the streams' checks ran");
    }

    private long requestsOverTwoWeeksOfPasses(int streams) {
        JanitorDueTest fresh = new JanitorDueTest();
        java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();
        dev.brook.store.ObjectStore counted = new dev.brook.testing.ForwardingStore(fresh.memory) {
            @Override
            public java.util.concurrent.CompletionStage<dev.brook.store.PutOutcome> putIfAbsent(String key, byte[] body,
                                                                                               java.util.Map<String, String> m) {
                requests.incrementAndGet();
                return super.putIfAbsent(key, body, m);
            }

            @Override
            public java.util.concurrent.CompletionStage<Void> put(String key, byte[] body, java.util.Map<String, String> m) {
                requests.incrementAndGet();
                return super.put(key, body, m);
            }

            @Override
            public java.util.concurrent.CompletionStage<Optional<dev.brook.store.StoredObject>> get(String key) {
                requests.incrementAndGet();
                return super.get(key);
            }

            @Override
            public java.util.concurrent.CompletionStage<Optional<dev.brook.store.ObjectInfo>> head(String key) {
                requests.incrementAndGet();
                return super.head(key);
            }

            @Override
            public java.util.concurrent.CompletionStage<dev.brook.store.ListPage> list(String prefix, String after, int limit) {
                requests.incrementAndGet();
                return super.list(prefix, after, limit);
            }

            @Override
            public java.util.concurrent.CompletionStage<Void> delete(String key) {
                requests.incrementAndGet();
                return super.delete(key);
            }
        };
        JanitorDueTest.Process p = fresh.process(fresh.memory, 1);
        join(p.catalog().ensureBasin(BASIN, BasinConfig.DEFAULT));
        for (int i = 0; i < streams; i++) {
            join(p.control().createStream(BASIN, "idle-" + i, StreamConfigSpec.EMPTY, Optional.empty(), Optional.empty()));
        }
        if (streams > 0) {
            assertInstanceOf(AppendOutcome.Acked.class, join(p.data().append(BASIN, "idle-0", one("once"), Optional.empty(),
                    StreamConfigSpec.EMPTY, false)));
        }
        requests.set(0);
        for (int minute = 0; minute < 14 * 24 * 60; minute++) {
            fresh.now.addAndGet(60_000);
            // a janitor invocation of its own each minute, nothing cached (scaled to zero in between)
            join(fresh.process(counted, 2 + minute).janitor().runDue(fresh.now.get()));
        }
        return requests.get();
    }

    List<String> names(JanitorDueTest.Process p) {
        return join(p.control().listStreams(BASIN, "", "", 100)).items().stream()
                .filter(n -> n.record().state() == Lifecycle.ACTIVE).map(Catalog.StreamRecordNamed::name).toList();
    }

    static Throwable failure(Runnable r) {
        try {
            r.run();
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("expected a failure");
    }
}
