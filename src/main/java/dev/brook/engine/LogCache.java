package dev.brook.engine;

import dev.brook.log.StreamLog;
import dev.brook.store.ResilientObjectStore;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The stream logs of one process: one {@link StreamLog} (one group-commit queue) and one
 * {@link TailWatch} per incarnation, whatever the cache does. S2's prefix rule for append sessions
 * and local wake-ups of waiting readers both rest on that: a second log for the same incarnation
 * would be a second queue deciding a session's later batches before its earlier ones are answered,
 * and a watch bound to a forgotten log would miss this process's commits (docs/ARCHITECTURE.md).
 * So every use holds a lease, and only logs nothing uses are evicted: no lease (an append queued or
 * in flight, a read, a pinned session, a waiting reader), an idle committer, no waiter. The cap is
 * soft: while more logs than it are in use, the cache holds them all.
 */
final class LogCache {

    interface Factory {
        StreamLog create(StreamRecord s);
    }

    private static final class Entry {
        final StreamLog log;
        TailWatch watch;
        int leases;

        Entry(StreamLog log) {
            this.log = log;
        }

        boolean unused() {
            return leases == 0 && log.idle() && (watch == null || watch.idle());
        }
    }

    /** A use of one incarnation's log; closing it (once) lets the log be evicted when nothing else uses it. */
    final class Lease implements DataPlane.Pin {
        private final Entry entry;
        private boolean closed;

        private Lease(Entry entry) {
            this.entry = entry;
        }

        StreamLog log() {
            return entry.log;
        }

        /** The incarnation's one watch in this process, bound to its one log. */
        TailWatch watch() {
            synchronized (entries) {
                if (entry.watch == null) {
                    entry.watch = new TailWatch(entry.log, delay, polling);
                }
                return entry.watch;
            }
        }

        @Override
        public void close() {
            synchronized (entries) {
                if (closed) {
                    return;
                }
                closed = true;
                entry.leases--;
                evictUnused();
            }
        }
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>(256, 0.75f, true);
    private final int cachedMax;
    private final Factory factory;
    private final ResilientObjectStore.Delay delay;
    private final TailWatch.Polling polling;

    LogCache(int cachedMax, Factory factory, ResilientObjectStore.Delay delay) {
        this(cachedMax, factory, delay, TailWatch.Polling.ALONE);
    }

    LogCache(int cachedMax, Factory factory, ResilientObjectStore.Delay delay, TailWatch.Polling polling) {
        this.polling = polling;
        this.cachedMax = cachedMax;
        this.factory = factory;
        this.delay = delay;
    }

    Lease acquire(StreamRecord s) {
        synchronized (entries) {
            Entry e = entries.get(s.sid());
            if (e == null) {
                e = new Entry(factory.create(s));
                entries.put(s.sid(), e);
            }
            e.leases++;
            evictUnused();
            return new Lease(e);
        }
    }

    /** Runs {@code op} on the incarnation's log under a lease held until the stage completes. */
    <T> CompletionStage<T> using(StreamRecord s, Function<Lease, CompletionStage<T>> op) {
        return run(acquire(s), op);
    }

    private static <T> CompletionStage<T> run(Lease lease, Function<Lease, CompletionStage<T>> op) {
        CompletionStage<T> stage;
        try {
            stage = op.apply(lease);
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
        stage.whenComplete((x, e) -> lease.close());
        return stage;
    }

    /** Like {@link #using}, but only for an incarnation whose log this process holds now; empty otherwise. */
    <T> java.util.Optional<CompletionStage<T>> usingIfPresent(String sid, Function<Lease, CompletionStage<T>> op) {
        Lease lease;
        synchronized (entries) {
            Entry e = entries.get(sid);
            if (e == null) {
                return java.util.Optional.empty();
            }
            e.leases++;
            lease = new Lease(e);
        }
        return java.util.Optional.of(run(lease, op));
    }

    /**
     * The incarnation's log when this process holds it now, else null; for a use that ends before the
     * caller returns (a read from memory), which needs no lease: eviction only drops the log from
     * this map, and what the caller reads from it stays true.
     */
    StreamLog logIfPresent(String sid) {
        synchronized (entries) {
            Entry e = entries.get(sid);
            return e == null ? null : e.log;
        }
    }

    /** The incarnation's watch, when this process holds its log and someone made it wait there. */
    java.util.Optional<TailWatch> watchIfPresent(String sid) {
        synchronized (entries) {
            Entry e = entries.get(sid);
            return e == null ? java.util.Optional.empty() : java.util.Optional.ofNullable(e.watch);
        }
    }

    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    /** Least recently used first, skipping what is in use; bounded by the number of entries. */
    private void evictUnused() {
        Iterator<Entry> it = entries.values().iterator();
        while (entries.size() > cachedMax && it.hasNext()) {
            if (it.next().unused()) {
                it.remove();
            }
        }
    }
}
