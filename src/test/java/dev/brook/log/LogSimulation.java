package dev.brook.log;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.Header;
import dev.brook.core.StreamState;
import dev.brook.core.Timestamping;
import dev.brook.store.ResilientObjectStore;
import dev.brook.testing.Scheduler;
import dev.brook.testing.SimFaultyStore;
import dev.brook.testing.SimScheduler;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A deterministic world for the log: several independent engines (as separate function instances
 * would be) on one faulty store, logical clients appending (plain, with match_seq_num, with fencing
 * tokens), fencing, trimming, reading and checking the tail, and a deleter raising the floor and
 * deleting; with {@link Expiry}, retention by age too (reads that hide, expiry runs that delete); with
 * {@link DeleteOnEmpty}, janitors that seal the log when they judge it empty, racing the clients' appends.
 * Everything runs on one virtual clock, so a seed replays the same history.
 */
final class LogSimulation {

    static final String SID = "5e1f0000000000000000000000000001";
    static final long START_MS = 1_700_000_000_000L;

    /** The knobs of one run. */
    record Config(int engines, int clients, int opsPerClient, SimFaultyStore.Faults faults, LogSettings settings,
                  double restartEngineRate, long deleterEveryMs, Network network, Expiry expiry, DeleteOnEmpty deleteOnEmpty,
                  boolean readsFromMemory) {
        Config(int engines, int clients, int opsPerClient, SimFaultyStore.Faults faults, LogSettings settings,
               double restartEngineRate, long deleterEveryMs, Network network, Expiry expiry, DeleteOnEmpty deleteOnEmpty) {
            this(engines, clients, opsPerClient, faults, settings, restartEngineRate, deleterEveryMs, network, expiry, deleteOnEmpty,
                    false);
        }

        /**
         * The same world whose continuing reads first ask memory, as a woken follower does
         * (StreamLog#readOnFromMemory): the answer, when there is one, is the read's. A knob of its own, so
         * that the seeds of the other worlds keep replaying the histories that once caught bugs.
         */
        Config readingFromMemory() {
            return new Config(engines, clients, opsPerClient, faults, settings, restartEngineRate, deleterEveryMs, network, expiry,
                    deleteOnEmpty, true);
        }

        Config(int engines, int clients, int opsPerClient, SimFaultyStore.Faults faults, LogSettings settings,
               double restartEngineRate, long deleterEveryMs, Network network, Expiry expiry) {
            this(engines, clients, opsPerClient, faults, settings, restartEngineRate, deleterEveryMs, network, expiry, null);
        }

        Config(int engines, int clients, int opsPerClient, SimFaultyStore.Faults faults, LogSettings settings,
               double restartEngineRate, long deleterEveryMs) {
            this(engines, clients, opsPerClient, faults, settings, restartEngineRate, deleterEveryMs, null);
        }

        Config(int engines, int clients, int opsPerClient, SimFaultyStore.Faults faults, LogSettings settings,
               double restartEngineRate, long deleterEveryMs, Network network) {
            this(engines, clients, opsPerClient, faults, settings, restartEngineRate, deleterEveryMs, network, null);
        }

        /** Small bounds, and compaction cells of 8 sequence numbers, so that compaction runs in every world. */
        static final LogSettings SMALL = new LogSettings(8, 1 << 20, 6, 4_000, 3, 4, 3, 64, 64, 4, 50, 10_000)
                .withSegmentCellRecords(8);
        static final Config DEFAULT = new Config(3, 6, 40, SimFaultyStore.Faults.HARSH, SMALL, 0.02, 40);
        /** Long pauses and late landings: writers come back from the dead onto freed keys. */
        static final Config ZOMBIES = new Config(4, 6, 40,
                new SimFaultyStore.Faults(0.04, 0.08, 0.10, 0.02, 0.2, 5, 0.12, 3_000, 150, 4_000), SMALL, 0.05, 20);
        /** Engines that hand batches to each other over a network that refuses, loses answers, duplicates and delays. */
        static final Config FORWARDING = new Config(3, 8, 40, SimFaultyStore.Faults.HARSH, SMALL, 0.02, 40, Network.FLAKY);
        /** The same on a store that never fails: contention alone decides who leads. */
        static final Config FORWARDING_CLEAN_STORE = new Config(3, 8, 40, SimFaultyStore.Faults.NONE, SMALL, 0.02, 40,
                Network.FLAKY);
        /** Retention by age: reads that hide, expiry runs overlapping each other and the trims, janitors that freeze. */
        static final Config RETENTION = new Config(3, 6, 40, SimFaultyStore.Faults.HARSH, SMALL, 0.02, 40, null, Expiry.BUSY);
        /** Delete-on-empty over short retention: clients that fall quiet together, janitors that seal as they come back. */
        static final Config DELETE_ON_EMPTY = new Config(3, 6, 40, SimFaultyStore.Faults.HARSH, SMALL, 0.02, 40, null, Expiry.SHORT,
                DeleteOnEmpty.QUIET_SPELLS);
    }

