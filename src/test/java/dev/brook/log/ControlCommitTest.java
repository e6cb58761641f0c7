package dev.brook.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.StreamState;
import dev.brook.core.Timestamping;
import dev.brook.core.TimestampingMode;
import dev.brook.store.MemoryObjectStore;
import dev.brook.store.ObjectStore;
import dev.brook.store.PutOutcome;
import dev.brook.store.StoreException;
import dev.brook.testing.ForwardingStore;
import dev.brook.testing.LossyStore;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Control items (reconfiguration, seal) whose commit has an unknown outcome: every one is answered.
 * A control change is an idempotent function of the tail's state, so it is decided again against
 * the tail read afresh, a bounded number of times; past that it fails as OUTCOME_UNKNOWN.
 */
class ControlCommitTest {

    static final String SID = "c0c0000000000000000000000000c0de";
    static final Timestamping REQUIRE = new Timestamping(TimestampingMode.CLIENT_REQUIRE, false);
    /** Sends of one payload before the committer calls its outcome unknown. */
    static final int SENDS = LogSettings.DEFAULT.resendsMax() + 1;

    private static StreamLog log(ObjectStore store) {
        LogEnv env = new LogEnv(store, () -> 1_000, System::nanoTime, ms -> CompletableFuture.completedFuture(null),
                new Random(1), LogSettings.DEFAULT);
        return new StreamLog(env, SID, StreamState.empty(1, Timestamping.DEFAULT));
    }

    /** The reconfiguration DataPlane submits: to version 2 with client-require, unless the log is there already. */
    private static UnaryOperator<StreamState> toVersion2() {
        return s -> s.configVersion() >= 2 ? s
                : new StreamState(s.nextSeq(), s.lastTimestamp(), s.fencingToken(), s.trimPoint(), 2, REQUIRE, s.sealed());
    }

    private static AppendBatch batch(String body) {
        return new AppendBatch(List.of(new AppendRecord(OptionalLong.empty(), List.of(), body.getBytes(StandardCharsets.UTF_8))),
                OptionalLong.empty(), Optional.empty(), 1_000);
    }

    private static LossyStore.Fault[] lost(int sends) {
        LossyStore.Fault[] faults = new LossyStore.Fault[sends];
        Arrays.fill(faults, LossyStore.Fault.LOSE_REQUEST);
        return faults;
    }

    private static List<String> commitKeys(ObjectStore store) {
        return store.list("logs/" + SID + "/c/", "", 1000).toCompletableFuture().join().keys();
    }

    @Test
    void aControlCommitWhoseOutcomeIsUnknownIsDecidedAgainAndAnswered() {
        LossyStore lossy = new LossyStore(new MemoryObjectStore(() -> 0));
        StreamLog log = log(lossy);
        lossy.failNextCreates(() -> {}, lost(SENDS));
        CompletableFuture<AppendOutcome> reconfigured = log.control("reconfigure", toVersion2()).toCompletableFuture();
        assertTrue(reconfigured.isDone(), "every submitted item is answered");
        assertInstanceOf(AppendOutcome.Applied.class, reconfigured.join());
        StreamState state = log.state().toCompletableFuture().join();
        assertEquals(2, state.configVersion());
        assertEquals(REQUIRE, state.timestamping());
        assertEquals(1, commitKeys(lossy).size(), "one control commit in the log");
    }

    @Test
    void aControlCommitThatLandedUnseenIsAnsweredFromTheTailWithoutASecondCommit() {
        ObjectStore memory = new MemoryObjectStore(() -> 0);
        boolean[] once = {true};
        ObjectStore landsThenFails = new ForwardingStore(memory) {
            @Override
            public CompletionStage<PutOutcome> putIfAbsent(String key, byte[] body, Map<String, String> metadata) {
                if (!once[0]) {
                    return super.putIfAbsent(key, body, metadata);
                }
                once[0] = false;
                // Landed, but the store answers with an error the log cannot settle: outcome unknown.
                return super.putIfAbsent(key, body, metadata).thenCompose(x -> CompletableFuture.failedFuture(
                        new StoreException(StoreException.Kind.FATAL, "simulated refusal after landing")));
            }
        };
        StreamLog log = log(landsThenFails);
        CompletableFuture<AppendOutcome> sealed = log.control("seal", s -> s.sealed() ? s
                : new StreamState(s.nextSeq(), s.lastTimestamp(), s.fencingToken(), s.trimPoint(), s.configVersion(), s.timestamping(), true))
                .toCompletableFuture();
        assertTrue(sealed.isDone(), "every submitted item is answered");
        // Decided again against the tail, the seal is already there: the answer says so, nothing more is written.
        assertEquals(new dev.brook.core.Rejection.StreamSealed(),
                assertInstanceOf(AppendOutcome.Rejected.class, sealed.join()).rejection());
        assertEquals(1, commitKeys(memory).size());
        assertTrue(log.state().toCompletableFuture().join().sealed());
    }

