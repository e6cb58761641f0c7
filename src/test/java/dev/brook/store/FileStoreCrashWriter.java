package dev.brook.store;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * The child process of {@link FileObjectStoreTest}'s crash test: writes objects as fast as it can,
 * several at a time, and prints "ACK key" for each write it has been told is durable, until killed.
 */
public final class FileStoreCrashWriter {

    static final int IN_FLIGHT = 8;

    /** The body every writer of {@code key} writes: checkable after a crash without a log. */
    static byte[] bodyOf(String key) {
        Random r = new Random(key.hashCode());
        byte[] body = new byte[1 + r.nextInt(200_000)];
        r.nextBytes(body);
        return body;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        FileObjectStore store = FileObjectStore.open(dir, IN_FLIGHT, System::currentTimeMillis, seed);
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        for (long n = 0; ; n++) {
            inFlight.acquire();
            String key = "crash/" + (n % 7) + "/" + n;
            CompletableFuture<?> write;
            if (n % 5 == 0) {
                String hint = "hint-" + n;
                write = store.put("crash/hint", bodyOf(hint), Map.of("name", hint)).toCompletableFuture()
                        .thenRun(() -> ack("crash/hint " + hint));
            } else {
                write = store.putIfAbsent(key, bodyOf(key), Map.of("n", Long.toString(n))).toCompletableFuture()
                        .thenAccept(outcome -> ack(key));
            }
            write.whenComplete((x, e) -> inFlight.release());
        }
    }

    private static synchronized void ack(String what) {
        System.out.println("ACK " + what);
        System.out.flush();
    }
}