    /**
     * Delete-on-empty (docs/LIFECYCLE.md, "Delete-on-empty"), with retention by {@link Expiry}: every expiry run
     * is a janitor's lifecycle check that judges by its report whether the stream is empty and nothing was
     * written for {@code minAgeMs} by the store's clock (ExpiryReport#emptyFor, as StreamLifecycle does), and
     * if so seals the log if its tail is still the end it judged (StreamLog#sealIfAt); a share {@code lateRate}
     * of them freeze between judging and sealing, for up to {@code freezeMaxMs}. The clients fall quiet
     * together after busy spells of {@code busyMinMs} to {@code busyMaxMs}, for {@code quietMinMs} to
     * {@code quietMaxMs}, and come back one by one within {@code returnMaxMs} of the spell's end: the stream
     * empties (its records expire, or a trim to the end took them) and janitors seal it while clients come
     * back. Trims to the end trim their whole batch (the command last), so that they empty the stream too.
     */
    record DeleteOnEmpty(long minAgeMs, double lateRate, long freezeMaxMs, long busyMinMs, long busyMaxMs, long quietMinMs,
                         long quietMaxMs, long returnMaxMs) {
        /**
         * Records live 3 s ({@link Expiry#SHORT}), the minimum age is 2 s: a quiet spell that leaves about 3 s
         * after the last write ends in a seal (2 s after a trim to the end), a shorter one in none. Busy spells of
         * 6-16 s, quiet ones of 0.5-4 s: most runs are sealed while the clients work, most often in their
         * second half (the others after the clients finish, by the last expiry runs), and the clients coming
         * back race the janitors that judged the stream empty.
         */
        static final DeleteOnEmpty QUIET_SPELLS = new DeleteOnEmpty(2_000, 0.3, 3_000, 6_000, 16_000, 500, 4_000, 1_500);
    }

    /** The clients' quiet spells, start to end (virtual ms), when the world has delete-on-empty. */
    private final java.util.TreeMap<Long, Long> quietSpells = new java.util.TreeMap<>();

    /** When the quiet spell holding {@code ms} ends, or {@code ms} when none does. */
    private long quietUntil(long ms) {
        java.util.Map.Entry<Long, Long> e = quietSpells.floorEntry(ms);
        return e != null && e.getValue() > ms ? e.getValue() : ms;
    }

    /**
     * One delete-on-empty decision acted on: the expiry run whose report judged the stream empty (at
     * {@code report.end()}), when it was judged deletable by the store's clock, when the seal was invoked (after
     * a freeze, if {@code late}) and how it ended (Boolean or a failure).
     */
    record SealRun(int id, LogSimulation.ExpiryRun judgement, ExpiryReport report, long decidedMs, boolean late, long invokedMs,
                   long completedMs, Object outcome) {}

    final List<SealRun> seals = java.util.Collections.synchronizedList(new ArrayList<>());
    private final java.util.concurrent.atomic.AtomicInteger sealsStarted = new java.util.concurrent.atomic.AtomicInteger();

    /** Seal-if-empty calls started (each ends in {@link #seals}). */
    int sealsStarted() {
        return sealsStarted.get();
    }

