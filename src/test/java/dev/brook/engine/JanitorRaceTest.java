package dev.brook.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.BasinConfig;
import dev.brook.core.StreamConfigSpec;
import dev.brook.core.StreamState;
import dev.brook.log.AppendOutcome;
import dev.brook.log.AppendSession;
import dev.brook.log.LogEnv;
import dev.brook.log.LogSettings;
import dev.brook.log.ReadOutcome;
import dev.brook.log.ReadRequest;
import dev.brook.log.StreamLog;
import dev.brook.store.MemoryObjectStore;
import dev.brook.store.ObjectStore;
import dev.brook.testing.SimFaultyStore;
import dev.brook.testing.SimScheduler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Two processes clean up the same deleted name at once, one of them slow, while the name is created
 * again in between (seeded, virtual time). A cleanup may mark deleted only the incarnation it sealed
 * and purged: never a re-created stream or basin, never a name whose log is not sealed. Checked
 * from the objects afterwards: every "deleted" version follows the "deleting" version of the same
 * incarnation, whose log is sealed; and the re-created names are alive with every acked record.
 */
class JanitorRaceTest {

    static final int SEEDS = Integer.getInteger("brook.janitor.seeds", 100);
    static final long START_MS = 1_700_000_000_000L;
    static final String BASIN = "janitor-race";
    /** Quick and steady. */
    static final SimFaultyStore.Faults FAST = new SimFaultyStore.Faults(0, 0, 0, 0, 0, 3, 0, 0, 1_000, 0);
    /** The same requests, now and then held up for a long time: a process that is slow to finish. */
    static final SimFaultyStore.Faults SLOW = new SimFaultyStore.Faults(0, 0, 0, 0, 0, 3, 0.25, 400, 1_000, 0);

    /** One process: its catalog, data plane and janitor, on its own view of the shared store. */
    record Process(Catalog catalog, DataPlane data, Janitor janitor) {}

    static final class World {
        final long seed;
        final SimScheduler sim = new SimScheduler(START_MS);
        final ObjectStore memory = new MemoryObjectStore(sim::nowMs);
        final Random random;
        final Process fast;
        final Process slow;
        final List<String> violations = new ArrayList<>();
        /** Acked records per incarnation (sid): what must still be readable where the name is alive. */
        final Map<String, List<String>> acked = new HashMap<>();

        World(long seed) {
            this.seed = seed;
            this.random = new Random(seed);
            this.fast = process(new SimFaultyStore(memory, sim, new Random(seed * 7 + 1), FAST), 1);
            this.slow = process(new SimFaultyStore(memory, sim, new Random(seed * 7 + 2), SLOW), 2);
        }

        private Process process(ObjectStore store, int n) {
            Random r = new Random(seed * 31 + n);
            LogEnv env = new LogEnv(store, sim::nowMs, sim::nanoTime, sim::delay, r, LogSettings.DEFAULT);
            Catalog catalog = new Catalog(store, sim::nowMs, r);
            DataPlane data = new DataPlane(catalog, env);
            return new Process(catalog, data, new Janitor(catalog, data, sim::delay, 0));
        }

        <T> T await(Supplier<CompletionStage<T>> work) {
            CompletableFuture<T> f = work.get().toCompletableFuture();
            if (!sim.run(1_000_000) || !f.isDone()) {
                throw new AssertionError("seed " + seed + ": did not settle");
            }
            return f.join();
        }

        /** Appends one record through {@code p}, remembering it under the incarnation it was acked in. */
        CompletionStage<Void> append(Process p, String stream, String body) {
            AppendBatch batch = new AppendBatch(List.of(new AppendRecord(OptionalLong.empty(), List.of(),
                    body.getBytes(StandardCharsets.UTF_8))), OptionalLong.empty(), Optional.empty(), sim.nowMs());
            return p.data().resolve(BASIN, stream, DataPlane.AutoCreate.NEVER)
                    .thenCompose(s -> p.data().append(BASIN, stream, s, batch, Optional.empty(), new AppendSession()).thenAccept(o -> {
                        if (o instanceof AppendOutcome.Acked) {
                            acked.computeIfAbsent(s.sid(), k -> new ArrayList<>()).add(body);
                        }
                    }))
                    .handle((x, e) -> null);
        }

