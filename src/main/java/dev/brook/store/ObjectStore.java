package dev.brook.store;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The object-store port (docs/STORE.md, contract): all of Brook's state lives behind it, and conditional
 * creation ({@link #putIfAbsent}) is the only coordination between instances.
 *
 * <p>Contract, checked for every adapter by one shared test suite:
 * <ul>
 *   <li>Keys follow {@link StoreKeys#checkKey}; they are relative to the adapter's root (a
 *       directory, or a bucket and prefix), so layouts never see where they are stored.</li>
 *   <li>{@code putIfAbsent} is atomic: of any number of concurrent calls on one key exactly one
 *       returns {@link PutOutcome#CREATED}, the others {@link PutOutcome#ALREADY_EXISTS}.</li>
 *   <li>An object is visible to get, head and list only once it is durable, and only whole.</li>
 *   <li>{@code list} is in ascending key order (byte order; keys are ASCII) and strongly
 *       consistent with completed writes and deletes.</li>
 *   <li>Metadata is a small ASCII copy of facts that are authoritative in the body; it exists
 *       so that a HEAD is enough where a GET would cost more.</li>
 *   <li>Failures complete the stage exceptionally with a {@link StoreException}; its kind says
 *       whether retrying can help and whether a write may have happened.</li>
 * </ul>
 */
public interface ObjectStore extends AutoCloseable {

    /** Creates {@code key} with this body and metadata unless it exists; never overwrites. */
    CompletionStage<PutOutcome> putIfAbsent(String key, byte[] body, Map<String, String> metadata);

    /** Creates or replaces {@code key}; readers see the old object or the new one, whole. */
    CompletionStage<Void> put(String key, byte[] body, Map<String, String> metadata);

    CompletionStage<Optional<StoredObject>> get(String key);

    CompletionStage<Optional<ObjectInfo>> head(String key);

    /**
     * Up to {@code limit} objects whose keys start with {@code prefix} and sort strictly after
     * {@code startAfter}, in key order. A page may hold fewer than {@code limit} objects (keys
     * that are not valid {@link StoreKeys} are skipped); only {@link ListPage#next()} says
     * whether more may follow.
     */
    CompletionStage<ListPage> list(String prefix, String startAfter, int limit);

    /** Removes {@code key}; removing an absent key succeeds. */
    CompletionStage<Void> delete(String key);

    /**
     * The longest key, in characters, this store can hold: the key grammar's
     * {@link StoreKeys#KEY_CHARS_MAX}, or less where the adapter's root eats into the backend's own
     * limit (S3's 1,024 bytes include the prefix). Layouts refuse names whose keys would be longer.
     */
    default int keyCharsMax() {
        return StoreKeys.KEY_CHARS_MAX;
    }

    /**
     * The store's clock now, as well as this instance can tell: the clock that stamps
     * {@link ObjectInfo#lastModifiedMs()}, which retention compares with (docs/LIFECYCLE.md, "Clocks").
     * A local store's objects are stamped by this machine's clock, hence the default.
     */
    default long clockMs() {
        return System.currentTimeMillis();
    }

    /** Where this store keeps its objects, for logs and error messages (no secrets). */
    String describe();

    @Override
    void close();
}
