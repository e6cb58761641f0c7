package dev.brook.http.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.BasinConfig;
import dev.brook.core.SequencedRecord;
import dev.brook.core.StreamConfigSpec;
import dev.brook.engine.Catalog;
import dev.brook.engine.DataPlane;
import dev.brook.http.errors.Replies;
import dev.brook.log.AppendOutcome;
import dev.brook.log.LogEnv;
import dev.brook.log.LogSettings;
import dev.brook.log.ReadRequest;
import dev.brook.store.MemoryObjectStore;
import dev.brook.store.ObjectStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A read session under backpressure delivers every record once. Found by the fan-out benchmark
 * (100 live S2S readers on one h2c connection received records twice and out of order): the
 * session waited for the connection to drain with a drain handler that stayed installed after it
 * fired, so a later drain (Vert.x signals one whenever the connection becomes writable again)
 * started a second read chain, and every record after it was sent twice.
 */
class ReadSessionBackpressureTest {

    static final String BASIN = "backpressure";

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    /** What the fake response was asked to do. */
    static final class Wire {
        final List<String> written = new ArrayList<>();
        boolean full;
        Handler<Void> drain;

        synchronized List<String> batches() {
            return written.stream().filter(w -> w.startsWith("batch ")).toList();
        }
    }

    /** An HTTP response that records writes, and whose write queue is full when the test says so. */
    static HttpServerResponse response(Wire wire) {
        return (HttpServerResponse) Proxy.newProxyInstance(ReadSessionBackpressureTest.class.getClassLoader(),
                new Class<?>[] {HttpServerResponse.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "writeQueueFull":
                            synchronized (wire) {
                                return wire.full;
                            }
                        case "drainHandler":
                            synchronized (wire) {
                                @SuppressWarnings("unchecked")
                                Handler<Void> h = (Handler<Void>) args[0];
                                wire.drain = h;
                            }
                            return proxy;
                        case "write":
                            synchronized (wire) {
                                wire.written.add(((Buffer) args[0]).toString(StandardCharsets.UTF_8));
                            }
                            return Future.succeededFuture();
                        case "ended":
                        case "closed":
                            return false;
                        default:
                            break;
                    }
                    Class<?> r = method.getReturnType();
                    if (r.isAssignableFrom(HttpServerResponse.class)) {
                        return proxy;
                    }
                    if (r == Future.class) {
                        return Future.succeededFuture();
                    }
                    if (r == boolean.class) {
                        return false;
                    }
                    if (r == int.class || r == long.class) {
                        return 0;
                    }
                    return null;
                });
    }

    /** Batches as their sequence numbers: {@code batch 0,1,2}. */
    static final ReadSession.Output OUTPUT = new ReadSession.Output() {
        @Override
        public String contentType() {
            return "text/plain";
        }

        @Override
        public Buffer batch(List<SequencedRecord> records, Optional<long[]> tail, long deliveredCount, long deliveredBytes) {
            return Buffer.buffer("batch " + String.join(",", records.stream().map(r -> Long.toString(r.seqNum())).toList()));
        }

        @Override
        public Buffer heartbeat(long tailSeq, long tailTimestamp, long nowMs) {
            return Buffer.buffer("heartbeat " + tailSeq);
        }

        @Override
        public Buffer done() {
            return Buffer.buffer("done");
        }

        @Override
        public Buffer error(Replies.Error error) {
            return Buffer.buffer("error");
        }
    };

    /** Lets every task queued on the context so far, and those they queue, run: a few rounds of a no-op task. */
    static void settle(Context context) {
        for (int i = 0; i < 8; i++) {
            CompletableFuture<Void> ran = new CompletableFuture<>();
            context.runOnContext(v -> ran.complete(null));
            ran.orTimeout(10, TimeUnit.SECONDS).join();
        }
    }

    /** A data plane over a memory store, with the basin and its stream {@code s} created. */
    static DataPlane dataPlane() {
        return dataPlane(ms -> new CompletableFuture<>());
    }

    /** The same, its timers (the watches' polls) set on {@code delay}. */
    static DataPlane dataPlane(dev.brook.store.ResilientObjectStore.Delay delay) {
        ObjectStore store = new MemoryObjectStore(() -> 0);
        LogEnv env = new LogEnv(store, () -> 1_000_000, System::nanoTime, delay, new Random(1), LogSettings.DEFAULT);
        Catalog catalog = new Catalog(store, env.wallClockMs(), env.random());
        catalog.createBasin(BASIN, BasinConfig.DEFAULT, Optional.empty(), "h").toCompletableFuture().join();
        catalog.createStream(BASIN, "s", StreamConfigSpec.EMPTY, Optional.empty(), Optional.empty()).toCompletableFuture().join();
        return new DataPlane(catalog, env);
    }

    static void append(DataPlane data, String body) {
        AppendBatch batch = new AppendBatch(List.of(new AppendRecord(OptionalLong.empty(), List.of(), body.getBytes(StandardCharsets.UTF_8))),
                OptionalLong.empty(), Optional.empty(), 5);
        assertInstanceOf(AppendOutcome.Acked.class,
                data.append(BASIN, "s", batch, Optional.empty(), StreamConfigSpec.EMPTY, false).toCompletableFuture().join());
    }

    @Test
    void aDrainAfterTheSessionMovedOnDoesNotStartASecondReadChain() {
        DataPlane data = dataPlane();
        append(data, "a");
        append(data, "b");

        Wire wire = new Wire();
        wire.full = true; // the client is slow: the first batch fills the queue
        Context context = vertx.getOrCreateContext();
        SessionQuery follow = new SessionQuery(new ReadRequest.Start.SeqNum(0), false, OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.empty(), 0, 0);
        ReadSession session = new ReadSession(data, OUTPUT, context, response(wire), BASIN, "s", Optional.empty(), StreamConfigSpec.EMPTY,
                follow, () -> 1_000_000L, new Random(2), () -> { });
        context.runOnContext(v -> session.start());
        settle(context);
        assertEquals(List.of("batch 0,1"), wire.batches());
        Handler<Void> drain;
        synchronized (wire) {
            drain = wire.drain;
            wire.full = false;
        }
        assertNotNull(drain, "the session waits for the queue to drain");
        context.runOnContext(v -> drain.handle(null)); // the client caught up: the session goes on, to the tail, and follows
        settle(context);
        Handler<Void> again;
        synchronized (wire) {
            again = wire.drain;
        }
        if (again != null) {
            context.runOnContext(v -> again.handle(null)); // the connection became writable again (a heartbeat had filled it)
            settle(context);
        }

        // On the session's context, so that every follower it woke runs after it, before any of them answers.
        CompletableFuture<Void> appended = new CompletableFuture<>();
        context.runOnContext(v -> {
            append(data, "c");
            appended.complete(null);
        });
        appended.orTimeout(10, TimeUnit.SECONDS).join();
        settle(context);
        assertEquals(List.of("batch 0,1", "batch 2"), wire.batches(), "every record once, in order");
    }

    /**
     * A session whose connection is still taking its last batch reads the next one meanwhile, and writes
     * it only once the connection drains (docs/LOG.md, "Read-ahead"): the read overlaps the socket, one
     * batch is prepared at most, and backpressure holds. Read by another process (nothing in its memory),
     * so each commit the session reads is a GET.
     */
    @Test
    void aFullConnectionHasItsNextBatchReadWhileItDrains() {
        ObjectStore store = new MemoryObjectStore(() -> 0);
        LogEnv writerEnv = new LogEnv(store, () -> 1_000_000, System::nanoTime, ms -> new CompletableFuture<>(), new Random(1), LogSettings.DEFAULT);
        Catalog catalog = new Catalog(store, writerEnv.wallClockMs(), writerEnv.random());
        catalog.createBasin(BASIN, BasinConfig.DEFAULT, Optional.empty(), "h").toCompletableFuture().join();
        catalog.createStream(BASIN, "s", StreamConfigSpec.EMPTY, Optional.empty(), Optional.empty()).toCompletableFuture().join();
        DataPlane writer = new DataPlane(catalog, writerEnv);
        List<AppendRecord> thousand = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            thousand.add(new AppendRecord(OptionalLong.empty(), List.of(), new byte[]{(byte) i}));
        }
        for (int i = 0; i < 2; i++) { // a batch's read fetches the commit after it too (to learn that it does not fit)
            assertInstanceOf(AppendOutcome.Acked.class, writer.append(BASIN, "s", new AppendBatch(thousand, OptionalLong.empty(), Optional.empty(), 5),
                    Optional.empty(), StreamConfigSpec.EMPTY, false).toCompletableFuture().join());
        }
        append(writer, "last");

        java.util.Set<String> commitGets = java.util.concurrent.ConcurrentHashMap.newKeySet();
        ObjectStore counted = new dev.brook.testing.ForwardingStore(store) {
            @Override
            public java.util.concurrent.CompletionStage<Optional<dev.brook.store.StoredObject>> get(String key) {
                if (key.contains("/c/")) {
                    commitGets.add(key);
                }
                return super.get(key);
            }
        };
        LogEnv readerEnv = new LogEnv(counted, () -> 1_000_000, System::nanoTime, ms -> new CompletableFuture<>(), new Random(2), LogSettings.DEFAULT);
        DataPlane reader = new DataPlane(new Catalog(counted, readerEnv.wallClockMs(), readerEnv.random()), readerEnv);

        Wire wire = new Wire();
        wire.full = true; // the client is slow: the first batch fills the queue
        Context context = vertx.getOrCreateContext();
        SessionQuery once = new SessionQuery(new ReadRequest.Start.SeqNum(0), false, OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.of(0), 0, 0);
        ReadSession session = new ReadSession(reader, OUTPUT, context, response(wire), BASIN, "s", Optional.empty(), StreamConfigSpec.EMPTY,
                once, () -> 1_000_000L, new Random(3), () -> { });
        context.runOnContext(v -> session.start());
        settle(context);
        assertEquals(1, wire.batches().size(), "one batch written: " + wire.batches().size());
        assertEquals(3, commitGets.size(), "the next batch's commits were read while the connection drains: " + commitGets);
        Handler<Void> drain;
        synchronized (wire) {
            drain = wire.drain;
            wire.full = false;
        }
        assertNotNull(drain, "the session waits for the queue to drain before it writes");
        context.runOnContext(v -> drain.handle(null));
        settle(context);
        assertEquals(3, wire.batches().size(), "the prepared batch went out after the drain, then the last");
        assertEquals(OUTPUT.batch(IntStream.range(1_000, 2_000).mapToObj(i -> new SequencedRecord(i, 5, List.of(), new byte[0])).toList(),
                Optional.empty(), 0, 0).toString(StandardCharsets.UTF_8), wire.batches().get(1), "every record once, in order");
        assertEquals("batch 2000", wire.batches().get(2));
    }

    /**
     * A follower set back by many records (a pause, a burst) reads batches that end at multiples of
     * {@link ReadSession#FOLLOW_BATCH_ALIGN}: followers behind at different positions then send the same
     * batches after their first, whose encodings they share. Found by the 1,000-follower fan-out: each
     * follower behind read its own batch of up to a megabyte, encoded for it alone, and the garbage kept
     * them all behind.
     */
    @Test
    void aFollowerSetBackReadsBatchesCutAtAlignedSequenceNumbers() {
        DataPlane data = dataPlane();
        append(data, "a");
        append(data, "b");
        Context context = vertx.getOrCreateContext();
        SessionQuery follow = new SessionQuery(new ReadRequest.Start.SeqNum(0), false, OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.empty(), 0, 0);
        List<Wire> wires = List.of(new Wire(), new Wire());
        for (int i = 0; i < 2; i++) {
            ReadSession session = new ReadSession(data, OUTPUT, context, response(wires.get(i)), BASIN, "s", Optional.empty(),
                    StreamConfigSpec.EMPTY, i == 0 ? follow : new SessionQuery(new ReadRequest.Start.SeqNum(1), false, OptionalLong.empty(),
                            OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), 0, 0), () -> 1_000_000L, new Random(2), () -> { });
            context.runOnContext(v -> session.start());
        }
        settle(context);
        assertEquals(List.of("batch 0,1"), wires.get(0).batches());
        assertEquals(List.of("batch 1"), wires.get(1).batches());

        // 70 records in one commit: both followers wake with it and read it in aligned pieces.
        appendBurst(data, context, 70);
        for (Wire wire : wires) {
            List<String> after = wire.batches().subList(1, wire.batches().size());
            assertEquals(List.of(range(2, 32), range(32, 64), range(64, 72)), after, "every record once, in batches cut at 32 and 64");
        }
    }

    /**
     * A lone follower (no other session of its stream in its form here to share encodings with) reads
     * a burst whole rather than in aligned pieces. Found at 8 writers × 100 records with one SSE and one
     * S2S reader: 30 records per batch, a read, an encoding and a write each, and both fell behind.
     */
    @Test
    void aLoneFollowerReadsABurstWhole() {
        DataPlane data = dataPlane();
        append(data, "a");
        Context context = vertx.getOrCreateContext();
        Wire wire = new Wire();
        // A form of its own: other tests' sessions of this stream are still following in this JVM.
        ReadSession.Output alone = new ReadSession.Output() {
            @Override
            public String contentType() {
                return OUTPUT.contentType();
            }

            @Override
            public String form() {
                return "alone";
            }

            @Override
            public Buffer batch(List<SequencedRecord> records, Optional<long[]> tail, long deliveredCount, long deliveredBytes) {
                return OUTPUT.batch(records, tail, deliveredCount, deliveredBytes);
            }

            @Override
            public Buffer heartbeat(long tailSeq, long tailTimestamp, long nowMs) {
                return OUTPUT.heartbeat(tailSeq, tailTimestamp, nowMs);
            }

            @Override
            public Buffer done() {
                return OUTPUT.done();
            }

            @Override
            public Buffer error(Replies.Error error) {
                return OUTPUT.error(error);
            }
        };
        ReadSession session = new ReadSession(data, alone, context, response(wire), BASIN, "s", Optional.empty(), StreamConfigSpec.EMPTY,
                new SessionQuery(new ReadRequest.Start.SeqNum(0), false, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(),
                        OptionalLong.empty(), 0, 0), () -> 1_000_000L, new Random(3), () -> { });
        context.runOnContext(v -> session.start());
        settle(context);
        assertEquals(List.of("batch 0"), wire.batches());
        appendBurst(data, context, 70);
        assertEquals(List.of("batch 0", range(1, 71)), wire.batches(), "the burst in one batch, every record once, in order");
    }

    /** {@code records} records appended in one commit from the context, then everything it woke run. */
    private static void appendBurst(DataPlane data, Context context, int records) {
        List<AppendRecord> burst = new ArrayList<>();
        for (int r = 0; r < records; r++) {
            burst.add(new AppendRecord(OptionalLong.empty(), List.of(), ("r" + r).getBytes(StandardCharsets.UTF_8)));
        }
        CompletableFuture<Void> appended = new CompletableFuture<>();
        context.runOnContext(v -> {
            assertInstanceOf(AppendOutcome.Acked.class, data.append(BASIN, "s", new AppendBatch(burst, OptionalLong.empty(), Optional.empty(), 5),
                    Optional.empty(), StreamConfigSpec.EMPTY, false).toCompletableFuture().join());
            appended.complete(null);
        });
        appended.orTimeout(10, TimeUnit.SECONDS).join();
        settle(context);
    }

    /** {@code batch from,...,to-1}. */
    static String range(int from, int to) {
        List<String> seqs = new ArrayList<>();
        for (int i = from; i < to; i++) {
            seqs.add(Integer.toString(i));
        }
        return "batch " + String.join(",", seqs);
    }
}