        /** Deletes as the API does: marked, sealed, then the cleanup starts. */
        CompletionStage<Void> deleteStream(Process p, String stream) {
            return p.catalog().markStreamDeleting(BASIN, stream).thenCompose(d -> {
                p.data().forget(BASIN, stream);
                return p.data().seal(d);
            });
        }

        /** Something that may fail (a name still being deleted, say): its failure is part of the race. */
        CompletionStage<Void> quietly(Supplier<CompletionStage<?>> work) {
            try {
                return work.get().handle((x, e) -> null);
            } catch (RuntimeException e) {
                return CompletableFuture.completedFuture(null);
            }
        }

        /**
         * A stream is deleted; the fast process cleans up, re-creates the name and appends to it
         * through both processes, while the slow process started its own cleanup of the old one.
         */
        World streamRace() {
            await(() -> fast.catalog().createBasin(BASIN, BasinConfig.DEFAULT, Optional.empty(), "h"));
            await(() -> fast.catalog().createStream(BASIN, "s", StreamConfigSpec.EMPTY, Optional.empty(), Optional.empty()));
            await(() -> append(fast, "s", "old"));
            await(() -> deleteStream(fast, "s"));
            // The slow cleanup starts first, to read the name while it is still being deleted.
            sim.at(5 + random.nextInt(30), () -> fast.janitor().cleanStreamNow(BASIN, "s").handle((x, e) -> null)
                    .thenCompose(x -> quietly(() -> fast.catalog().createStream(BASIN, "s", StreamConfigSpec.EMPTY, Optional.empty(),
                            Optional.empty())))
                    .thenCompose(x -> append(fast, "s", "new-1"))
                    .thenCompose(x -> append(slow, "s", "new-2"))
                    .thenCompose(x -> append(fast, "s", "new-3")));
            sim.at(random.nextInt(5), () -> slow.janitor().cleanStreamNow(BASIN, "s").handle((x, e) -> null));
            settle();
            checkStreams(List.of("s"));
            return this;
        }

        /** The same with a basin: deleted, cleaned by both, re-created with a stream in between. */
        World basinRace() {
            await(() -> fast.catalog().createBasin(BASIN, BasinConfig.DEFAULT, Optional.empty(), "h"));
            await(() -> fast.catalog().createStream(BASIN, "s", StreamConfigSpec.EMPTY, Optional.empty(), Optional.empty()));
            await(() -> append(fast, "s", "old"));
            await(() -> fast.catalog().markBasinDeleting(BASIN));
            sim.at(5 + random.nextInt(30), () -> fast.janitor().cleanBasinNow(BASIN).handle((x, e) -> null)
                    .thenCompose(x -> quietly(() -> fast.catalog().createBasin(BASIN, BasinConfig.DEFAULT, Optional.empty(), "h2")))
                    .thenCompose(x -> quietly(() -> fast.catalog().createStream(BASIN, "t", StreamConfigSpec.EMPTY, Optional.empty(),
                            Optional.empty())))
                    .thenCompose(x -> append(fast, "t", "new-1"))
                    .thenCompose(x -> append(slow, "t", "new-2")));
            sim.at(random.nextInt(5), () -> slow.janitor().cleanBasinNow(BASIN).handle((x, e) -> null));
            settle();
            checkBasin();
            checkStreams(List.of("s", "t"));
            return this;
        }

