package dev.brook.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.StreamState;
import dev.brook.core.Timestamping;
import dev.brook.store.MemoryObjectStore;
import dev.brook.store.PutOutcome;
import dev.brook.testing.ForwardingStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** Group commit shown by counting, not timing: batches that arrive while a commit is in flight share the next one. */
class GroupCommitTest {

    static final String SID = "9c0000000000000000000000000000aa";
    static final int QUEUED = 100;

    /** Holds every commit PUT until released, and counts them. */
    static final class HeldStore extends ForwardingStore {
        final List<CompletableFuture<Void>> gates = new ArrayList<>();
        int commitPuts;

        HeldStore() {
            super(new MemoryObjectStore(() -> 0));
        }

        @Override
        public synchronized CompletionStage<PutOutcome> putIfAbsent(String key, byte[] body, Map<String, String> metadata) {
            if (!key.contains("/c/")) {
                return super.putIfAbsent(key, body, metadata);
            }
            commitPuts++;
            CompletableFuture<Void> gate = new CompletableFuture<>();
            gates.add(gate);
            return gate.thenCompose(x -> super.putIfAbsent(key, body, metadata));
        }

        synchronized void releaseAll() {
            List<CompletableFuture<Void>> open = new ArrayList<>(gates);
            gates.clear();
            open.forEach(g -> g.complete(null));
        }

        synchronized int held() {
            return gates.size();
        }
    }

    private static AppendBatch batch(int n) {
        return new AppendBatch(List.of(new AppendRecord(OptionalLong.empty(), List.of(), ("b" + n).getBytes(StandardCharsets.UTF_8))),
                OptionalLong.empty(), Optional.empty(), 1_000);
    }

    @Test
    void batchesQueuedBehindAnOpenCommitGoOutTogether() {
        HeldStore store = new HeldStore();
        LogEnv env = new LogEnv(store, () -> 1_000, System::nanoTime, ms -> CompletableFuture.completedFuture(null),
                new Random(1), LogSettings.DEFAULT);
        StreamLog log = new StreamLog(env, SID, StreamState.empty(1, Timestamping.DEFAULT));

        List<CompletableFuture<AppendOutcome>> acks = new ArrayList<>();
        acks.add(log.append(batch(0)).toCompletableFuture());
        assertEquals(1, store.commitPuts, "the first batch's commit is in flight");
        for (int i = 1; i <= QUEUED; i++) {
            acks.add(log.append(batch(i)).toCompletableFuture());
        }
        assertEquals(1, store.commitPuts, "nothing else is sent while a commit is in flight");
        assertFalse(acks.get(0).isDone(), "no ack before the commit is durable");

        for (int round = 0; round < 10 && !acks.stream().allMatch(CompletableFuture::isDone); round++) {
            store.releaseAll();
        }
        assertEquals(2, store.commitPuts, "the 100 queued batches went out in one commit, not 100");
        long next = 0;
        for (int i = 0; i <= QUEUED; i++) {
            AppendOutcome.Acked ack = assertInstanceOf(AppendOutcome.Acked.class, acks.get(i).join());
            assertEquals(next, ack.range().startSeq(), "batch " + i + " has its own range, in order");
            next = ack.range().endSeq();
            assertTrue(ack.tailSeq() >= ack.range().endSeq());
        }
        assertEquals(QUEUED + 1, next);
    }
}
