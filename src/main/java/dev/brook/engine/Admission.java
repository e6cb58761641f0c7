package dev.brook.engine;

import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What one process takes on at once: open sessions (SSE, S2S read and append) and appended bytes
 * not yet answered (unary and session appends). A request over either cap is refused with a
 * retryable error before it changes anything; an append session over the bytes cap stops reading
 * its input until earlier batches are answered (backpressure through TCP / HTTP/2 flow control).
 */
public final class Admission {

    private final int sessionsMax;
    private final long inflightBytesMax;
    private final AtomicInteger sessions = new AtomicInteger();
    private long inflightBytes;
    private final ArrayDeque<Runnable> waiters = new ArrayDeque<>();

    public Admission(int sessionsMax, long inflightBytesMax) {
        if (sessionsMax < 1 || inflightBytesMax < dev.brook.core.Limits.BATCH_METERED_BYTES_MAX) {
            throw new IllegalArgumentException("sessions max must be >= 1 and in-flight bytes max >= one full batch");
        }
        this.sessionsMax = sessionsMax;
        this.inflightBytesMax = inflightBytesMax;
    }

    public int sessionsMax() {
        return sessionsMax;
    }

    public long inflightBytesMax() {
        return inflightBytesMax;
    }

    /** Takes a session slot; false when the process already serves its maximum. */
    public boolean openSession() {
        while (true) {
            int n = sessions.get();
            if (n >= sessionsMax) {
                return false;
            }
            if (sessions.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /**
     * Admits a session: takes its slot (give it back with {@link #closeSession}), or refuses with
     * {@code 429 rate_limited}, retryable, before anything is done.
     */
    public void admitSession() {
        if (!openSession()) {
            throw new S2Error(ErrorCode.RATE_LIMITED, "this server already serves its maximum of " + sessionsMax
                    + " sessions; retry later or on another instance");
        }
    }

    public void closeSession() {
        sessions.decrementAndGet();
    }

    public int openSessions() {
        return sessions.get();
    }

    /** Reserves {@code bytes} of in-flight appends; false (nothing reserved) when that would pass the cap. */
    public synchronized boolean reserve(long bytes) {
        if (inflightBytes + bytes > inflightBytesMax) {
            return false;
        }
        inflightBytes += bytes;
        return true;
    }

    /**
     * Runs a unary append of {@code bytes} (metered) under the in-flight cap: refused with {@code 429
     * rate_limited}, retryable, before anything is done when it would pass the cap; otherwise its
     * bytes are held until the append is answered.
     */
    public <T> CompletionStage<T> admitAppend(long bytes, Supplier<CompletionStage<T>> append) {
        if (!reserve(bytes)) {
            throw new S2Error(ErrorCode.RATE_LIMITED, "this server already holds its maximum of " + inflightBytesMax
                    + " appended bytes in flight; retry later or on another instance");
        }
        CompletionStage<T> answered;
        try {
            answered = append.get();
        } catch (RuntimeException e) {
            release(bytes);
            throw e;
        }
        return answered.whenComplete((r, e) -> release(bytes));
    }

    /** Gives back a reservation, and tells every waiter that room was made. */
    public void release(long bytes) {
        ArrayDeque<Runnable> woken;
        synchronized (this) {
            inflightBytes -= bytes;
            if (waiters.isEmpty()) {
                return;
            }
            woken = new ArrayDeque<>(waiters);
            waiters.clear();
        }
        woken.forEach(Runnable::run);
    }

    /**
     * Runs {@code retry} once room is made (it should try {@link #reserve} again and wait again if it
     * fails). Runs it at once when nothing is in flight, so a waiter never waits for nothing.
     */
    public void whenReleased(Runnable retry) {
        synchronized (this) {
            if (inflightBytes > 0) {
                waiters.add(retry);
                return;
            }
        }
        retry.run();
    }

    public synchronized long inflightBytes() {
        return inflightBytes;
    }
}