        /**
         * The due-work index (docs/LIFECYCLE.md): a stream and a basin deleted with their cleanups
         * recorded; janitor passes in both processes, one of them slow and one pass long after the
         * name was created again and written through both processes. A late pass finds the work
         * done or moot and never touches the new incarnations.
         */
        World indexRace() {
            await(() -> fast.catalog().createBasin(BASIN, BasinConfig.DEFAULT, Optional.empty(), "h"));
            await(() -> fast.catalog().createStream(BASIN, "s", StreamConfigSpec.EMPTY, Optional.empty(), Optional.empty()));
            await(() -> fast.catalog().createStream(BASIN, "u", StreamConfigSpec.EMPTY, Optional.empty(), Optional.empty()));
            await(() -> append(fast, "s", "old"));
            await(() -> append(slow, "u", "old-u"));
            await(() -> deleteStream(fast, "s").thenCompose(x -> fast.janitor().deletionDue(BASIN, Optional.of("s"))));
            await(() -> deleteStream(slow, "u").thenCompose(x -> slow.janitor().deletionDue(BASIN, Optional.of("u"))));
            sim.at(5 + random.nextInt(30), () -> fast.janitor().runDue(sim.nowMs()).handle((x, e) -> null)
                    .thenCompose(x -> quietly(() -> fast.catalog().createStream(BASIN, "s", StreamConfigSpec.EMPTY, Optional.empty(),
                            Optional.empty())))
                    .thenCompose(x -> append(fast, "s", "new-1"))
                    .thenCompose(x -> append(slow, "s", "new-2")));
            sim.at(random.nextInt(5), () -> slow.janitor().runDue(sim.nowMs()).handle((x, e) -> null));
            sim.at(200 + random.nextInt(200), () -> slow.janitor().runDue(sim.nowMs()).handle((x, e) -> null)
                    .thenCompose(x -> append(fast, "s", "new-3")));
            settle();
            checkStreams(List.of("s", "u"));
            // once the faults are through, a pass leaves nothing due behind
            long last = sim.nowMs();
            await(() -> fast.janitor().runDue(last));
            // (lifecycle checks are perpetual: one due later stays, by design)
            List<String> due = now(memory.list(DueWork.PREFIX, "", 100)).keys().stream()
                    .filter(k -> Long.parseLong(k.substring(DueWork.PREFIX.length(), DueWork.PREFIX.length() + 20)) <= last).toList();
            if (!due.isEmpty()) {
                violations.add("seed " + seed + ": due work left after the last pass: " + due);
            }
            return this;
        }

        /** A stream created while its basin is being deleted and cleaned by two processes. */
        World createDuringBasinDeletion() {
            await(() -> fast.catalog().createBasin(BASIN, BasinConfig.DEFAULT, Optional.empty(), "h"));
            await(() -> fast.catalog().createStream(BASIN, "s", StreamConfigSpec.EMPTY, Optional.empty(), Optional.empty()));
            sim.at(random.nextInt(10), () -> slow.catalog().markBasinDeleting(BASIN).handle((x, e) -> null)
                    .thenCompose(x -> slow.janitor().cleanBasinNow(BASIN).handle((y, e) -> null)));
            sim.at(random.nextInt(10), () -> quietly(() -> fast.catalog().createStream(BASIN, "c", StreamConfigSpec.EMPTY,
                    Optional.empty(), Optional.empty())).thenCompose(x -> append(fast, "c", "c-1")));
            sim.at(random.nextInt(60), () -> fast.janitor().cleanBasinNow(BASIN).handle((x, e) -> null));
            settle();
            checkStreams(List.of("s", "c"));
            return this;
        }

        private void settle() {
            if (!sim.run(5_000_000)) {
                throw new AssertionError("seed " + seed + ": did not settle");
            }
        }

        private <T> T now(CompletionStage<T> stage) {
            return stage.toCompletableFuture().join();
        }

        private List<StreamRecord> versions(String stream) {
            List<StreamRecord> all = new ArrayList<>();
            for (long v = 1; ; v++) {
                String key = CatalogKeys.streamVersion(BASIN, stream, v);
                Optional<dev.brook.store.StoredObject> o = now(memory.get(key));
                if (o.isEmpty()) {
                    return all;
                }
                all.add(CatalogCodec.decodeStream(key, v, o.get().body()));
            }
        }

        private List<BasinRecord> basinVersions() {
            List<BasinRecord> all = new ArrayList<>();
            for (long v = 1; ; v++) {
                String key = CatalogKeys.basinVersion(BASIN, v);
                Optional<dev.brook.store.StoredObject> o = now(memory.get(key));
                if (o.isEmpty()) {
                    return all;
                }
                all.add(CatalogCodec.decodeBasin(key, v, o.get().body()));
            }
        }

