package dev.brook.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.brook.core.AppendBatch;
import dev.brook.core.StreamState;
import dev.brook.core.Timestamping;
import dev.brook.store.MemoryObjectStore;
import dev.brook.testing.CountingStore;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What a commit costs a process that keeps appending to a stream it wrote last (docs/LOG.md,
 * "Appending"): the conditional put and the floor guard, nothing else. The tail it wrote and guarded
 * itself is extended as it is while fresh; the put finds out when another process got there first.
 * Before: three HEADs per commit (the next key, the floor that validates it, the guard).
 */
class OwnTailAppendCostTest {

    static final String SID = "0a1e0000000000000000000000000001";

    private final CountingStore store = new CountingStore(new MemoryObjectStore(() -> 0));
    private final long[] nanos = {0};

    private StreamLog log() {
        LogEnv env = new LogEnv(store, () -> 1_000, () -> nanos[0], ms -> CompletableFuture.completedFuture(null),
                new Random(3), LogSettings.DEFAULT);
        return new StreamLog(env, SID, StreamState.empty(1, Timestamping.DEFAULT));
    }

    private static long ackedAt(StreamLog log, int i) {
        return assertInstanceOf(AppendOutcome.Acked.class, log.append(ColdDiscoveryCostTest.one(i)).toCompletableFuture().join())
                .range().startSeq();
    }

    @Test
    void aWritersNextCommitsCostThePutAndTheGuardOnly() {
        StreamLog writer = log();
        ackedAt(writer, 0); // the first: finds the (new) stream's tail
        store.reset();
        int commits = 3 * LogSettings.DEFAULT.hintEveryCommits();
        for (int i = 1; i <= commits; i++) {
            assertEquals(i, ackedAt(writer, i));
        }
        assertEquals(commits, store.count("PUT_IF_ABSENT"), store.toString());
        assertEquals(commits, store.count("HEAD"), "one floor guard per commit, no tail read: " + store);
        assertEquals(3, store.count("PUT"), "the hint, refreshed every " + LogSettings.DEFAULT.hintEveryCommits() + " commits");
        assertEquals(commits + commits + 3, store.total(), store.toString());
    }

    @Test
    void anotherProcessesCommitMakesTheFirstPutLoseAndTheAppendLandsAfterIt() {
        StreamLog a = log();
        StreamLog b = log();
        assertEquals(0, ackedAt(a, 0));
        assertEquals(1, ackedAt(b, 1)); // b reads the tail a wrote; a does not know
        store.reset();
        assertEquals(2, ackedAt(a, 2), "after b's commit, not over it");
        assertEquals(2, store.count("PUT_IF_ABSENT"), "the put at a's stale tail lost, then one at the real one: " + store);
        ReadOutcome.Records all = assertInstanceOf(ReadOutcome.Records.class, log().read(new ReadRequest(
                new ReadRequest.Start.SeqNum(0), 10, 1 << 20, java.util.OptionalLong.empty(), false, false)).toCompletableFuture().join());
        assertEquals(List.of("r0", "r1", "r2"), all.records().stream().map(r -> new String(r.body())).collect(Collectors.toList()));
    }

    @Test
    void anOwnTailOlderThanTheBoundIsReadAgainFirst() {
        StreamLog writer = log();
        ackedAt(writer, 0);
        nanos[0] += TimeUnit.MILLISECONDS.toNanos(Committer.OWN_TAIL_FRESH_MS) + 1;
        store.reset();
        assertEquals(1, ackedAt(writer, 1));
        // the next key and the floor that validates it, then the put and its guard
        assertEquals(3, store.count("HEAD"), store.toString());
        assertEquals(1, store.count("PUT_IF_ABSENT"), store.toString());
    }
}
