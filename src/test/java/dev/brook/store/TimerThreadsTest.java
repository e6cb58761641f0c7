package dev.brook.store;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The real timer behind every backoff, poll and wait (docs/DECISIONS.md 35) starts no thread per
 * timer. {@code CompletableFuture.delayedExecutor} without an executor of its own did, on machines
 * with one or two CPUs (where the common pool has no parallelism and the default async executor
 * starts a thread per task): a scale-to-zero instance typically has one or two vCPUs.
 */
class TimerThreadsTest {

    @Test
    void twoHundredTimersStartAtMostAFewThreads() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ResilientObjectStore.Delay.REAL.after(0).toCompletableFuture().join(); // the timer thread itself, once
        long before = threads.getTotalStartedThreadCount();
        List<CompletableFuture<Void>> timers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            timers.add(ResilientObjectStore.Delay.REAL.after(i % 5).toCompletableFuture());
        }
        CompletableFuture.allOf(timers.toArray(CompletableFuture[]::new)).join();
        long started = threads.getTotalStartedThreadCount() - before;
        assertTrue(started < 20, "200 timers started " + started + " threads");
    }

    @Test
    void timersCompletedEarlyLeaveTheQueueAtOnce() {
        // A follower woken before its wait ends cancels its timer; a thousand followers per commit
        // must not leave a thousand timers queued for the rest of their waits.
        int before = ResilientObjectStore.Timer.queued();
        List<CompletableFuture<Void>> timers = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            timers.add(ResilientObjectStore.Delay.REAL.after(3_600_000).toCompletableFuture());
        }
        assertTrue(ResilientObjectStore.Timer.queued() >= before + 1000, "the timers are queued");
        timers.forEach(t -> t.complete(null)); // what a follower woken early does
        assertTrue(ResilientObjectStore.Timer.queued() <= before, ResilientObjectStore.Timer.queued() + " timers still queued after completing them early");
    }
}
