package dev.brook.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.Header;
import dev.brook.core.Rejection;
import dev.brook.core.SequencedRecord;
import dev.brook.core.StreamState;
import dev.brook.core.Timestamping;
import dev.brook.core.TimestampingMode;
import dev.brook.store.ListPage;
import dev.brook.store.MemoryObjectStore;
import dev.brook.store.ObjectStore;
import dev.brook.store.PutOutcome;
import dev.brook.testing.ForwardingStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What one StreamLog does on a fault-free store, judged against S2 (spec §5.5, §6, §7.1-§7.3, §12 C and F).
 * A second, fresh StreamLog on the same store shows that every fact lives in storage, not in a cache.
 */
class StreamLogSemanticsTest {

    static final String SID = "5e0000000000000000000000000000a1";
    static final long NOW = 1_000_000;
    static final StreamState GENESIS = StreamState.empty(1, Timestamping.DEFAULT);
    static final StreamState CLIENT_REQUIRE_GENESIS = StreamState.empty(1, new Timestamping(TimestampingMode.CLIENT_REQUIRE, false));
    static final long BYTES_MAX = 1 << 20;

    private final MemoryObjectStore memory = new MemoryObjectStore(() -> 0);
    private final LogKeys keys = new LogKeys(SID);
    private int seeds;

    // ---------------------------------------------------------------- helpers

    private StreamLog log() {
        return log(memory, GENESIS, LogSettings.DEFAULT);
    }

    private StreamLog log(StreamState genesis) {
        return log(memory, genesis, LogSettings.DEFAULT);
    }

    private StreamLog log(ObjectStore store, StreamState genesis, LogSettings settings) {
        LogEnv env = new LogEnv(store, () -> NOW, System::nanoTime, ms -> CompletableFuture.completedFuture(null),
                new Random(++seeds), settings);
        return new StreamLog(env, SID, genesis);
    }

    private static <T> T join(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static AppendRecord rec(String body) {
        return new AppendRecord(OptionalLong.empty(), List.of(), utf8(body));
    }

    private static AppendRecord recAt(long ts, String body) {
        return new AppendRecord(OptionalLong.of(ts), List.of(), utf8(body));
    }

    private static AppendRecord command(String name, byte[] body) {
        return new AppendRecord(OptionalLong.empty(), List.of(new Header(new byte[0], utf8(name))), body);
    }

    private static AppendRecord fence(String token) {
        return command("fence", utf8(token));
    }

    private static AppendRecord trim(long point) {
        return command("trim", ByteBuffer.allocate(8).putLong(point).array());
    }

    private static AppendBatch batch(AppendRecord... records) {
        return new AppendBatch(List.of(records), OptionalLong.empty(), Optional.empty(), NOW);
    }

    private static AppendBatch conditional(OptionalLong match, Optional<String> token, AppendRecord... records) {
        return new AppendBatch(List.of(records), match, token, NOW);
    }

    private static AppendBatch matching(long match, AppendRecord... records) {
        return conditional(OptionalLong.of(match), Optional.empty(), records);
    }

    private static AppendOutcome.Acked acked(StreamLog log, AppendBatch b) {
        return assertInstanceOf(AppendOutcome.Acked.class, join(log.append(b)));
    }

    private static Rejection rejected(StreamLog log, AppendBatch b) {
        return assertInstanceOf(AppendOutcome.Rejected.class, join(log.append(b))).rejection();
    }

    private static AppendOutcome.Applied applied(StreamLog log, String what, UnaryOperator<StreamState> change) {
        return assertInstanceOf(AppendOutcome.Applied.class, join(log.control(what, change)));
    }

    private static ReadRequest request(ReadRequest.Start start, long count, long bytes, OptionalLong until, boolean clamp) {
        return new ReadRequest(start, count, bytes, until, clamp);
    }

    private static ReadRequest fromSeq(long seq) {
        return request(new ReadRequest.Start.SeqNum(seq), 1000, BYTES_MAX, OptionalLong.empty(), false);
    }

    private static ReadOutcome read(StreamLog log, ReadRequest r) {
        return join(log.read(r));
    }

    private static List<SequencedRecord> records(ReadOutcome o) {
        return assertInstanceOf(ReadOutcome.Records.class, o).records();
    }

    private static List<Long> seqs(List<SequencedRecord> records) {
        return records.stream().map(SequencedRecord::seqNum).toList();
    }

    private static List<Long> seqs(ReadOutcome o) {
        return seqs(records(o));
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i < to; i++) {
            out.add(i);
        }
        return out;
    }

    private static void assertUnsatisfiable(long tailSeq, long tailTs, ReadOutcome o) {
        assertEquals(new ReadOutcome.RangeNotSatisfiable(tailSeq, tailTs), o);
    }

    /** The commit keys stored for the stream, in order. */
    private List<CommitKey> storedCommits() {
        List<CommitKey> out = new ArrayList<>();
        String after = keys.commitPrefix();
        while (true) {
            ListPage page = join(memory.list(keys.commitPrefix(), after, 1000));
            page.keys().forEach(k -> out.add(keys.parseCommit(k).orElseThrow()));
            if (page.next().isEmpty()) {
                return out;
            }
            after = page.next().get();
        }
    }

    private static UnaryOperator<StreamState> requireTimestamps() {
        return s -> new StreamState(s.nextSeq(), s.lastTimestamp(), s.fencingToken(), s.trimPoint(), s.configVersion() + 1,
                new Timestamping(TimestampingMode.CLIENT_REQUIRE, false), s.sealed());
    }

    private static UnaryOperator<StreamState> bumpConfig() {
        return s -> new StreamState(s.nextSeq(), s.lastTimestamp(), s.fencingToken(), s.trimPoint(), s.configVersion() + 1,
                s.timestamping(), s.sealed());
    }

    private static UnaryOperator<StreamState> seal() {
        return s -> new StreamState(s.nextSeq(), s.lastTimestamp(), s.fencingToken(), s.trimPoint(), s.configVersion(),
                s.timestamping(), true);
    }

    // ---------------------------------------------------------------- appends

