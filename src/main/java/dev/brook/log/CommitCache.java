package dev.brook.log;

import dev.brook.store.ObjectStore;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/**
 * Decoded commits this process has read or written, shared by all readers of all streams in it, so
 * that a commit is fetched once per process however many followers read it (docs/LOG.md, fan-out).
 * Concurrent reads of one key share one GET. Bounded in bytes (commit bodies), least recently used
 * first out; absent keys are never remembered (a key can be written later).
 *
 * <p>Serving a commit from here is as safe as fetching it: every read still validates with a floor
 * read issued after it collected its commits, and the object at a key at or above the floor is the
 * first and only one ever written there, so it is the one cached (docs/ARCHITECTURE.md, invariant 3).
 */
public final class CommitCache {

    /** Default bound: 64 MiB of commit bodies per process, or an eighth of the heap when that is less. */
    public static final long DEFAULT_BYTES_MAX = Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 8);

    private record Entry(Commit commit, long bytes) {}

    private final long bytesMax;
    private final LinkedHashMap<String, Entry> cached = new LinkedHashMap<>(64, 0.75f, true);
    private final Map<String, CompletableFuture<Optional<Commit>>> inFlight = new HashMap<>();
    private long bytes;
    private final LongAdder fromMemory = new LongAdder();
    private final LongAdder shared = new LongAdder();
    private final LongAdder fetched = new LongAdder();

    public CommitCache(long bytesMax) {
        if (bytesMax < 0) {
            throw new IllegalArgumentException("a cache bound must not be negative: " + bytesMax);
        }
        this.bytesMax = bytesMax;
    }

    /** The commit at {@code objectKey} (which holds {@code key}): cached, joined to a GET in flight, or fetched. */
    CompletionStage<Optional<Commit>> get(ObjectStore store, String objectKey, CommitKey key) {
        CompletableFuture<Optional<Commit>> mine;
        synchronized (this) {
            Entry e = cached.get(objectKey);
            if (e != null) {
                fromMemory.increment();
                return CompletableFuture.completedFuture(Optional.of(e.commit()));
            }
            CompletableFuture<Optional<Commit>> running = inFlight.get(objectKey);
            if (running != null) {
                shared.increment();
                return running;
            }
            mine = new CompletableFuture<>();
            inFlight.put(objectKey, mine);
        }
        fetched.increment();
        store.get(objectKey).whenComplete((object, failure) -> {
            Optional<Commit> commit = Optional.empty();
            Throwable error = failure;
            long size = 0;
            if (error == null && object.isPresent()) {
                try {
                    commit = Optional.of(CommitCodec.decode(key, object.get().body()));
                    size = object.get().body().length;
                } catch (RuntimeException e) {
                    error = e;
                }
            }
            synchronized (this) {
                inFlight.remove(objectKey);
                if (error == null && commit.isPresent()) {
                    remember(objectKey, commit.get(), size);
                }
            }
            if (error != null) {
                mine.completeExceptionally(error);
            } else {
                mine.complete(commit);
            }
        });
        return mine;
    }

    /** A commit this process wrote and won: its followers read it from memory. */
    synchronized void put(String objectKey, Commit commit, long size) {
        remember(objectKey, commit, size);
    }

    /** Bytes held (for tests and metrics). */
    public synchronized long bytes() {
        return bytes;
    }

    /** Commit reads answered from memory, by joining a GET in flight, and by a GET of their own (for metrics). */
    public long readsFromMemory() {
        return fromMemory.sum();
    }

    public long readsShared() {
        return shared.sum();
    }

    public long readsFetched() {
        return fetched.sum();
    }

    private void remember(String objectKey, Commit commit, long size) {
        if (size > bytesMax) {
            return;
        }
        Entry old = cached.put(objectKey, new Entry(commit, size));
        bytes += size - (old == null ? 0 : old.bytes());
        Iterator<Entry> oldest = cached.values().iterator();
        while (bytes > bytesMax && oldest.hasNext()) {
            bytes -= oldest.next().bytes();
            oldest.remove();
        }
    }
}
