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

    /**
     * Default read-ahead window: 32 MiB per process, or a sixteenth of the heap when that is less
     * (docs/LOG.md, "Read-ahead").
     */
    public static final long DEFAULT_READ_AHEAD_BYTES = Math.min(32L << 20, Runtime.getRuntime().maxMemory() / 16);

    public CommitCache(long bytesMax) {
        this(bytesMax, DEFAULT_READ_AHEAD_BYTES);
    }

    /**
     * @param bytesMax          the bound on commit bodies held (and, apart, on segments held)
     * @param readAheadBytesMax the read-ahead window of the process: bytes of GETs a catch-up issued ahead of
     *                          what it serves, in flight or landed and not served yet (docs/LOG.md, "Read-ahead");
     *                          0: no read-ahead
     */
    public CommitCache(long bytesMax, long readAheadBytesMax) {
        if (bytesMax < 0 || readAheadBytesMax < 0) {
            throw new IllegalArgumentException("a cache bound must not be negative: " + bytesMax + ", " + readAheadBytesMax);
        }
        this.bytesMax = bytesMax;
        this.aheadBytesMax = readAheadBytesMax;
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

    /** Whether the commit at {@code objectKey} is held (read-ahead skips it). */
    synchronized boolean holds(String objectKey) {
        return cached.containsKey(objectKey);
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
        Segments.Cell c = cells.get(segmentKey);
        if (c == null) {
            c = aheadCells.remove(segmentKey);
            if (c != null) {
                // Read ahead, and now served: out of the window, into the cache like any cell read.
                aheadHeld -= c.bytes();
                rememberCell(segmentKey, c);
            }
        }
        return Optional.ofNullable(c);
    }

    /*
     * The read-ahead window (docs/LOG.md, "Read-ahead"): one bound, in bytes, on what catch-ups of every
     * stream of the process fetched ahead of what they serve: GETs in flight (reserved by an estimate of their
     * size before they are sent) and cells landed but not served yet (held here, apart from the cache, oldest
     * first out, so a catch-up that stopped leaves nothing pinned: the next read-ahead of any stream pushes
     * it out). Commits read ahead land in the cache itself (bounded by bytesMax) and hold nothing here.
     */
    private final long aheadBytesMax;
    private final LinkedHashMap<String, Segments.Cell> aheadCells = new LinkedHashMap<>();
    private long aheadHeld;
    private long aheadInFlight;
    private long aheadHighWater;

    /** The read-ahead window's bound. */
    public long readAheadBytesMax() {
        return aheadBytesMax;
    }

    /**
     * Reserves {@code bytes} of the window for a GET about to be sent ahead; false when the window is full
     * of GETs in flight (cells landed and not served make room, oldest first).
     */
    synchronized boolean reserveAhead(long bytes) {
        if (bytes <= 0 || aheadInFlight + bytes > aheadBytesMax) {
            return false;
        }
        makeRoomAhead(bytes);
        aheadInFlight += bytes;
        aheadHighWater = Math.max(aheadHighWater, aheadHeld + aheadInFlight);
        return true;
    }

    /**
     * A GET sent ahead with {@code reserved} bytes landed: its reservation goes back, and the cell it
     * found, if any, is held until served when it fits in the window (else dropped: it is fetched again
     * when needed). Commits read ahead pass no cell (they are in the cache).
     */
    synchronized void landAhead(long reserved, String segmentKey, Segments.Cell cell) {
        aheadInFlight -= reserved;
        if (cell == null || cells.containsKey(segmentKey) || aheadCells.containsKey(segmentKey)) {
            return;
        }
        makeRoomAhead(cell.bytes());
        if (aheadHeld + aheadInFlight + cell.bytes() <= aheadBytesMax) {
            aheadCells.put(segmentKey, cell);
            aheadHeld += cell.bytes();
            aheadHighWater = Math.max(aheadHighWater, aheadHeld + aheadInFlight);
        }
    }

    /** Drops cells read ahead and not served, oldest first, until {@code bytes} more fit in the window (or none is left). */
    private void makeRoomAhead(long bytes) {
        Iterator<Segments.Cell> oldest = aheadCells.values().iterator();
        while (aheadHeld + aheadInFlight + bytes > aheadBytesMax && oldest.hasNext()) {
            aheadHeld -= oldest.next().bytes();
            oldest.remove();
        }
    }

    /** Whether a cell is held, in the cache or read ahead (without serving it). */
    synchronized boolean holdsCell(String segmentKey) {
        return cells.containsKey(segmentKey) || aheadCells.containsKey(segmentKey);
    }

    /** The most the read-ahead window ever held, in flight and landed (tests). */
    public synchronized long readAheadHighWater() {
        return aheadHighWater;
    }

    /** Bytes in the read-ahead window now (tests, metrics). */
    public synchronized long readAheadBytes() {
        return aheadHeld + aheadInFlight;
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
        Segments.Cell ahead = aheadCells.remove(segmentKey);
        if (ahead != null) {
            aheadHeld -= ahead.bytes();
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
