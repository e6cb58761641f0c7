package dev.brook.log;

import dev.brook.store.ObjectStore;
import dev.brook.store.PutOutcome;
import dev.brook.store.StoreException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The deletion floor of one stream (docs/LOG.md): a dense log of versions {@code f/1, f/2, ...},
 * each claimed with put-if-absent and never deleted, each naming the key of the oldest commit that
 * may still exist. Nobody deletes a commit before a floor above it is recorded, so a key at or
 * above the floor read after an event was never freed before it.
 */
final class Floors {

    /** A floor version and its value; version 0 is the implicit floor of a new stream. */
    record View(long version, CommitKey floor) {
        static final View NONE = new View(0, CommitKey.FIRST);

        View later(View other) {
            return other.version > version ? other : this;
        }
    }

    private final ObjectStore store;
    private final LogKeys keys;
    private final LogSettings settings;
    private final AtomicReference<View> cached = new AtomicReference<>(View.NONE);
    private final LongSupplier nanoClock;
    /** Concurrent floor reads share rounds of requests issued after each caller arrived (docs/LOG.md, fan-out). */
    private final Rounds<View> reads;

    Floors(ObjectStore store, LogKeys keys, LogSettings settings, LongSupplier nanoClock) {
        this.store = store;
        this.nanoClock = nanoClock;
        this.keys = keys;
        this.settings = settings;
        this.reads = new Rounds<>(this::readNow);
    }

    View cached() {
        return cached.get();
    }

    /**
     * The current floor, from requests issued after this call: a HEAD of the next version (absent
     * means the cached one is current), following versions forward, by LIST when far behind.
     */
    CompletionStage<View> read() {
        return reads.next();
    }

    /** One read of the floor (callers share them through {@link #reads}). */
    private CompletionStage<View> readNow() {
        int hops = settings.floorHopsMax();
        return Loops.until(2 * hops + 1, settings.loopDeadline(nanoClock), hop -> {
            View known = cached.get();
            if (hop == hops) {
                // Far behind: LIST to the latest version listed, then HEADs again from there, since a
                // listing can miss the newest keys (docs/STORE.md).
                return jumpToLatest(known).thenApply(v -> Optional.<View>empty());
            }
            if (hop == 2 * hops) {
                return CompletableFuture.<Optional<View>>failedFuture(
                        new StoreException(StoreException.Kind.TRANSIENT, "the floor of " + keys.sid() + " kept moving"));
            }
            long next = known.version() + 1;
            return store.head(keys.floor(next)).thenCompose(info -> {
                if (info.isEmpty()) {
                    return CompletableFuture.completedFuture(Optional.of(known));
                }
                Optional<CommitKey> value = FloorCodec.fromMetadata(info.get().metadata());
                CompletionStage<CommitKey> floor = value.isPresent() ? CompletableFuture.completedFuture(value.get()) : fetch(next);
                return floor.thenApply(f -> {
                    learn(new View(next, f));
                    return Optional.<View>empty();
                });
            });
        }, () -> new IllegalStateException("floor loop ended without a value"));
    }

    /**
     * Records a floor of at least {@code wanted} (never lower than the current one) and returns the
     * view that holds it. Deleters call this before deleting anything below {@code wanted}.
     */
    CompletionStage<View> raiseTo(CommitKey wanted) {
        return Loops.until(settings.commitAttemptsMax(), settings.loopDeadline(nanoClock), attempt -> read().thenCompose(current -> {
            if (!current.floor().isBelow(wanted)) {
                return CompletableFuture.completedFuture(Optional.of(current));
            }
            View claim = new View(current.version() + 1, wanted);
            return store.putIfAbsent(keys.floor(claim.version()), FloorCodec.encode(wanted), FloorCodec.metadata(wanted))
                    .thenApply(outcome -> {
                        if (outcome == PutOutcome.CREATED) {
                            learn(claim);
                            return Optional.of(claim);
                        }
                        return Optional.<View>empty(); // another deleter claimed it first: read and try again
                    });
        }), () -> new StoreException(StoreException.Kind.TRANSIENT, "floor of " + keys.sid() + " kept moving"));
    }

    private void learn(View view) {
        cached.accumulateAndGet(view, View::later);
    }

    private CompletionStage<CommitKey> fetch(long version) {
        return store.get(keys.floor(version)).thenApply(o -> FloorCodec.decode(version,
                o.orElseThrow(() -> new StoreException(StoreException.Kind.CORRUPT,
                        "floor version " + version + " vanished: floor versions are never deleted")).body()));
    }

    /** Lists the floor versions after the known one and reads the last: for a reader far behind. */
    private CompletionStage<View> jumpToLatest(View known) {
        return Loops.until(settings.listProbesMax(), settings.loopDeadline(nanoClock), page -> store.list(keys.floorPrefix(), keys.floor(cached.get().version()), 1000)
                .thenCompose(listing -> {
                    long last = cached.get().version();
                    for (String key : listing.keys()) {
                        last = Math.max(last, keys.parseFloor(key).orElse(last));
                    }
                    long version = last;
                    CompletionStage<Void> learned = version > cached.get().version()
                            ? fetch(version).thenAccept(f -> learn(new View(version, f)))
                            : CompletableFuture.completedFuture(null);
                    return learned.thenApply(x -> listing.next().isPresent() ? Optional.<View>empty() : Optional.of(cached.get()));
                }), () -> new StoreException(StoreException.Kind.TRANSIENT, "too many floor versions to list for " + keys.sid()));
    }
}
