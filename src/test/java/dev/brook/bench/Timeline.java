package dev.brook.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/** Records acknowledged (or delivered) per second of a scenario, for its throughput-over-time plot. Thread-safe. */
final class Timeline {

    /** Seconds counted past the planned length (the last acks of a closed loop, a drain); later ones go in the last slot. */
    static final int SLACK_SECONDS = 5;

    private final long startNanos;
    private final int plannedSeconds;
    private final AtomicLongArray counts;

    Timeline(long startNanos, long plannedSeconds) {
        this.startNanos = startNanos;
        this.plannedSeconds = (int) plannedSeconds;
        this.counts = new AtomicLongArray((int) plannedSeconds + SLACK_SECONDS);
    }

    /** {@code n} records at {@code nowNanos} (System.nanoTime). */
    void add(long nowNanos, long n) {
        long second = Math.max(0, nowNanos - startNanos) / TimeUnit.SECONDS.toNanos(1);
        counts.addAndGet((int) Math.min(counts.length() - 1, second), n);
    }

    /**
     * Records per second over the planned seconds, up to the last one with any: what came after them (the last
     * acks of a closed loop) is a partial second and left out.
     */
    long[] perSecond() {
        int last = plannedSeconds - 1;
        while (last >= 0 && counts.get(last) == 0) {
            last--;
        }
        long[] out = new long[last + 1];
        for (int i = 0; i <= last; i++) {
            out[i] = counts.get(i);
        }
        return out;
    }
}
