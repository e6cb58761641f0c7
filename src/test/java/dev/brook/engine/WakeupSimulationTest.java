package dev.brook.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.BasinConfig;
import dev.brook.core.SequencedRecord;
import dev.brook.core.StreamConfigSpec;
import dev.brook.log.AppendOutcome;
import dev.brook.log.CommitNotice;
import dev.brook.log.LogEnv;
import dev.brook.log.LogSettings;
import dev.brook.log.Peering;
import dev.brook.log.ReadOutcome;
import dev.brook.log.ReadRequest;
import dev.brook.store.MemoryObjectStore;
import dev.brook.store.ResilientObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * Wake-ups across processes under a hostile network (docs/LOG.md, "Wake-ups across processes"), seeded
 * and in virtual time: four processes on one store, followers of two streams on each of them,
 * writers appending on any process, while the notices between processes are dropped, delayed (so
 * they arrive out of order), duplicated and forged (a wrong range, another stream's id, an unknown
 * id), and one following process dies (its registration stays until its lease runs out, and notices
 * to it go nowhere). Whatever the network does, every follower delivers every record of its stream
 * exactly once and in order, and is caught up once the writers stop and the safety net has had time.
 */
class WakeupSimulationTest {

    static final String BASIN = "sim-basin";
    static final List<String> STREAMS = List.of("s", "t");
    static final int SEEDS = 200;
    static final int STEPS = 400;
    /** Longer than the run: a follower relies on notices and the safety net, as a read session does, not on asking again. */
    static final long WAIT_MS = 3_600_000;

    /** Virtual time: timers fire when the test moves the clock past them, in order. */
    static final class VirtualTime implements ResilientObjectStore.Delay {
        record Timer(long due, long order, CompletableFuture<Void> fire) {}