    @Test
    void appendsToANewStreamAreContiguousFromZero() {
        StreamLog log = log();
        AppendOutcome.Acked first = acked(log, batch(recAt(100, "a"), recAt(200, "b"), recAt(300, "c")));
        assertEquals(0, first.range().startSeq());
        assertEquals(3, first.range().endSeq());
        assertEquals(100, first.range().startTimestamp());
        assertEquals(300, first.range().endTimestamp(), "the end timestamp is the last record's, not +1");
        assertEquals(3, first.tailSeq());
        assertEquals(300, first.tailTimestamp());
        assertEquals(List.of(0L, 1L, 2L), seqs(first.range().records()));

        AppendOutcome.Acked second = acked(log, batch(recAt(400, "d"), recAt(500, "e")));
        assertEquals(3, second.range().startSeq());
        assertEquals(5, second.range().endSeq());
        assertEquals(400, second.range().startTimestamp());
        assertEquals(500, second.range().endTimestamp());
        assertEquals(5, second.tailSeq());

        AppendOutcome.Acked arrival = acked(log, batch(rec("f")));
        assertEquals(5, arrival.range().startSeq());
        assertEquals(6, arrival.range().endSeq());
        assertEquals(NOW, arrival.range().startTimestamp(), "no client timestamp: the arrival time");
        assertEquals(NOW, arrival.range().endTimestamp());

        AppendOutcome.Acked backwards = acked(log, batch(recAt(50, "g"), recAt(NOW + 5, "h")));
        assertEquals(NOW, backwards.range().startTimestamp(), "timestamps never go backwards");
        assertEquals(NOW, backwards.range().endTimestamp(), "capped at the arrival time");
        assertEquals(8, backwards.tailSeq());

        List<SequencedRecord> all = records(read(log(), fromSeq(0)));
        assertEquals(range(0, 8), seqs(all));
        assertEquals(List.of("a", "b", "c", "d", "e", "f", "g", "h"),
                all.stream().map(r -> new String(r.body(), StandardCharsets.UTF_8)).toList());
    }

    @Test
    void checkTailFollowsTheAcksAndLivesInStorage() {
        StreamLog log = log();
        assertEquals(new TailPosition(0, 0), join(log.checkTail()));
        assertEquals(new TailPosition(0, 0), join(log().checkTail()));
        AppendOutcome.Acked last = null;
        for (int i = 0; i < 5; i++) {
            last = acked(log, batch(recAt(1_000L * (i + 1), "x" + i), recAt(1_000L * (i + 1) + 1, "y" + i)));
            TailPosition expected = new TailPosition(last.range().endSeq(), last.range().endTimestamp());
            assertEquals(expected, join(log.checkTail()));
            assertEquals(expected, join(log().checkTail()), "a fresh instance finds the same tail in storage");
        }
        assertEquals(new TailPosition(10, 5_001), join(log().checkTail()));
        // A control commit moves no position.
        applied(log, "bump", bumpConfig());
        assertEquals(new TailPosition(10, 5_001), join(log.checkTail()));
        assertEquals(new TailPosition(10, 5_001), join(log().checkTail()));
    }

    @Test
    void fencingAsS2Does() {
        StreamLog log = log();
        // §12 C: `fencing_token: ""` succeeds on a fresh stream.
        assertEquals(0, acked(log, conditional(OptionalLong.empty(), Optional.of(""), rec("first"))).range().startSeq());
        // The fence command, sent with the current token "", sets "updated-token".
        AppendOutcome.Acked fenced = acked(log, conditional(OptionalLong.empty(), Optional.of(""), fence("updated-token")));
        assertEquals(1, fenced.range().startSeq());
        assertEquals(2, fenced.range().endSeq());
        assertEquals("updated-token", join(log.state()).fencingToken());

        for (StreamLog l : List.of(log, log())) {
            assertEquals(new Rejection.FencingTokenMismatch("updated-token"),
                    rejected(l, conditional(OptionalLong.empty(), Optional.of(""), rec("fenced out"))));
            assertEquals(new Rejection.FencingTokenMismatch("updated-token"),
                    rejected(l, conditional(OptionalLong.of(2), Optional.of("other"), rec("fenced out"))));
            // The token is checked before match_seq_num.
            assertEquals(new Rejection.FencingTokenMismatch("updated-token"),
                    rejected(l, conditional(OptionalLong.of(99), Optional.of("Updated-token"), rec("fenced out"))));
        }
        List<CommitKey> before = storedCommits();
        AppendOutcome.Acked ok = acked(log(), conditional(OptionalLong.of(2), Optional.of("updated-token"), rec("with the token")));
        assertEquals(2, ok.range().startSeq());
        assertEquals(3, ok.range().endSeq());
        assertEquals(before.size() + 1, storedCommits().size(), "rejections wrote nothing");

        // Requests without a token are never fenced out.
        assertEquals(3, acked(log, batch(rec("no token"))).range().startSeq());
        // An empty fence removes fencing.
        acked(log, conditional(OptionalLong.empty(), Optional.of("updated-token"), fence("")));
        assertEquals("", join(log().state()).fencingToken());
        assertEquals(5, acked(log, conditional(OptionalLong.empty(), Optional.of(""), rec("unfenced"))).range().startSeq());
    }

    @Test
    void fencingTokenMismatchOnTheStreamsNewTokenFromAFreshInstance() {
        acked(log(), batch(fence("ünï-€")));
        assertEquals(new Rejection.FencingTokenMismatch("ünï-€"), rejected(log(), conditional(OptionalLong.empty(), Optional.of("x"), rec("a"))));
        assertEquals(1, acked(log(), conditional(OptionalLong.empty(), Optional.of("ünï-€"), rec("a"))).range().startSeq());
    }

    @Test
    void matchSeqNumAsS2Does() {
        StreamLog log = log();
        assertEquals(0, acked(log, matching(0, rec("a"))).range().startSeq());
        assertEquals(1, acked(log, matching(1, rec("b"))).range().startSeq());
        List<CommitKey> before = storedCommits();
        for (StreamLog l : List.of(log, log())) {
            assertEquals(new Rejection.SeqNumMismatch(2), rejected(l, matching(0, rec("late"))));
            assertEquals(new Rejection.SeqNumMismatch(2), rejected(l, matching(1, rec("late"))));
            assertEquals(new Rejection.SeqNumMismatch(2), rejected(l, matching(3, rec("early"))));
            assertEquals(new Rejection.SeqNumMismatch(2), rejected(l, matching(Long.MAX_VALUE, rec("far"))));
        }
        assertEquals(before, storedCommits(), "a 412 writes nothing");
        assertEquals(new TailPosition(2, NOW), join(log().checkTail()));
        assertEquals(2, acked(log(), matching(2, rec("c"), rec("d"))).range().startSeq());
        assertEquals(new Rejection.SeqNumMismatch(4), rejected(log, matching(2, rec("stale cache"))));
    }

    @Test
    void clientRequireNeedsATimestampOnEveryRecord() {
        StreamLog log = log(CLIENT_REQUIRE_GENESIS);
        Rejection.Invalid missing = new Rejection.Invalid("record timestamp was required but was missing");
        assertEquals(missing, rejected(log, batch(rec("no ts"))));
        assertEquals(missing, rejected(log, batch(recAt(5, "ts"), rec("no ts"))));
        assertEquals(List.of(), storedCommits(), "nothing was written");
        AppendOutcome.Acked ok = acked(log, batch(recAt(123, "ts")));
        assertEquals(0, ok.range().startSeq());
        assertEquals(1, ok.range().endSeq());
        assertEquals(123, ok.range().startTimestamp());
        assertEquals(missing, rejected(log(CLIENT_REQUIRE_GENESIS), batch(rec("no ts"))));
        // The mode in storage wins over a different genesis once the stream has a commit.
        assertEquals(missing, rejected(log(GENESIS), batch(rec("no ts"))));
    }

