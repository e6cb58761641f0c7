package dev.brook.testing;

import dev.brook.store.ListPage;
import dev.brook.store.MemoryObjectStore;
import dev.brook.store.ObjectInfo;
import dev.brook.store.ObjectStore;
import dev.brook.store.PutOutcome;
import dev.brook.store.StoreException;
import dev.brook.store.StoredObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * An object store for deterministic simulations: a memory store behind seeded faults and virtual
 * latency. A request takes effect after one delay and is answered after another, or fails before
 * taking effect, or takes effect and reports a timeout, or reports a timeout and takes effect much
 * later (possibly after its key was deleted), or loses its metadata. Listings gain junk keys. Every
 * first occupant of a key is remembered, so a checker can define the log without trusting the system:
 * its bytes, the stamp the store gave it (retention judges by it, docs/LIFECYCLE.md) and when it was
 * deleted, if it was.
 */
public final class SimFaultyStore implements ObjectStore {

    /** Fault rates (0..1) and delays (virtual ms). */
    public record Faults(double failBefore, double landThenTimeout, double timeoutThenLandLater, double dropMetadata,
                         double junkInListing, int latencyMaxMs, double pauseRate, int pauseMaxMs, int timeoutMs,
                         int lateLandingMaxMs) {
        public static final Faults NONE = new Faults(0, 0, 0, 0, 0, 0, 0, 0, 1000, 0);
        public static final Faults HARSH = new Faults(0.05, 0.05, 0.04, 0.02, 0.2, 8, 0.05, 2_000, 200, 3_000);
    }

    private final ObjectStore inner;
    private final Scheduler sim;
    private final Random random;
    private final Faults faults;
    private final Map<String, byte[]> firstOccupants = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Long> firstStamps = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Long> firstDeletedAt = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();

    /** Faults over a memory store on the scheduler's clock. */
    public SimFaultyStore(SimScheduler sim, Random random, Faults faults) {
        this(new MemoryObjectStore(sim::nowMs), sim, random, faults);
    }

    /** Faults over any store: the real request is made where the fault lets it take effect. */
    public SimFaultyStore(ObjectStore inner, Scheduler sim, Random random, Faults faults) {
        this.inner = inner;
        this.sim = sim;
        this.random = random;
        this.faults = faults;
    }

    /** The first object ever created at each key, whatever happened to it later. */
    public Map<String, byte[]> firstOccupants() {
        return firstOccupants;
    }

    /** The store's stamp (Last-Modified, ms) of each key's first occupant. */
    public Map<String, Long> firstStamps() {
        return firstStamps;
    }

    /** When each key's first occupant was deleted (virtual ms), for the keys whose first occupant is gone. */
    public Map<String, Long> firstDeletedAt() {
        return firstDeletedAt;
    }

    public long requests() {
        return requests.get();
    }

    /** The faultless store underneath, for checkers. */
    public ObjectStore truth() {
        return inner;
    }

    private long latency() {
        long l = faults.latencyMaxMs() == 0 ? 0 : random.nextInt(faults.latencyMaxMs() + 1);
        if (random.nextDouble() < faults.pauseRate()) {
            l += random.nextInt(faults.pauseMaxMs() + 1);
        }
        return l;
    }

    private static StoreException timeout(String op, String key) {
        return new StoreException(StoreException.Kind.TRANSIENT, "simulated timeout of " + op + " `" + key + "`");
    }

    /** Runs a request: maybe fails before it, applies it after a delay, answers after another. */
    private <T> CompletionStage<T> request(String op, String key, boolean write, Supplier<T> effect) {
        requests.incrementAndGet();
        CompletableFuture<T> answer = new CompletableFuture<>();
        double roll = random.nextDouble();
        long before = latency();
        long after = latency();
        if (roll < faults.failBefore()) {
            sim.at(before, () -> answer.completeExceptionally(new StoreException(StoreException.Kind.TRANSIENT,
                    "simulated failure of " + op + " `" + key + "`")));
        } else if (write && roll < faults.failBefore() + faults.landThenTimeout()) {
            // The caller may itself be paused when its timeout fires: it settles the outcome late.
            sim.at(before, () -> quietly(effect));
            sim.at(Math.max(before, faults.timeoutMs()) + after, () -> answer.completeExceptionally(timeout(op, key)));
        } else if (write && roll < faults.failBefore() + faults.landThenTimeout() + faults.timeoutThenLandLater()) {
            sim.at(faults.timeoutMs() + after, () -> answer.completeExceptionally(timeout(op, key)));
            sim.at(faults.timeoutMs() + random.nextInt(faults.lateLandingMaxMs() + 1), () -> quietly(effect));
        } else {
            sim.at(before, () -> {
                T value;
                try {
                    value = effect.get();
                } catch (RuntimeException e) {
                    sim.at(after, () -> answer.completeExceptionally(e));
                    return;
                }
                sim.at(after, () -> answer.complete(value));
            });
        }
        return answer;
    }

