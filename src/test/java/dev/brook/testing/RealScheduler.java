package dev.brook.testing;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Real time for simulations against real servers: scheduled actions run on a small pool, and
 * {@link #run} waits until no action is pending. Not reproducible; used where a real store makes
 * determinism impossible anyway.
 */
public final class RealScheduler implements Scheduler, AutoCloseable {

    private final ScheduledExecutorService pool;
    private final Object lock = new Object();
    private long pending;
    private Throwable failure;

    public RealScheduler(int threads) {
        this.pool = Executors.newScheduledThreadPool(threads, r -> {
            Thread t = new Thread(r, "sim-real");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public long nowMs() {
        return System.currentTimeMillis();
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void at(long delayMs, Runnable action) {
        synchronized (lock) {
            pending++;
        }
        pool.schedule(() -> {
            try {
                action.run();
            } catch (Throwable t) {
                synchronized (lock) {
                    failure = failure == null ? t : failure;
                }
            } finally {
                synchronized (lock) {
                    pending--;
                    lock.notifyAll();
                }
            }
        }, Math.max(0, delayMs), TimeUnit.MILLISECONDS);
    }


    /** Waits (bounded by {@code eventsMax} milliseconds here) until nothing is pending. */
    @Override
    public boolean run(long eventsMax) {
        long deadline = System.currentTimeMillis() + eventsMax;
        synchronized (lock) {
            while (pending > 0) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                try {
                    lock.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            if (failure != null) {
                throw new AssertionError("a scheduled action failed", failure);
            }
            return true;
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