    /**
     * Retention by age (docs/LIFECYCLE.md, "Retention by age"): records live {@code ageSecs} by the
     * store's stamps. An expiry run from a random engine starts about every {@code everyMs} while the
     * clients work, up to {@code runningMax} at once, never waiting for the trims; a share
     * {@code lateRate} of them are janitors of their own that judge their retention, then freeze (before
     * their first request or part-way) for 2 s to {@code 2 s + freezeMaxMs} while others run and finish.
     * A share {@code readsWithRetention} of reads hide what the retention at their invocation hides.
     * {@code afterClientsMs} after the last client finished, every engine runs one more expiry. Trims go
     * to random points only, never to the end: a trim to the end hides everything and leaves retention
     * nothing to judge.
     */
    record Expiry(long ageSecs, long everyMs, int runningMax, double lateRate, long freezeMaxMs, double readsWithRetention,
                  long afterClientsMs) {
        /**
         * A run lasts about 50 to 75 virtual seconds (the faulty store's timeouts and pauses), about four
         * records a second: records live 12 s, so most of a run's records expire while it goes on, and at
         * the end, after the last expiries (3 s after the clients) and the last frozen janitors, the newest
         * are still visible (about ten a run, above the trim point).
         */
        static final Expiry BUSY = new Expiry(12, 300, 3, 0.1, 6_000, 0.6, 3_000);
        /** For delete-on-empty: records live 3 s, so that a quiet spell of the clients empties the stream. */
        static final Expiry SHORT = new Expiry(3, 300, 3, 0.1, 6_000, 0.6, 3_000);

        ReadRequest.Retention at(long storeNowMs) {
            return ReadRequest.Retention.age(1, ageSecs, storeNowMs);
        }
    }

    /**
     * The network between engines for forwards (docs/LOG.md, "Contention"): the probability that a
     * forward is refused (nothing delivered), that its answer is lost after the peer took it, that it
     * is delivered twice to the same instance, and the largest delay of each leg.
     */
    record Network(double refused, double answerLost, double duplicated, int delayMaxMs) {
        static final Network FLAKY = new Network(0.1, 0.1, 0.1, 30);
    }

    /** What the network did in one run. */
    final java.util.Map<String, Integer> forwards = new java.util.TreeMap<>();

    /** One operation a client ran: what it asked, when, and how it ended; {@code engine}: which engine served it. */
    record Op(int client, int id, String kind, AppendBatch batch, ReadRequest read, long invokedMs, long completedMs,
              Object outcome, int engine) {}

    /**
     * One expiry run: the retention it was given, judged at {@code judgedMs} by the store's clock, when it
     * ended and how (an {@link ExpiryReport} or a failure); {@code late}: a janitor that froze after judging.
     */
    record ExpiryRun(int id, boolean late, ReadRequest.Retention retention, long judgedMs, long completedMs, Object outcome) {}

    final List<ExpiryRun> expiries = java.util.Collections.synchronizedList(new ArrayList<>());
    private final java.util.concurrent.atomic.AtomicInteger expiriesRunning = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger expiriesStarted = new java.util.concurrent.atomic.AtomicInteger();

    final long seed;
    final Config config;
    final Scheduler sim;
    final SimFaultyStore store;
    final StreamState genesis = StreamState.empty(1, Timestamping.DEFAULT);
    private final Random random;
    private final StreamLog[] engines;
    private final LogEnv[] envs;
    final List<Op> history = java.util.Collections.synchronizedList(new ArrayList<>());
    private final java.util.concurrent.atomic.AtomicInteger trimsRunning = new java.util.concurrent.atomic.AtomicInteger();

    /** The deterministic world: virtual time over a memory store. */
    LogSimulation(long seed, Config config) {
        this(seed, config, new SimScheduler(START_MS), null);
    }

