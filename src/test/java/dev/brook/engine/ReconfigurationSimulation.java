package dev.brook.engine;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.BasinConfig;
import dev.brook.core.StreamConfigSpec;
import dev.brook.core.Timestamping;
import dev.brook.core.TimestampingMode;
import dev.brook.log.LogEnv;
import dev.brook.log.LogSettings;
import dev.brook.store.ObjectStore;
import dev.brook.store.ResilientObjectStore;
import dev.brook.testing.SimFaultyStore;
import dev.brook.testing.SimScheduler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A deterministic world for the control plane below HTTP: two processes (catalog, data plane,
 * janitor each) on one faulty store, and logical clients that reconfigure one stream's timestamping
 * (PATCH and PUT), read its configuration, append with and without timestamps, and now and then
 * delete it and create it again. Writes fail, time out, land late; so do the control commits that
 * carry a reconfiguration into the log. What each client was told is recorded for the checker.
 */
final class ReconfigurationSimulation {

    static final String BASIN = "reconfig-sim";
    static final String STREAM = "s";
    static final long START_MS = 1_700_000_000_000L;
    static final int CLIENTS = 4;
    static final int OPS_PER_CLIENT = 14;
    static final long DELETION_GRACE_MS = 30;

    /** What a configuration call reported: the incarnation, the version it speaks for, the timestamping. */
    record Reported(String sid, long version, Timestamping timestamping) {}

    /** The API's stream operations, as one process serves them. */
    interface Api {
        CompletionStage<Reported> patch(Timestamping timestamping);

        CompletionStage<Reported> put(Timestamping timestamping);

        CompletionStage<Reported> get();

        /** Answers with the incarnation marked for deletion, once no append to it can be acknowledged any more. */
        CompletionStage<String> delete();
    }

    interface ApiFactory {
        Api serve(Catalog catalog, DataPlane data, Janitor janitor);
    }

    /** One operation: what was asked, when, and how it ended ({@code outcome} null while open). */
    static final class Op {
        final int client;
        final String kind;
        final Timestamping asked;
        final AppendBatch batch;
        final String marker;
        final long invokedMs;
        long completedMs = -1;
        Object outcome;

        Op(int client, String kind, Timestamping asked, AppendBatch batch, String marker, long invokedMs) {
            this.client = client;
            this.kind = kind;
            this.asked = asked;
            this.batch = batch;
            this.marker = marker;
            this.invokedMs = invokedMs;
        }

        boolean succeeded() {
            return outcome != null && !(outcome instanceof Throwable);
        }

        @Override
        public String toString() {
            return kind + "#c" + client + "@" + invokedMs + ".." + completedMs + (asked == null ? "" : " " + asked) + " -> " + outcome;
        }
    }

    final long seed;
    final SimScheduler sim = new SimScheduler(START_MS);
    final SimFaultyStore store;
    final List<Op> history = Collections.synchronizedList(new ArrayList<>());
    private final Random random;
    private final Api[] apis = new Api[2];
    private final DataPlane[] planes = new DataPlane[2];
    private final ApiFactory factory;

    ReconfigurationSimulation(long seed, ApiFactory factory) {
        this.seed = seed;
        this.factory = factory;
        this.random = new Random(seed);
        this.store = new SimFaultyStore(sim, new Random(seed * 7919 + 1), SimFaultyStore.Faults.HARSH);
        for (int i = 0; i < apis.length; i++) {
            Random r = new Random(seed * 31 + i);
            // As in the log's simulation: one process settles lost responses itself, one through retries.
            ObjectStore s = i == 0 ? store : new ResilientObjectStore(store, new ResilientObjectStore.RetryPolicy(2, 2_000, 5, 40),
                    sim::nanoTime, sim::delay, r);
            LogEnv env = new LogEnv(s, sim::nowMs, sim::nanoTime, sim::delay, r, LogSettings.DEFAULT);
            Catalog catalog = new Catalog(s, sim::nowMs, r);
            planes[i] = new DataPlane(catalog, env);
            apis[i] = factory.serve(catalog, planes[i], new Janitor(catalog, planes[i], sim::delay, DELETION_GRACE_MS));
        }
    }

