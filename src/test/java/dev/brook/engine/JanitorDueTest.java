package dev.brook.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.BasinConfig;
import dev.brook.core.Header;
import dev.brook.core.StreamConfigSpec;
import dev.brook.log.AppendOutcome;
import dev.brook.log.LogEnv;
import dev.brook.log.LogKeys;
import dev.brook.log.LogSettings;
import dev.brook.log.ReadOutcome;
import dev.brook.log.ReadRequest;
import dev.brook.store.MemoryObjectStore;
import dev.brook.store.ObjectStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The janitor's due-work index (docs/LIFECYCLE.md): work recorded in the bucket when it becomes due
 * is done by whichever process runs the janitor, not only by the one that took the request; done
 * twice, or late, it changes nothing more.
 */
class JanitorDueTest {

    static final String BASIN = "janitor-due";
    static final long GRACE_MS = 10_000;

    final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    final MemoryObjectStore memory = new MemoryObjectStore(now::get);

    record Process(Catalog catalog, DataPlane data, Janitor janitor, ControlPlane control) {}

    Process process(ObjectStore store, int n) {
        LogEnv env = new LogEnv(store, now::get, System::nanoTime, ms -> CompletableFuture.completedFuture(null), new Random(n),
                LogSettings.DEFAULT);
        Catalog catalog = new Catalog(store, now::get, new Random(n));
        DataPlane data = new DataPlane(catalog, env);
        // The in-process cleanup waits out a grace period no test lets pass: only the index finishes deletions here.
        Janitor janitor = new Janitor(catalog, data, ms -> new CompletableFuture<>(), GRACE_MS);
        return new Process(catalog, data, janitor, new ControlPlane(catalog, data, janitor));
    }

    static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    static AppendBatch one(String body) {
        return new AppendBatch(List.of(new AppendRecord(OptionalLong.empty(), List.of(), body.getBytes(StandardCharsets.UTF_8))),
                OptionalLong.empty(), Optional.empty(), 0);
    }

    static AppendBatch trimTo(long point) {
        return new AppendBatch(List.of(new AppendRecord(OptionalLong.empty(),
                List.of(new Header(new byte[0], "trim".getBytes(StandardCharsets.US_ASCII))),
                ByteBuffer.allocate(8).putLong(point).array())), OptionalLong.empty(), Optional.empty(), 0);
    }

    List<String> keys(String prefix) {
        return join(memory.list(prefix, "", 1000)).keys();
    }

    StreamRecord streamWith(Process p, String stream, int records) {
        join(p.catalog().createBasin(BASIN, BasinConfig.DEFAULT, Optional.empty(), "h"));
        join(p.catalog().createStream(BASIN, stream, StreamConfigSpec.EMPTY, Optional.empty(), Optional.empty()));
        for (int i = 0; i < records; i++) {
            assertInstanceOf(AppendOutcome.Acked.class, join(p.data().append(BASIN, stream, one("r" + i), Optional.empty(),
                    StreamConfigSpec.EMPTY, false)));
        }
        return join(p.data().resolve(BASIN, stream, DataPlane.AutoCreate.NEVER));
    }

    /**
     * The index's one-off entries: every stream here also has its perpetual lifecycle check (retention
     * by S2's default of 7 days, never due in these tests; RetentionTest covers it).
     */
    List<String> oneOff() {
        return keys(DueWork.PREFIX).stream().filter(k -> !k.contains("/lifecycle.")).toList();
    }

    /** Waits for the fire-and-forget index write that follows an acknowledged trim. */
    void awaitDueEntries(int n) {
        for (int i = 0; i < 1_000 && oneOff().size() < n; i++) {
            Thread.onSpinWait();
        }
        assertEquals(n, oneOff().size(), "due entries: " + keys(DueWork.PREFIX));
    }