    /** The same workload on {@code scheduler}, over {@code realStore} when given (else memory). */
    LogSimulation(long seed, Config config, Scheduler scheduler, dev.brook.store.ObjectStore realStore) {
        this.seed = seed;
        this.config = config;
        this.sim = scheduler;
        this.random = new Random(seed);
        this.store = realStore == null
                ? new SimFaultyStore((SimScheduler) scheduler, new Random(seed * 7919 + 1), config.faults())
                : new SimFaultyStore(realStore, scheduler, new Random(seed * 7919 + 1), config.faults());
        this.engines = new StreamLog[config.engines()];
        this.envs = new LogEnv[config.engines()];
        for (int i = 0; i < engines.length; i++) {
            Random r = new Random(seed * 31 + i);
            // Engine 0 talks to the store directly, so the log itself settles every lost response;
            // the others go through the retry layer with few attempts, as deployments do with more.
            dev.brook.store.ObjectStore s = i == 0 ? store : new ResilientObjectStore(store,
                    new ResilientObjectStore.RetryPolicy(1 + i, 2_000, 5, 40), sim::nanoTime, sim::delay, r);
            envs[i] = new LogEnv(s, sim::nowMs, sim::nanoTime, sim::delay, r, config.settings());
            engines[i] = newEngine(i);
        }
        this.network = new Random(seed * 104_729 + 7);
        if (config.deleteOnEmpty() != null) {
            DeleteOnEmpty d = config.deleteOnEmpty();
            Random spells = new Random(seed * 92_821 + 3);
            long t = START_MS;
            while (t < START_MS + 3_600_000) {
                t += d.busyMinMs() + spells.nextLong(d.busyMaxMs() - d.busyMinMs() + 1);
                long quiet = d.quietMinMs() + spells.nextLong(d.quietMaxMs() - d.quietMinMs() + 1);
                quietSpells.put(t, t + quiet);
                t += quiet;
            }
        }
    }

    private final Random network;

    private StreamLog newEngine(int i) {
        if (config.network() == null) {
            return new StreamLog(envs[i], SID, genesis);
        }
        return new StreamLog(envs[i], SID, genesis, StreamLog.Options.DEFAULT.withPeering(new SimPeering(i)));
    }

    /** Engine {@code i}'s link to the others, through the simulated network. */
    private final class SimPeering implements Peering {
        private final String self;

        SimPeering(int i) {
            this.self = "sim://engine-" + i;
        }

        @Override
        public String self() {
            return self;
        }

        @Override
        public java.util.concurrent.CompletionStage<List<AppendOutcome>> forward(String peer, String id, List<AppendBatch> batches) {
            Network net = config.network();
            int target = Integer.parseInt(peer.substring(peer.lastIndexOf('-') + 1));
            java.util.concurrent.CompletableFuture<List<AppendOutcome>> answer = new java.util.concurrent.CompletableFuture<>();
            boolean refused;
            boolean lost;
            boolean duplicated;
            long there;
            long back;
            long again;
            synchronized (network) {
                refused = network.nextDouble() < net.refused();
                lost = network.nextDouble() < net.answerLost();
                duplicated = network.nextDouble() < net.duplicated();
                there = network.nextInt(net.delayMaxMs() + 1);
                back = network.nextInt(net.delayMaxMs() + 1);
                again = network.nextInt(net.delayMaxMs() + 1);
            }
            count("sent");
            if (refused) {
                count("refused");
                sim.at(there, () -> answer.completeExceptionally(new Peering.NotDelivered("refused by " + peer)));
                return answer;
            }
            sim.at(there, () -> {
                StreamLog to = engine(target);
                to.acceptForwarded(id, batches).whenComplete((outcomes, e) -> sim.at(back, () -> {
                    if (lost || e != null) {
                        count("answer lost");
                        answer.completeExceptionally(new java.io.IOException("the answer from " + peer + " was lost"));
                    } else {
                        answer.complete(outcomes);
                    }
                }));
                if (duplicated) {
                    count("duplicated");
                    sim.at(again, () -> to.acceptForwarded(id, batches));
                }
            });
            return answer;
        }
    }

    private void count(String what) {
        synchronized (forwards) {
            forwards.merge(what, 1, Integer::sum);
        }
    }

    private synchronized StreamLog engine(int i) {
        return engines[i];
    }

    /** A fresh instance on the same store, as after a crash or a scale-from-zero. */
    StreamLog freshEngine() {
        return new StreamLog(envs[0], SID, genesis);
    }

    LogSimulation run() {
        return run(5_000_000);
    }

    /** Runs the workload until it settles ({@code budget}: events in virtual time, milliseconds in real time). */
    LogSimulation run(long budget) {
        for (int c = 0; c < config.clients(); c++) {
            Client client = new Client(c, new Random(seed * 1_000_003 + c));
            sim.at(random.nextInt(20), client::next);
        }
        scheduleDeleter();
        if (config.expiry() != null) {
            scheduleExpiry();
        }
        if (!sim.run(budget)) {
            throw new AssertionError("seed " + seed + ": the simulation did not settle");
        }
        return this;
    }

