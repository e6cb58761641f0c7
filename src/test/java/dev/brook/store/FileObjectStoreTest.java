package dev.brook.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What only the file adapter promises: crash safety, damage detection, and its own housekeeping. */
class FileObjectStoreTest {

    static final long[] CRASH_SEEDS = {11, 12, 13, 14, 15};

    private Path dir;

    @BeforeEach
    void dir() throws Exception {
        dir = Files.createTempDirectory("brook-file-store-");
    }

    @AfterEach
    void clean() throws Exception {
        FileObjectStoreContractTest.deleteTree(dir);
    }

    private FileObjectStore open() {
        return FileObjectStore.open(dir, 4, System::currentTimeMillis, 1);
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    @Test
    void aKilledWriterLeavesEveryKeyAbsentOrWholeAndEveryAcknowledgedKeyPresent() throws Exception {
        for (long seed : CRASH_SEEDS) {
            Path storeDir = Files.createDirectories(dir.resolve("seed-" + seed));
            int killAfterAcks = 20 + new Random(seed).nextInt(200);
            List<String> acked = runAndKill(storeDir, seed, killAfterAcks);
            assertTrue(acked.size() >= killAfterAcks, "seed " + seed + ": the writer was killed mid-stream");

            try (FileObjectStore store = FileObjectStore.open(storeDir, 4, System::currentTimeMillis, seed + 1)) {
                Set<String> hints = new HashSet<>();
                for (String ack : acked) {
                    if (ack.startsWith("crash/hint ")) {
                        hints.add(ack.substring("crash/hint ".length()));
                        continue;
                    }
                    StoredObject o = await(store.get(ack)).orElseThrow(() -> new AssertionError("seed " + seed + ": acked " + ack + " is lost"));
                    assertArrayEquals(FileStoreCrashWriter.bodyOf(ack), o.body(), "seed " + seed + ": " + ack);
                }
                int checked = 0;
                Optional<String> next = Optional.of("");
                while (next.isPresent()) {
                    ListPage page = await(store.list("crash/", next.get(), 1000));
                    for (String key : page.keys()) {
                        StoredObject o = await(store.get(key)).orElseThrow();
                        String name = key.equals("crash/hint") ? o.info().metadata().get("name") : key;
                        assertArrayEquals(FileStoreCrashWriter.bodyOf(name), o.body(), "seed " + seed + ": torn " + key);
                        checked++;
                    }
                    next = page.next();
                }
                assertTrue(checked >= acked.size() - hints.size(), "seed " + seed + ": every acked key is listed");
                if (!hints.isEmpty()) {
                    assertTrue(await(store.head("crash/hint")).isPresent(), "seed " + seed + ": an acked hint survives");
                }
                assertEquals(PutOutcome.CREATED, await(store.putIfAbsent("after/crash", new byte[]{1}, Map.of())));
            }
        }
    }

    private static List<String> runAndKill(Path storeDir, long seed, int killAfterAcks) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                FileStoreCrashWriter.class.getName(), storeDir.toString(), Long.toString(seed))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> acked = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    acked.add(line.substring(4));
                }
                if (acked.size() == killAfterAcks) {
                    child.destroyForcibly(); // SIGKILL: writes in flight stop wherever they are
                    break;
                }
            }
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the writer is gone");
        }
        return acked;
    }

    /** Small objects are read whole; large ones (segments) with their body straight into its own array: both checked. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {10_000, 3_000_000})
    void aDamagedObjectIsReportedCorruptAndNeverServed(int size) throws Exception {
        try (FileObjectStore store = open()) {
            byte[] body = new byte[size];
            new Random(3).nextBytes(body);
            await(store.putIfAbsent("d/whole", body, Map.of("k", "v")));
            await(store.putIfAbsent("d/flipped", body, Map.of("k", "v")));
            await(store.putIfAbsent("d/truncated", body, Map.of()));
            await(store.putIfAbsent("d/trailer", body, Map.of()));
            Path flipped = dir.resolve("objects/d/flipped" + FileObjectStore.OBJECT_SUFFIX);
            byte[] file = Files.readAllBytes(flipped);
            file[file.length / 2] ^= 0x40;
            Files.write(flipped, file);
            Path truncated = dir.resolve("objects/d/truncated" + FileObjectStore.OBJECT_SUFFIX);
            Files.write(truncated, java.util.Arrays.copyOf(Files.readAllBytes(truncated), size / 2));
            Path trailer = dir.resolve("objects/d/trailer" + FileObjectStore.OBJECT_SUFFIX);
            file = Files.readAllBytes(trailer);
            file[file.length - 1] ^= 0x01;
            Files.write(trailer, file);

            StoredObject whole = await(store.get("d/whole")).orElseThrow();
            assertArrayEquals(body, whole.body(), "an undamaged object reads back byte for byte");
            assertEquals(Map.of("k", "v"), whole.info().metadata());
            assertCorrupt(store.get("d/flipped"), "checksum mismatch");
            assertCorrupt(store.get("d/trailer"), "checksum mismatch");
            assertCorrupt(store.get("d/truncated"), "does not match its header");
            assertCorrupt(store.head("d/truncated"), "does not match its header");
        }
    }

    private static void assertCorrupt(java.util.concurrent.CompletionStage<?> stage, String why) {
        StoreException e = StoreException.unwrap(assertThrows(CompletionException.class, () -> stage.toCompletableFuture().join()));
        assertEquals(StoreException.Kind.CORRUPT, e.kind());
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void openingRemovesStaleTempFilesAndKeepsFreshOnes() throws Exception {
        open().close();
        Path stale = Files.writeString(dir.resolve("tmp/old.tmp"), "abandoned by a crash");
        Files.setLastModifiedTime(stale, FileTime.fromMillis(System.currentTimeMillis() - FileObjectStore.TEMP_FILE_AGE_MAX_MS - 60_000));
        Path fresh = Files.writeString(dir.resolve("tmp/other-process.tmp"), "maybe another process's write in flight");
        open().close();
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(fresh));
    }

    @Test
    void anUnusableDirectoryIsFatalWithOneLineNamingIt() throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        StoreException notDir = assertThrows(StoreException.class, () -> FileObjectStore.open(file, 1, System::currentTimeMillis, 1));
        assertEquals(StoreException.Kind.FATAL, notDir.kind());
        assertEquals("`" + file + "` exists and is not a directory", notDir.getMessage());

        Path under = file.resolve("sub");
        StoreException notUsable = assertThrows(StoreException.class, () -> FileObjectStore.open(under, 1, System::currentTimeMillis, 1));
        assertEquals(StoreException.Kind.FATAL, notUsable.kind());
        assertTrue(notUsable.getMessage().startsWith("directory `" + under + "` is not usable: "), notUsable.getMessage());
        assertFalse(notUsable.getMessage().contains("\n"));
    }

    @Test
    void readsSyncADirectoryOnlyForEntriesNewerThanItsLastSync() throws Exception {
        Path d = Files.createDirectories(dir.resolve("sync/a"));
        Path entry = Files.writeString(d.resolve("e"), "x");
        long ctime = ((FileTime) Files.getAttribute(entry, "unix:ctime")).toMillis();

        DirectorySync honest = new DirectorySync(dir, System::currentTimeMillis);
        honest.ensureDurable(d, ctime);
        long afterFirst = honest.syncs();
        assertEquals(3, afterFirst, "the directory itself, then the entries naming sync/a and sync");
        honest.ensureDurable(d, ctime);
        assertEquals(afterFirst + 1, honest.syncs(), "an entry within the clock margin of the last sync is synced again");

        // Seen from a clock well ahead, the entry predates the last sync by more than the margin.
        DirectorySync ahead = new DirectorySync(dir, () -> System.currentTimeMillis() + 10 * DirectorySync.CLOCK_MARGIN_MS);
        ahead.ensureDurable(d, ctime);
        long warm = ahead.syncs();
        ahead.ensureDurable(d, ctime);
        ahead.ensureDurable(d, ctime);
        assertEquals(warm, ahead.syncs(), "an old entry in a synced directory costs no fsync");
    }
}
