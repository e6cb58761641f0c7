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
 * <p>Serving a commit from here is as safe as fetching it. An entry is <em>validated</em> once a floor
 * read issued after its object was read (or, for a commit this process wrote, the writer's floor
 * guard) was at or below its key: that object is then the first and only one ever written at the
 * key, and stays so, since floors never go down and only a freed key can take a second object. A
 * read whose commits are all validated entries needs no floor read of its own; any other read
 * still validates with a floor read issued after it collected its commits, and marks what passed
 * (docs/LOG.md, "Reading"; docs/ARCHITECTURE.md, invariant 3).
 */
public final class CommitCache {

    /** Default bound: 64 MiB of commit bodies per process, or an eighth of the heap when that is less. */
    public static final long DEFAULT_BYTES_MAX = Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 8);

    /**
     * A cached commit: its summary (from the object's metadata, or its body when that is missing)
     * and whether it was validated (see above).
     */
    public record Cached(Commit commit, CommitSummary summary, boolean validated) {}

    private static final class Entry {
        final Commit commit;
        final CommitSummary summary;
        final long bytes;
        boolean validated; // guarded by the cache

        Entry(Commit commit, CommitSummary summary, long bytes, boolean validated) {
            this.commit = commit;
            this.summary = summary;
            this.bytes = bytes;
            this.validated = validated;
        }

        Cached view() {
            return new Cached(commit, summary, validated);
        }
    }

    private final long bytesMax;
    private final LinkedHashMap<String, Entry> cached = new LinkedHashMap<>(64, 0.75f, true);
    private final Map<String, CompletableFuture<Optional<Cached>>> inFlight = new HashMap<>();
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
        return fetch(store, objectKey, key).thenApply(c -> c.map(Cached::commit));
    }

    /** Like {@link #get}, with the commit's summary and whether it is validated. */
    CompletionStage<Optional<Cached>> fetch(ObjectStore store, String objectKey, CommitKey key) {
        CompletableFuture<Optional<Cached>> mine;
        synchronized (this) {
            Entry e = cached.get(objectKey);
            if (e != null) {
                fromMemory.increment();
                return CompletableFuture.completedFuture(Optional.of(e.view()));
            }
            CompletableFuture<Optional<Cached>> running = inFlight.get(objectKey);
            if (running != null) {
                shared.increment();
                return running;
            }
            mine = new CompletableFuture<>();
            inFlight.put(objectKey, mine);
        }
        fetched.increment();
        store.get(objectKey).whenComplete((object, failure) -> {
            Optional<Cached> found = Optional.empty();
            Throwable error = failure;
            if (error == null && object.isPresent()) {
                try {
                    byte[] body = object.get().body();
                    Commit commit = CommitCodec.decode(key, body);
                    long modified = object.get().info().lastModifiedMs();
                    CommitSummary summary = CommitCodec.summaryOf(key, object.get().info().metadata(), modified)
                            .orElseGet(() -> CommitCodec.summaryOf(commit, CommitCodec.sha256(body), modified));
                    found = Optional.of(new Cached(commit, summary, false));
                } catch (RuntimeException e) {
                    error = e;
                }
            }
            synchronized (this) {
                inFlight.remove(objectKey);
                if (error == null && found.isPresent()) {
                    Entry had = cached.get(objectKey);
                    if (had == null) {
                        remember(objectKey, new Entry(found.get().commit(), found.get().summary(), object.get().body().length, false));
                    } else {
                        found = Optional.of(had.view()); // put by its writer meanwhile
                    }
                }
            }
            if (error != null) {
                mine.completeExceptionally(error);
            } else {
                mine.complete(found);
            }
        });
        return mine;
    }

    /** The commit at {@code objectKey} when this process holds it validated, else null: a read from memory only (Reader#readOnFromMemory). */
    synchronized Cached validatedInMemory(String objectKey) {
        Entry e = cached.get(objectKey);
        if (e == null || !e.validated) {
            return null;
        }
        fromMemory.increment();
        return e.view();
    }

    /**
     * Marks the entry at {@code objectKey} validated, if it still holds {@code commit}: the caller
     * read the floor after that object was read and found it at or below the commit's key.
     */
    synchronized void validated(String objectKey, Commit commit) {
        Entry e = cached.get(objectKey);
        if (e != null && e.commit == commit) {
            e.validated = true;
        }
    }

    /** A commit this process wrote and won, after its floor guard (so validated): its followers read it from memory. */
    synchronized void put(String objectKey, Commit commit, CommitSummary summary, long size) {
        remember(objectKey, new Entry(commit, summary, size, true));
    }

    /**
     * Decoded segments (docs/LOG.md, "Compaction"), shared by every log of the process like the
     * commits, least recently used first out, bounded by the same number of bytes (held apart).
     */
    private final LinkedHashMap<String, Segments.Cell> cells = new LinkedHashMap<>(16, 0.75f, true);
    private long cellBytes;

    synchronized Optional<Segments.Cell> cell(String segmentKey) {
        return Optional.ofNullable(cells.get(segmentKey));
    }

    synchronized void rememberCell(String segmentKey, Segments.Cell cell) {
        if (cell.bytes() > bytesMax) {
            return;
        }
        Segments.Cell old = cells.put(segmentKey, cell);
        cellBytes += cell.bytes() - (old == null ? 0 : old.bytes());
        Iterator<Segments.Cell> oldest = cells.values().iterator();
        while (cellBytes > bytesMax && oldest.hasNext()) {
            cellBytes -= oldest.next().bytes();
            oldest.remove();
        }
    }

    synchronized void forgetCell(String segmentKey) {
        Segments.Cell old = cells.remove(segmentKey);
        if (old != null) {
            cellBytes -= old.bytes();
        }
    }

    /** The bound on bytes held (commits; segments apart). */
    public long bytesMax() {
        return bytesMax;
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

    private void remember(String objectKey, Entry entry) {
        if (entry.bytes > bytesMax) {
            return;
        }
        Entry old = cached.put(objectKey, entry);
        bytes += entry.bytes - (old == null ? 0 : old.bytes);
        Iterator<Entry> oldest = cached.values().iterator();
        while (bytes > bytesMax && oldest.hasNext()) {
            bytes -= oldest.next().bytes;
            oldest.remove();
        }
    }
}
