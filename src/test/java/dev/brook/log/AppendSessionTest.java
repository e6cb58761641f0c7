package dev.brook.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.Rejection;
import dev.brook.core.SequencedRecord;
import dev.brook.core.StreamState;
import dev.brook.core.Timestamping;
import dev.brook.store.ObjectStore;
import dev.brook.testing.LossyStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The prefix rule of append sessions, scripted: once a batch of a session fails, no later batch of
 * it is applied, whether it shares the failing batch's commit, waits behind it, or follows a commit
 * whose outcome is unknown; unary appends and other sessions carry on.
 */
class AppendSessionTest {

    static final String SID = "5e5500000000000000000000000000a1";

    private final GroupCommitTest.HeldStore held = new GroupCommitTest.HeldStore();
    /** Every completion, in the order they happened. */
    private final List<String> completions = new ArrayList<>();

    private StreamLog log(ObjectStore store) {
        LogEnv env = new LogEnv(store, () -> 1_000, System::nanoTime, ms -> CompletableFuture.completedFuture(null),
                new Random(1), LogSettings.DEFAULT);
        return new StreamLog(env, SID, StreamState.empty(1, Timestamping.DEFAULT));
    }

    private static AppendBatch batch(String body) {
        return batch(OptionalLong.empty(), body);
    }

    private static AppendBatch batch(OptionalLong match, String body) {
        return new AppendBatch(List.of(new AppendRecord(OptionalLong.empty(), List.of(), body.getBytes(StandardCharsets.UTF_8))),
                match, Optional.empty(), 1_000);
    }

    /** Appends {@code body} as a batch of {@code session}, noting when it completes. */
    private CompletableFuture<AppendOutcome> append(StreamLog log, AppendSession session, AppendBatch b) {
        String name = new String(b.records().get(0).body(), StandardCharsets.UTF_8);
        CompletableFuture<AppendOutcome> f = session == null ? log.append(b).toCompletableFuture()
                : log.append(b, UnaryOperator.identity(), session).toCompletableFuture();
        f.whenComplete((o, e) -> {
            synchronized (completions) {
                completions.add(name);
            }
        });
        return f;
    }

    private void releaseUntilDone(List<CompletableFuture<AppendOutcome>> all) {
        for (int round = 0; round < 20 && !all.stream().allMatch(CompletableFuture::isDone); round++) {
            held.releaseAll();
        }
        assertTrue(all.stream().allMatch(CompletableFuture::isDone), "everything was answered");
    }

    /** The bodies in the stream, read by a fresh instance (nothing cached). */
    private List<String> bodiesInTheStream(ObjectStore store) {
        ReadOutcome o = log(store).read(new ReadRequest(new ReadRequest.Start.SeqNum(0), 1000, 1 << 20, OptionalLong.empty(), true))
                .toCompletableFuture().join();
        List<String> bodies = new ArrayList<>();
        for (SequencedRecord r : assertInstanceOf(ReadOutcome.Records.class, o).records()) {
            bodies.add(new String(r.body(), StandardCharsets.UTF_8));
        }
        return bodies;
    }

    private static void assertSessionBroken(CompletableFuture<AppendOutcome> f) {
        AppendOutcome.Failed failed = assertInstanceOf(AppendOutcome.Failed.class, f.join());
        assertEquals(AppendOutcome.Failure.SESSION_BROKEN, failed.failure());
        assertFalse(failed.mayHaveLanded());
    }

    @Test
    void aRejectedBatchStopsTheRestOfItsSessionInTheSameGroup() {
        StreamLog log = log(held);
        AppendSession s = new AppendSession();
        CompletableFuture<AppendOutcome> u0 = append(log, null, batch("u0"));
        assertEquals(1, held.held(), "u0's commit is in flight: what follows queues into one group");

        CompletableFuture<AppendOutcome> b1 = append(log, s, batch("b1"));
        CompletableFuture<AppendOutcome> b2 = append(log, s, batch(OptionalLong.of(99), "b2"));
        CompletableFuture<Boolean> brokenWhenB2Completed = b2.thenApply(o -> s.broken());
        CompletableFuture<AppendOutcome> u1 = append(log, null, batch("u1"));
        CompletableFuture<AppendOutcome> b3 = append(log, s, batch("b3"));
        // b4 would fit right after b3: only the session rule keeps both out.
        CompletableFuture<AppendOutcome> b4 = append(log, s, batch(OptionalLong.of(4), "b4"));
        CompletableFuture<AppendOutcome> u2 = append(log, null, batch("u2"));
        releaseUntilDone(List.of(u0, b1, b2, u1, b3, b4, u2));

        assertEquals(2, held.commitPuts, "the queued batches went out in one commit");
        assertEquals(1, assertInstanceOf(AppendOutcome.Acked.class, b1.join()).range().startSeq());
        assertEquals(new Rejection.SeqNumMismatch(2), assertInstanceOf(AppendOutcome.Rejected.class, b2.join()).rejection());
        assertEquals(2, assertInstanceOf(AppendOutcome.Acked.class, u1.join()).range().startSeq());
        assertSessionBroken(b3);
        assertSessionBroken(b4);
        assertEquals(3, assertInstanceOf(AppendOutcome.Acked.class, u2.join()).range().startSeq(),
                "the unary batch after the held-back ones takes the next position");
        assertTrue(brokenWhenB2Completed.join(), "the session is broken before b2's rejection is released");
        assertTrue(s.why().orElseThrow().contains("seq_num_mismatch"), s.why().orElseThrow());
        assertEquals(List.of("u0", "b1", "u1", "u2"), bodiesInTheStream(held));
        List<String> sessionOrder = completions.stream().filter(n -> n.startsWith("b")).toList();
        assertEquals(List.of("b1", "b2", "b3", "b4"), sessionOrder, "a session's outcomes complete in submission order");
    }

