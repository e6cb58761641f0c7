package dev.brook.bench;

import dev.brook.http.wire.ProtoCodec;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Readers keep up (issue 14): while closed-loop unary writers append as fast as they can, three live
 * readers of the same stream, one per transport (a unary long-poll loop with {@code wait}, an SSE
 * session, an S2S session), each check that every record arrives once and in order and measure its
 * end-to-end latency (append sent → delivered: every body starts with its append's send time).
 */
final class LiveReaders {

    /** The long-poll reader's {@code wait}, seconds. */
    static final int LONG_POLL_WAIT_SECONDS = 10;
    /** The target of every transport: end-to-end p99, ms. */
    static final double E2E_P99_TARGET_MS = 30;
    /**
     * Seconds of the same load before the measured ones (BROOK_BENCH_LIVE_WARMUP_SECONDS, default 15),
     * delivered and checked but not timed: the run's warm-up compiles the append path only, and a
     * profile of the first live runs found the server's C2 compiler on 40 % of its CPU while the read
     * paths of three transports were still being compiled.
     */
    static final long WARMUP_SECONDS = Long.parseLong(System.getenv().getOrDefault("BROOK_BENCH_LIVE_WARMUP_SECONDS", "15"));
    /** How long the readers get, once the writers stop, to deliver what was appended. */
    static final long DRAIN_SECONDS = 30;

    private final Bench bench;

    LiveReaders(Bench bench) {
        this.bench = bench;
    }

    /** One reader's deliveries: its latency samples and whether each record came once, in order. */
    static final class Tally implements Bench.Deliveries {
        final String transport;
        final Bench.Samples e2e = new Bench.Samples(1 << 20); // a run's deliveries, warm-up included: no doubling mid-run
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong outOfOrder = new AtomicLong();
        /** Batches (SSE events, S2S frames, long-poll answers) that brought records. */
        final AtomicLong batches = new AtomicLong();
        private long expected;

        Tally(String transport) {
            this.transport = transport;
        }

        /** Called on one thread at a time (the session's event loop, the long-poll loop). */
        @Override
        public void batch(long now, long[] seqNums, long[] sentAts) {
            batches.incrementAndGet();
            for (int k = 0; k < seqNums.length; k++) {
                if (seqNums[k] != expected) {
                    outOfOrder.incrementAndGet();
                }
                expected = seqNums[k] + 1;
                e2e.add(sentAts[k], now - sentAts[k]);
                delivered.incrementAndGet(); // after the sample: a reader of the count sees the sample
            }
        }
    }

    void run(String name, String stream, int writers, int records, int size) throws Exception {
        if (Bench.skipped(stream)) {
            return;
        }
        bench.settle();
        bench.createStream(stream);
        Tally longPoll = new Tally("long-poll");
        Tally sse = new Tally("SSE");
        Tally s2s = new Tally("S2S");
        List<Bench.Follower> sessions = List.of(bench.follow(stream, true, sse), bench.follow(stream, false, s2s));
        String unanswered = Bench.awaitAnswered(sessions);
        AtomicReference<Exception> pollFailure = new AtomicReference<>();
        Thread poller = longPoll(stream, longPoll, pollFailure);
        Bench.TaggedBatch batch = new Bench.TaggedBatch(records, size);
        long warm = WARMUP_SECONDS <= 0 ? 0 : bench.closedLoop(name, stream, writers, records, size, WARMUP_SECONDS, batch::at).records();
        long measuredFrom = System.nanoTime(); // deliveries of records sent from now on are the measured ones
        Bench.Usage before = bench.usage();
        Bench.Measured written = bench.closedLoop(name, stream, writers, records, size, Bench.SECONDS, batch::at);
        Bench.Usage after = bench.usage();
        List<Tally> tallies = List.of(longPoll, sse, s2s);
        long appended = warm + written.records();
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
        while (tallies.stream().anyMatch(t -> t.delivered.get() < appended) && System.nanoTime() < waitUntil) {
            Thread.sleep(10);
        }
        poller.interrupt();
        sessions.forEach(f -> f.request.reset());
        List<long[]> sorted = new ArrayList<>();
        for (Tally t : tallies) {
            long[] e = Bench.Samples.sorted(List.of(t.e2e), measuredFrom);
            sorted.add(e);
            bench.plots.e2e(String.format(Locale.ROOT, "%d writers x %d, %s reader", writers, records, t.transport), e);
        }
        long[] all = java.util.stream.LongStream.concat(java.util.stream.LongStream.concat(java.util.Arrays.stream(sorted.get(0)),
                java.util.Arrays.stream(sorted.get(1))), java.util.Arrays.stream(sorted.get(2))).sorted().toArray();
        bench.report(new Bench.Measured(written.name(), written.store(), written.records(), size, written.elapsedNanos(), written.ack(), all,
                written.timeline()), before, after, Bench.BROOK);
        for (int i = 0; i < tallies.size(); i++) {
            System.out.println(line(tallies.get(i), sorted.get(i), appended));
        }
        if (pollFailure.get() != null) {
            System.out.println("  the long-poll reader failed: " + pollFailure.get());
        }
        if (!unanswered.isEmpty()) {
            System.out.println("  " + unanswered.substring(2));
        }
    }

    /** A transport's line: e2e p50/p99 against the target, and what it got of what was appended. */
    static String line(Tally t, long[] sortedE2e, long appended) {
        double p99 = Bench.ms(Bench.pct(sortedE2e, 99));
        return String.format(Locale.ROOT, "  %-9s e2e p50 %.2f ms, p99 %.2f ms, max %.2f ms (target p99 <= %.0f ms: %s); delivered %d of %d, %d out of order, "
                        + "%.0f records per batch",
                t.transport, Bench.ms(Bench.pct(sortedE2e, 50)), p99, Bench.ms(Bench.pct(sortedE2e, 100)), E2E_P99_TARGET_MS,
                sortedE2e.length > 0 && p99 <= E2E_P99_TARGET_MS ? "met" : "missed", t.delivered.get(), appended, t.outOfOrder.get(),
                t.delivered.get() / (double) Math.max(1, t.batches.get()));
    }

    /** A unary long-poll loop from seq 0 ({@code wait} at the tail), until interrupted or it fails. */
    private Thread longPoll(String stream, Tally tally, AtomicReference<Exception> failure) {
        Thread t = new Thread(() -> {
            long seq = 0;
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Map.Entry<Integer, Buffer> r = bench.page("/v1/streams/" + stream + "/records?seq_num=" + seq + "&wait=" + LONG_POLL_WAIT_SECONDS);
                    long now = System.nanoTime();
                    if (r.getKey() != 200) {
                        throw new IllegalStateException("long-poll read at " + seq + ": " + r.getKey() + " " + r.getValue());
                    }
                    List<dev.brook.core.SequencedRecord> got = ProtoCodec.decodeReadBatch(r.getValue().getBytes()).records();
                    if (got.isEmpty()) {
                        continue; // the wait ran out
                    }
                    long[] seqNums = new long[got.size()];
                    long[] sentAts = new long[got.size()];
                    for (int k = 0; k < seqNums.length; k++) {
                        seqNums[k] = got.get(k).seqNum();
                        sentAts[k] = Bench.sentAt(got.get(k).body());
                    }
                    tally.batch(now, seqNums, sentAts);
                    seq = seqNums[seqNums.length - 1] + 1;
                }
            } catch (InterruptedException e) {
                // the scenario is over
            } catch (Exception e) {
                if (!Thread.currentThread().isInterrupted()) {
                    failure.set(e);
                }
            }
        }, "bench-long-poll");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
