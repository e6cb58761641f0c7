package dev.brook.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.Header;
import dev.brook.core.Limits;
import dev.brook.core.Rejection;
import dev.brook.core.SequencedRecord;
import dev.brook.core.StreamState;
import dev.brook.core.Timestamping;
import dev.brook.store.MemoryObjectStore;
import dev.brook.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A log whose records may not pass a sequence number (aes-256-gcm streams, as S2): decided in the
 * fold against the validated tail, so a batch that straddles the limit is refused whole with S2's
 * message, commands still go past it, and batches of one group see what the earlier ones took.
 */
class RecordSeqNumLimitTest {

    static final String SID = "5e9c0000000000000000000000000042";
    static final long MAX = Limits.AES_256_GCM_SEQ_NUM_MAX;
    static final StreamLog.Options GCM = new StreamLog.Options(SequencedRecord::meteredBytes, MAX);

    private static StreamLog log(ObjectStore store, long nextSeq) {
        LogEnv env = new LogEnv(store, () -> 1_000, System::nanoTime, ms -> CompletableFuture.completedFuture(null),
                new Random(1), LogSettings.DEFAULT);
        StreamState genesis = new StreamState(nextSeq, 0, "", nextSeq, 1, Timestamping.DEFAULT, false);
        return new StreamLog(env, SID, genesis, GCM);
    }

    private static AppendRecord rec(String body) {
        return new AppendRecord(OptionalLong.empty(), List.of(), body.getBytes(StandardCharsets.UTF_8));
    }

    private static AppendRecord fence(String token) {
        return new AppendRecord(OptionalLong.empty(), List.of(new Header(new byte[0], "fence".getBytes(StandardCharsets.UTF_8))),
                token.getBytes(StandardCharsets.UTF_8));
    }

    private static AppendBatch batch(AppendRecord... records) {
        return new AppendBatch(List.of(records), OptionalLong.empty(), Optional.empty(), 1_000);
    }

    private static void assertLimit(long attempted, AppendOutcome o) {
        Rejection why = assertInstanceOf(AppendOutcome.Rejected.class, o, () -> "expected a rejection, was " + o).rejection();
        assertEquals(new Rejection.Invalid("max assignable sequence number is 4294967295; attempted " + attempted), why);
    }

    private static List<String> commitKeys(ObjectStore store) {
        return store.list("logs/" + SID + "/c/", "", 1000).toCompletableFuture().join().keys();
    }

    @Test
    void aBatchStraddlingTheLimitIsRefusedWholeAndNothingIsWritten() {
        ObjectStore store = new MemoryObjectStore(() -> 0);
        StreamLog log = log(store, MAX - 1);
        assertLimit(MAX + 1, log.append(batch(rec("a"), rec("b"), rec("c"))).toCompletableFuture().join());
        assertEquals(List.of(), commitKeys(store));
        assertEquals(MAX - 1, log.checkTail().toCompletableFuture().join().seqNum());
    }

    @Test
    void recordsUpToTheLimitAreAckedThenOnlyCommandsGoOn() {
        ObjectStore store = new MemoryObjectStore(() -> 0);
        StreamLog log = log(store, MAX - 1);
        AppendOutcome.Acked upTo = assertInstanceOf(AppendOutcome.Acked.class,
                log.append(batch(rec("a"), rec("b"))).toCompletableFuture().join());
        assertEquals(MAX - 1, upTo.range().startSeq());
        assertEquals(MAX + 1, upTo.range().endSeq(), "the last record took 4294967295 itself");

        assertLimit(MAX + 1, log.append(batch(rec("c"))).toCompletableFuture().join());
        AppendOutcome.Acked commands = assertInstanceOf(AppendOutcome.Acked.class,
                log.append(batch(fence("f1"), fence("f2"))).toCompletableFuture().join());
        assertEquals(MAX + 1, commands.range().startSeq(), "command records have no limit");
        assertLimit(MAX + 4, log.append(batch(fence("f3"), rec("d"))).toCompletableFuture().join());

        // Another instance, nothing cached, decides against the same validated tail.
        StreamLog other = log(store, MAX - 1);
        assertLimit(MAX + 3, other.append(batch(rec("e"))).toCompletableFuture().join());
        assertEquals(MAX + 3, other.checkTail().toCompletableFuture().join().seqNum());
    }

    @Test
    void batchesOfOneGroupAreHeldToTheLimitByWhatTheEarlierOnesTook() {
        GroupCommitTest.HeldStore held = new GroupCommitTest.HeldStore();
        StreamLog log = log(held, MAX - 1);
        List<CompletableFuture<AppendOutcome>> all = new ArrayList<>();
        all.add(log.append(batch(rec("first"))).toCompletableFuture());
        assertEquals(1, held.held(), "the first commit is in flight: the next batches queue into one group");
        all.add(log.append(batch(rec("second"))).toCompletableFuture());
        all.add(log.append(batch(rec("third"))).toCompletableFuture());
        all.add(log.append(batch(fence("f"))).toCompletableFuture());
        for (int round = 0; round < 10 && !all.stream().allMatch(CompletableFuture::isDone); round++) {
            held.releaseAll();
        }
        assertTrue(all.stream().allMatch(CompletableFuture::isDone));
        assertEquals(2, held.commitPuts, "one commit for the first batch, one for the group");
        assertEquals(MAX - 1, assertInstanceOf(AppendOutcome.Acked.class, all.get(0).join()).range().startSeq());
        assertEquals(MAX, assertInstanceOf(AppendOutcome.Acked.class, all.get(1).join()).range().startSeq());
        assertLimit(MAX + 1, all.get(2).join());
        assertEquals(MAX + 1, assertInstanceOf(AppendOutcome.Acked.class, all.get(3).join()).range().startSeq(),
                "the rejected batch took nothing: the fence after it goes at 4294967296");
    }
}
