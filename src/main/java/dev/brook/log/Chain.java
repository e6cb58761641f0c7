package dev.brook.log;

import dev.brook.core.StreamState;
import dev.brook.store.ObjectStore;
import dev.brook.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Finding the end of one stream's chain, and reading commits from it. Everything this returns has
 * been validated after it was read (docs/ARCHITECTURE.md, invariant 3): a floor read issued after the reads is at or
 * below the key, so the object is the first and only one ever written there, and on the chain.
 */
final class Chain {

    /** The validated end of the chain: its last commit (none for a new stream) and what follows it. */
    record Tail(Optional<CommitSummary> last, StreamState state, CommitKey nextKey, byte[] hash) {

        /** Before the first commit, which goes at the genesis position (0/0 for every stream; docs/LOG.md). */
        static Tail genesis(StreamState state) {
            return new Tail(Optional.empty(), state, new CommitKey(state.nextSeq(), 0), new byte[Commit.HASH_BYTES]);
        }

        static Tail of(CommitSummary c) {
            return new Tail(Optional.of(c), c.state(), c.successor(), c.hash());
        }

        /** Whether {@code next} extends this tail. */
        boolean isExtendedBy(CommitSummary next) {
            return next.key().equals(nextKey) && next.previous().equals(last.map(CommitSummary::key));
        }
    }

    /** Keys one LIST returns when looking for the tail: S3's largest page. */
    static final int NEAR_PAGE = 1000;
    /** Successors followed from a stream's start before a cold discovery, when no commit of it is known yet. */
    static final int GENESIS_HOPS = 1;

    private final ObjectStore store;
    private final LogKeys keys;
    private final Floors floors;
    private final LogSettings settings;
    private final StreamState genesis;
    private final AtomicReference<Tail> cached;
    /** Tail commits validated here, by start: where a read near the tail starts without a LIST (bounded). */
    private final java.util.concurrent.ConcurrentSkipListMap<Long, CommitKey> recent = new java.util.concurrent.ConcurrentSkipListMap<>();
    static final int RECENT_MAX = 4096;
    /** Concurrent tail reads share rounds of requests issued after each caller arrived (docs/LOG.md, fan-out). */
    private final Rounds<Tail> tails;
    private final LongSupplier nanoClock;

    Chain(ObjectStore store, LogKeys keys, Floors floors, LogSettings settings, StreamState genesis, LongSupplier nanoClock) {
        this.store = store;
        this.nanoClock = nanoClock;
        this.keys = keys;
        this.floors = floors;
        this.settings = settings;
        this.genesis = genesis;
        this.cached = new AtomicReference<>(Tail.genesis(genesis));
        this.tails = new Rounds<>(this::discoverTail);
    }

    LogKeys keys() {
        return keys;
    }

    Floors floors() {
        return floors;
    }

    /** The tail as last validated here, without asking the store. */
    Tail cachedTail() {
        return cached.get();
    }

    /** A commit this instance wrote and guarded is the new tail. */
    void advance(Tail tail) {
        Tail now = cached.accumulateAndGet(tail, (old, t) -> newer(old, t));
        if (now == tail && tail.last().isPresent()) {
            CommitKey key = tail.last().get().key();
            recent.put(key.start(), key);
            while (recent.size() > RECENT_MAX) {
                recent.pollFirstEntry();
            }
        }
    }

    /**
     * The latest validated tail commit seen here that starts at or below {@code seq}: only a
     * proposal where a read may start walking (the walk and its floor read validate what it serves).
     */
    Optional<CommitKey> recentAtOrBelow(long seq) {
        java.util.Map.Entry<Long, CommitKey> e = recent.floorEntry(seq);
        return e == null ? Optional.empty() : Optional.of(e.getValue());
    }

    /** After an unknown outcome nothing cached can be trusted: find the tail again from storage. */
    void forget() {
        cached.set(Tail.genesis(genesis));
    }