    // ---------------------------------------------------------------- reads

    /** Five records of different metered sizes, one commit each. */
    private List<SequencedRecord> fiveRecords(StreamLog log) {
        List<SequencedRecord> out = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            List<Header> headers = i % 2 == 1 ? List.of(new Header(utf8("h"), utf8("v" + i))) : List.of();
            AppendRecord r = new AppendRecord(OptionalLong.of(100L * (i + 1)), headers, utf8("record-" + i + "x".repeat(i)));
            out.addAll(acked(log, batch(r)).range().records());
        }
        return out;
    }

    @Test
    void aFullReadReturnsEveryRecordInOrder() {
        StreamLog log = log();
        List<SequencedRecord> written = fiveRecords(log);
        for (StreamLog l : List.of(log, log())) {
            ReadOutcome.Records o = assertInstanceOf(ReadOutcome.Records.class, read(l, fromSeq(0)));
            assertEquals(written, o.records());
            assertEquals(5, o.tailSeq());
            assertEquals(500, o.tailTimestamp());
        }
    }

    @ParameterizedTest(name = "count {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 1000})
    void countBoundsTheRead(long count) {
        StreamLog log = log();
        fiveRecords(log);
        assertEquals(range(0, Math.min(count, 5)), seqs(read(log, request(new ReadRequest.Start.SeqNum(0), count, BYTES_MAX,
                OptionalLong.empty(), false))));
        assertEquals(range(2, Math.min(2 + count, 5)), seqs(read(log(), request(new ReadRequest.Start.SeqNum(2), count, BYTES_MAX,
                OptionalLong.empty(), false))));
    }

    @Test
    void bytesBoundTheReadExactly() {
        StreamLog log = log();
        List<SequencedRecord> w = fiveRecords(log);
        long first = w.get(0).meteredBytes();
        long two = first + w.get(1).meteredBytes();
        assertEquals(8 + "record-0".length(), first, "metered as spec §5.3");
        assertEquals(8 + 2 + 1 + 2 + "record-1x".length(), w.get(1).meteredBytes());
        long[][] table = {
                {two, 2}, {two - 1, 1}, {two + 1, 2}, {first, 1}, {first - 1, 0}, {1, 0},
                {two + w.get(2).meteredBytes(), 3}, {two + w.get(2).meteredBytes() - 1, 2}, {BYTES_MAX, 5}};
        for (long[] row : table) {
            ReadOutcome o = read(log, request(new ReadRequest.Start.SeqNum(0), 1000, row[0], OptionalLong.empty(), false));
            assertEquals(range(0, row[1]), seqs(o), "bytes " + row[0]);
        }
        ReadOutcome.Records empty = assertInstanceOf(ReadOutcome.Records.class,
                read(log, request(new ReadRequest.Start.SeqNum(0), 1000, first - 1, OptionalLong.empty(), false)));
        assertEquals(5, empty.tailSeq(), "a bound smaller than the first record is a 200 with no records, not a 416");
    }

    @Test
    void countOrBytesZeroDeliverNothing() {
        StreamLog log = log();
        fiveRecords(log);
        // Nothing delivered, from seq 1 (not at the tail: a following reader would not wait here).
        assertEquals(new ReadOutcome.Records(List.of(), 5, 500, 1),
                read(log, request(new ReadRequest.Start.SeqNum(1), 0, BYTES_MAX, OptionalLong.empty(), false)));
        assertEquals(new ReadOutcome.Records(List.of(), 5, 500, 1),
                read(log, request(new ReadRequest.Start.SeqNum(1), 10, 0, OptionalLong.empty(), false)));
    }

    @Test
    void aStartBeyondTheTailIsUnsatisfiableWithOrWithoutClamp() {
        StreamLog log = log();
        fiveRecords(log);
        for (StreamLog l : List.of(log, log())) {
            for (boolean clamp : new boolean[] {false, true}) {
                for (long s : new long[] {5, 6, 100, Long.MAX_VALUE}) {
                    assertUnsatisfiable(5, 500, read(l, request(new ReadRequest.Start.SeqNum(s), 10, BYTES_MAX, OptionalLong.empty(), clamp)));
                }
            }
            assertEquals(List.of(4L), seqs(read(l, fromSeq(4))));
        }
    }

    @Test
    void anEmptyStreamIsUnsatisfiableAtZero() {
        StreamLog log = log();
        List<ReadRequest.Start> starts = List.of(new ReadRequest.Start.SeqNum(0), new ReadRequest.Start.SeqNum(3),
                new ReadRequest.Start.TailOffset(0), new ReadRequest.Start.TailOffset(10), new ReadRequest.Start.Timestamp(0),
                new ReadRequest.Start.Timestamp(5));
        for (ReadRequest.Start start : starts) {
            for (boolean clamp : new boolean[] {false, true}) {
                assertUnsatisfiable(0, 0, read(log, request(start, 1000, BYTES_MAX, OptionalLong.empty(), clamp)));
            }
        }
        // Still so after a control commit: it holds no records.
        applied(log, "bump", bumpConfig());
        assertUnsatisfiable(0, 0, read(log(), fromSeq(0)));
    }

    @ParameterizedTest(name = "tail_offset {0}")
    @ValueSource(longs = {1, 2, 3, 5, 6, 1000, Long.MAX_VALUE})
    void tailOffsetCountsBackFromTheTail(long offset) {
        StreamLog log = log();
        fiveRecords(log);
        long from = Math.max(0, 5 - offset);
        assertEquals(range(from, 5), seqs(read(log(), request(new ReadRequest.Start.TailOffset(offset), 1000, BYTES_MAX,
                OptionalLong.empty(), false))));
    }

    @Test
    void tailOffsetZeroIsUnsatisfiable() {
        StreamLog log = log();
        fiveRecords(log);
        for (boolean clamp : new boolean[] {false, true}) {
            assertUnsatisfiable(5, 500, read(log, request(new ReadRequest.Start.TailOffset(0), 10, BYTES_MAX, OptionalLong.empty(), clamp)));
        }
    }

    /** Records at client timestamps {1000, 2000, 2000, 3000}, in one commit or one commit per record. */
    private StreamLog withTimestamps(boolean oneCommit) {
        StreamLog log = log();
        long[] ts = {1000, 2000, 2000, 3000};
        if (oneCommit) {
            acked(log, batch(recAt(ts[0], "t0"), recAt(ts[1], "t1"), recAt(ts[2], "t2"), recAt(ts[3], "t3")));
        } else {
            for (int i = 0; i < ts.length; i++) {
                acked(log, batch(recAt(ts[i], "t" + i)));
            }
        }
        return log;
    }

    static Stream<Arguments> timestampStarts() {
        List<Arguments> out = new ArrayList<>();
        for (boolean oneCommit : new boolean[] {true, false}) {
            out.add(Arguments.of(oneCommit, 0L, 0L));
            out.add(Arguments.of(oneCommit, 999L, 0L));
            out.add(Arguments.of(oneCommit, 1000L, 0L));
            out.add(Arguments.of(oneCommit, 1001L, 1L));
            out.add(Arguments.of(oneCommit, 2000L, 1L));
            out.add(Arguments.of(oneCommit, 2001L, 3L));
            out.add(Arguments.of(oneCommit, 3000L, 3L));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "one commit {0}, timestamp {1} -> seq {2}")
    @MethodSource("timestampStarts")
    void aTimestampStartFindsTheFirstRecordAtOrAfterIt(boolean oneCommit, long t, long firstSeq) {
        withTimestamps(oneCommit);
        for (StreamLog l : List.of(log(), log())) {
            List<SequencedRecord> got = records(read(l, request(new ReadRequest.Start.Timestamp(t), 1000, BYTES_MAX, OptionalLong.empty(), false)));
            assertEquals(range(firstSeq, 4), seqs(got));
            assertTrue(got.get(0).timestamp() >= t);
        }
    }

    @ParameterizedTest(name = "one commit {0}")
    @ValueSource(booleans = {true, false})
    void aTimestampStartSharedByTwoRecordsReturnsBoth(boolean oneCommit) {
        withTimestamps(oneCommit);
        List<SequencedRecord> got = records(read(log(), request(new ReadRequest.Start.Timestamp(2000), 2, BYTES_MAX, OptionalLong.empty(), false)));
        assertEquals(List.of(1L, 2L), seqs(got));
        assertEquals(List.of(2000L, 2000L), got.stream().map(SequencedRecord::timestamp).toList());
    }

    @ParameterizedTest(name = "one commit {0}")
    @ValueSource(booleans = {true, false})
    void aTimestampStartBeyondTheLastIsUnsatisfiableEvenWithClamp(boolean oneCommit) {
        StreamLog log = withTimestamps(oneCommit);
        for (boolean clamp : new boolean[] {false, true}) {
            for (long t : new long[] {3001, NOW, Long.MAX_VALUE, -1 /* u64::MAX */}) {
                assertUnsatisfiable(4, 3000, read(log, request(new ReadRequest.Start.Timestamp(t), 10, BYTES_MAX, OptionalLong.empty(), clamp)));
                assertUnsatisfiable(4, 3000, read(log(), request(new ReadRequest.Start.Timestamp(t), 10, BYTES_MAX,
                        OptionalLong.of(Long.MAX_VALUE), clamp)));
            }
        }
    }

    static Stream<Arguments> untilBounds() {
        List<Arguments> out = new ArrayList<>();
        for (boolean oneCommit : new boolean[] {true, false}) {
            out.add(Arguments.of(oneCommit, 0L, 500L, 0L));
            out.add(Arguments.of(oneCommit, 0L, 1000L, 0L));
            out.add(Arguments.of(oneCommit, 0L, 1001L, 1L));
            out.add(Arguments.of(oneCommit, 0L, 2000L, 1L));
            out.add(Arguments.of(oneCommit, 0L, 2001L, 3L));
            out.add(Arguments.of(oneCommit, 0L, 3000L, 3L));
            out.add(Arguments.of(oneCommit, 0L, 5000L, 4L));
            out.add(Arguments.of(oneCommit, 0L, -1L, 4L)); // u64::MAX read as unsigned
            out.add(Arguments.of(oneCommit, 2L, 3000L, 3L));
            out.add(Arguments.of(oneCommit, 3L, 3000L, 3L));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "one commit {0}, from {1} until {2} -> up to seq {3}")
    @MethodSource("untilBounds")
    void untilIsExclusive(boolean oneCommit, long from, long until, long endSeq) {
        StreamLog log = withTimestamps(oneCommit);
        ReadOutcome o = read(log, request(new ReadRequest.Start.SeqNum(from), 1000, BYTES_MAX, OptionalLong.of(until), false));
        assertEquals(range(from, endSeq), seqs(o));
    }

    @Test
    void untilWithATimestampStart() {
        withTimestamps(false);
        ReadOutcome o = read(log(), request(new ReadRequest.Start.Timestamp(2000), 1000, BYTES_MAX, OptionalLong.of(3000), false));
        assertEquals(List.of(1L, 2L), seqs(o));
    }

    @Test
    void readsAcrossManyCommitsMatchWhatWasAcked() {
        StreamLog writer = log();
        Random r = new Random(42);
        List<SequencedRecord> acked = new ArrayList<>();
        long ts = 1_000;
        for (int i = 0; i < 50; i++) {
            if (i % 10 == 9) {
                applied(writer, "bump", bumpConfig()); // zero-record commits in the chain
            }
            int n = 1 + r.nextInt(3);
            List<AppendRecord> batch = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                ts += 10L * r.nextInt(3); // equal timestamps now and then
                byte[] body = new byte[r.nextInt(40)];
                r.nextBytes(body);
                batch.add(new AppendRecord(OptionalLong.of(ts), List.of(new Header(utf8("i"), utf8(i + "/" + j))), body));
            }
            AppendOutcome.Acked a = acked(writer, new AppendBatch(batch, OptionalLong.empty(), Optional.empty(), NOW));
            assertEquals(acked.size(), a.range().startSeq());
            acked.addAll(a.range().records());
        }
        int end = acked.size();
        assertEquals(55, storedCommits().size(), "50 data commits and 5 control commits");
        StreamLog warm = log();
        for (int s = 0; s <= end; s++) {
            for (StreamLog l : List.of(writer, warm, log())) {
                ReadOutcome o = read(l, fromSeq(s));
                if (s == end) {
                    assertUnsatisfiable(end, ts, o);
                    continue;
                }
                assertEquals(acked.subList(s, end), records(o), "from " + s);
            }
            for (long count : new long[] {1, 2, 5}) {
                if (s < end) {
                    assertEquals(acked.subList(s, (int) Math.min(s + count, end)),
                            records(read(warm, request(new ReadRequest.Start.SeqNum(s), count, BYTES_MAX, OptionalLong.empty(), false))));
                }
            }
        }
        // Timestamp starts over the same chain.
        for (long t = 900; t <= ts + 10; t += 5) {
            int first = 0;
            while (first < end && acked.get(first).timestamp() < t) {
                first++;
            }
            ReadOutcome o = read(warm, request(new ReadRequest.Start.Timestamp(t), 1000, BYTES_MAX, OptionalLong.empty(), false));
            if (first == end) {
                assertUnsatisfiable(end, ts, o);
            } else {
                assertEquals(acked.subList(first, end), records(o), "from timestamp " + t);
            }
        }
        // Tail offsets over the same chain.
        for (int o = 1; o <= end + 1; o++) {
            assertEquals(acked.subList(Math.max(0, end - o), end), records(read(log(),
                    request(new ReadRequest.Start.TailOffset(o), 1000, BYTES_MAX, OptionalLong.empty(), false))));
        }
    }

    // ---------------------------------------------------------------- trim commands and trim runs

    @Test
    void aTrimCommandHidesRecordsBelowItsPointAndOnlyMovesForward() {
        StreamLog log = log();
        acked(log, batch(rec("0"), rec("1"), rec("2"), rec("3"), rec("4")));
        acked(log, batch(rec("5"), rec("6"), rec("7"), rec("8"), rec("9")));
        assertEquals(10, acked(log, batch(trim(4))).range().startSeq());
        assertEquals(4, join(log().state()).trimPoint());
        for (StreamLog l : List.of(log, log())) {
            assertEquals(range(4, 11), seqs(read(l, fromSeq(0))), "a read below the trim point starts at it");
            assertEquals(range(4, 11), seqs(read(l, fromSeq(3))));
            assertEquals(range(6, 11), seqs(read(l, fromSeq(6))));
            assertEquals(range(4, 6), seqs(read(l, request(new ReadRequest.Start.SeqNum(0), 2, BYTES_MAX, OptionalLong.empty(), false))));
            assertEquals(range(4, 11), seqs(read(l, request(new ReadRequest.Start.TailOffset(100), 1000, BYTES_MAX, OptionalLong.empty(), false))));
            assertEquals(range(4, 11), seqs(read(l, request(new ReadRequest.Start.Timestamp(0), 1000, BYTES_MAX, OptionalLong.empty(), false))));
        }
        acked(log, batch(trim(2)));
        assertEquals(4, join(log().state()).trimPoint(), "a lower trim point is a no-op");
        acked(log, batch(trim(4)));
        assertEquals(4, join(log().state()).trimPoint());

        // A far-future point trims up to and including the trim record itself: min(p, seq + 1).
        AppendOutcome.Acked far = acked(log, batch(trim(1_000)));
        assertEquals(13, far.range().startSeq());
        assertEquals(14, join(log().state()).trimPoint());
        assertEquals(new ReadOutcome.Records(List.of(), 14, NOW), read(log(), fromSeq(0)), "everything trimmed: 200 with no records");
        assertUnsatisfiable(14, NOW, read(log(), fromSeq(14)));

        // A trim in the middle of a batch stops at itself, even when later records of the batch follow.
        acked(log, batch(rec("14"), trim(Long.MAX_VALUE), rec("16")));
        assertEquals(16, join(log().state()).trimPoint());
        assertEquals(List.of(16L), seqs(read(log(), fromSeq(0))));
    }

    @Test
    void trimRunsDeleteWholeCommitsBelowTheTrimPointAndTheStreamGoesOn() {
        StreamLog log = log();
        for (int i = 0; i < 10; i++) {
            acked(log, batch(rec(2 * i + "a"), rec(2 * i + "b")));
        }
        acked(log, batch(trim(7)));
        List<CommitKey> before = storedCommits();
        assertEquals(11, before.size());

        TrimReport report = join(log.trim());
        assertEquals(new TrimReport(new CommitKey(6, 0), 3, false), report, "commits 0, 2 and 4 lie wholly below 7");
        List<CommitKey> after = storedCommits();
        assertEquals(before.subList(3, 11), after);
        assertTrue(join(memory.head(keys.floor(1))).isPresent(), "the floor was claimed before deleting");

        for (StreamLog l : List.of(log, log())) {
            assertEquals(range(7, 21), seqs(read(l, fromSeq(0))), "record 6 is kept in its commit but hidden");
            assertEquals(range(9, 21), seqs(read(l, fromSeq(9))));
            assertEquals(new TailPosition(21, NOW), join(l.checkTail()));
        }
        StreamLog fresh = log();
        assertEquals(21, acked(fresh, batch(rec("21"))).range().startSeq());
        assertEquals(new TrimReport(new CommitKey(6, 0), 0, false), join(log().trim()), "a second run has nothing to do");
        assertTrue(join(memory.head(keys.floor(2))).isEmpty(), "and claims no new floor");

        // Trim everything: the last commit stays, and sequence numbers are never reused.
        acked(fresh, batch(trim(Long.MAX_VALUE)));
        assertEquals(23, join(log().state()).trimPoint());
        TrimReport all = join(log().trim());
        assertEquals(new CommitKey(22, 0), all.floor());
        assertEquals(9, all.deleted());
        assertEquals(List.of(new CommitKey(22, 0)), storedCommits(), "only the last commit is left");
        StreamLog afterAll = log();
        assertEquals(new TailPosition(23, NOW), join(afterAll.checkTail()));
        assertEquals(new ReadOutcome.Records(List.of(), 23, NOW), read(afterAll, fromSeq(0)));
        assertUnsatisfiable(23, NOW, read(afterAll, fromSeq(23)));
        assertEquals(23, acked(afterAll, batch(rec("23"))).range().startSeq());
        assertEquals(List.of(23L), seqs(read(log(), fromSeq(0))));
        assertEquals(List.of(23L), seqs(read(log, fromSeq(0))), "the first instance, with its stale cache, too");
        assertEquals(24, acked(log, batch(rec("24"))).range().startSeq());
        assertEquals(List.of(23L, 24L), seqs(read(log(), fromSeq(5))));
    }

    @Test
    void aTrimRunWithoutATrimPointOrInsideTheLastCommitDeletesNothing() {
        StreamLog log = log();
        assertEquals(new TrimReport(CommitKey.FIRST, 0, false), join(log.trim()), "empty stream");
        acked(log, batch(rec("0"), rec("1"), rec("2")));
        assertEquals(new TrimReport(CommitKey.FIRST, 0, false), join(log.trim()), "no trim point");
        acked(log, batch(rec("3"), trim(2), rec("5")));
        List<CommitKey> before = storedCommits();
        TrimReport report = join(log.trim());
        assertEquals(0, report.deleted());
        assertEquals(CommitKey.FIRST, report.floor(), "the commit holding the trim point is the floor");
        assertEquals(before, storedCommits());
        assertEquals(range(2, 6), seqs(read(log(), fromSeq(0))));
    }

    @Test
    void repeatedTrimRunsWithASmallBudgetDeleteEverythingBelowTheFloor() {
        LogSettings small = budget(2);
        StreamLog log = log(memory, GENESIS, small);
        for (int i = 0; i < 7; i++) {
            acked(log, batch(rec("r" + i)));
        }
        acked(log, batch(trim(6)));
        int deleted = 0;
        for (int run = 0; run < 10 && storedCommits().get(0).isBelow(new CommitKey(6, 0)); run++) {
            TrimReport report = join(log(memory, GENESIS, small).trim());
            assertTrue(report.deleted() <= 2, "the budget holds");
            deleted += report.deleted();
        }
        assertEquals(6, deleted);
        assertEquals(List.of(new CommitKey(6, 0), new CommitKey(7, 0)), storedCommits());
        assertEquals(range(6, 8), seqs(read(log(), fromSeq(0))));
    }

    @Test
    void aTrimRunStoppedByItsBudgetSaysMoreRemain() {
        LogSettings small = budget(2);
        StreamLog log = log(memory, GENESIS, small);
        for (int i = 0; i < 7; i++) {
            acked(log, batch(rec("r" + i)));
        }
        acked(log, batch(trim(6)));
        TrimReport first = join(log.trim());
        assertEquals(2, first.deleted());
        assertEquals(6, storedCommits().size(), "commits 2/0 to 5/0 are still below the floor 6/0");
        assertTrue(first.more(), "commits remain below the floor");
    }

    private static LogSettings budget(int deleteKeysMax) {
        LogSettings d = LogSettings.DEFAULT;
        return new LogSettings(d.commitBatchesMax(), d.commitBytesMax(), d.commitAttemptsMax(), d.appendDeadlineMs(), d.resendsMax(),
                d.tailHopsMax(), d.floorHopsMax(), d.listProbesMax(), d.readCommitsMax(), d.hintEveryCommits(), deleteKeysMax,
                d.loopDeadlineMs());
    }

    // ---------------------------------------------------------------- control commits

    @Test
    void aReconfigurationIsACommitThatLaterAppendsObey() {
        StreamLog log = log();
        acked(log, batch(rec("a"), rec("b")));
        AppendOutcome.Applied a = applied(log, "reconfigure", requireTimestamps());
        assertEquals(2, a.tailSeq());
        assertEquals(NOW, a.tailTimestamp());
        assertEquals(List.of(new CommitKey(0, 0), new CommitKey(2, 0)), storedCommits(), "a zero-record commit where the next data would go");

        Rejection.Invalid missing = new Rejection.Invalid("record timestamp was required but was missing");
        assertEquals(missing, rejected(log, batch(rec("no ts"))));
        StreamLog fresh = log(GENESIS); // its genesis says client-prefer: storage wins
        assertEquals(missing, rejected(fresh, batch(rec("no ts"))));
        assertEquals(2, join(fresh.state()).configVersion());
        assertEquals(TimestampingMode.CLIENT_REQUIRE, join(fresh.state()).timestamping().mode());
        assertEquals(2, acked(fresh, batch(recAt(5, "ts"))).range().startSeq());
        assertEquals(new CommitKey(2, 1), storedCommits().get(2), "the commit after a zero-record one is at the next epoch");
        assertEquals(List.of(0L, 1L, 2L), seqs(read(log(), fromSeq(0))), "reads walk across the control commit");
    }

    @Test
    void aControlCommitOnAnEmptyStreamTakesTheFirstKey() {
        StreamLog log = log();
        AppendOutcome.Applied a = applied(log, "reconfigure", requireTimestamps());
        assertEquals(new AppendOutcome.Applied(0, 0), a);
        assertEquals(List.of(CommitKey.FIRST), storedCommits());
        assertEquals(0, acked(log(), batch(recAt(7, "x"))).range().startSeq());
        assertEquals(List.of(CommitKey.FIRST, new CommitKey(0, 1)), storedCommits());
        assertEquals(List.of(0L), seqs(read(log(), fromSeq(0))));
    }

    @Test
    void aControlChangeThatChangesNothingWritesNothing() {
        StreamLog log = log();
        acked(log, batch(rec("a")));
        List<CommitKey> before = storedCommits();
        assertEquals(new AppendOutcome.Applied(1, NOW), join(log.control("noop", s -> s)));
        assertEquals(new AppendOutcome.Applied(1, NOW), join(log().control("equal copy", s -> new StreamState(s.nextSeq(),
                s.lastTimestamp(), s.fencingToken(), s.trimPoint(), s.configVersion(), s.timestamping(), s.sealed()))));
        assertEquals(before, storedCommits());
    }

    @Test
    void aSealedStreamRefusesAppendsAndControlChanges() {
        StreamLog log = log();
        acked(log, batch(rec("a"), rec("b")));
        assertEquals(new AppendOutcome.Applied(2, NOW), applied(log, "seal", seal()));
        List<CommitKey> sealed = storedCommits();
        assertEquals(List.of(new CommitKey(0, 0), new CommitKey(2, 0)), sealed);
        for (StreamLog l : List.of(log, log())) {
            assertEquals(new Rejection.StreamSealed(), rejected(l, batch(rec("late"))));
            assertEquals(new Rejection.StreamSealed(), rejected(l, matching(2, rec("late"))));
            assertEquals(new AppendOutcome.Rejected(new Rejection.StreamSealed()), join(l.control("reconfigure", requireTimestamps())));
            assertEquals(new AppendOutcome.Rejected(new Rejection.StreamSealed()), join(l.control("noop", s -> s)));
            assertEquals(new TailPosition(2, NOW), join(l.checkTail()));
            assertEquals(new ReadOutcome.Sealed(), read(l, fromSeq(0)), "a sealed stream serves nothing (its name answers 409)");
            assertTrue(join(l.state()).sealed());
        }
        assertEquals(sealed, storedCommits(), "nothing was written after the seal");
    }

    // ---------------------------------------------------------------- group commit


    @Test
    void aSecondBatchWithTheSameMatchSeqNumIsRejectedOnlyAfterTheFirstIsDurable() {
        GroupCommitTest.HeldStore store = new GroupCommitTest.HeldStore();
        StreamLog log = log(store, GENESIS, LogSettings.DEFAULT);
        CompletableFuture<AppendOutcome> first = log.append(matching(0, rec("first"))).toCompletableFuture();
        assertEquals(1, store.held(), "the first commit is in flight");
        CompletableFuture<AppendOutcome> second = log.append(matching(0, rec("second"))).toCompletableFuture();
        assertFalse(first.isDone());
        assertFalse(second.isDone(), "no 412 before the commit it depends on is durable");

        store.releaseAll();
        AppendOutcome.Acked a = assertInstanceOf(AppendOutcome.Acked.class, first.join());
        assertEquals(0, a.range().startSeq());
        assertEquals(1, a.range().endSeq());
        assertEquals(new AppendOutcome.Rejected(new Rejection.SeqNumMismatch(1)), second.join());
        assertEquals(1, store.commitPuts, "the rejected batch wrote nothing");
        assertEquals(List.of("first"), records(read(log(store, GENESIS, LogSettings.DEFAULT), fromSeq(0))).stream()
                .map(r -> new String(r.body(), StandardCharsets.UTF_8)).toList());
    }

    @Test
    void batchesQueuedTogetherAreDecidedInOrderAndAnsweredAfterTheirCommit() {
        GroupCommitTest.HeldStore store = new GroupCommitTest.HeldStore();
        StreamLog log = log(store, GENESIS, LogSettings.DEFAULT);
        CompletableFuture<AppendOutcome> inFlight = log.append(batch(rec("x"))).toCompletableFuture();
        CompletableFuture<AppendOutcome> b = log.append(matching(1, rec("b1"), rec("b2"))).toCompletableFuture();
        CompletableFuture<AppendOutcome> c = log.append(matching(1, rec("c"))).toCompletableFuture();
        CompletableFuture<AppendOutcome> d = log.append(matching(3, rec("d"))).toCompletableFuture();
        assertEquals(1, store.commitPuts);

        store.releaseAll();
        assertInstanceOf(AppendOutcome.Acked.class, inFlight.join());
        assertEquals(2, store.commitPuts, "b, c and d went into the next commit together");
        assertFalse(b.isDone());
        assertFalse(c.isDone(), "c's 412 depends on b's commit, which is not durable yet");
        assertFalse(d.isDone());

        store.releaseAll();
        AppendOutcome.Acked ab = assertInstanceOf(AppendOutcome.Acked.class, b.join());
        assertEquals(1, ab.range().startSeq());
        assertEquals(3, ab.range().endSeq());
        assertEquals(new AppendOutcome.Rejected(new Rejection.SeqNumMismatch(3)), c.join());
        AppendOutcome.Acked ad = assertInstanceOf(AppendOutcome.Acked.class, d.join());
        assertEquals(3, ad.range().startSeq());
        assertEquals(4, ad.tailSeq());
        assertEquals(4, ab.tailSeq(), "both acks of one commit carry its tail");
        assertEquals(2, store.commitPuts);
        assertEquals(List.of(0L, 1L, 2L, 3L), seqs(read(log(store, GENESIS, LogSettings.DEFAULT), fromSeq(0))));
    }

    // ---------------------------------------------------------------- two instances racing for one key

    /** Holds the next commit PUT only, until released; every other call goes straight through. */
    static final class HoldOnceStore extends ForwardingStore {
        private boolean armed;
        private CompletableFuture<Void> gate;

        HoldOnceStore() {
            super(new MemoryObjectStore(() -> 0));
        }

        synchronized void holdNextCommit() {
            armed = true;
        }

        @Override
        public synchronized CompletionStage<PutOutcome> putIfAbsent(String key, byte[] body, Map<String, String> metadata) {
            if (!armed || !key.contains("/c/")) {
                return super.putIfAbsent(key, body, metadata);
            }
            armed = false;
            gate = new CompletableFuture<>();
            return gate.thenCompose(x -> super.putIfAbsent(key, body, metadata));
        }

        void release() {
            CompletableFuture<Void> g;
            synchronized (this) {
                g = gate;
                gate = null;
            }
            g.complete(null);
        }
    }

    @Test
    void aBatchThatLosesTheRaceForAKeyIsDecidedAgainAgainstTheWinner() {
        HoldOnceStore store = new HoldOnceStore();
        StreamLog a = log(store, GENESIS, LogSettings.DEFAULT);
        StreamLog b = log(store, GENESIS, LogSettings.DEFAULT);
        acked(a, batch(rec("0")));
        acked(b, batch(rec("1")));
        store.holdNextCommit();
        CompletableFuture<AppendOutcome> late = a.append(batch(rec("a"))).toCompletableFuture();
        assertEquals(2, acked(b, batch(rec("b"))).range().startSeq(), "b takes the key a was decided for");
        assertFalse(late.isDone());
        store.release();
        AppendOutcome.Acked ack = assertInstanceOf(AppendOutcome.Acked.class, late.join());
        assertEquals(3, ack.range().startSeq(), "a lands after b, never over it");
        assertEquals(List.of("0", "1", "b", "a"), records(read(log(store, GENESIS, LogSettings.DEFAULT), fromSeq(0))).stream()
                .map(r -> new String(r.body(), StandardCharsets.UTF_8)).toList());
    }

    @Test
    void aMatchSeqNumThatHeldAgainstAStaleTailFailsAgainstTheWinner() {
        HoldOnceStore store = new HoldOnceStore();
        StreamLog a = log(store, GENESIS, LogSettings.DEFAULT);
        StreamLog b = log(store, GENESIS, LogSettings.DEFAULT);
        store.holdNextCommit();
        CompletableFuture<AppendOutcome> late = a.append(matching(0, rec("a"))).toCompletableFuture();
        assertEquals(0, acked(b, matching(0, rec("b"))).range().startSeq());
        store.release();
        assertEquals(new AppendOutcome.Rejected(new Rejection.SeqNumMismatch(1)), late.join());
        assertEquals(List.of(0L), seqs(read(log(store, GENESIS, LogSettings.DEFAULT), fromSeq(0))));
    }

    // ---------------------------------------------------------------- control commits and trims together

    @Test
    void aControlChangeThatMovesThePositionsIsRefusedAndWritesNothing() {
        StreamLog log = log();
        acked(log, batch(rec("a")));
        List<CommitKey> before = storedCommits();
        AppendOutcome o = join(log.control("bad", s -> new StreamState(s.nextSeq() + 1, s.lastTimestamp(), s.fencingToken(),
                s.trimPoint(), s.configVersion(), s.timestamping(), s.sealed())));
        AppendOutcome.Failed failed = assertInstanceOf(AppendOutcome.Failed.class, o);
        assertFalse(failed.mayHaveLanded());
        assertEquals(before, storedCommits());
        assertEquals(1, acked(log, batch(rec("b"))).range().startSeq(), "the log goes on");
    }

    @Test
    void trimRunsDeleteControlCommitsBelowTheFloorToo() {
        StreamLog log = log();
        acked(log, batch(rec("0"), rec("1"), rec("2")));          // 0/0
        applied(log, "bump", bumpConfig());                        // 3/0
        acked(log, batch(rec("3"), rec("4")));                    // 3/1
        acked(log, batch(trim(4)));                                // 5/1
        assertEquals(List.of(new CommitKey(0, 0), new CommitKey(3, 0), new CommitKey(3, 1), new CommitKey(5, 1)), storedCommits());
        TrimReport report = join(log().trim());
        assertEquals(new TrimReport(new CommitKey(3, 1), 2, false), report);
        assertEquals(List.of(new CommitKey(3, 1), new CommitKey(5, 1)), storedCommits());
        assertEquals(List.of(4L, 5L), seqs(read(log(), fromSeq(0))));
        assertEquals(2, join(log().state()).configVersion(), "the state survives in the last commit");
        assertEquals(6, acked(log(), batch(rec("6"))).range().startSeq());
    }

    @Test
    void trimmingEverythingUpToAControlCommitKeepsItAsTheLastCommit() {
        StreamLog log = log();
        acked(log, batch(rec("0"), rec("1"), trim(Long.MAX_VALUE)));  // 0/0, trim point 3
        applied(log, "reconfigure", requireTimestamps());              // 3/0
        TrimReport report = join(log().trim());
        assertEquals(new TrimReport(new CommitKey(3, 0), 1, false), report);
        assertEquals(List.of(new CommitKey(3, 0)), storedCommits());
        StreamLog fresh = log();
        assertEquals(new TailPosition(3, NOW), join(fresh.checkTail()));
        assertEquals(TimestampingMode.CLIENT_REQUIRE, join(fresh.state()).timestamping().mode());
        assertEquals(new ReadOutcome.Records(List.of(), 3, NOW), read(fresh, fromSeq(0)));
        assertEquals(new Rejection.Invalid("record timestamp was required but was missing"), rejected(fresh, batch(rec("x"))));
        assertEquals(3, acked(fresh, batch(recAt(NOW, "3"))).range().startSeq());
        assertEquals(List.of(new CommitKey(3, 0), new CommitKey(3, 1)), storedCommits());
        assertEquals(List.of(3L), seqs(read(log(), fromSeq(0))));
    }

    @Test
    void manyFloorVersionsAreFollowedByAFreshInstance() {
        StreamLog log = log();
        long trimPoint = 0;
        for (int i = 0; i < 12; i++) {
            AppendOutcome.Acked a = acked(log, batch(rec(i + "a"), rec(i + "b")));
            trimPoint = a.range().startSeq() + 1;
            acked(log, batch(trim(trimPoint)));
            TrimReport report = join(log.trim());
            assertEquals(new CommitKey(a.range().startSeq(), 0), report.floor());
        }
        // The first run's floor is the first commit, which needs no version: 11 versions, more than the 8 HEAD hops.
        assertTrue(join(memory.head(keys.floor(11))).isPresent());
        assertTrue(join(memory.head(keys.floor(12))).isEmpty());
        StreamLog fresh = log();
        assertEquals(new TailPosition(36, NOW), join(fresh.checkTail()));
        assertEquals(range(trimPoint, 36), seqs(read(fresh, fromSeq(0))));
        assertEquals(36, acked(fresh, batch(rec("36"))).range().startSeq());
        assertEquals(new TrimReport(new CommitKey(33, 0), 0, false), join(log().trim()));
        assertTrue(join(memory.head(keys.floor(12))).isEmpty());
    }

    @Test
    void aFreshInstanceFindsTheTailOfALongChainWithOrWithoutAUsableHint() {
        StreamLog log = log();
        for (int i = 0; i < 150; i++) {
            acked(log, batch(recAt(10L * i, "r" + i)));
        }
        String hint = new String(join(memory.get(keys.hint())).orElseThrow().body(), StandardCharsets.US_ASCII);
        assertEquals("127/0", hint, "the hint names the 128th commit this writer made");
        for (String garbage : new String[] {hint, "junk", "", "3/0", "0/0", "127", "/"}) {
            join(memory.put(keys.hint(), garbage.getBytes(StandardCharsets.US_ASCII), Map.of()));
            StreamLog fresh = log();
            assertEquals(new TailPosition(150, 1490), join(fresh.checkTail()), "hint " + garbage);
            assertEquals(range(140, 150), seqs(read(log(), fromSeq(140))));
            assertEquals(range(75, 150), seqs(read(log(), request(new ReadRequest.Start.Timestamp(745), 1000, BYTES_MAX,
                    OptionalLong.empty(), false))));
        }
        join(memory.put(keys.hint(), hint.getBytes(StandardCharsets.US_ASCII), Map.of()));
        assertEquals(150, acked(log(), batch(recAt(2000, "150"))).range().startSeq());
    }

    @Test
    void aHintAboveTheChainDoesNotHideTheTail() {
        StreamLog log = log();
        for (int i = 0; i < 20; i++) {
            acked(log, batch(rec("r" + i)));
        }
        join(memory.put(keys.hint(), "99999/0".getBytes(StandardCharsets.US_ASCII), Map.of()));
        assertEquals(new TailPosition(20, NOW), join(log().checkTail()));
    }

    // ---------------------------------------------------------------- metadata is only a copy

    /** A store that keeps no metadata, as a HEAD that returns none would: the log falls back to GETs. */
    static final class NoMetadataStore extends ForwardingStore {
        NoMetadataStore() {
            super(new MemoryObjectStore(() -> 0));
        }

        @Override
        public CompletionStage<PutOutcome> putIfAbsent(String key, byte[] body, Map<String, String> metadata) {
            return super.putIfAbsent(key, body, Map.of());
        }

        @Override
        public CompletionStage<Void> put(String key, byte[] body, Map<String, String> metadata) {
            return super.put(key, body, Map.of());
        }
    }

    @Test
    void everythingWorksFromBodiesWhenMetadataIsMissing() {
        NoMetadataStore store = new NoMetadataStore();
        StreamLog log = log(store, GENESIS, LogSettings.DEFAULT);
        for (int i = 0; i < 6; i++) {
            acked(log, batch(recAt(1000L * i, "a" + i), recAt(1000L * i + 500, "b" + i)));
        }
        applied(log, "reconfigure", bumpConfig());
        acked(log, batch(trim(5)));
        StreamLog fresh = log(store, GENESIS, LogSettings.DEFAULT);
        assertEquals(new TailPosition(13, NOW), join(fresh.checkTail()), "the trim record took the arrival time");
        assertEquals(2, join(fresh.state()).configVersion());
        assertEquals(range(5, 13), seqs(read(fresh, fromSeq(0))));
        assertEquals(range(7, 13), seqs(read(log(store, GENESIS, LogSettings.DEFAULT),
                request(new ReadRequest.Start.Timestamp(3_100), 1000, BYTES_MAX, OptionalLong.empty(), false))));
        TrimReport report = join(log(store, GENESIS, LogSettings.DEFAULT).trim());
        assertEquals(new CommitKey(4, 0), report.floor());
        assertEquals(2, report.deleted());
        assertEquals(range(5, 13), seqs(read(log(store, GENESIS, LogSettings.DEFAULT), fromSeq(0))));
        assertEquals(13, acked(log(store, GENESIS, LogSettings.DEFAULT), matching(13, rec("next"))).range().startSeq());
        assertNotEquals(0, report.deleted());
    }
}
