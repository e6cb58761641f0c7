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
import dev.brook.store.ObjectInfo;
import dev.brook.store.PutOutcome;
import dev.brook.testing.CountingStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Contention between instances (docs/LOG.md, "Contention"), shown by counting: an instance that
 * keeps losing a stream's tail to one peer hands its batches to that peer; what the peer commits is
 * acknowledged once; a forward that never arrived is committed here instead, one whose fate is
 * unknown is never sent again; a duplicated delivery appends nothing more.
 */
class ForwardingTest {

    static final String SID = "f0d0000000000000000000000000000a";
    static final String A = "http://10.0.0.1:8080";
    static final String B = "http://10.0.0.2:8080";

    final MemoryObjectStore memory = new MemoryObjectStore(() -> 0);
    final StreamState genesis = StreamState.empty(1, Timestamping.DEFAULT);

    /** Before each of the next {@code races} commit PUTs of A, B commits first at the same key. */
    final class RacingStore extends CountingStore {
        int races;
        StreamLog rival;

        RacingStore() {
            super(memory);
        }

        @Override
        public CompletionStage<PutOutcome> putIfAbsent(String key, byte[] body, Map<String, String> metadata) {
            if (key.contains("/c/") && races > 0) {
                races--;
                assertInstanceOf(AppendOutcome.Acked.class, rival.append(batch("rival")).toCompletableFuture().join());
            }
            return super.putIfAbsent(key, body, metadata);
        }
    }

    /**
     * The network between instances: forwards go where {@code route} says, else to the log at their
     * address in {@code at}, else to {@code peer}; each is counted.
     */
    static final class Wire implements Peering {
        final String self;
        final List<String> sent = new ArrayList<>();
        final Map<String, StreamLog> at;
        Function<List<AppendBatch>, CompletionStage<List<AppendOutcome>>> route;
        StreamLog peer;

        Wire(String self) {
            this(self, Map.of());
        }

        Wire(String self, Map<String, StreamLog> at) {
            this.self = self;
            this.at = at;
        }

        @Override
        public String self() {
            return self;
        }

        @Override
        public CompletionStage<List<AppendOutcome>> forward(String to, String id, List<AppendBatch> batches) {
            sent.add(to);
            return route != null ? route.apply(batches) : at.getOrDefault(to, peer).acceptForwarded(id, batches);
        }
    }

    LogEnv env(dev.brook.store.ObjectStore store, long seed) {
        return new LogEnv(store, () -> 1_000, System::nanoTime, ms -> CompletableFuture.completedFuture(null), new Random(seed),
                LogSettings.DEFAULT);
    }

    StreamLog log(dev.brook.store.ObjectStore store, long seed, Peering peering) {
        return new StreamLog(env(store, seed), SID, genesis, StreamLog.Options.DEFAULT.withPeering(peering));
    }

    static AppendBatch batch(String body) {
        return new AppendBatch(List.of(new AppendRecord(OptionalLong.empty(), List.of(), body.getBytes(StandardCharsets.UTF_8))),
                OptionalLong.empty(), Optional.empty(), 1_000);
    }