    private volatile boolean clientsDone;
    private final java.util.concurrent.atomic.AtomicInteger clientsFinished = new java.util.concurrent.atomic.AtomicInteger();

    private final java.util.concurrent.atomic.AtomicInteger compactionsRunning = new java.util.concurrent.atomic.AtomicInteger();
    /** What the compaction runs did in one run: runs finished, segments written, commit objects they replaced. */
    final java.util.Map<String, Integer> compactions = new java.util.TreeMap<>();
    /** Continuing reads that memory answered (Config#readingFromMemory). */
    int readsAnsweredFromMemory;

    private void scheduleDeleter() {
        sim.at(config.deleterEveryMs(), () -> {
            if (clientsDone) {
                return;
            }
            if (trimsRunning.compareAndSet(0, 1)) {
                engine().trim().whenComplete((r, e) -> trimsRunning.set(0));
            }
            // Compaction (docs/LOG.md): from random engines, up to two at once, whatever trims and expiries do.
            if (config.settings().segmentCellRecords() < Segments.CELL_RECORDS && compactionsRunning.get() < 2 && random.nextBoolean()) {
                compactionsRunning.incrementAndGet();
                engine().compact().whenComplete((r, e) -> {
                    compactionsRunning.decrementAndGet();
                    if (r != null) {
                        synchronized (compactions) {
                            compactions.merge("runs", 1, Integer::sum);
                            compactions.merge("segments written", r.segments(), Integer::sum);
                            compactions.merge("commits compacted", r.commits(), Integer::sum);
                        }
                    }
                });
            }
            scheduleDeleter();
        });
    }

    /** Starts expiry runs while the clients work, several at once, whatever the trims are doing. */
    private void scheduleExpiry() {
        long every = config.expiry().everyMs();
        sim.at(every / 2 + random.nextLong(every + 1), () -> {
            if (clientsDone) {
                return;
            }
            if (random.nextDouble() < config.expiry().lateRate()) {
                lateExpiry();
            } else if (expiriesRunning.get() < config.expiry().runningMax()) {
                expire(engine());
            }
            scheduleExpiry();
        });
    }

    /** After the clients: one more run from every engine, once the newest records have aged a little. */
    private void finalExpiries() {
        sim.at(config.expiry().afterClientsMs(), () -> {
            for (int i = 0; i < engines.length; i++) {
                expire(engine(i));
            }
        });
    }

    private void expire(StreamLog log) {
        int id = expiriesStarted.getAndIncrement();
        long judged = store.clockMs();
        ReadRequest.Retention r = config.expiry().at(judged);
        expiriesRunning.incrementAndGet();
        log.expire(r).whenComplete((report, e) -> {
            expiriesRunning.decrementAndGet();
            ExpiryRun run = new ExpiryRun(id, false, r, judged, sim.nowMs(), e != null ? e : report);
            expiries.add(run);
            deleteIfEmpty(log, run);
        });
    }

    /**
     * Delete-on-empty after an expiry run, as the janitor's lifecycle check does (StreamLifecycle#decide):
     * when the report says the stream is empty and nothing was written for the minimum age by the store's
     * clock now, seal the log if its tail is still where the report found it; now and then only after a
     * freeze, while the clients may come back.
     */
    private void deleteIfEmpty(StreamLog log, ExpiryRun run) {
        DeleteOnEmpty d = config.deleteOnEmpty();
        if (d == null || !(run.outcome() instanceof ExpiryReport report) || report.sealed()) {
            return;
        }
        long decided = store.clockMs();
        if (!report.emptyFor(d.minAgeMs(), decided, START_MS)) {
            return;
        }
        int id = sealsStarted.getAndIncrement();
        boolean late = random.nextDouble() < d.lateRate();
        long freeze = late ? 1 + random.nextLong(d.freezeMaxMs()) : 0;
        sim.at(freeze, () -> {
            long invoked = sim.nowMs();
            log.sealIfAt(report.end()).whenComplete((sealed, e) ->
                    seals.add(new SealRun(id, run, report, decided, late, invoked, sim.nowMs(), e != null ? e : sealed)));
        });
    }