    /** An effect nobody waits for: if the real store refuses it, it simply did not land. */
    private static void quietly(Supplier<?> effect) {
        try {
            effect.get();
        } catch (RuntimeException e) {
            // did not take effect
        }
    }

    private Map<String, String> maybeDropMetadata(Map<String, String> metadata) {
        return random.nextDouble() < faults.dropMetadata() ? Map.of() : metadata;
    }

    @Override
    public CompletionStage<PutOutcome> putIfAbsent(String key, byte[] body, Map<String, String> metadata) {
        Map<String, String> stored = maybeDropMetadata(metadata);
        byte[] copy = body.clone();
        return request("put-if-absent", key, true, () -> {
            PutOutcome outcome = inner.putIfAbsent(key, copy, stored).toCompletableFuture().join();
            if (outcome == PutOutcome.CREATED && firstOccupants.putIfAbsent(key, copy) == null) {
                // The stamp as the store gave it: a HEAD of what was just created (a memory store: this instant).
                long stamp = inner.head(key).toCompletableFuture().join().map(ObjectInfo::lastModifiedMs).orElse(sim.nowMs());
                firstStamps.put(key, stamp);
            }
            return outcome;
        });
    }

    @Override
    public CompletionStage<Void> put(String key, byte[] body, Map<String, String> metadata) {
        byte[] copy = body.clone();
        return request("put", key, true, () -> inner.put(key, copy, metadata).toCompletableFuture().join());
    }

    @Override
    public CompletionStage<Optional<StoredObject>> get(String key) {
        return request("get", key, false, () -> inner.get(key).toCompletableFuture().join());
    }

    @Override
    public CompletionStage<Optional<ObjectInfo>> head(String key) {
        return request("head", key, false, () -> inner.head(key).toCompletableFuture().join());
    }

    @Override
    public CompletionStage<ListPage> list(String prefix, String startAfter, int limit) {
        return request("list", prefix, false, () -> withJunk(prefix, startAfter, inner.list(prefix, startAfter, limit).toCompletableFuture().join()));
    }

    /** Adds keys that parse as nothing of ours, as S3Proxy's in-flight names and stray objects would. */
    private ListPage withJunk(String prefix, String startAfter, ListPage page) {
        if (random.nextDouble() >= faults.junkInListing()) {
            return page;
        }
        List<ListPage.Entry> entries = new ArrayList<>(page.objects());
        String anchor = entries.isEmpty() ? startAfter.isEmpty() ? prefix : startAfter : entries.get(random.nextInt(entries.size())).key();
        String junk = anchor.startsWith(prefix) ? anchor + (random.nextBoolean() ? "-tmp" : ".partial") : prefix + "zz-junk";
        if (junk.compareTo(startAfter) > 0 && (page.next().isEmpty() || junk.compareTo(page.next().get()) <= 0)) {
            entries.add(new ListPage.Entry(junk, sim.nowMs()));
            entries.sort((a, b) -> a.key().compareTo(b.key()));
        }
        return new ListPage(entries, page.next());
    }

    @Override
    public CompletionStage<Void> delete(String key) {
        return request("delete", key, true, () -> {
            // What a delete finds at a key with a first occupant, before any delete took effect there, is that
            // occupant (a plain put could replace it, but the log writes its commits and floors only with putIfAbsent).
            if (firstOccupants.containsKey(key) && !firstDeletedAt.containsKey(key)
                    && inner.head(key).toCompletableFuture().join().isPresent()) {
                firstDeletedAt.put(key, sim.nowMs());
            }
            return inner.delete(key).toCompletableFuture().join();
        });
    }

    @Override
    public long clockMs() {
        return inner.clockMs();
    }

    @Override
    public String describe() {
        return "sim:";
    }

    @Override
    public void close() {}
}
