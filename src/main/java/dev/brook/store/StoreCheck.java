package dev.brook.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Proves at startup that a store can carry Brook: reachable, writable, honouring conditional
 * creates, and keeping object metadata. It claims a marker object that names the layout version, and creates it a second time
 * expecting a refusal; once the marker exists, a start costs one refused create and one read.
 */
public final class StoreCheck {

    public static final String MARKER_KEY = "_brook/store";
    /** The persistent layout this code reads and writes; a store marked otherwise is refused. */
    public static final String MARKER_CONTENT = "brook-store-layout 1\n";
    /** Metadata the marker carries, to prove metadata round-trips (S3Proxy drops it silently without xattrs). */
    public static final Map<String, String> MARKER_METADATA = Map.of("brook-layout", "1");
    public static final long CHECK_DEADLINE_MS = 60_000;

    private StoreCheck() {}

    /** @throws StoreException FATAL with one line naming the problem */
    public static void verify(ObjectStore store) {
        byte[] marker = MARKER_CONTENT.getBytes(StandardCharsets.US_ASCII);
        PutOutcome first = await(store, store.putIfAbsent(MARKER_KEY, marker, MARKER_METADATA).toCompletableFuture());
        if (first == PutOutcome.CREATED) {
            byte[] other = "brook-store-check: this create must be refused\n".getBytes(StandardCharsets.US_ASCII);
            PutOutcome second = await(store, store.putIfAbsent(MARKER_KEY, other, Map.of()).toCompletableFuture());
            if (second != PutOutcome.ALREADY_EXISTS) {
                throw fatal(store.describe() + " does not honour conditional writes (If-None-Match: *): "
                        + "a second create of `" + MARKER_KEY + "` succeeded");
            }
        }
        var stored = await(store, store.get(MARKER_KEY).toCompletableFuture());
        if (stored.isEmpty()) {
            throw fatal(store.describe() + " lost `" + MARKER_KEY + "` right after creating it");
        }
        if (!Arrays.equals(stored.get().body(), marker)) {
            throw fatal(store.describe() + " holds data of another layout (`" + MARKER_KEY + "` says `"
                    + new String(stored.get().body(), StandardCharsets.US_ASCII).strip() + "`)");
        }
        Map<String, String> metadata = stored.get().info().metadata();
        if (!metadata.entrySet().containsAll(MARKER_METADATA.entrySet())) {
            throw fatal(store.describe() + " does not keep object metadata (`" + MARKER_KEY + "` came back with "
                    + metadata + ")");
        }
    }

    private static <T> T await(ObjectStore store, java.util.concurrent.CompletableFuture<T> stage) {
        try {
            return stage.get(CHECK_DEADLINE_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw fatal(store.describe() + " did not answer within " + CHECK_DEADLINE_MS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw fatal("interrupted while checking " + store.describe());
        } catch (ExecutionException e) {
            StoreException error = StoreException.unwrap(e);
            throw switch (error.kind()) {
                case TRANSIENT, OUTCOME_UNKNOWN -> fatal("store unreachable: " + innermost(error));
                case FATAL, CORRUPT -> fatal(oneLine(error.getMessage()));
            };
        }
    }

    private static String innermost(StoreException error) {
        Throwable t = error;
        while (t.getCause() instanceof StoreException se) {
            t = se;
        }
        return oneLine(t.getMessage());
    }

    private static String oneLine(String s) {
        return String.valueOf(s).replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    private static StoreException fatal(String message) {
        return new StoreException(StoreException.Kind.FATAL, message);
    }
}