        private StreamLog freshLog(StreamRecord s) {
            LogEnv env = new LogEnv(memory, sim::nowMs, sim::nanoTime, sim::delay, new Random(seed), LogSettings.DEFAULT);
            return new StreamLog(env, s.sid(), StreamState.empty(s.genesisVersion(), s.genesis()));
        }

        private void checkStreams(List<String> names) {
            for (String name : names) {
                List<StreamRecord> vs = versions(name);
                for (int i = 0; i < vs.size(); i++) {
                    StreamRecord v = vs.get(i);
                    if (v.state() != Lifecycle.DELETED) {
                        continue;
                    }
                    StreamRecord before = i == 0 ? null : vs.get(i - 1);
                    if (before == null || before.state() != Lifecycle.DELETING || !before.sid().equals(v.sid())) {
                        violations.add(name + " v" + v.version() + " (" + v.sid() + ") marked deleted after " + before);
                    }
                    CompletableFuture<StreamState> state = freshLog(v).state().toCompletableFuture();
                    sim.run(100_000);
                    if (!state.isDone() || state.isCompletedExceptionally() || !state.join().sealed()) {
                        violations.add(name + " v" + v.version() + " (" + v.sid() + ") marked deleted but its log is not sealed");
                    }
                }
                if (vs.isEmpty() || vs.get(vs.size() - 1).state() != Lifecycle.ACTIVE) {
                    continue;
                }
                StreamRecord current = vs.get(vs.size() - 1);
                List<String> expected = acked.getOrDefault(current.sid(), List.of());
                CompletableFuture<ReadOutcome> read = freshLog(current).read(new ReadRequest(new ReadRequest.Start.SeqNum(0), 1000,
                        1 << 20, OptionalLong.empty(), false, false)).toCompletableFuture();
                sim.run(100_000);
                List<String> found = read.join() instanceof ReadOutcome.Records r
                        ? r.records().stream().map(x -> new String(x.body(), StandardCharsets.UTF_8)).toList() : List.of("<" + read.join() + ">");
                if (!found.containsAll(expected)) {
                    violations.add(name + " (" + current.sid() + ") is alive but holds " + found + ", acked " + expected);
                }
            }
        }

        private void checkBasin() {
            List<BasinRecord> vs = basinVersions();
            for (int i = 0; i < vs.size(); i++) {
                BasinRecord v = vs.get(i);
                if (v.state() == Lifecycle.DELETED && (i == 0 || vs.get(i - 1).state() != Lifecycle.DELETING)) {
                    violations.add("basin v" + v.version() + " marked deleted after " + (i == 0 ? null : vs.get(i - 1)));
                }
            }
            boolean recreated = vs.stream().filter(v -> v.state() == Lifecycle.ACTIVE).count() > 1;
            if (recreated && vs.get(vs.size() - 1).state() != Lifecycle.ACTIVE) {
                violations.add("the re-created basin is " + vs.get(vs.size() - 1).state());
            }
        }
    }

    private static void assertNoViolations(String what, java.util.function.LongFunction<World> run) {
        List<String> failures = new ArrayList<>();
        for (long seed = 1; seed <= SEEDS; seed++) {
            World w = run.apply(seed);
            if (!w.violations.isEmpty()) {
                failures.add("seed " + seed + ": " + w.violations);
            }
        }
        assertEquals(List.of(), failures.subList(0, Math.min(5, failures.size())),
                what + ": " + failures.size() + " of " + SEEDS + " seeds broke the rules");
    }

    @Test
    void aSlowStreamCleanupNeverMarksTheReCreatedStream() {
        assertNoViolations("stream", seed -> new World(seed).streamRace());
    }

    @Test
    void aSlowBasinCleanupNeverTouchesTheReCreatedBasin() {
        assertNoViolations("basin", seed -> new World(seed).basinRace());
    }

    @Test
    void janitorPassesFromTheIndexRacingAndLateNeverTouchTheReCreatedStream() {
        assertNoViolations("due-work index", seed -> new World(seed).indexRace());
    }

    @Test
    void aStreamCreatedWhileItsBasinIsDeletedIsNeverMarkedDeletedUnsealed() {
        assertNoViolations("create during basin deletion", seed -> new World(seed).createDuringBasinDeletion());
    }
}