    /**
     * A janitor of its own (a process with its own cache, as a lifecycle check in another function
     * instance) that judges its retention now, makes its first few requests (possibly none) and freezes;
     * it resumes seconds later, when runs judged after it have finished, and acts on what it decided.
     */
    private void lateExpiry() {
        int id = expiriesStarted.getAndIncrement();
        long judged = store.clockMs();
        ReadRequest.Retention r = config.expiry().at(judged);
        Random own = new Random(seed * 65_537 + id);
        dev.brook.store.ObjectStore frozen = new dev.brook.testing.FreezingStore(store, sim, own.nextInt(8),
                judged + 2_000 + own.nextLong(config.expiry().freezeMaxMs() + 1));
        LogEnv env = new LogEnv(frozen, sim::nowMs, sim::nanoTime, sim::delay, own, config.settings());
        StreamLog janitor = new StreamLog(env, SID, genesis);
        janitor.expire(r).whenComplete((report, e) -> {
            ExpiryRun run = new ExpiryRun(id, true, r, judged, sim.nowMs(), e != null ? e : report);
            expiries.add(run);
            deleteIfEmpty(janitor, run);
        });
    }

    /** Expiry runs started (each ends in {@link #expiries}). */
    int expiriesStarted() {
        return expiriesStarted.get();
    }

    private synchronized StreamLog engine() {
        return engines[anyEngine()];
    }

    /** A random engine's index; now and then that engine restarts first (its process keeps its commit cache). */
    private synchronized int anyEngine() {
        int i = random.nextInt(engines.length);
        if (random.nextDouble() < config.restartEngineRate()) {
            engines[i] = newEngine(i);
        }
        return i;
    }

    /** A logical client: one operation at a time, with what it believes about the stream. */
    private final class Client {
        final int id;
        final Random r;
        int ops;
        long knownTail;
        String knownToken = "";

        Client(int id, Random r) {
            this.id = id;
            this.r = r;
        }

        void next() {
            if (ops == config.opsPerClient()) {
                if (clientsFinished.incrementAndGet() == config.clients()) {
                    clientsDone = true;
                    if (config.expiry() != null) {
                        finalExpiries();
                    }
                }
                return;
            }
            if (config.deleteOnEmpty() != null && quietUntil(sim.nowMs()) > sim.nowMs()) {
                // a quiet spell: back after it, each client at its own moment
                sim.at(quietUntil(sim.nowMs()) - sim.nowMs() + r.nextLong(config.deleteOnEmpty().returnMaxMs() + 1), this::next);
                return;
            }
            int opId = ops++;
            long invoked = sim.nowMs();
            int pick = r.nextInt(100);
            int served = anyEngine();
            StreamLog log = engine(served);
            if (pick < 12) {
                log.checkTail().whenComplete((t, e) -> {
                    if (t != null) {
                        knownTail = Math.max(knownTail, t.seqNum());
                    }
                    record(opId, "check-tail", null, null, invoked, e != null ? e : t, served);
                });
            } else if (pick < 24) {
                ReadRequest plain = new ReadRequest(new ReadRequest.Start.SeqNum(r.nextLong(knownTail + 2)),
                        1 + r.nextInt(40), 1 << 20, OptionalLong.empty(), r.nextBoolean());
                // Under retention, some reads hide what the retention judged now hides (an S2 read does,
                // with the stream's age, docs/LIFECYCLE.md); the others hide nothing.
                ReadRequest read = config.expiry() != null && r.nextDouble() < config.expiry().readsWithRetention()
                        ? plain.withRetention(config.expiry().at(store.clockMs())) : plain;
                // Half of the reads continue as a session's next batch would: bounded by the tail validated
                // last; a third of those after a notice (true, stale or false) made the log follow its chain.
                int kind = r.nextInt(6);
                long noticed = Math.max(0, knownTail + r.nextInt(5) - 2);
                (kind < 3 ? log.read(read) : kind < 5 ? readOn(log, read) : log.learn(noticed).thenCompose(x -> readOn(log, read)))
                        .whenComplete((o, e) -> record(opId, "read", null, read, invoked, e != null ? e : o, served));
            } else {
                AppendBatch batch = batch(opId, pick);
                log.append(batch).whenComplete((o, e) -> {
                    if (o instanceof AppendOutcome.Acked a) {
                        knownTail = Math.max(knownTail, a.tailSeq());
                    } else if (o instanceof AppendOutcome.Rejected rej
                            && rej.rejection() instanceof dev.brook.core.Rejection.FencingTokenMismatch f) {
                        knownToken = f.current();
                    } else if (o instanceof AppendOutcome.Rejected rej
                            && rej.rejection() instanceof dev.brook.core.Rejection.SeqNumMismatch m) {
                        knownTail = Math.max(knownTail, m.expected());
                    }
                    if (o instanceof AppendOutcome.Acked && batch.records().get(0).headers().size() == 1
                            && new String(batch.records().get(0).headers().get(0).value(), StandardCharsets.UTF_8).equals("fence")) {
                        knownToken = new String(batch.records().get(0).body(), StandardCharsets.UTF_8);
                    }
                    record(opId, "append", batch, null, invoked, e != null ? e : o, served);
                });
            }
        }