    @Test
    void aControlCommitThatStaysUnknownFailsAsOutcomeUnknownAndWhatQueuedBehindItGoesOn() {
        LossyStore lossy = new LossyStore(new MemoryObjectStore(() -> 0));
        StreamLog log = log(lossy);
        CompletableFuture<AppendOutcome>[] behind = new CompletableFuture[1];
        lossy.failNextCreates(() -> {
            if (behind[0] == null) {
                behind[0] = log.append(batch("after")).toCompletableFuture();
            }
        }, lost(SENDS * (1 + Committer.CONTROL_UNKNOWN_RETRIES_MAX)));
        CompletableFuture<AppendOutcome> reconfigured = log.control("reconfigure", toVersion2()).toCompletableFuture();
        assertTrue(reconfigured.isDone(), "every submitted item is answered");
        AppendOutcome.Failed failed = assertInstanceOf(AppendOutcome.Failed.class, reconfigured.join());
        assertEquals(AppendOutcome.Failure.OUTCOME_UNKNOWN, failed.failure());
        assertTrue(failed.mayHaveLanded());
        assertEquals(0, assertInstanceOf(AppendOutcome.Acked.class, behind[0].join()).range().startSeq(),
                "the append queued behind the control item is decided after it");
        assertEquals(SENDS * (1 + Committer.CONTROL_UNKNOWN_RETRIES_MAX) + 1, lossy.createAttempts(),
                "the control item was tried a bounded number of times");
    }

    /** Delete-on-empty's seal (StreamLog#sealIfAt): only at the tail it was given; found sealed is true; unknown fails. */
    @Test
    void sealIfAtSealsOnlyAtTheTailItWasGivenAndFailsWhenItCannotTell() {
        ObjectStore memory = new MemoryObjectStore(() -> 0);
        StreamLog log = log(memory);
        log.append(batch("a")).toCompletableFuture().join();
        assertEquals(false, log.sealIfAt(0).toCompletableFuture().join(), "the tail moved past 0: no seal");
        assertTrue(!log.state().toCompletableFuture().join().sealed());
        assertEquals(1, commitKeys(memory).size(), "nothing written for it");
        assertEquals(true, log.sealIfAt(1).toCompletableFuture().join());
        assertTrue(log.state().toCompletableFuture().join().sealed());
        assertEquals(true, log.sealIfAt(1).toCompletableFuture().join(), "found sealed");
        assertEquals(true, log.sealIfAt(7).toCompletableFuture().join(), "found sealed, whatever tail it was given");
        assertEquals(2, commitKeys(memory).size(), "one seal commit");
        assertEquals(new dev.brook.core.Rejection.StreamSealed(),
                assertInstanceOf(AppendOutcome.Rejected.class, log.append(batch("b")).toCompletableFuture().join()).rejection());

        LossyStore lossy = new LossyStore(new MemoryObjectStore(() -> 0));
        StreamLog unknown = log(lossy);
        lossy.failNextCreates(() -> {}, lost(SENDS * (1 + Committer.CONTROL_UNKNOWN_RETRIES_MAX)));
        java.util.concurrent.CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.CompletionException.class, () -> unknown.sealIfAt(0).toCompletableFuture().join());
        assertEquals(StoreException.Kind.OUTCOME_UNKNOWN, assertInstanceOf(StoreException.class, e.getCause()).kind());
    }
}
