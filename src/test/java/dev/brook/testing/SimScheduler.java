package dev.brook.testing;

import java.util.PriorityQueue;

/**
 * Virtual time for deterministic simulations: one thread runs every event in (time, order of
 * scheduling) order, so a seed reproduces the same interleaving every time. Code under test gets its
 * clocks and delays from here and must not touch real time or threads.
 */
public final class SimScheduler implements Scheduler {

    private record Event(long atMs, long order, Runnable action) {}

    private final PriorityQueue<Event> events = new PriorityQueue<>((a, b) ->
            a.atMs != b.atMs ? Long.compare(a.atMs, b.atMs) : Long.compare(a.order, b.order));
    private long nowMs;
    private long scheduled;
    private long ran;

    public SimScheduler(long startMs) {
        this.nowMs = startMs;
    }

    @Override
    public long nowMs() {
        return nowMs;
    }

    @Override
    public long nanoTime() {
        return nowMs * 1_000_000L;
    }

    @Override
    public void at(long delayMs, Runnable action) {
        events.add(new Event(nowMs + Math.max(0, delayMs), scheduled++, action));
    }


    /** Runs events until none is left or {@code eventsMax} have run; returns whether it drained. */
    @Override
    public boolean run(long eventsMax) {
        long limit = ran + eventsMax;
        while (!events.isEmpty()) {
            if (ran >= limit) {
                return false;
            }
            Event e = events.poll();
            nowMs = e.atMs;
            ran++;
            e.action.run();
        }
        return true;
    }

    public long eventsRun() {
        return ran;
    }
}