    @Test
    void aTrimFreesItsCommitsThroughTheIndexWhicheverProcessRunsTheJanitor() {
        Process writer = process(memory, 1);
        StreamRecord s = streamWith(writer, "events", 5);
        String commits = new LogKeys(s.sid()).commitPrefix();
        assertEquals(5, keys(commits).size());

        assertInstanceOf(AppendOutcome.Acked.class, join(writer.data().append(BASIN, "events", trimTo(3), Optional.empty(),
                StreamConfigSpec.EMPTY, false)));
        awaitDueEntries(1);
        assertEquals(6, keys(commits).size(), "nothing is deleted on the append's path");

        Process janitor = process(memory, 2); // another process: nothing in memory of the trim
        Janitor.RunReport report = join(janitor.janitor().runDue(now.get()));
        assertEquals(new Janitor.RunReport(1, 0, 0, false), report);
        // the commits holding 0, 1 and 2 are gone; the one holding 3 and the ones after stay
        assertEquals(3, keys(commits).size(), "left: " + keys(commits));
        assertEquals(List.of(), oneOff(), "the done task left the index");
        ReadOutcome.Records read = assertInstanceOf(ReadOutcome.Records.class, join(janitor.data().read(BASIN, "events",
                new ReadRequest(new ReadRequest.Start.SeqNum(0), 100, 1 << 20, OptionalLong.empty(), true), Optional.empty(),
                StreamConfigSpec.EMPTY, false)));
        assertEquals(3, read.records().get(0).seqNum(), "reads start at the trim point");
        assertEquals(new Janitor.RunReport(0, 0, 0, false), join(janitor.janitor().runDue(now.get())), "nothing left");
    }

    @Test
    void aDeletionIsFinishedByTheIndexAfterTheGracePeriodEvenIfItsProcessIsGone() {
        Process front = process(memory, 1);
        StreamRecord s = streamWith(front, "gone", 3);
        join(front.control().deleteStream(BASIN, "gone"));
        assertEquals(1, oneOff().size(), "recorded before the answer");
        // the process that took the delete scales to zero here; another runs the janitor

        Process janitor = process(memory, 2);
        assertEquals(new Janitor.RunReport(0, 0, 0, false), join(janitor.janitor().runDue(now.get())), "not due during the grace period");
        assertEquals(Lifecycle.DELETING, join(janitor.catalog().stream(BASIN, "gone")).orElseThrow().state());

        now.addAndGet(GRACE_MS);
        assertEquals(new Janitor.RunReport(1, 0, 0, false), join(janitor.janitor().runDue(now.get())));
        assertTrue(join(janitor.catalog().stream(BASIN, "gone")).map(r -> r.state() == Lifecycle.DELETED).orElse(true),
                "the name is free");
        List<String> left = keys(new LogKeys(s.sid()).commitPrefix());
        assertEquals(1, left.size(), "only the seal stays: " + left);
        assertEquals(List.of(), oneOff());
    }

    @Test
    void twoJanitorsAtOnceAndOneResumedLateChangeNothingMore() {
        Process writer = process(memory, 1);
        StreamRecord s = streamWith(writer, "busy", 6);
        join(writer.data().append(BASIN, "busy", trimTo(4), Optional.empty(), StreamConfigSpec.EMPTY, false));
        awaitDueEntries(1);
        List<DueWork.Entry> stale = join(writer.data().dueWork().due(now.get(), "", 100)); // a janitor lists, then pauses

        Process a = process(memory, 2);
        Process b = process(memory, 3);
        CompletableFuture<Janitor.RunReport> ra = a.janitor().runDue(now.get()).toCompletableFuture();
        CompletableFuture<Janitor.RunReport> rb = b.janitor().runDue(now.get()).toCompletableFuture();
        assertEquals(0, ra.join().failed() + rb.join().failed());
        String commits = new LogKeys(s.sid()).commitPrefix();
        List<String> afterBoth = keys(commits);
        assertEquals(3, afterBoth.size(), "commits of 4, 5 and the trim stay: " + afterBoth);

        // the paused janitor resumes with what it listed long ago, after more was appended
        join(writer.data().append(BASIN, "busy", one("later"), Optional.empty(), StreamConfigSpec.EMPTY, false));
        Process late = process(memory, 4);
        join(late.data().trim(join(late.data().resolve(BASIN, "busy", DataPlane.AutoCreate.NEVER))));
        for (DueWork.Entry e : stale) {
            join(late.data().dueWork().done(e));
        }
        assertEquals(4, keys(commits).size(), "nothing retained was deleted");
        ReadOutcome.Records read = assertInstanceOf(ReadOutcome.Records.class, join(late.data().read(BASIN, "busy",
                new ReadRequest(new ReadRequest.Start.SeqNum(0), 100, 1 << 20, OptionalLong.empty(), true), Optional.empty(),
                StreamConfigSpec.EMPTY, false)));
        assertEquals(List.of(4L, 5L, 6L, 7L), read.records().stream().map(r -> r.seqNum()).toList());
        assertFalse(oneOff().stream().anyMatch(k -> true), "the index holds no one-off work");
    }
}
