package dev.brook.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brook.store.ListPage;
import dev.brook.store.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The janitor's index of due work, kept in the bucket so that work survives every process being
 * scaled to zero (docs/LIFECYCLE.md). One object per task and due time:
 *
 * <pre>
 *   jobs/due/{due ms:020}/{kind}.{task hash:16 hex}     body: the task as JSON
 * </pre>
 *
 * Keys sort by due time, so what is due is a prefix of the listing. A task is written when its work
 * becomes due, before anything relies on it being done; the same task at the same due time is the
 * same key, so scheduling twice is harmless. A janitor removes an entry only after its work is done
 * (or found to be moot); running an entry twice, or late, does no harm: every kind of work is
 * idempotent and guarded by the log's floor rule. Persistent layout: never renumber.
 */
public final class DueWork {

    static final String PREFIX = "jobs/due/";
    private static final int DUE_DIGITS = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a task does. The names are persistent (they are in keys). */
    public enum Kind {
        /** Delete the commits a stream's trim point has made unreachable. */
        TRIM("trim"),
        /** Finish deleting a stream marked deleting: seal, purge, free the name. */
        STREAM_DELETE("stream-delete"),
        /** Finish deleting a basin marked deleting: its streams, then its name. */
        BASIN_DELETE("basin-delete"),
        /** A stream's lifecycle check: expiry by retention, delete-on-empty; it schedules its own next run. */
        LIFECYCLE("lifecycle");

        final String key;

        Kind(String key) {
            this.key = key;
        }

        static Optional<Kind> of(String key) {
            for (Kind k : values()) {
                if (k.key.equals(key)) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * One piece of work. {@code sid} names the stream incarnation it was scheduled for (empty for a
     * basin's), so work on a name deleted and created again meanwhile never touches the new one.
     */
    public record Task(Kind kind, String basin, String stream, String sid) {

        public static Task trim(StreamRecord s, String basin, String stream) {
            return new Task(Kind.TRIM, basin, stream, s.sid());
        }

        public static Task streamDelete(String basin, String stream) {
            return new Task(Kind.STREAM_DELETE, basin, stream, "");
        }

        /** By name: it checks whatever incarnation is active when it runs. */
        public static Task lifecycle(String basin, String stream) {
            return new Task(Kind.LIFECYCLE, basin, stream, "");
        }

        public static Task basinDelete(String basin) {
            return new Task(Kind.BASIN_DELETE, basin, "", "");
        }
    }

    /** A listed entry: its key, due time and task. */
    public record Entry(String key, long dueMs, Task task) {}

    private final ObjectStore store;

    public DueWork(ObjectStore store) {
        this.store = store;
    }

    /** Records that {@code task} is due at {@code dueMs} (the writer's clock; a little early or late does no harm). */
    public CompletionStage<Void> schedule(Task task, long dueMs) {
        ObjectNode body = JSON.createObjectNode();
        body.put("kind", task.kind().key);
        body.put("basin", task.basin());
        body.put("stream", task.stream());
        body.put("sid", task.sid());
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        return store.putIfAbsent(key(task, dueMs), bytes, Map.of()).thenApply(outcome -> null);
    }

    /**
     * Entries due at {@code nowMs} or before, oldest first, at most {@code limit}, starting after the
     * key {@code startAfter} ("" for the first). Entries that do not parse (a newer layout) are skipped.
     */
    public CompletionStage<List<Entry>> due(long nowMs, String startAfter, int limit) {
        return store.list(PREFIX, startAfter, limit).thenCompose(page -> {
            List<String> keys = new ArrayList<>();
            for (ListPage.Entry e : page.objects()) {
                Optional<Long> due = dueOf(e.key());
                if (due.isEmpty()) {
                    continue;
                }
                if (due.get() > nowMs) {
                    break;
                }
                keys.add(e.key());
            }
            CompletionStage<List<Entry>> all = CompletableFuture.completedFuture(new ArrayList<>());
            for (String k : keys) {
                all = all.thenCompose(list -> store.get(k).thenApply(found -> {
                    found.flatMap(o -> parse(k, o.body())).ifPresent(list::add);
                    return list;
                }));
            }
            return all;
        });
    }

    /** Removes a done entry; removing it twice is harmless. */
    public CompletionStage<Void> done(Entry entry) {
        return store.delete(entry.key());
    }

    static String key(Task task, long dueMs) {
        String identity = task.kind().key + "\n" + task.basin() + "\n" + task.stream() + "\n" + task.sid();
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            String due = Long.toString(Math.max(0, dueMs));
            return PREFIX + "0".repeat(DUE_DIGITS - due.length()) + due + "/" + task.kind().key + "."
                    + HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static Optional<Long> dueOf(String key) {
        if (!key.startsWith(PREFIX) || key.length() < PREFIX.length() + DUE_DIGITS + 1) {
            return Optional.empty();
        }
        String digits = key.substring(PREFIX.length(), PREFIX.length() + DUE_DIGITS);
        if (!digits.chars().allMatch(c -> c >= '0' && c <= '9') || key.charAt(PREFIX.length() + DUE_DIGITS) != '/') {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(digits));
    }

    private static Optional<Entry> parse(String key, byte[] body) {
        try {
            JsonNode n = JSON.readTree(body);
            Optional<Kind> kind = Kind.of(n.path("kind").asText());
            if (kind.isEmpty()) {
                return Optional.empty();
            }
            Task task = new Task(kind.get(), n.path("basin").asText(), n.path("stream").asText(), n.path("sid").asText());
            return dueOf(key).map(due -> new Entry(key, due, task));
        } catch (IOException e) {
            return Optional.empty(); // not ours to judge or delete: skipped, like an unknown kind
        }
    }
}
