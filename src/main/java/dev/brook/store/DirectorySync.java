package dev.brook.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Makes directory entries durable before anyone relies on them. A link(2) is visible before the
 * directory holding it is fsynced, so a reader could see an object that a crash would take back;
 * S3 never shows an object before it is durable, and neither may the file store. A directory
 * fsync is cheap when nothing is pending, but not free (~0.1 ms here), so this remembers when
 * each directory's last fsync started: an entry whose inode changed (ctime) well before that is
 * already durable. Directories are never removed by the file store, so a directory whose own
 * entry was made durable once stays durable.
 */
final class DirectorySync {

    /** ctime comes from a coarse kernel clock; entries this close to a sync are synced again. */
    static final long CLOCK_MARGIN_MS = 1_000;
    static final int TRACKED_DIRECTORIES_MAX = 100_000;

    private final Path root;
    private final LongSupplier wallClockMs;
    private final ConcurrentHashMap<Path, Long> lastSyncStartMs = new ConcurrentHashMap<>();
    private final Set<Path> durableDirectories = ConcurrentHashMap.newKeySet();
    private final AtomicLong latestNowMs = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong syncs = new AtomicLong();

    DirectorySync(Path root, LongSupplier wallClockMs) {
        this.root = root;
        this.wallClockMs = wallClockMs;
    }

    /** fsyncs {@code dir}: every entry changed in it before this call is durable after it. */
    void sync(Path dir) throws IOException {
        long start = now();
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
        syncs.incrementAndGet();
        if (lastSyncStartMs.size() >= TRACKED_DIRECTORIES_MAX) {
            lastSyncStartMs.clear();
        }
        lastSyncStartMs.merge(dir, start, Math::max);
    }

    /** Makes an entry of {@code dir} whose inode last changed at {@code changedMs} durable, with its ancestors. */
    void ensureDurable(Path dir, long changedMs) throws IOException {
        Long synced = lastSyncStartMs.get(dir);
        if (synced == null || changedMs >= synced - CLOCK_MARGIN_MS) {
            sync(dir);
        }
        ensureLinked(dir);
    }

    /** Makes the entries naming {@code dir} and each of its ancestors below the root durable. */
    void ensureLinked(Path dir) throws IOException {
        for (Path d = dir; d.startsWith(root) && !d.equals(root) && !durableDirectories.contains(d); d = d.getParent()) {
            sync(d.getParent());
            if (durableDirectories.size() >= TRACKED_DIRECTORIES_MAX) {
                durableDirectories.clear();
            }
            durableDirectories.add(d);
        }
    }

    /** How many fsyncs this has done. */
    long syncs() {
        return syncs.get();
    }

    /** Wall-clock now; if the clock stepped back past the margin, forget every recorded sync. */
    private long now() {
        long now = wallClockMs.getAsLong();
        long latest = latestNowMs.getAndAccumulate(now, Math::max);
        if (now < latest - CLOCK_MARGIN_MS) {
            lastSyncStartMs.clear();
            latestNowMs.set(now);
        }
        return now;
    }
}
