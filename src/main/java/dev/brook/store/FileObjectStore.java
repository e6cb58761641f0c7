package dev.brook.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The embedded default: one file per object under {@code <root>/objects}, written so that a
 * process or machine crash at any point leaves each key either absent or whole.
 *
 * <p>A write goes to a temp file in {@code <root>/tmp}, is fsynced, and is then linked to its
 * final name with link(2), which fails if the name exists: that is the conditional create, atomic
 * across threads and processes. The directory is fsynced before the outcome is reported, and
 * readers make sure an entry is durable before they serve it ({@link DirectorySync}).
 *
 * <p>Key {@code a/b/c} is the file {@code objects/a/b/c@}: the suffix keeps an object's file
 * apart from the directory of keys below it (S3 allows both {@code a} and {@code a/b}).
 */
public final class FileObjectStore implements ObjectStore {

    static final String OBJECT_SUFFIX = "@";
    public static final int IO_THREADS_DEFAULT = 32;
    static final int IO_QUEUE_MAX = 10_000;
    /** Temp files older than this at startup belong to no live write and are removed. */
    static final long TEMP_FILE_AGE_MAX_MS = 10 * 60_000;

    private final Path root;
    private final Path objects;
    private final Path tmp;
    private final ThreadPoolExecutor io;
    private final DirectorySync sync;
    private final String tempPrefix;
    private final AtomicLong tempCounter = new AtomicLong();