        /** A continuing read: from memory first when the world says so (Config#readingFromMemory). */
        CompletionStage<ReadOutcome> readOn(StreamLog log, ReadRequest read) {
            if (config.readsFromMemory()) {
                Optional<ReadOutcome> now = log.readOnFromMemory(read);
                if (now.isPresent()) {
                    readsAnsweredFromMemory++;
                    return CompletableFuture.completedFuture(now.get());
                }
            }
            return log.readOn(read);
        }

        /** Every batch carries a marker record naming its operation, so the checker can find it in the log. */
        AppendBatch batch(int opId, int pick) {
            List<AppendRecord> records = new ArrayList<>();
            OptionalLong match = OptionalLong.empty();
            Optional<String> token = Optional.empty();
            AppendRecord last = null;
            if (pick < 32) {
                String fence = "f" + id + "-" + opId;
                records.add(command("fence", fence.getBytes(StandardCharsets.UTF_8)));
                token = Optional.of(knownToken);
            } else if (pick < 42) {
                // (the draw is made in every world, so that each world's seeds keep their histories)
                boolean toEnd = r.nextBoolean() && (config.expiry() == null || config.deleteOnEmpty() != null);
                long point = toEnd ? Long.MAX_VALUE : r.nextLong(knownTail + 3);
                AppendRecord trim = command("trim", ByteBuffer.allocate(8).putLong(point).array());
                if (toEnd && config.deleteOnEmpty() != null) {
                    last = trim; // after the batch's records: it trims them too, and the stream is empty
                } else {
                    records.add(trim);
                }
            } else if (pick < 55) {
                match = OptionalLong.of(knownTail);
            } else if (pick < 70) {
                token = Optional.of(r.nextInt(4) == 0 ? "stale" : knownToken);
            }
            int n = 1 + r.nextInt(3);
            for (int i = 0; i < n; i++) {
                OptionalLong ts = r.nextInt(3) == 0 ? OptionalLong.of(sim.nowMs() + r.nextInt(2_000) - 1_000) : OptionalLong.empty();
                records.add(new AppendRecord(ts, List.of(new Header("k".getBytes(StandardCharsets.UTF_8), new byte[]{(byte) i})),
                        marker(id, opId, i)));
            }
            if (last != null) {
                records.add(last);
            }
            return new AppendBatch(records, match, token, sim.nowMs());
        }

        private AppendRecord command(String name, byte[] body) {
            return new AppendRecord(OptionalLong.empty(), List.of(new Header(new byte[0], name.getBytes(StandardCharsets.UTF_8))), body);
        }

        private void record(int opId, String kind, AppendBatch batch, ReadRequest read, long invoked, Object outcome, int engine) {
            history.add(new Op(id, opId, kind, batch, read, invoked, sim.nowMs(), outcome, engine));
            sim.at(r.nextInt(15), this::next);
        }
    }

    static byte[] marker(int client, int op, int record) {
        return ("c" + client + "-o" + op + "-r" + record).getBytes(StandardCharsets.UTF_8);
    }
}
