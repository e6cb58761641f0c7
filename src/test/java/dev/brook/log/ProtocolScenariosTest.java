package dev.brook.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.Header;
import dev.brook.core.SequencedRecord;
import dev.brook.core.StreamState;
import dev.brook.core.Timestamping;
import dev.brook.store.MemoryObjectStore;
import dev.brook.store.ObjectStore;
import dev.brook.store.PutOutcome;
import dev.brook.store.StoreException;
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
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The interleavings (docs/ARCHITECTURE.md, the stream log's invariants) that need a key freed while a write's fate is open, scripted
 * step by step: random runs reach them only once in hundreds of seeds.
 */
class ProtocolScenariosTest {

    static final String SID = "0123456789abcdef0123456789abcdef";
    static final StreamState GENESIS = StreamState.empty(1, Timestamping.DEFAULT);

    /** Holds chosen creates: the test decides when each lands and what its sender hears. */
    static final class ScriptedStore extends ForwardingStore {
        final ObjectStore inner;
        private Predicate<String> holdNext;
        final List<Held> held = new ArrayList<>();

        ScriptedStore(ObjectStore inner) {
            super(inner);
            this.inner = inner;
        }

        final class Held {
            final String key;
            final byte[] body;
            final Map<String, String> metadata;
            final CompletableFuture<PutOutcome> response = new CompletableFuture<>();

            Held(String key, byte[] body, Map<String, String> metadata) {
                this.key = key;
                this.body = body;
                this.metadata = metadata;
            }

            PutOutcome land() {
                return inner.putIfAbsent(key, body, metadata).toCompletableFuture().join();
            }

            void timeOut() {
                response.completeExceptionally(new StoreException(StoreException.Kind.TRANSIENT, "scripted timeout"));
            }
        }

        /** The next create of a key matching {@code keys} is held: neither applied nor answered. */
        void holdNextCreate(Predicate<String> keys) {
            holdNext = keys;
        }

        @Override
        public CompletionStage<PutOutcome> putIfAbsent(String key, byte[] body, Map<String, String> metadata) {
            if (holdNext != null && holdNext.test(key)) {
                holdNext = null;
                Held h = new Held(key, body.clone(), metadata);
                held.add(h);
                return h.response;
            }
            return super.putIfAbsent(key, body, metadata);
        }
    }

    private final ScriptedStore store = new ScriptedStore(new MemoryObjectStore(() -> 0));
    private final LogKeys keys = new LogKeys(SID);
    private int engines;

    private StreamLog engine() {
        LogEnv env = new LogEnv(store, () -> 1_000, System::nanoTime, ms -> CompletableFuture.completedFuture(null),
                new Random(++engines), LogSettings.DEFAULT);
        return new StreamLog(env, SID, GENESIS);
    }

    private static AppendBatch batch(String... bodies) {
        List<AppendRecord> records = new ArrayList<>();
        for (String b : bodies) {
            records.add(new AppendRecord(OptionalLong.empty(), List.of(), b.getBytes(StandardCharsets.UTF_8)));
        }
        return new AppendBatch(records, OptionalLong.empty(), Optional.empty(), 1_000);
    }

    /** A trim to the end of the stream, plus one record so the trim record is not the last. */
    private static AppendBatch trimAll() {
        AppendRecord trim = new AppendRecord(OptionalLong.empty(), List.of(new Header(new byte[0], "trim".getBytes(StandardCharsets.UTF_8))),
                ByteBuffer.allocate(8).putLong(Long.MAX_VALUE).array());
        return new AppendBatch(List.of(trim, new AppendRecord(OptionalLong.empty(), List.of(), "after-trim".getBytes(StandardCharsets.UTF_8))),
                OptionalLong.empty(), Optional.empty(), 1_000);
    }

    /** Every body in the chain of first occupants... here, the chain as stored now, from the floor up. */
    private List<String> bodiesInTheStream() {
        StreamLog reader = engine();
        ReadOutcome o = reader.read(new ReadRequest(new ReadRequest.Start.SeqNum(0), 1000, 1 << 20, OptionalLong.empty(), false))
                .toCompletableFuture().join();
        List<String> bodies = new ArrayList<>();
        for (SequencedRecord r : ((ReadOutcome.Records) o).records()) {
            bodies.add(new String(r.body(), StandardCharsets.UTF_8));
        }
        return bodies;
    }

    @Test
    void aTimedOutWriteThatLandsOnAFreedKeyIsNeverAcknowledged() {
        StreamLog a = engine();
        StreamLog b = engine();
        store.holdNextCreate(k -> k.equals(keys.commit(CommitKey.FIRST)));
        CompletableFuture<AppendOutcome> p = a.append(batch("p")).toCompletableFuture();
        ScriptedStore.Held held = store.held.get(0);

        // Meanwhile B takes the first key, trims past it, and the key is freed.
        assertInstanceOf(AppendOutcome.Acked.class, b.append(batch("x")).toCompletableFuture().join());
        assertInstanceOf(AppendOutcome.Acked.class, b.append(trimAll()).toCompletableFuture().join());
        assertEquals(1, b.trim().toCompletableFuture().join().deleted(), "the first commit was deleted");

        // A's old request lands on the freed key, and A hears a timeout: the key now holds A's payload.
        assertEquals(PutOutcome.CREATED, held.land());
        held.timeOut();
        AppendOutcome outcome = p.join();
        AppendOutcome.Failed failed = assertInstanceOf(AppendOutcome.Failed.class, outcome,
                "finding its own payload on a freed key proves nothing: it may have landed after the freeing");
        assertEquals(AppendOutcome.Failure.OUTCOME_UNKNOWN, failed.failure());
        assertFalse(bodiesInTheStream().contains("p"));
    }

    @Test
    void aWriteThatLandedAndWasTrimmedIsNotWrittenAgainWhenAZombieHoldsItsKey() {
        StreamLog a = engine();
        StreamLog b = engine();
        StreamLog zombie = engine();
        // The zombie decided against the empty stream too; its create is held until the key is free.
        store.holdNextCreate(k -> k.equals(keys.commit(CommitKey.FIRST)));
        zombie.append(batch("z"));
        ScriptedStore.Held zombieWrite = store.held.get(0);

        // A's create lands, but A hears nothing yet.
        store.holdNextCreate(k -> k.equals(keys.commit(CommitKey.FIRST)));
        CompletableFuture<AppendOutcome> p = a.append(batch("p")).toCompletableFuture();
        ScriptedStore.Held aWrite = store.held.get(1);
        assertEquals(PutOutcome.CREATED, aWrite.land());

        // B builds on A's commit, trims everything and frees the first key; the zombie lands there.
        assertInstanceOf(AppendOutcome.Acked.class, b.append(batch("x")).toCompletableFuture().join());
        assertInstanceOf(AppendOutcome.Acked.class, b.append(trimAll()).toCompletableFuture().join());
        assertEquals(2, b.trim().toCompletableFuture().join().deleted());
        assertEquals(PutOutcome.CREATED, zombieWrite.land());

        // A hears its timeout, finds another payload at its key: it must not conclude "lost" and write p again.
        aWrite.timeOut();
        AppendOutcome.Failed failed = assertInstanceOf(AppendOutcome.Failed.class, p.join());
        assertEquals(AppendOutcome.Failure.OUTCOME_UNKNOWN, failed.failure());
        assertEquals(List.of("after-trim"), bodiesInTheStream(), "p lies below the trim point exactly once, not again at the tail");
    }

    @Test
    void aNoticeNeverMakesAFollowerTrustAZombiesObjectOnAFreedKey() {
        StreamLog a = engine();
        StreamLog b = engine();
        StreamLog zombie = engine();
        StreamLog follower = engine();
        assertInstanceOf(AppendOutcome.Acked.class, a.append(batch("a")).toCompletableFuture().join());
        // The follower and the zombie both know the first commit as the tail.
        assertEquals(List.of("a"), bodies(follower.read(new ReadRequest(new ReadRequest.Start.SeqNum(0), 1000, 1 << 20,
                OptionalLong.empty(), false)).toCompletableFuture().join()));
        zombie.checkTail().toCompletableFuture().join();
        // The zombie's write after the first commit is held until its key is free.
        store.holdNextCreate(k -> !k.equals(keys.commit(CommitKey.FIRST)) && k.startsWith(keys.commitPrefix()));
        zombie.append(batch("z"));
        ScriptedStore.Held zombieWrite = store.held.get(0);
        // B builds on the first commit at that key, trims everything, frees it; the zombie lands there.
        assertInstanceOf(AppendOutcome.Acked.class, b.append(batch("x")).toCompletableFuture().join());
        assertInstanceOf(AppendOutcome.Acked.class, b.append(trimAll()).toCompletableFuture().join());
        assertEquals(2, b.trim().toCompletableFuture().join().deleted());
        assertEquals(PutOutcome.CREATED, zombieWrite.land());

        // A notice (docs/LOG.md, "Wake-ups") makes the follower fetch the zombie's object, which names
        // the follower's tail as its predecessor: the floor read after it must reject it.
        assertEquals(1, follower.learn(4).toCompletableFuture().join().seqNum(), "the zombie's commit is not the tail here");
        ReadOutcome next = follower.readOn(new ReadRequest(new ReadRequest.Start.SeqNum(1), 1000, 1 << 20, OptionalLong.empty(), false, true))
                .toCompletableFuture().join();
        assertFalse(bodies(next).contains("z"), "a continuing read serves the zombie's record: " + bodies(next));
        assertEquals(List.of("after-trim"), bodies(follower.read(new ReadRequest(new ReadRequest.Start.SeqNum(1), 1000, 1 << 20,
                OptionalLong.empty(), false)).toCompletableFuture().join()));
    }

    private static List<String> bodies(ReadOutcome o) {
        List<String> out = new ArrayList<>();
        for (SequencedRecord r : assertInstanceOf(ReadOutcome.Records.class, o).records()) {
            out.add(new String(r.body(), StandardCharsets.UTF_8));
        }
        return out;
    }
}