    /**
     * The current tail, from the store: HEADs of successors from the cached tail, then a floor read
     * that validates everything read. Falls back to a cold discovery when the cache is stale. A
     * follow that runs out of hops keeps what it validated and the next attempt goes on from there,
     * so a cold start far behind (or a listing that missed the newest keys) still converges.
     */
    CompletionStage<Tail> tail() {
        return tails.next();
    }

    /** One discovery of the tail (callers share them through {@link #tails}). */
    private CompletionStage<Tail> discoverTail() {
        Tail known = cached.get();
        if (known.nextKey().equals(CommitKey.INFINITY)) {
            // The floor was infinite: the stream was deleted, and floors never go down (docs/LOG.md).
            return CompletableFuture.completedFuture(known);
        }
        boolean[] coldNext = {false};
        return Loops.until(settings.commitAttemptsMax(), settings.loopDeadline(nanoClock), attempt -> {
            boolean cold = coldNext[0];
            Tail from = cached.get();
            // Knowing no commit of this stream yet (a cold process), look at its start only: a new
            // stream's tail is found by one HEAD, any other's by the LIST of a cold discovery.
            boolean anyKnown = from.last().isPresent();
            CompletionStage<Followed> found = cold ? cold() : follow(from, anyKnown ? settings.tailHopsMax() : GENESIS_HOPS, anyKnown);
            return found.thenApply(f -> {
                f.reached().ifPresent(this::advance);
                // Stale, or far behind the cache: LIST from the floor. Far behind what a LIST showed: follow on.
                coldNext[0] = f.reached().isEmpty() || !cold;
                return f.complete() ? f.reached() : Optional.<Tail>empty();
            });
        }, () -> new StoreException(StoreException.Kind.TRANSIENT, "the tail of " + keys.sid() + " kept moving"));
    }

    /**
     * How far a follow got: {@code reached} is validated (empty when the start turned out stale);
     * {@code complete} when it is the tail, not just where the hops ran out.
     */
    private record Followed(Optional<Tail> reached, boolean complete) {
        static final Followed STALE = new Followed(Optional.empty(), false);
    }

    /**
     * Follows successors from {@code from} by HEAD, then validates with a floor read issued after
     * them. Stale when {@code from} is (below the floor, or its successor is not its own), so the
     * caller discovers the tail cold. When the hops run out, what was followed is validated and kept
     * if {@code keepPartial}, else dropped unvalidated (stale: discover cold).
     */
    private CompletionStage<Followed> follow(Tail from, int hopsMax, boolean keepPartial) {
        AtomicReference<Tail> at = new AtomicReference<>(from);
        return Loops.until(hopsMax + 1, settings.loopDeadline(nanoClock), hop -> {
            Tail current = at.get();
            if (hop == hopsMax) {
                return CompletableFuture.completedFuture(Optional.of(keepPartial ? new Followed(Optional.of(current), false) : Followed.STALE));
            }
            return summaryAt(current.nextKey()).thenApply(next -> {
                if (next.isEmpty()) {
                    return Optional.of(new Followed(Optional.of(current), true));
                }
                if (!current.isExtendedBy(next.get())) {
                    return Optional.of(Followed.STALE);
                }
                at.set(Tail.of(next.get()));
                return Optional.<Followed>empty();
            });
        }, () -> new IllegalStateException("follow ended without a value")).thenCompose(end -> {
            if (end.reached().isEmpty()) {
                return CompletableFuture.completedFuture(end);
            }
            Tail candidate = end.reached().get();
            return floors.read().thenApply(f -> valid(candidate, f.floor()) ? end : Followed.STALE);
        });
    }

    /** A tail read before a floor read of {@code floor} can be trusted. */
    private static boolean valid(Tail t, CommitKey floor) {
        return t.last().isPresent() ? !t.last().get().key().isBelow(floor) : floor.equals(CommitKey.FIRST);
    }

