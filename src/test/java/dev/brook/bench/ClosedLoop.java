package dev.brook.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Closed-loop writers, the same for Brook and for Redis: {@code writers} threads, each on a connection
 * of its own, each sending a batch and waiting for its answer before the next, for a number of
 * seconds; every batch's latency and the records acknowledged each second are kept. The first failure
 * stops every writer and is thrown.
 */
final class ClosedLoop {

    /** One writer's connection: sends a batch sent at {@code t0} (nanoTime) and returns once it is acknowledged. */
    interface Writer extends AutoCloseable {
        void batch(long t0) throws Exception;

        @Override
        void close() throws Exception;
    }

    interface Connect {
        Writer open() throws Exception;
    }

    /** What a run acknowledged, over how long, each batch's latency (ns) and the per-second counts. */
    record Run(long records, long elapsedNanos, ConcurrentLinkedQueue<Long> latencies, Timeline timeline) {}

    private ClosedLoop() {}

    static Run run(String threadName, int writers, int recordsPerBatch, long seconds, Connect connect) throws Exception {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicLong acked = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        Timeline timeline = new Timeline(start, seconds);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            Thread t = new Thread(() -> {
                try (Writer writer = connect.open()) {
                    while (System.nanoTime() < end && failure.get() == null) {
                        long t0 = System.nanoTime();
                        writer.batch(t0);
                        long now = System.nanoTime();
                        latencies.add(now - t0);
                        acked.addAndGet(recordsPerBatch);
                        timeline.add(now, recordsPerBatch);
                    }
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                }
            }, threadName + "-" + w);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        long elapsed = System.nanoTime() - start;
        if (failure.get() != null) {
            throw failure.get();
        }
        return new Run(acked.get(), elapsed, latencies, timeline);
    }
}
