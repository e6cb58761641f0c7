package dev.brook.engine;

import dev.brook.store.ObjectStore;
import dev.brook.store.PutOutcome;
import dev.brook.store.StoreException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The versions of one name (a basin or a stream; docs/ARCHITECTURE.md, object layout): version n+1 is claimed with
 * put-if-absent, versions are never deleted, the current state is the highest version.
 */
final class VersionLog<R> {

    /** Listing pages read to find the highest version; names have few versions. */
    static final int LIST_PAGES_MAX = 64;

    interface Decoder<R> {
        R decode(String key, long version, byte[] body);
    }

    private final ObjectStore store;
    private final String prefix;
    private final Function<Long, String> keyOf;
    private final Function<String, Optional<Long>> versionOf;
    private final Decoder<R> decoder;

    VersionLog(ObjectStore store, String prefix, Function<Long, String> keyOf, Function<String, Optional<Long>> versionOf,
               Decoder<R> decoder) {
        this.store = store;
        this.prefix = prefix;
        this.keyOf = keyOf;
        this.versionOf = versionOf;
        this.decoder = decoder;
    }

    /** The highest version, read now from storage, or empty when the name never existed. */
    CompletionStage<Optional<R>> latest() {
        return highestVersion(prefix, 0, 0).thenCompose(version -> {
            if (version == 0) {
                return CompletableFuture.completedFuture(Optional.<R>empty());
            }
            String key = keyOf.apply(version);
            return store.get(key).thenApply(o -> Optional.of(decoder.decode(key, version, o.orElseThrow(() ->
                    new StoreException(StoreException.Kind.CORRUPT, "`" + key + "` vanished: versions are never deleted")).body())));
        });
    }

    /**
     * The version a listing found (NameListing): one GET, no LIST. A version is never deleted, so
     * one that is listed and then absent is corrupt storage.
     */
    CompletionStage<R> at(long version) {
        String key = keyOf.apply(version);
        return store.get(key).thenApply(o -> decoder.decode(key, version, o.orElseThrow(() ->
                new StoreException(StoreException.Kind.CORRUPT, "`" + key + "` vanished: versions are never deleted")).body()));
    }

    private CompletionStage<Long> highestVersion(String after, long highest, int page) {
        if (page == LIST_PAGES_MAX) {
            return CompletableFuture.failedFuture(new StoreException(StoreException.Kind.TRANSIENT,
                    "more than " + LIST_PAGES_MAX + " pages of versions under `" + prefix + "`"));
        }
        return store.list(prefix, after, 1000).thenCompose(listing -> {
            long best = highest;
            for (String key : listing.keys()) {
                best = Math.max(best, versionOf.apply(key).orElse(0L));
            }
            long found = best;
            return listing.next().isPresent() ? highestVersion(listing.next().get(), found, page + 1)
                    : CompletableFuture.completedFuture(found);
        });
    }

    /** Claims {@code version}: true when this call created it, false when someone else did first. */
    CompletionStage<Boolean> claim(long version, byte[] body) {
        return store.putIfAbsent(keyOf.apply(version), body, Map.of()).thenApply(o -> o == PutOutcome.CREATED);
    }
}