    private FileObjectStore(Path root, int ioThreads, LongSupplier wallClockMs, long instanceNonce) {
        this.root = root;
        this.objects = root.resolve("objects");
        this.tmp = root.resolve("tmp");
        this.sync = new DirectorySync(objects, wallClockMs);
        this.tempPrefix = HexFormat.of().toHexDigits(instanceNonce) + "-";
        AtomicLong threadNumber = new AtomicLong();
        this.io = new ThreadPoolExecutor(ioThreads, ioThreads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(IO_QUEUE_MAX), r -> {
            Thread t = new Thread(r, "brook-file-io-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.io.allowCoreThreadTimeOut(true);
    }

    /**
     * Opens (creating if needed) the store at {@code root} and proves it writable.
     *
     * @throws StoreException FATAL, with one line naming the problem, when it cannot be used
     */
    public static FileObjectStore open(Path root, int ioThreads, LongSupplier wallClockMs, long instanceNonce) {
        Path abs = root.toAbsolutePath().normalize();
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw new StoreException(StoreException.Kind.FATAL, "`" + abs + "` exists and is not a directory");
        }
        FileObjectStore store = new FileObjectStore(abs, ioThreads, wallClockMs, instanceNonce);
        try {
            Path existing = abs;
            while (existing != null && !Files.isDirectory(existing)) {
                existing = existing.getParent();
            }
            Files.createDirectories(store.objects);
            Files.createDirectories(store.tmp);
            // Make the entries of every directory created here durable, up to one that existed.
            for (Path d = abs; d != null; d = d.getParent()) {
                store.sync.sync(d);
                if (d.equals(existing)) {
                    break;
                }
            }
            store.removeStaleTempFiles(wallClockMs.getAsLong());
            Path probe = store.writeTemp(new byte[0], new byte[0], new byte[0]);
            Files.delete(probe);
        } catch (IOException e) {
            store.close();
            throw new StoreException(StoreException.Kind.FATAL, "directory `" + abs + "` is not usable: " + reason(e), e);
        }
        return store;
    }

    @Override
    public CompletionStage<PutOutcome> putIfAbsent(String key, byte[] body, Map<String, String> metadata) {
        Path target = pathOf(key);
        byte[] header = ObjectFileFormat.encodeHeader(StoreKeys.checkMetadata(metadata), body.length);
        byte[] trailer = ObjectFileFormat.trailer(header, body);
        return submit("put-if-absent", key, () -> {
            Path dir = target.getParent();
            Path temp = writeTemp(header, body, trailer);
            PutOutcome outcome;
            try {
                createDirectories(dir);
                Files.createLink(target, temp);
                outcome = PutOutcome.CREATED;
            } catch (FileAlreadyExistsException e) {
                outcome = PutOutcome.ALREADY_EXISTS;
            } finally {
                Files.deleteIfExists(temp);
            }
            // Also after ALREADY_EXISTS: the winner's entry may not be durable yet, and the caller
            // is about to act on its existence.
            sync.sync(dir);
            return outcome;
        });
    }

    @Override
    public CompletionStage<Void> put(String key, byte[] body, Map<String, String> metadata) {
        Path target = pathOf(key);
        byte[] header = ObjectFileFormat.encodeHeader(StoreKeys.checkMetadata(metadata), body.length);
        byte[] trailer = ObjectFileFormat.trailer(header, body);
        return submit("put", key, () -> {
            Path temp = writeTemp(header, body, trailer);
            try {
                createDirectories(target.getParent());
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
            sync.sync(target.getParent());
            return null;
        });
    }

    @Override
    public CompletionStage<Optional<StoredObject>> get(String key) {
        Path target = pathOf(key);
        return submit("get", key, () -> {
            ObjectFileFormat.Header header;
            byte[] body;
            Map<String, Object> attributes;
            try (FileChannel channel = FileChannel.open(target, StandardOpenOption.READ)) {
                long size = channel.size();
                if (size <= IN_PLACE_BYTES_MIN) {
                    byte[] file = readAt(channel, new byte[(int) size], 0, 0);
                    header = ObjectFileFormat.decodeHeader(key, ByteBuffer.wrap(file), file.length);
                    body = ObjectFileFormat.decodeBody(key, file, header);
                } else {
                    // A large object (a segment): its body read straight into its own array, no copy of the whole file.
                    byte[] head = readAt(channel, new byte[ObjectFileFormat.HEADER_BYTES_MAX], 0, 0);
                    header = ObjectFileFormat.decodeHeader(key, ByteBuffer.wrap(head), size);
                    body = new byte[header.bodyLength()];
                    int inHead = head.length - header.headerLength();
                    System.arraycopy(head, header.headerLength(), body, 0, inHead);
                    readAt(channel, body, inHead, header.headerLength() + (long) inHead);
                    ObjectFileFormat.checkBody(key, head, header, body, readAt(channel, new byte[ObjectFileFormat.TRAILER_BYTES], 0,
                            size - ObjectFileFormat.TRAILER_BYTES));
                }
                attributes = attributes(target);
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
            sync.ensureDurable(target.getParent(), millis(attributes, "ctime"));
            ObjectInfo info = new ObjectInfo(key, body.length, millis(attributes, "lastModifiedTime"), header.metadata());
            return Optional.of(new StoredObject(info, body));
        });
    }

    @Override
    public CompletionStage<Optional<ObjectInfo>> head(String key) {
        Path target = pathOf(key);
        return submit("head", key, () -> {
            ObjectFileFormat.Header header;
            Map<String, Object> attributes;
            try (FileChannel channel = FileChannel.open(target, StandardOpenOption.READ)) {
                ByteBuffer buffer = ByteBuffer.allocate(ObjectFileFormat.HEADER_BYTES_MAX);
                while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                    // fill up to the header limit or the end of the file
                }
                header = ObjectFileFormat.decodeHeader(key, buffer.flip(), channel.size());
                attributes = attributes(target);
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
            sync.ensureDurable(target.getParent(), millis(attributes, "ctime"));
            return Optional.of(new ObjectInfo(key, header.bodyLength(), millis(attributes, "lastModifiedTime"), header.metadata()));
        });
    }

    @Override
    public CompletionStage<ListPage> list(String prefix, String startAfter, int limit) {
        StoreKeys.checkPrefix(prefix);
        StoreKeys.checkLimit(limit);
        return submit("list", prefix, () -> {
            int slash = prefix.lastIndexOf('/');
            String baseKey = prefix.substring(0, slash + 1);
            Path base = baseKey.isEmpty() ? objects : objects.resolve(baseKey);
            Listing listing = new Listing(prefix, startAfter, limit);
            if (Files.isDirectory(base)) {
                listing.walk(base, baseKey);
            }
            return new ListPage(listing.found, listing.next);
        });
    }

    @Override
    public CompletionStage<Void> delete(String key) {
        Path target = pathOf(key);
        return submit("delete", key, () -> {
            if (Files.deleteIfExists(target)) {
                sync.sync(target.getParent());
            }
            return null;
        });
    }

    @Override
    public String describe() {
        return "file:" + root;
    }

    @Override
    public void close() {
        io.shutdown();
    }

    /** A depth-first walk in key order: a directory sorts as its key plus '/'. */
    private final class Listing {
        private final String prefix;
        private final String startAfter;
        private final int limit;
        private final List<ListPage.Entry> found = new ArrayList<>();
        private Optional<String> next = Optional.empty();

        Listing(String prefix, String startAfter, int limit) {
            this.prefix = prefix;
            this.startAfter = startAfter;
            this.limit = limit;
        }

        private record Child(String key, Path path, boolean directory) {}

        /** Returns false once the page is full and one more key was seen. */
        boolean walk(Path dir, String dirKey) throws IOException {
            List<Child> children = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (name.endsWith(OBJECT_SUFFIX)) {
                        String key = dirKey + name.substring(0, name.length() - OBJECT_SUFFIX.length());
                        if (StoreKeys.isValidKey(key)) {
                            children.add(new Child(key, entry, false));
                        }
                    } else if (StoreKeys.isValidKey(dirKey + name)) {
                        children.add(new Child(dirKey + name + "/", entry, true));
                    }
                }
            } catch (NoSuchFileException e) {
                return true;
            }
            children.sort(Comparator.comparing(Child::key));
            boolean synced = false;
            for (Child child : children) {
                String key = child.key;
                if (!key.startsWith(prefix) && !(child.directory && prefix.startsWith(key))) {
                    continue;
                }
                if (child.directory) {
                    boolean allAtOrBeforeStart = startAfter.compareTo(key) > 0 && !startAfter.startsWith(key);
                    if (!allAtOrBeforeStart && Files.isDirectory(child.path) && !walk(child.path, key)) {
                        return false;
                    }
                    continue;
                }
                if (key.compareTo(startAfter) <= 0) {
                    continue;
                }
                if (found.size() == limit) {
                    next = Optional.of(found.get(found.size() - 1).key());
                    return false;
                }
                Map<String, Object> attributes;
                try {
                    attributes = attributes(child.path);
                } catch (NoSuchFileException e) {
                    continue;
                }
                if (!synced) {
                    sync.ensureDurable(dir, millis(attributes(dir), "ctime"));
                    synced = true;
                }
                found.add(new ListPage.Entry(key, millis(attributes, "lastModifiedTime")));
            }
            return true;
        }
    }

    private interface Blocking<T> {
        T run() throws IOException;
    }

    private <T> CompletionStage<T> submit(String operation, String key, Blocking<T> work) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return work.run();
                } catch (IOException e) {
                    throw failure(operation, key, e);
                }
            }, io);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new StoreException(StoreException.Kind.TRANSIENT,
                    describe() + ": " + operation + " `" + key + "` refused: " + IO_QUEUE_MAX + " operations already queued"));
        }
    }

    private StoreException failure(String operation, String key, IOException e) {
        boolean fatal = e instanceof AccessDeniedException || e instanceof NotDirectoryException
                || (e instanceof FileSystemException fse && String.valueOf(fse.getReason()).contains("Read-only"));
        return new StoreException(fatal ? StoreException.Kind.FATAL : StoreException.Kind.TRANSIENT,
                describe() + ": " + operation + " `" + key + "` failed: " + reason(e), e);
    }

    private static String reason(IOException e) {
        if (e instanceof FileSystemException fse) {
            String why = fse.getReason() != null ? fse.getReason() : e.getClass().getSimpleName();
            return why + " (" + fse.getFile() + ")";
        }
        return String.valueOf(e.getMessage());
    }

    private Path pathOf(String key) {
        StoreKeys.checkKey(key);
        int slash = key.lastIndexOf('/');
        Path dir = slash < 0 ? objects : objects.resolve(key.substring(0, slash));
        return dir.resolve(key.substring(slash + 1) + OBJECT_SUFFIX);
    }

    private void createDirectories(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
        }
        sync.ensureLinked(dir);
    }

    private Path writeTemp(byte[] header, byte[] body, byte[] trailer) throws IOException {
        Path temp = tmp.resolve(tempPrefix + tempCounter.incrementAndGet() + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer[] parts = {ByteBuffer.wrap(header), ByteBuffer.wrap(body), ByteBuffer.wrap(trailer)};
            long remaining = (long) header.length + body.length + trailer.length;
            while (remaining > 0) {
                remaining -= channel.write(parts);
            }
            channel.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return temp;
    }

    private void removeStaleTempFiles(long nowMs) throws IOException {
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(tmp)) {
            for (Path temp : temps) {
                if (Files.getLastModifiedTime(temp).toMillis() < nowMs - TEMP_FILE_AGE_MAX_MS) {
                    Files.deleteIfExists(temp);
                }
            }
        }
    }

    private static Map<String, Object> attributes(Path path) throws IOException {
        return Files.readAttributes(path, "unix:lastModifiedTime,ctime");
    }

    /** Objects larger than this are read without a copy of the whole file (a segment's megabytes). */
    private static final int IN_PLACE_BYTES_MIN = 64 * 1024;
    /** Reads go through a temporary native buffer per thread of their size: bounded by reading in chunks. */
    private static final int READ_CHUNK_BYTES = 256 * 1024;

    /** Fills {@code into[from..]} from the file at {@code position}; the file ending first is a damaged object. */
    private static byte[] readAt(FileChannel channel, byte[] into, int from, long position) throws IOException {
        int at = from;
        while (at < into.length) {
            int n = channel.read(ByteBuffer.wrap(into, at, Math.min(READ_CHUNK_BYTES, into.length - at)), position + at - from);
            if (n < 0) {
                throw new StoreException(StoreException.Kind.CORRUPT, "object file ends early: " + channel);
            }
            at += n;
        }
        return into;
    }

    private static long millis(Map<String, Object> attributes, String name) {
        return ((FileTime) attributes.get(name)).toMillis();
    }
}