    /** Every record in the stream, from storage. */
    List<String> bodies(StreamLog reader) {
        ReadOutcome o = reader.read(new ReadRequest(new ReadRequest.Start.SeqNum(0), 1000, 1 << 20, OptionalLong.empty(), false))
                .toCompletableFuture().join();
        List<String> out = new ArrayList<>();
        for (SequencedRecord r : ((ReadOutcome.Records) o).records()) {
            out.add(new String(r.body(), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** The writer named in the metadata of the commit holding {@code seq}. */
    Optional<String> writerOf(long seq) {
        for (var entry : memory.list(new LogKeys(SID).commitPrefix(), "", 1000).toCompletableFuture().join().objects()) {
            ObjectInfo info = memory.head(entry.key()).toCompletableFuture().join().orElseThrow();
            CommitSummary s = CommitCodec.summaryOf(new LogKeys(SID).parseCommit(entry.key()).orElseThrow(), info.metadata(), 0)
                    .orElseThrow();
            if (s.key().start() <= seq && seq < s.end()) {
                return s.writer();
            }
        }
        return Optional.empty();
    }

    record Pair(RacingStore store, Wire wireA, Wire wireB, StreamLog a, StreamLog b) {}

    Pair pair() {
        RacingStore store = new RacingStore();
        Wire wireA = new Wire(A);
        Wire wireB = new Wire(B);
        StreamLog a = log(store, 1, wireA);
        StreamLog b = log(memory, 2, wireB);
        store.rival = b;
        wireA.peer = b;
        wireB.peer = a;
        // A's cache knows its own commit: its next PUT goes to the next key, where B can win first.
        assertInstanceOf(AppendOutcome.Acked.class, a.append(batch("a0")).toCompletableFuture().join());
        return new Pair(store, wireA, wireB, a, b);
    }

    @Test
    void afterLosingTwiceToOnePeerTheGroupIsHandedToIt() {
        Pair p = pair();
        p.store.races = 2;
        int putsBefore = p.store.count("PUT_IF_ABSENT");

        AppendOutcome o = p.a.append(batch("a1")).toCompletableFuture().join();

        AppendOutcome.Acked acked = assertInstanceOf(AppendOutcome.Acked.class, o);
        assertEquals(List.of(B), p.wireA.sent, "the third attempt went to the peer that won twice");
        assertEquals(2, p.store.count("PUT_IF_ABSENT") - putsBefore, "two lost PUTs of A, none after");
        assertEquals(List.of("a0", "rival", "rival", "a1"), bodies(p.b), "each record once, in the order acknowledged");
        assertEquals(3, acked.range().startSeq());
        assertEquals(Optional.of(B), writerOf(3), "the peer committed it, and says so");
        assertEquals(Optional.of(A), writerOf(0));

        // The leader stays: the next append goes straight to it, without a race.
        int puts = p.store.count("PUT_IF_ABSENT");
        assertInstanceOf(AppendOutcome.Acked.class, p.a.append(batch("a2")).toCompletableFuture().join());
        assertEquals(puts, p.store.count("PUT_IF_ABSENT"));
        assertEquals(List.of(B, B), p.wireA.sent);
        assertEquals(List.of("a0", "rival", "rival", "a1", "a2"), bodies(p.b));
    }

    @Test
    void oneLossIsNotEnoughAndLossesToDifferentWritersDoNotAddUp() {
        Pair p = pair();
        p.store.races = 1;
        assertInstanceOf(AppendOutcome.Acked.class, p.a.append(batch("a1")).toCompletableFuture().join());
        p.store.races = 1;
        assertInstanceOf(AppendOutcome.Acked.class, p.a.append(batch("a2")).toCompletableFuture().join());
        assertEquals(List.of(), p.wireA.sent, "a win between two losses resets the count");
        assertEquals(List.of("a0", "rival", "a1", "rival", "a2"), bodies(p.b));
    }

    @Test
    void aForwardThatNeverArrivedIsCommittedHereAndTheLeaderIsForgotten() {
        Pair p = pair();
        p.store.races = 2;
        p.wireA.route = batches -> CompletableFuture.failedFuture(new Peering.NotDelivered("connection refused"));

        assertInstanceOf(AppendOutcome.Acked.class, p.a.append(batch("a1")).toCompletableFuture().join());

        assertEquals(List.of(B), p.wireA.sent);
        assertEquals(List.of("a0", "rival", "rival", "a1"), bodies(p.b));
        assertEquals(Optional.of(A), writerOf(3), "committed by A after the refusal");
        p.wireA.route = null;
        assertInstanceOf(AppendOutcome.Acked.class, p.a.append(batch("a2")).toCompletableFuture().join());
        assertEquals(List.of(B), p.wireA.sent, "no leader any more: committed here");
    }

    @Test
    void aForwardWhoseFateIsUnknownFailsAsUnknownAndIsNeverSentAgain() {
        Pair p = pair();
        p.store.races = 2;
        // B commits the batch, but the answer is lost on the way back.
        p.wireA.route = batches -> p.b.acceptForwarded("x", batches).thenCompose(
                outcomes -> CompletableFuture.failedFuture(new java.io.IOException("connection reset")));
        int putsBefore = p.store.count("PUT_IF_ABSENT");

        AppendOutcome o = p.a.append(batch("a1")).toCompletableFuture().join();

        AppendOutcome.Failed failed = assertInstanceOf(AppendOutcome.Failed.class, o);
        assertEquals(AppendOutcome.Failure.OUTCOME_UNKNOWN, failed.failure());
        assertTrue(failed.message().contains(B), failed.message());
        assertEquals(2, p.store.count("PUT_IF_ABSENT") - putsBefore, "never written by A");
        assertEquals(List.of(B), p.wireA.sent, "never sent twice");
        assertEquals(List.of("a0", "rival", "rival", "a1"), bodies(p.b), "it did land, once");
    }

    @Test
    void aDuplicatedDeliveryIsAnsweredAlikeAndAppendsNothing() {
        StreamLog b = log(memory, 2, new Wire(B));
        List<AppendOutcome> first = b.acceptForwarded("id-1", List.of(batch("x"), batch("y"))).toCompletableFuture().join();
        List<AppendOutcome> again = b.acceptForwarded("id-1", List.of(batch("x"), batch("y"))).toCompletableFuture().join();
        assertEquals(first, again);
        assertEquals(2, first.size());
        assertEquals(List.of("x", "y"), bodies(b));
        b.acceptForwarded("id-2", List.of(batch("z"))).toCompletableFuture().join();
        assertEquals(List.of("x", "y", "z"), bodies(b), "another id is another forward");
    }

    @Test
    void sessionBatchesAndAPeersBatchesAreNeverHandedOn() {
        Pair p = pair();
        p.store.races = 2;
        AppendSession session = new AppendSession();
        assertInstanceOf(AppendOutcome.Acked.class, p.a.append(batch("s1"), r -> r, session).toCompletableFuture().join());
        assertEquals(List.of(), p.wireA.sent, "a session's batches keep their queue");

        // A now leads to B (two losses); a batch B hands to A is committed by A and makes A commit here again.
        p.store.races = 0;
        assertInstanceOf(AppendOutcome.Acked.class, p.a.acceptForwarded("from-b", List.of(batch("fb"))).toCompletableFuture().join().get(0));
        assertEquals(List.of(), p.wireA.sent);
        assertInstanceOf(AppendOutcome.Acked.class, p.a.append(batch("a1")).toCompletableFuture().join());
        assertEquals(List.of(), p.wireA.sent, "handed batches make A the one that commits");
        assertEquals(List.of("a0", "rival", "rival", "s1", "fb", "a1"), bodies(p.b));
    }

    @Test
    void anInstanceThatHandsItsBatchesOnPointsTheSenderToItsLeader() {
        Pair p = pair();
        String c = "http://10.0.0.3:8080";
        RacingStore storeC = new RacingStore();
        storeC.rival = p.a;
        Wire netC = new Wire(c, Map.of(A, p.a, B, p.b));
        StreamLog logC = log(storeC, 3, netC);
        storeC.races = 2;
        assertInstanceOf(AppendOutcome.Acked.class, logC.append(batch("c1")).toCompletableFuture().join());
        assertEquals(List.of(A), netC.sent, "C lost twice to A and handed its group to A");

        // A now loses twice to B: A hands its batches to B.
        p.store.races = 2;
        assertInstanceOf(AppendOutcome.Acked.class, p.a.append(batch("a1")).toCompletableFuture().join());
        assertEquals(List.of(B), p.wireA.sent);

        // A refuses C's next forward, naming B, before touching its log; C follows the hint.
        CompletionException refused = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                () -> p.a.acceptForwarded("direct", List.of(batch("never"))).toCompletableFuture().join());
        Peering.NotDelivered redirect = assertInstanceOf(Peering.NotDelivered.class, refused.getCause());
        assertEquals(Optional.of(B), redirect.leader());
        int putsOfC = storeC.count("PUT_IF_ABSENT");
        AppendOutcome.Acked acked = assertInstanceOf(AppendOutcome.Acked.class, logC.append(batch("c2")).toCompletableFuture().join());
        assertEquals(List.of(A, A, B), netC.sent, "refused by A, then handed to B");
        assertEquals(putsOfC, storeC.count("PUT_IF_ABSENT"), "C raced nobody");
        assertEquals(Optional.of(B), writerOf(acked.range().startSeq()));
        List<String> all = bodies(p.b);
        assertEquals(1, all.stream().filter("c2"::equals).count(), "once");
        assertEquals(0, all.stream().filter("never"::equals).count(), "the refused forward appended nothing");
        logC.append(batch("c3")).toCompletableFuture().join();
        assertEquals(List.of(A, A, B, B), netC.sent, "B stays C's leader");
    }

    @Test
    void redirectsAreFollowedAtMostTwiceInARow() {
        String c = "http://10.0.0.3:8080";
        // Every peer C asks names another one: C ends up committing the batch itself.
        int[] asked = {0};
        Peering chasing = new Peering() {
            @Override
            public String self() {
                return c;
            }

            @Override
            public CompletionStage<List<AppendOutcome>> forward(String to, String id, List<AppendBatch> batches) {
                asked[0]++;
                return CompletableFuture.failedFuture(new Peering.NotDelivered("elsewhere", Optional.of("http://peer-" + asked[0])));
            }
        };
        RacingStore storeC = new RacingStore();
        StreamLog rival = log(memory, 2, new Wire(B));
        storeC.rival = rival;
        StreamLog logC = log(storeC, 3, chasing);
        storeC.races = 2;
        AppendOutcome.Acked acked = assertInstanceOf(AppendOutcome.Acked.class, logC.append(batch("c1")).toCompletableFuture().join());
        assertEquals(1 + Committer.REDIRECTS_MAX, asked[0], "the first forward and two redirects, then committed here");
        assertEquals(Optional.of(c), writerOf(acked.range().startSeq()));
    }
}