    @Test
    void aRejectionStopsTheBatchesQueuedBehindItsCommit() {
        StreamLog log = log(held);
        AppendSession s = new AppendSession();
        AppendSession other = new AppendSession();
        CompletableFuture<AppendOutcome> u0 = append(log, null, batch("u0"));
        CompletableFuture<AppendOutcome> b1 = append(log, s, batch("b1"));
        CompletableFuture<AppendOutcome> b2 = append(log, s, batch(OptionalLong.of(0), "b2"));
        held.releaseAll();
        assertTrue(u0.isDone());
        assertEquals(1, held.held(), "the commit deciding b1 and b2 is in flight");
        assertFalse(b2.isDone(), "b2's rejection waits for the commit it was decided against");
        assertFalse(s.broken(), "nothing is known before that commit is durable");

        CompletableFuture<AppendOutcome> b3 = append(log, s, batch("b3"));
        CompletableFuture<AppendOutcome> o1 = append(log, other, batch("o1"));
        CompletableFuture<AppendOutcome> b4 = append(log, s, batch(OptionalLong.of(2), "b4"));
        CompletableFuture<AppendOutcome> o2 = append(log, other, batch(OptionalLong.of(3), "o2"));
        releaseUntilDone(List.of(b1, b2, b3, o1, b4, o2));

        assertInstanceOf(AppendOutcome.Acked.class, b1.join());
        assertEquals(new Rejection.SeqNumMismatch(2), assertInstanceOf(AppendOutcome.Rejected.class, b2.join()).rejection());
        assertSessionBroken(b3);
        assertSessionBroken(b4);
        assertEquals(2, assertInstanceOf(AppendOutcome.Acked.class, o1.join()).range().startSeq());
        assertEquals(3, assertInstanceOf(AppendOutcome.Acked.class, o2.join()).range().startSeq(), "another session carries on");
        assertFalse(other.broken());
        assertEquals(List.of("u0", "b1", "o1", "o2"), bodiesInTheStream(held));
        assertEquals(List.of("b1", "b2", "b3", "b4"), completions.stream().filter(n -> n.startsWith("b")).toList());
    }

    @Test
    void aCommitWithAnUnknownOutcomeBreaksTheSessionAndRetractsRejections() {
        LossyStore lossy = new LossyStore(held);
        StreamLog log = log(lossy);
        AppendSession s = new AppendSession();
        AppendSession t = new AppendSession();
        CompletableFuture<AppendOutcome> u0 = append(log, null, batch("u0"));
        CompletableFuture<AppendOutcome> s1 = append(log, s, batch("s1"));
        // Decided after s1, t1 is rejected and t2 held back; but s1's commit may never exist.
        CompletableFuture<AppendOutcome> t1 = append(log, t, batch(OptionalLong.of(1), "t1"));
        CompletableFuture<AppendOutcome> t2 = append(log, t, batch("t2"));
        List<CompletableFuture<AppendOutcome>> behind = new ArrayList<>();
        int sends = LogSettings.DEFAULT.resendsMax() + 1;
        LossyStore.Fault[] lost = new LossyStore.Fault[sends];
        java.util.Arrays.fill(lost, LossyStore.Fault.LOSE_REQUEST);
        lossy.failNextCreates(() -> {
            if (behind.isEmpty()) {
                // While the commit of s1 is unsettled, the session pipelines two more batches.
                behind.add(append(log, s, batch("s2")));
                behind.add(append(log, s, batch(OptionalLong.of(1), "s3")));
                behind.add(append(log, null, batch("u1")));
            }
        }, lost);
        held.releaseAll();
        List<CompletableFuture<AppendOutcome>> all = new ArrayList<>(List.of(u0, s1, t1, t2));
        all.addAll(behind);
        releaseUntilDone(all);

        assertInstanceOf(AppendOutcome.Acked.class, u0.join());
        AppendOutcome.Failed unknown = assertInstanceOf(AppendOutcome.Failed.class, s1.join());
        assertEquals(AppendOutcome.Failure.OUTCOME_UNKNOWN, unknown.failure());
        assertTrue(s.broken());
        assertTrue(s.why().orElseThrow().contains("OUTCOME_UNKNOWN"), s.why().orElseThrow());
        assertSessionBroken(behind.get(0));
        assertSessionBroken(behind.get(1));
        assertEquals(1, assertInstanceOf(AppendOutcome.Acked.class, t1.join()).range().startSeq(),
                "t1's rejection was decided against a state that never existed: decided again, it is accepted");
        assertEquals(2, assertInstanceOf(AppendOutcome.Acked.class, t2.join()).range().startSeq(), "and t2 follows it");
        assertFalse(t.broken());
        assertEquals(3, assertInstanceOf(AppendOutcome.Acked.class, behind.get(2).join()).range().startSeq());
        assertEquals(List.of("u0", "t1", "t2", "u1"), bodiesInTheStream(held), "s1 was lost, s2 and s3 never sent");
        assertEquals(List.of("s1", "s2", "s3"), completions.stream().filter(n -> n.startsWith("s")).toList());
        assertEquals(List.of("t1", "t2"), completions.stream().filter(n -> n.startsWith("t")).toList());
    }
}
