package dev.brook.core;

import static dev.brook.core.Fixtures.NOW;
import static dev.brook.core.Fixtures.arrivingAt;
import static dev.brook.core.Fixtures.at;
import static dev.brook.core.Fixtures.batch;
import static dev.brook.core.Fixtures.fence;
import static dev.brook.core.Fixtures.fresh;
import static dev.brook.core.Fixtures.header;
import static dev.brook.core.Fixtures.rec;
import static dev.brook.core.Fixtures.recAt;
import static dev.brook.core.Fixtures.trim;
import static dev.brook.core.Fixtures.utf8;
import static dev.brook.core.Fixtures.withHeaders;
import static dev.brook.core.Fixtures.withMatch;
import static dev.brook.core.Fixtures.withToken;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AppendDecisionTest {

    // ---- fencing ----

    @Test
    void emptyTokenOnAFreshStreamIsAccepted() {
        Fold fold = decide(fresh(), withToken(batch(rec("a")), ""));
        assertAccepted(0, 1, fold.verdicts().get(0));
    }

    @Test
    void anyOtherTokenOnAFreshStreamIsFencedOutWithTheEmptyToken() {
        Fold fold = decide(fresh(), withToken(batch(rec("a")), "mine"));
        assertEquals(rejected(new Rejection.FencingTokenMismatch("")), fold.verdicts().get(0));
        assertEquals(fresh(), fold.after());
    }

    @Test
    void afterAFenceTheOldTokenIsRejectedWithTheNewOne() {
        Fold fenced = decide(fresh(), withToken(batch(fence("updated-token")), ""));
        assertAccepted(0, 1, fenced.verdicts().get(0));
        assertEquals("updated-token", fenced.after().fencingToken());

        Fold stale = decide(fenced.after(), withToken(batch(rec("a")), ""));
        assertEquals(rejected(new Rejection.FencingTokenMismatch("updated-token")), stale.verdicts().get(0));
        assertEquals(fenced.after(), stale.after());

        Fold current = decide(fenced.after(), withMatch(withToken(batch(rec("a")), "updated-token"), 1));
        assertAccepted(1, 2, current.verdicts().get(0));
    }

    @Test
    void aBatchWithoutATokenIsNeverFencedOut() {
        StreamState fenced = decide(fresh(), batch(fence("f"))).after();
        Fold fold = decide(fenced, batch(rec("a")));
        assertAccepted(1, 2, fold.verdicts().get(0));
        assertEquals("f", fold.after().fencingToken());
    }

    @Test
    void aFenceWithAnEmptyBodyRemovesFencing() {
        StreamState fenced = decide(fresh(), batch(fence("f"))).after();
        StreamState unfenced = decide(fenced, withToken(batch(fence("")), "f")).after();
        assertEquals("", unfenced.fencingToken());
        assertAccepted(2, 3, decide(unfenced, withToken(batch(rec("a")), "")).verdicts().get(0));
    }

    @Test
    void theBatchTokenIsCheckedBeforeItsOwnFenceApplies() {
        // The fence inside the batch only affects later batches: this batch is judged by "" .
        Fold fold = decide(fresh(), withToken(batch(fence("new"), rec("a")), "new"));
        assertEquals(rejected(new Rejection.FencingTokenMismatch("")), fold.verdicts().get(0));
    }

    // ---- match_seq_num ----

    @Test
    void matchSeqNumZeroOnAnEmptyStreamThenZeroAgainIsAMismatch() {
        Fold first = decide(fresh(), withMatch(batch(rec("first")), 0));
        assertAccepted(0, 1, first.verdicts().get(0));
        Fold second = decide(first.after(), withMatch(batch(rec("second")), 0));
        assertEquals(rejected(new Rejection.SeqNumMismatch(1)), second.verdicts().get(0));
        assertEquals(first.after(), second.after());
    }

    @Test
    void matchSeqNumEqualToTheTailIsAccepted() {
        Fold fold = decide(at(5, 0, 0), withMatch(batch(rec("a"), rec("b")), 5));
        assertAccepted(5, 7, fold.verdicts().get(0));
    }

    // ---- several batches folded into one commit ----

    @Test
    void theSameMatchSeqNumTwiceInOneFoldRejectsTheSecondWithTheFirstsEnd() {
        Fold fold = decide(fresh(), withMatch(batch(rec("a"), rec("b"), rec("c")), 0), withMatch(batch(rec("d")), 0));
        assertAccepted(0, 3, fold.verdicts().get(0));
        assertEquals(rejected(new Rejection.SeqNumMismatch(3)), fold.verdicts().get(1));
        assertEquals(3, fold.after().nextSeq());
    }

    @Test
    void consecutiveMatchSeqNumsInOneFoldAreAllAccepted() {
        Fold fold = decide(fresh(), withMatch(batch(rec("a"), rec("b")), 0), withMatch(batch(rec("c")), 2),
                withMatch(batch(rec("d")), 3));
        assertAccepted(0, 2, fold.verdicts().get(0));
        assertAccepted(2, 3, fold.verdicts().get(1));
        assertAccepted(3, 4, fold.verdicts().get(2));
    }

    @Test
    void aFenceInOneBatchFencesOutTheOldTokenInTheNextBatchOfTheSameFold() {
        Fold fold = decide(fresh(), withToken(batch(fence("new")), ""), withToken(batch(rec("stale")), ""),
                withToken(batch(rec("fresh")), "new"));
        assertAccepted(0, 1, fold.verdicts().get(0));
        assertEquals(rejected(new Rejection.FencingTokenMismatch("new")), fold.verdicts().get(1));
        assertAccepted(1, 2, fold.verdicts().get(2));
        assertEquals("new", fold.after().fencingToken());
    }

    @Test
    void aTrimFollowedByAFenceInOneFoldAppliesBoth() {
        Fold fold = decide(fresh(), batch(rec("a"), rec("b"), trim(2)), batch(fence("f")));
        assertAccepted(0, 3, fold.verdicts().get(0));
        assertAccepted(3, 4, fold.verdicts().get(1));
        assertEquals(new StreamState(4, NOW, "f", 2, 7, Timestamping.DEFAULT, false), fold.after());
    }

    @Test
    void aTrimFollowedByAFenceInOneBatchAppliesBoth() {
        Fold fold = decide(fresh(), batch(rec("a"), trim(100), fence("f")));
        assertAccepted(0, 3, fold.verdicts().get(0));
        assertEquals(2, fold.after().trimPoint());
        assertEquals("f", fold.after().fencingToken());
    }

    @Test
    void aRejectedBatchInTheMiddleLeavesTheStateForTheNext() {
        AppendBatch before = batch(recAt(100, "a"), recAt(200, "b"));
        // Rejected by its match_seq_num: its fence, trim and far-off timestamp must leave no trace.
        AppendBatch bad = withMatch(batch(fence("evil"), trim(2), recAt(900, "c")), 99);
        AppendBatch after = withToken(batch(recAt(300, "d")), "");
        Fold fold = decide(fresh(), before, bad, after);

        assertAccepted(0, 2, fold.verdicts().get(0));
        assertEquals(rejected(new Rejection.SeqNumMismatch(2)), fold.verdicts().get(1));
        Verdict.Accepted third = assertAccepted(2, 3, fold.verdicts().get(2));
        assertEquals(300, third.startTimestamp());
        assertEquals(new StreamState(3, 300, "", 0, 7, Timestamping.DEFAULT, false), fold.after());
    }

    @Test
    void foldingIsTheSameAsCommittingEachBatchAlone() {
        List<AppendBatch> batches = List.of(withMatch(batch(recAt(50, "a"), fence("f")), 0), withToken(batch(rec("x")), ""),
                withToken(batch(recAt(20, "b"), trim(1)), "f"), batch(List.of()), withMatch(batch(rec("c")), 4),
                arrivingAt(batch(rec("d")), NOW - 500));
        Fold together = AppendDecision.decide(fresh(), batches);

        StreamState state = fresh();
        List<Verdict> oneByOne = new ArrayList<>();
        for (AppendBatch b : batches) {
            Fold alone = AppendDecision.decide(state, List.of(b));
            oneByOne.addAll(alone.verdicts());
            state = alone.after();
        }
        assertEquals(oneByOne, together.verdicts());
        assertEquals(state, together.after());
        assertEquals(new StreamState(6, NOW, "f", 1, 7, Timestamping.DEFAULT, false), together.after());
    }

    @Test
    void noBatchesLeaveTheStateAsItWas() {
        Fold fold = AppendDecision.decide(at(3, 40, 1), List.of());
        assertEquals(List.of(), fold.verdicts());
        assertEquals(at(3, 40, 1), fold.after());
    }

    // ---- rejection order ----

    static Stream<Arguments> rejectionOrder() {
        StreamState fencedRequire = new StreamState(1, 0, "t", 0, 7,
                new Timestamping(TimestampingMode.CLIENT_REQUIRE, false), false);
        StreamState sealed = new StreamState(1, 0, "t", 0, 7, Timestamping.DEFAULT, true);
        return Stream.of(
                arguments("sealed beats an invalid batch", sealed, withMatch(withToken(batch(List.of()), "x"), 9),
                        new Rejection.StreamSealed()),
                arguments("sealed rejects a good batch", sealed, withToken(batch(rec("a")), "t"), new Rejection.StreamSealed()),
                arguments("invalid beats the fencing token", fencedRequire, withMatch(withToken(batch(List.of()), "x"), 9),
                        new Rejection.Invalid("record batch must not be empty")),
                arguments("the fencing token beats match_seq_num", fencedRequire, withMatch(withToken(batch(rec("a")), "x"), 9),
                        new Rejection.FencingTokenMismatch("t")),
                arguments("match_seq_num beats a missing timestamp", fencedRequire, withMatch(withToken(batch(rec("a")), "t"), 9),
                        new Rejection.SeqNumMismatch(1)),
                arguments("a missing required timestamp", fencedRequire, withMatch(withToken(batch(rec("a")), "t"), 1),
                        new Rejection.Invalid("record timestamp was required but was missing")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectionOrder")
    void checksRunInS2sOrder(String what, StreamState state, AppendBatch batch, Rejection expected) {
        Fold fold = decide(state, batch);
        assertEquals(rejected(expected), fold.verdicts().get(0));
        assertEquals(state, fold.after());
    }

    // ---- timestamps ----

    static final Timestamping PREFER = Timestamping.DEFAULT;
    static final Timestamping PREFER_UNCAPPED = new Timestamping(TimestampingMode.CLIENT_PREFER, true);
    static final Timestamping REQUIRE = new Timestamping(TimestampingMode.CLIENT_REQUIRE, false);
    static final Timestamping REQUIRE_UNCAPPED = new Timestamping(TimestampingMode.CLIENT_REQUIRE, true);
    static final Timestamping ARRIVAL = new Timestamping(TimestampingMode.ARRIVAL, false);
    static final Timestamping ARRIVAL_UNCAPPED = new Timestamping(TimestampingMode.ARRIVAL, true);
    /** In a table of client timestamps: this record carries none. */
    static final long NONE = -1;

    /** Records with these client timestamps ({@code NONE} = not given), arriving at {@link Fixtures#NOW}. */
    static Stream<Arguments> timestamps() {
        return Stream.of(
                arguments("client-prefer keeps the client's", PREFER, 0, ts(600), ts(600)),
                arguments("client-prefer without one takes arrival", PREFER, 0, ts(NONE), ts(NOW)),
                arguments("client-prefer mixes per record", PREFER, 0, ts(600, NONE, 700), ts(600, NOW, NOW)),
                arguments("client-require keeps the client's", REQUIRE, 0, ts(600, 700), ts(600, 700)),
                arguments("arrival ignores the client's", ARRIVAL, 0, ts(600, NONE, 5000), ts(NOW, NOW, NOW)),
                arguments("arrival ignores the client's even uncapped", ARRIVAL_UNCAPPED, 0, ts(5000), ts(NOW)),
                arguments("capped: a future client timestamp becomes arrival", PREFER, 0, ts(NOW + 1), ts(NOW)),
                arguments("capped: client-require too", REQUIRE, 0, ts(NOW + 4000), ts(NOW)),
                arguments("capped: arrival itself is not in the future", PREFER, 0, ts(NOW), ts(NOW)),
                arguments("uncapped keeps a future client timestamp", PREFER_UNCAPPED, 0, ts(NOW + 4000), ts(NOW + 4000)),
                arguments("uncapped client-require keeps it too", REQUIRE_UNCAPPED, 0, ts(NOW + 4000), ts(NOW + 4000)),
                arguments("clamped up to the stream's last timestamp", PREFER, 800, ts(500), ts(800)),
                arguments("clamped up to an earlier record of the batch", PREFER, 0, ts(700, 600, 750), ts(700, 700, 750)),
                arguments("a future uncapped timestamp raises the floor", PREFER_UNCAPPED, 0, ts(5000, NONE), ts(5000, 5000)),
                arguments("equal timestamps are allowed", PREFER, 600, ts(600, 600, 600), ts(600, 600, 600)),
                arguments("arrival behind the last timestamp is clamped", ARRIVAL, NOW + 50, ts(NONE, NONE), ts(NOW + 50, NOW + 50)),
                arguments("a capped future timestamp then clamped to the last", PREFER, NOW + 50, ts(NOW + 999), ts(NOW + 50)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("timestamps")
    void timestampsFollowTheStreamsMode(String what, Timestamping mode, long lastTimestamp, List<Long> client, List<Long> expected) {
        StreamState state = new StreamState(10, lastTimestamp, "", 0, 7, mode, false);
        List<AppendRecord> records = new ArrayList<>();
        for (Long t : client) {
            records.add(t == NONE ? rec("r") : recAt(t, "r"));
        }
        Fold fold = decide(state, batch(records));
        Verdict.Accepted accepted = assertAccepted(10, 10 + client.size(), fold.verdicts().get(0));
        assertEquals(expected, accepted.records().stream().map(SequencedRecord::timestamp).toList());
        assertEquals((long) expected.get(expected.size() - 1), fold.after().lastTimestamp());
    }

    @Test
    void clientRequireRejectsTheWholeBatchWhenOneRecordLacksATimestamp() {
        StreamState state = fresh(REQUIRE);
        Fold fold = decide(state, batch(recAt(1, "a"), rec("b"), recAt(3, "c")));
        assertEquals(rejected(new Rejection.Invalid("record timestamp was required but was missing")), fold.verdicts().get(0));
        assertEquals(state, fold.after());
    }

    @Test
    void clientRequireAcceptsAClientTimestampOf123() {
        Fold fold = decide(fresh(REQUIRE), batch(recAt(123, "a")));
        Verdict.Accepted accepted = assertAccepted(0, 1, fold.verdicts().get(0));
        assertEquals(123, accepted.startTimestamp());
    }

    @Test
    void timestampsStayMonotonicAcrossTheBatchesOfOneFold() {
        Fold fold = decide(fresh(PREFER_UNCAPPED), batch(recAt(5000, "a")), batch(recAt(100, "b")),
                arrivingAt(batch(rec("c")), 900));
        assertEquals(5000, ((Verdict.Accepted) fold.verdicts().get(0)).endTimestamp());
        assertEquals(5000, ((Verdict.Accepted) fold.verdicts().get(1)).startTimestamp());
        assertEquals(5000, ((Verdict.Accepted) fold.verdicts().get(2)).startTimestamp());
        assertEquals(5000, fold.after().lastTimestamp());
    }

    @Test
    void eachBatchIsCappedByItsOwnArrivalTime() {
        Fold fold = decide(fresh(), arrivingAt(batch(recAt(5000, "a")), 200), arrivingAt(batch(recAt(5000, "b")), 300));
        assertEquals(200, ((Verdict.Accepted) fold.verdicts().get(0)).startTimestamp());
        assertEquals(300, ((Verdict.Accepted) fold.verdicts().get(1)).startTimestamp());
    }

    @Test
    void commandRecordsAreTimestampedLikeAnyRecord() {
        AppendRecord fenceAt50 = new AppendRecord(OptionalLong.of(50), fence("f").headers(), fence("f").body());
        Fold prefer = decide(fresh(), batch(fenceAt50));
        assertEquals(50, ((Verdict.Accepted) prefer.verdicts().get(0)).startTimestamp());
        Fold arrival = decide(fresh(ARRIVAL), batch(fenceAt50, trim(0)));
        assertEquals(List.of(NOW, NOW), timestampsOf(arrival.verdicts().get(0)));
    }

    // ---- trim ----

    static Stream<Arguments> trims() {
        return Stream.of(
                arguments("below its own record: as requested", at(10, 0, 0), List.of(trim(3)), 3L),
                arguments("to its own record: as requested", at(10, 0, 0), List.of(trim(10)), 10L),
                arguments("past its own record: stops just after it", at(10, 0, 0), List.of(trim(100)), 11L),
                arguments("to Long.MAX_VALUE: stops just after it", at(10, 0, 0), List.of(trim(Long.MAX_VALUE)), 11L),
                arguments("to u64 max: stops just after it", at(10, 0, 0), List.of(trim(-1)), 11L),
                arguments("records after the trim do not widen it", at(0, 0, 0), List.of(rec("a"), trim(100), rec("b")), 2L),
                arguments("never moves back", at(10, 0, 5), List.of(trim(3)), 5L),
                arguments("to the current point is a no-op", at(10, 0, 5), List.of(trim(5)), 5L),
                arguments("a lower second trim is a no-op", at(10, 0, 0), List.of(trim(8), trim(4)), 8L),
                arguments("a higher second trim moves on", at(10, 0, 0), List.of(trim(4), trim(100)), 12L),
                arguments("trim to zero on a fresh stream", at(0, 0, 0), List.of(trim(0)), 0L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trims")
    void trimMovesTheTrimPointForwardButNeverPastItself(String what, StreamState state, List<AppendRecord> records, long expected) {
        Fold fold = decide(state, batch(records));
        assertInstanceOf(Verdict.Accepted.class, fold.verdicts().get(0));
        assertEquals(expected, fold.after().trimPoint());
    }

    @Test
    void trimNeverMovesBackAcrossBatchesOfOneFold() {
        Fold fold = decide(at(10, 0, 0), batch(trim(8)), batch(trim(2)));
        assertEquals(8, fold.after().trimPoint());
    }

    // ---- sealed ----

    @Test
    void aSealedStreamRejectsEveryBatch() {
        StreamState sealed = new StreamState(4, 9, "t", 2, 7, Timestamping.DEFAULT, true);
        Fold fold = decide(sealed, batch(rec("a")), withToken(batch(fence("x")), "t"));
        assertEquals(List.of(rejected(new Rejection.StreamSealed()), rejected(new Rejection.StreamSealed())), fold.verdicts());
        assertEquals(sealed, fold.after());
    }

    // ---- the ack and the new state ----

    @Test
    void theAckSpansTheBatchAndEndsAtTheLastRecordsTimestamp() {
        Header h = header("k", "v");
        AppendRecord withHeader = new AppendRecord(OptionalLong.of(30), List.of(h), utf8("c"));
        Fold fold = decide(at(7, 0, 0), batch(recAt(10, "a"), recAt(20, "b"), withHeader));
        Verdict.Accepted ack = assertAccepted(7, 10, fold.verdicts().get(0));
        assertEquals(3, ack.endSeq() - ack.startSeq());
        assertEquals(10, ack.startTimestamp());
        assertEquals(30, ack.endTimestamp());
        assertEquals(List.of(new SequencedRecord(7, 10, List.of(), utf8("a")), new SequencedRecord(8, 20, List.of(), utf8("b")),
                new SequencedRecord(9, 30, List.of(h), utf8("c"))), ack.records());
    }

    @Test
    void aSingleRecordAckStartsAndEndsAtTheSameTimestamp() {
        Verdict.Accepted ack = assertAccepted(0, 1, decide(fresh(), batch(rec("a"))).verdicts().get(0));
        assertEquals(NOW, ack.startTimestamp());
        assertEquals(NOW, ack.endTimestamp());
    }

    @Test
    void commandRecordsAreStoredAsSent() {
        Verdict.Accepted ack = assertAccepted(0, 2, decide(fresh(), batch(fence("f"), trim(1))).verdicts().get(0));
        assertEquals(List.of(header("", "fence")), ack.records().get(0).headers());
        assertArrayEquals(utf8("f"), ack.records().get(0).body());
        assertArrayEquals(trim(1).body(), ack.records().get(1).body());
    }

    @Test
    void theNewStateKeepsConfigurationAndAdvancesTheTail() {
        StreamState before = new StreamState(3, 40, "t", 1, 12, PREFER_UNCAPPED, false);
        Fold fold = decide(before, batch(recAt(5000, "a"), rec("b")));
        assertEquals(new StreamState(5, 5000, "t", 1, 12, PREFER_UNCAPPED, false), fold.after());
    }

    @Test
    void anInvalidBatchIsRejectedWithItsMessage() {
        Fold fold = decide(fresh(), batch(withHeaders(new byte[0], header("", "fence"), header("a", "b"))));
        assertEquals(rejected(new Rejection.Invalid("invalid header: empty name")), fold.verdicts().get(0));
    }

    // ---- the end of the sequence-number space ----

    @Test
    void aBatchMayEndExactlyAtLongMaxValue() {
        Fold fold = decide(at(Long.MAX_VALUE - 2, 0, 0), batch(rec("a"), rec("b")));
        assertAccepted(Long.MAX_VALUE - 2, Long.MAX_VALUE, fold.verdicts().get(0));
        assertEquals(Long.MAX_VALUE, fold.after().nextSeq());
    }

    @Test
    void aBatchThatWouldOverflowTheSequenceNumbersIsRejected() {
        StreamState nearEnd = at(Long.MAX_VALUE - 2, 0, 0);
        Fold fold = decide(nearEnd, batch(rec("a"), rec("b"), rec("c")));
        assertEquals(rejected(new Rejection.Invalid(
                "max assignable sequence number is 9223372036854775806; attempted 9223372036854775807")), fold.verdicts().get(0));
        assertEquals(nearEnd, fold.after());

        Fold full = decide(at(Long.MAX_VALUE, 0, 0), batch(Collections.nCopies(1000, rec("x"))));
        assertEquals(rejected(new Rejection.Invalid(
                "max assignable sequence number is 9223372036854775806; attempted 9223372036854776806")), full.verdicts().get(0));
    }

    // ---- the aes-256-gcm limit: records other than commands stop at 2^32 - 1 ----

    static final long GCM_MAX = Limits.AES_256_GCM_SEQ_NUM_MAX;

    @Test
    void underTheGcmLimitARecordMayTakeExactly4294967295() {
        Fold fold = AppendDecision.decide(at(GCM_MAX - 1, 0, 0), List.of(batch(rec("a"), rec("b"))), GCM_MAX);
        assertAccepted(GCM_MAX - 1, GCM_MAX + 1, fold.verdicts().get(0));
    }

    @Test
    void aBatchStraddlingTheGcmLimitIsRejectedWholeNamingItsFirstOffendingSeqNum() {
        StreamState near = at(GCM_MAX - 1, 0, 0);
        Fold fold = AppendDecision.decide(near, List.of(batch(rec("a"), rec("b"), rec("c"))), GCM_MAX);
        assertEquals(rejected(new Rejection.Invalid("max assignable sequence number is 4294967295; attempted 4294967296")),
                fold.verdicts().get(0));
        assertEquals(near, fold.after(), "nothing of the batch applies");
    }

    @Test
    void commandsTakeSequenceNumbersPastTheGcmLimitButTheFirstRecordAfterThemIsRejected() {
        StreamState past = at(GCM_MAX + 1, 0, 0);
        Fold commands = AppendDecision.decide(past, List.of(batch(fence("f"), trim(3))), GCM_MAX);
        assertAccepted(GCM_MAX + 1, GCM_MAX + 3, commands.verdicts().get(0));
        assertEquals("f", commands.after().fencingToken());

        Fold mixed = AppendDecision.decide(past, List.of(batch(fence("f"), rec("a"))), GCM_MAX);
        assertEquals(rejected(new Rejection.Invalid("max assignable sequence number is 4294967295; attempted 4294967297")),
                mixed.verdicts().get(0));
    }

    @Test
    void theGcmLimitIsDecidedInTheFoldAgainstTheStateTheEarlierBatchesLeft() {
        Fold fold = AppendDecision.decide(at(GCM_MAX - 1, 0, 0), List.of(batch(rec("a")), batch(rec("b")), batch(rec("c"))), GCM_MAX);
        assertAccepted(GCM_MAX - 1, GCM_MAX, fold.verdicts().get(0));
        assertAccepted(GCM_MAX, GCM_MAX + 1, fold.verdicts().get(1));
        assertEquals(rejected(new Rejection.Invalid("max assignable sequence number is 4294967295; attempted 4294967296")),
                fold.verdicts().get(2));
    }

    @Test
    void theGcmLimitAndRequiredTimestampsAreCheckedRecordByRecordInS2sOrder() {
        StreamState require = new StreamState(GCM_MAX, 0, "", 0, 7, new Timestamping(TimestampingMode.CLIENT_REQUIRE, false), false);
        // Record 0 (at the limit) lacks its timestamp: that is the first problem met.
        Fold missingFirst = AppendDecision.decide(require, List.of(batch(rec("a"), recAt(5, "b"))), GCM_MAX);
        assertEquals(rejected(new Rejection.Invalid("record timestamp was required but was missing")), missingFirst.verdicts().get(0));
        // Record 0 is fine; record 1 is past the limit before its missing timestamp is looked at.
        Fold limitFirst = AppendDecision.decide(require, List.of(batch(recAt(5, "a"), rec("b"))), GCM_MAX);
        assertEquals(rejected(new Rejection.Invalid("max assignable sequence number is 4294967295; attempted 4294967296")),
                limitFirst.verdicts().get(0));
    }

    @Test
    void withoutALimitRecordsPastTwoToTheThirtyTwoAreAccepted() {
        Fold fold = decide(at(GCM_MAX + 1, 0, 0), batch(rec("a")));
        assertAccepted(GCM_MAX + 1, GCM_MAX + 2, fold.verdicts().get(0));
    }

    // ---- helpers ----

    private static Fold decide(StreamState state, AppendBatch... batches) {
        return AppendDecision.decide(state, List.of(batches));
    }

    private static Verdict rejected(Rejection r) {
        return new Verdict.Rejected(r);
    }

    private static Verdict.Accepted assertAccepted(long startSeq, long endSeq, Verdict v) {
        Verdict.Accepted a = assertInstanceOf(Verdict.Accepted.class, v, () -> "expected accepted, was " + v);
        assertEquals(startSeq, a.startSeq(), "startSeq");
        assertEquals(endSeq, a.endSeq(), "endSeq");
        assertEquals(endSeq - startSeq, a.records().size(), "one record per sequence number");
        for (int i = 0; i < a.records().size(); i++) {
            assertEquals(startSeq + i, a.records().get(i).seqNum(), "contiguous sequence numbers");
        }
        return a;
    }

    private static List<Long> timestampsOf(Verdict v) {
        return ((Verdict.Accepted) v).records().stream().map(SequencedRecord::timestamp).toList();
    }

    private static List<Long> ts(long... values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }
}