        final long[] now = {10_000_000};
        private long order;
        private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) -> a.due != b.due
                ? Long.compare(a.due, b.due) : Long.compare(a.order, b.order));

        @Override
        public CompletionStage<Void> after(long millis) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            timers.add(new Timer(now[0] + Math.max(0, millis), order++, f));
            return f;
        }

        void advance(long millis) {
            long to = now[0] + millis;
            while (!timers.isEmpty() && timers.peek().due <= to) {
                Timer t = timers.poll();
                now[0] = Math.max(now[0], t.due);
                t.fire.complete(null);
            }
            now[0] = to;
        }
    }

    /** One run's counts of what the network did, so that the test can show every fault happened. */
    static final class Faults {
        int delivered;
        int dropped;
        int delayed;
        int duplicated;
        int forged;
        int toTheDead;
    }

    record Notice(String to, String sid, CommitNotice notice) {}

    /** A follower: long-poll reads from its next sequence number, again and again. */
    final class Follower {
        final DataPlane process;
        final String stream;
        final List<Long> delivered = new ArrayList<>();
        final List<String> anomalies = new ArrayList<>();
        long next;
        boolean reading;

        Follower(DataPlane process, String stream) {
            this.process = process;
            this.stream = stream;
        }

        void read() {
            if (reading || dead.contains(process)) {
                return;
            }
            reading = true;
            ReadRequest from = new ReadRequest(new ReadRequest.Start.SeqNum(next), 1000, 1 << 20, OptionalLong.empty(), false, true);
            process.read(BASIN, stream, from, WAIT_MS, Optional.empty(), StreamConfigSpec.EMPTY).whenComplete((r, failure) -> {
                reading = false;
                if (failure != null) {
                    anomalies.add("read failed: " + failure);
                    return;
                }
                if (r.outcome() instanceof ReadOutcome.Records records) {
                    for (SequencedRecord rec : records.records()) {
                        if (rec.seqNum() != next) {
                            anomalies.add("expected seq " + next + ", got " + rec.seqNum());
                        }
                        delivered.add(rec.seqNum());
                        next = rec.seqNum() + 1;
                    }
                } else {
                    anomalies.add("unexpected outcome " + r.outcome());
                }
                // Re-issued by the driver, as a client would after an answer (never recursively).
                again.add(this);
            });
        }
    }

    final List<Follower> again = new ArrayList<>();
    final Set<DataPlane> dead = new HashSet<>();

    static AppendBatch batch(Random r) {
        int n = 1 + r.nextInt(3);
        List<AppendRecord> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            records.add(new AppendRecord(OptionalLong.empty(), List.of(), ("r" + r.nextInt()).getBytes(StandardCharsets.UTF_8)));
        }
        return new AppendBatch(records, OptionalLong.empty(), Optional.empty(), 5);
    }

    /** Runs one seed; returns what the network did. Fails on any anomaly. */
    Faults run(long seed) {
        again.clear();
        dead.clear();
        Random random = new Random(seed);
        VirtualTime time = new VirtualTime();
        MemoryObjectStore store = new MemoryObjectStore(() -> time.now[0]);
        Faults faults = new Faults();
        List<Notice> inFlight = new ArrayList<>();
        Map<String, DataPlane> processes = new TreeMap<>();
        Peers.Link link = new Peers.Link() {
            @Override
            public CompletionStage<List<AppendOutcome>> forward(String peer, String sid, String id, List<AppendBatch> batches) {
                return CompletableFuture.failedFuture(new Peering.NotDelivered("forwards are refused in this simulation"));
            }

            @Override
            public void notify(String peer, String sid, CommitNotice notice) {
                int roll = random.nextInt(10);
                if (roll == 0) {
                    faults.dropped++;
                } else {
                    inFlight.add(new Notice(peer, sid, notice));
                }
            }
        };
        List<DataPlane> all = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            String address = "http://p" + p;
            LogEnv env = new LogEnv(store, () -> time.now[0], System::nanoTime, time, new Random(seed * 31 + p), LogSettings.DEFAULT);
            DataPlane plane = new DataPlane(new Catalog(store, env.wallClockMs(), env.random()), env, DataPlane.LOGS_CACHED_MAX,
                    Optional.of(new Peers(address, link)));
            processes.put(address, plane);
            all.add(plane);
        }
        Catalog catalog = new Catalog(store, () -> time.now[0], new Random(seed));
        catalog.createBasin(BASIN, BasinConfig.DEFAULT, Optional.empty(), "h").toCompletableFuture().join();
        for (String s : STREAMS) {
            catalog.createStream(BASIN, s, StreamConfigSpec.EMPTY, Optional.empty(), Optional.empty()).toCompletableFuture().join();
        }
        List<String> sids = new ArrayList<>();
        for (String s : STREAMS) {
            sids.add(all.get(0).preflight(BASIN, s, DataPlane.AutoCreate.NEVER, StreamConfigSpec.EMPTY, Optional.empty())
                    .toCompletableFuture().join().sid());
        }
        List<Follower> followers = new ArrayList<>();
        for (DataPlane p : all) {
            for (String s : STREAMS) {
                for (int i = 0; i < 2; i++) {
                    Follower f = new Follower(p, s);
                    followers.add(f);
                    f.read();
                }
            }
        }
        DataPlane doomed = all.get(3); // follows, then dies: its registration outlives it
        Map<String, Long> tails = new HashMap<>();
        for (int step = 0; step < STEPS; step++) {
            int action = random.nextInt(100);
            if (action < 35) {
                List<DataPlane> alive = all.stream().filter(p -> !dead.contains(p)).toList();
                DataPlane p = alive.get(random.nextInt(alive.size()));
                String s = STREAMS.get(random.nextInt(STREAMS.size()));
                AppendOutcome o = p.append(BASIN, s, batch(random), Optional.empty(), StreamConfigSpec.EMPTY, false)
                        .toCompletableFuture().join();
                AppendOutcome.Acked acked = assertInstanceOf(AppendOutcome.Acked.class, o, "seed " + seed);
                tails.put(s, acked.tailSeq());
            } else if (action < 65 && !inFlight.isEmpty()) {
                // Any notice in flight, not the oldest: delivery out of order is a delay.
                int i = random.nextInt(inFlight.size());
                if (i > 0) {
                    faults.delayed++;
                }
                Notice n = random.nextInt(8) == 0 ? inFlight.get(i) : inFlight.remove(i);
                if (inFlight.contains(n)) {
                    faults.duplicated++;
                }
                DataPlane to = processes.get(n.to());
                deliver(to, n.sid(), n.notice(), faults);
                drainAgain();
                if (to != null && !dead.contains(to)) {
                    // A genuine notice, however late or repeated, leaves no follower of its stream there behind
                    // the commit it announces: no timer had to fire.
                    String stream = STREAMS.get(sids.indexOf(n.sid()));
                    for (Follower f : followers) {
                        if (f.process == to && f.stream.equals(stream)) {
                            assertTrue(f.next >= n.notice().end(), "seed " + seed + ": a follower of " + stream + " at " + f.next
                                    + " after the notice of " + n.notice());
                        }
                    }
                }
            } else if (action < 75) {
                DataPlane p = all.get(random.nextInt(all.size()));
                String sid = random.nextInt(3) == 0 ? "%032x".formatted(random.nextLong() & Long.MAX_VALUE) : sids.get(random.nextInt(sids.size()));
                long start = random.nextInt(40);
                faults.forged++;
                deliver(p, sid, new CommitNotice(start, start + 1 + random.nextInt(5), random.nextInt(1000)), faults);
            } else if (action < 77 && dead.isEmpty() && step > STEPS / 4) {
                dead.add(doomed);
            } else {
                time.advance(1 + random.nextInt(random.nextInt(4) == 0 ? 20_000 : 500));
            }
            drainAgain();
        }
        // The writers stop; the network delivers what it still holds; the safety net has time to run.
        while (!inFlight.isEmpty()) {
            Notice n = inFlight.remove(random.nextInt(inFlight.size()));
            deliver(processes.get(n.to()), n.sid(), n.notice(), faults);
            drainAgain();
        }
        for (int i = 0; i < 10; i++) {
            time.advance(TailWatch.NOTIFIED_POLL_MAX_MS);
            drainAgain();
        }
        for (Follower f : followers) {
            assertEquals(List.of(), f.anomalies, "seed " + seed);
            if (dead.contains(f.process)) {
                continue;
            }
            long tail = tails.getOrDefault(f.stream, 0L);
            List<Long> expected = new ArrayList<>();
            for (long s = 0; s < tail; s++) {
                expected.add(s);
            }
            assertEquals(expected, f.delivered, "seed " + seed + ": a follower of " + f.stream + " delivers every record once, in order");
        }
        return faults;
    }

    void deliver(DataPlane to, String sid, CommitNotice notice, Faults faults) {
        if (to == null || dead.contains(to)) {
            faults.toTheDead++;
            return;
        }
        faults.delivered++;
        to.notified(sid, notice);
    }

    void drainAgain() {
        for (int i = 0; i < 10_000 && !again.isEmpty(); i++) {
            again.remove(0).read();
        }
    }

    @Test
    void everyFollowerDeliversEveryRecordOnceInOrderWhateverTheNetworkDoes() {
        Faults total = new Faults();
        for (long seed = 1; seed <= SEEDS; seed++) {
            Faults f = run(seed);
            total.delivered += f.delivered;
            total.dropped += f.dropped;
            total.delayed += f.delayed;
            total.duplicated += f.duplicated;
            total.forged += f.forged;
            total.toTheDead += f.toTheDead;
        }
        assertTrue(total.delivered > 0 && total.dropped > 0 && total.delayed > 0 && total.duplicated > 0 && total.forged > 0
                && total.toTheDead > 0, "every kind of network fault occurred");
    }

    @Test
    void aSeedReplaysTheSameNetwork() {
        Faults a = run(7);
        Faults b = run(7);
        assertEquals(List.of(a.delivered, a.dropped, a.delayed, a.duplicated, a.forged, a.toTheDead),
                List.of(b.delivered, b.dropped, b.delayed, b.duplicated, b.forged, b.toTheDead));
    }
}