    /**
     * Discovery without a usable cache: the floor, then the highest key listed at or above it (the
     * hint and a LIST gallop when that is more than a page away), then HEADs forward and a
     * validating floor read.
     */
    private CompletionStage<Followed> cold() {
        return floors.read().thenCompose(f -> {
            if (f.floor().equals(CommitKey.INFINITY)) {
                StreamState gone = new StreamState(0, 0, "", 0, genesis.configVersion(), genesis.timestamping(), true);
                return CompletableFuture.completedFuture(new Followed(Optional.of(new Tail(Optional.empty(), gone, CommitKey.INFINITY,
                        new byte[Commit.HASH_BYTES])), true));
            }
            return highestAtOrAbove(f.floor()).thenCompose(highest -> {
                if (highest.isEmpty()) {
                    return follow(Tail.genesis(genesis), settings.tailHopsMax(), true);
                }
                return summaryAt(highest.get()).thenCompose(s -> s.isEmpty()
                        ? CompletableFuture.completedFuture(Followed.STALE)
                        : follow(Tail.of(s.get()), settings.tailHopsMax(), true));
            });
        });
    }

    private CompletionStage<Optional<CommitKey>> hint() {
        return store.get(keys.hint()).thenApply(o -> o.flatMap(h -> {
            try {
                return Optional.of(CommitCodec.parseKey(new String(h.body(), StandardCharsets.US_ASCII)));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }));
    }

    /** Refreshes the hint with a commit this instance wrote and guarded. Advisory: failures are ignored. */
    CompletionStage<Void> refreshHint(CommitKey key) {
        return store.put(keys.hint(), CommitCodec.keyText(key).getBytes(StandardCharsets.US_ASCII), Map.of())
                .exceptionally(e -> null);
    }

    /**
     * The highest commit key at or above {@code lower}: one LIST page of up to {@link #NEAR_PAGE}
     * keys, which holds them all unless the stream keeps more than a page of commits above
     * {@code lower}; then from the hint (advisory, at most {@code hintEveryCommits} behind the tail
     * of a stream being written), one page more; past that, LIST probes that gallop over start
     * sequence numbers and bisect: O(log distance) pages of one key. A listing may miss the newest
     * keys; the caller's HEADs go on from what it found (docs/STORE.md).
     */
    CompletionStage<Optional<CommitKey>> highestAtOrAbove(CommitKey lower) {
        return page(lower).thenCompose(page -> {
            if (page.complete()) {
                return CompletableFuture.completedFuture(page.highest());
            }
            CommitKey listed = page.highest().orElse(lower);
            return hint().thenCompose(hint -> {
                Optional<CommitKey> usable = hint.filter(listed::isBelow);
                if (usable.isEmpty()) {
                    return gallopFrom(listed);
                }
                return page(usable.get()).thenCompose(near -> near.highest().isEmpty() ? gallopFrom(listed)
                        : near.complete() ? CompletableFuture.completedFuture(near.highest()) : gallopFrom(near.highest().get()));
            });
        });
    }

    /** The highest commit key on one LIST page from {@code lower} on; complete when nothing lies beyond the page. */
    private record Page(Optional<CommitKey> highest, boolean complete) {}

    private CompletionStage<Page> page(CommitKey lower) {
        return store.list(keys.commitPrefix(), keys.justBefore(lower), NEAR_PAGE).thenApply(listing -> new Page(
                listing.keys().stream().map(keys::parseCommit).flatMap(Optional::stream).max(CommitKey::compareTo), listing.next().isEmpty()));
    }

    /** The highest commit key at or above {@code lower} by galloping LIST probes (a page of one key each). */
    private CompletionStage<Optional<CommitKey>> gallopFrom(CommitKey lower) {
        return firstKeyAfter(keys.justBefore(lower)).thenCompose(first -> {
            if (first.isEmpty()) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            // A commit starts at lo; none starts above hi (unknown while galloping); step grows while galloping.
            long[] lo = {first.get().start()};
            long[] hi = {-1};
            long[] step = {1};
            return Loops.until(settings.listProbesMax(), settings.loopDeadline(nanoClock), probe -> {
                if (hi[0] >= 0 && hi[0] <= lo[0]) {
                    return lastKeyStartingAt(lo[0]).thenApply(Optional::of);
                }
                long mid = hi[0] < 0 ? saturatedAdd(lo[0], step[0]) : lo[0] + (hi[0] - lo[0] + 1) / 2;
                return firstKeyAfter(keys.afterAllCommitsStartingAt(mid - 1)).thenApply(k -> {
                    if (k.isPresent()) {
                        lo[0] = k.get().start();
                        step[0] = step[0] > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : step[0] * 2;
                    } else {
                        hi[0] = mid - 1;
                    }
                    return Optional.<Optional<CommitKey>>empty();
                });
            }, () -> new StoreException(StoreException.Kind.TRANSIENT, "could not find the tail of " + keys.sid()
                    + " within " + settings.listProbesMax() + " LIST probes"));
        });
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return r < a ? Long.MAX_VALUE : r;
    }

    /** The highest-epoch key among those starting at {@code start}; empty if they were all deleted meanwhile. */
    private CompletionStage<Optional<CommitKey>> lastKeyStartingAt(long start) {
        CommitKey[] last = {null};
        String[] cursor = {keys.justBefore(new CommitKey(start, 0))};
        return Loops.until(settings.listProbesMax(), settings.loopDeadline(nanoClock), page -> store.list(keys.commitPrefix(), cursor[0], 1000).thenApply(listing -> {
            for (String k : listing.keys()) {
                Optional<CommitKey> key = keys.parseCommit(k);
                if (key.isPresent() && key.get().start() == start) {
                    last[0] = key.get();
                } else if (key.isPresent() && key.get().start() > start) {
                    return Optional.of(Optional.ofNullable(last[0]));
                }
            }
            if (listing.next().isEmpty()) {
                return Optional.of(Optional.ofNullable(last[0]));
            }
            cursor[0] = listing.next().get();
            return Optional.<Optional<CommitKey>>empty();
        }), () -> new StoreException(StoreException.Kind.TRANSIENT, "too many commits at " + start));
    }

    /** The first commit key listed after {@code after}, skipping anything that is not a commit key. */
    CompletionStage<Optional<CommitKey>> firstKeyAfter(String after) {
        String[] cursor = {after};
        return Loops.until(settings.listProbesMax(), settings.loopDeadline(nanoClock), page -> store.list(keys.commitPrefix(), cursor[0], 16).thenApply(listing -> {
            for (String k : listing.keys()) {
                Optional<CommitKey> key = keys.parseCommit(k);
                if (key.isPresent()) {
                    return Optional.of(key);
                }
            }
            if (listing.next().isEmpty()) {
                return Optional.of(Optional.<CommitKey>empty());
            }
            cursor[0] = listing.next().get();
            return Optional.<Optional<CommitKey>>empty();
        }), () -> new StoreException(StoreException.Kind.TRANSIENT, "only junk keys after " + after));
    }

    /** The summary of the commit at {@code key}: its metadata from a HEAD, or its body when metadata is missing. */
    CompletionStage<Optional<CommitSummary>> summaryAt(CommitKey key) {
        return store.head(keys.commit(key)).thenCompose(info -> {
            if (info.isEmpty()) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            Optional<CommitSummary> fromMetadata = CommitCodec.summaryOf(key, info.get().metadata(), info.get().lastModifiedMs());
            if (fromMetadata.isPresent()) {
                return CompletableFuture.completedFuture(fromMetadata);
            }
            return store.get(keys.commit(key)).thenApply(o -> o.map(b -> CommitCodec.summarize(key, b.body(), b.info().lastModifiedMs())));
        });
    }

    private static Tail newer(Tail a, Tail b) {
        if (a.last().isEmpty()) {
            return b;
        }
        if (b.last().isEmpty()) {
            return a;
        }
        return a.last().get().key().isBelow(b.last().get().key()) ? b : a;
    }
}