    /** A process that sees the store without faults, as after the storm (the checker's retries). */
    Api calmProcess() {
        Random r = new Random(seed * 31 + 99);
        LogEnv env = new LogEnv(store.truth(), sim::nowMs, sim::nanoTime, sim::delay, r, LogSettings.DEFAULT);
        Catalog catalog = new Catalog(store.truth(), sim::nowMs, r);
        DataPlane data = new DataPlane(catalog, env);
        return factory.serve(catalog, data, new Janitor(catalog, data, sim::delay, DELETION_GRACE_MS));
    }

    ReconfigurationSimulation run() {
        Catalog setup = new Catalog(store.truth(), sim::nowMs, new Random(seed));
        setup.createBasin(BASIN, BasinConfig.DEFAULT, Optional.empty(), "h").toCompletableFuture().join();
        setup.createStream(BASIN, STREAM, StreamConfigSpec.EMPTY, Optional.empty(), Optional.empty()).toCompletableFuture().join();
        for (int c = 0; c < CLIENTS; c++) {
            Client client = new Client(c, new Random(seed * 1_000_003 + c));
            sim.at(random.nextInt(20), client::next);
        }
        if (!sim.run(20_000_000)) {
            throw new AssertionError("seed " + seed + ": the simulation did not settle");
        }
        return this;
    }

    /** Runs {@code work} on the calm process to completion in virtual time. */
    <T> T settle(Supplier<CompletionStage<T>> work) {
        CompletableFuture<T> f = work.get().toCompletableFuture();
        if (!sim.run(5_000_000) || !f.isDone()) {
            throw new AssertionError("seed " + seed + ": a calm call did not settle");
        }
        return f.join();
    }

    static Timestamping randomTimestamping(Random r) {
        TimestampingMode[] modes = TimestampingMode.values();
        return new Timestamping(modes[r.nextInt(modes.length)], r.nextInt(4) == 0);
    }

    /** A logical client: one operation at a time, on either process. */
    private final class Client {
        final int id;
        final Random r;
        int ops;

        Client(int id, Random r) {
            this.id = id;
            this.r = r;
        }

        void next() {
            if (ops == OPS_PER_CLIENT) {
                return;
            }
            int opId = ops++;
            Api api = apis[r.nextInt(apis.length)];
            DataPlane data = planes[r.nextInt(planes.length)];
            int pick = r.nextInt(100);
            long now = sim.nowMs();
            if (pick < 25) {
                Timestamping t = randomTimestamping(r);
                track(new Op(id, "patch", t, null, null, now), () -> api.patch(t));
            } else if (pick < 38) {
                Timestamping t = randomTimestamping(r);
                track(new Op(id, "put", t, null, null, now), () -> api.put(t));
            } else if (pick < 53) {
                track(new Op(id, "get", null, null, null, now), api::get);
            } else if (pick < 96) {
                String marker = "c" + id + "-o" + opId;
                OptionalLong ts = r.nextBoolean() ? OptionalLong.of(now) : OptionalLong.empty();
                AppendBatch batch = new AppendBatch(List.of(new AppendRecord(ts, List.of(), marker.getBytes(StandardCharsets.UTF_8))),
                        OptionalLong.empty(), Optional.empty(), now);
                track(new Op(id, "append", null, batch, marker, now),
                        () -> data.append(BASIN, STREAM, batch, Optional.empty(), StreamConfigSpec.EMPTY, false));
            } else {
                track(new Op(id, "delete", null, null, null, now), api::delete);
            }
        }

        private void track(Op op, Supplier<CompletionStage<?>> call) {
            history.add(op);
            CompletionStage<?> stage;
            try {
                stage = call.get();
            } catch (RuntimeException e) {
                stage = CompletableFuture.failedFuture(e);
            }
            stage.whenComplete((value, failure) -> {
                op.completedMs = sim.nowMs();
                op.outcome = failure != null ? failure : value == null ? "done" : value;
                sim.at(r.nextInt(20), this::next);
            });
        }
    }
}
