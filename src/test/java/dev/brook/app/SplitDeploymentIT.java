package dev.brook.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brook.engine.auth.TokenRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The split deployment end to end (docs/ARCHITECTURE.md, "The split deployment"): {@code infra/split up}
 * builds each function as its own artifact, starts S3Proxy, two append instances and one of each other
 * function, and HAProxy in front; everything below goes through the router, as users' clients do.
 *
 * <ol>
 *   <li>Each function names itself and its one group on {@code /health/live}, and answers S2's 404 to a
 *       request of another function's route (so an artifact that silently became {@code all} fails).</li>
 *   <li>The official TypeScript SDK's scripts pass through the router: unary operations, sessions on
 *       both transports (HTTP/1.1 and h2c), access tokens (revocation within Brook's bound across
 *       processes).</li>
 *   <li>Under concurrent appends over many streams, with a live SSE follower per stream on edge, one
 *       append instance is killed with {@code SIGKILL} and started again, once per seed. A checker
 *       then verifies: every acknowledged record is in its stream exactly once, at its acknowledged
 *       position; every stored record was sent (acknowledged, or sent with an unknown outcome) and
 *       appears once; no gaps; each follower saw its stream in order, exactly as stored; and appends
 *       landed on both append instances, and on the restarted one again.</li>
 *   <li>Writers aim at both append instances directly, for one stream (as a balancer that spreads at
 *       random would): the same checker holds, both instances acknowledge appends of the stream, and
 *       the follower's instance (edge) is told of their commits by notices.</li>
 * </ol>
 * Seeds: {@code -Dbrook.split.seeds=1,2,3} (default 11,23,37) choose the writers' streams and batch
 * sizes, which instance is killed, and after how many acknowledgements the kill and the restart come.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SplitDeploymentIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path DIR = ROOT.resolve("target/split-it");
    static final List<String> INSTANCES = List.of("control", "append1", "append2", "read", "tail", "edge");
    /** Bounds of the whole stack's start (five builds when stale) and of each wait below. */
    static final long UP_TIMEOUT_S = 900;
    static final long WAIT_S = 120;
    static final int STREAMS = 16;
    static final int WRITERS = 8;
    static final String BASIN = "split-load";

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    static String url;
    static String admin;

    @BeforeAll
    static void up() throws Exception {
        if (Files.isDirectory(DIR)) {
            split("down"); // whatever an interrupted earlier run left behind
        }
        deleteTree(DIR);
        String out = split("up");
        Matcher u = Pattern.compile("(?m)^BROOK_URL=(\\S+)$").matcher(out);
        Matcher a = Pattern.compile("(?m)^ADMIN_TOKEN=(\\S+)$").matcher(out);
        assertTrue(u.find() && a.find(), "infra/split up prints ADMIN_TOKEN and BROOK_URL:\n" + out);
        url = u.group(1);
        admin = a.group(1);
        String[] lines = out.strip().split("\n");
        assertTrue(lines[lines.length - 1].startsWith("BROOK_URL=http://127.0.0.1:"), "BROOK_URL is the last line:\n" + out);
    }

    @AfterAll
    static void down() throws Exception {
        split("down");
        for (String name : Stream.concat(Stream.of("s3proxy", "router"), INSTANCES.stream()).toList()) {
            assertTrue(Files.notExists(DIR.resolve(name + ".pid")), name + " still has a pid file after down");
        }
    }

    @Test
    @Order(1)
    void eachFunctionNamesItselfAndRefusesTheRoutesOfOthers() throws Exception {
        // A request of another function's group, for each function.
        Map<String, String[]> foreign = Map.of(
                "control", new String[] {"POST", "/v1/streams/s/records"},
                "append", new String[] {"GET", "/v1/basins"},
                "read", new String[] {"POST", "/v1/basins"},
                "tail", new String[] {"GET", "/v1/streams/s/records"},
                "edge", new String[] {"GET", "/v1/basins"});
        for (String instance : INSTANCES) {
            String function = instance.startsWith("append") ? "append" : instance;
            String direct = "http://127.0.0.1:" + port(instance);
            HttpResponse<String> live = send("GET", direct + "/health/live", null, null);
            assertEquals(200, live.statusCode(), instance + ": " + live.body());
            JsonNode brook = null;
            for (JsonNode check : JSON.readTree(live.body()).get("checks")) {
                if (check.get("name").asText().equals("brook")) {
                    brook = check.get("data");
                }
            }
            assertNotNull(brook, instance + " names no function: " + live.body());
            assertEquals(function, brook.get("function").asText(), instance + ": " + live.body());
            assertEquals(function, brook.get("serves").asText(), instance + " serves exactly its group: " + live.body());

            String[] other = foreign.get(function);
            HttpResponse<String> refused = send(other[0], direct + other[1], "s", other[0].equals("GET") ? null : "{\"basin\":\"x\"}");
            assertEquals(404, refused.statusCode(), instance + " served " + other[0] + " " + other[1] + ": " + refused.body());
            JsonNode error = JSON.readTree(refused.body());
            assertEquals("not_found", error.get("code").asText(), refused.body());
            assertTrue(error.get("message").asText().contains("this server is the `" + function + "` function"), refused.body());
        }
    }

    @Test
    @Order(2)
    void theTypeScriptSdkPassesThroughTheRouterOnBothTransports() throws Exception {
        Path compat = CompatTsSdkIT.COMPAT;
        CompatTsSdkIT.run(List.of("npm", "ci", "--no-audit", "--no-fund"), compat, Map.of(), "npm ci");
        Map<String, String> env = new HashMap<>(Map.of("S2_ACCOUNT_ENDPOINT", url, "S2_BASIN_ENDPOINT", url, "S2_ACCESS_TOKEN", admin));
        assertTrue(CompatTsSdkIT.run(List.of("node", "unary.mjs"), compat, env, "unary.mjs").contains("all unary operations passed"));
        for (String transport : List.of("fetch", "s2s")) {
            Map<String, String> sessionEnv = new HashMap<>(env);
            sessionEnv.put("SDK_TRANSPORT", transport);
            // The SDK's ack timeout (5 s) counts from submission, and its fetch transport sends the
            // 60 pipelined batches one at a time: on S3Proxy each append takes 30-100 ms here (a
            // speed problem, docs/BENCHMARK.md), so the last batch would race that timeout.
            sessionEnv.put("BROOK_SDK_REQUEST_TIMEOUT_MS", "30000");
            String out = CompatTsSdkIT.run(List.of("node", "sessions.mjs"), compat, sessionEnv, "sessions.mjs on " + transport);
            assertTrue(out.contains("all session checks passed on " + transport), out);
        }
        // A revocation reaches the other functions within Brook's bound, plus the request itself.
        env.put("BROOK_REVOCATION_BOUND_MS", Long.toString(TokenRegistry.REVOCATION_BOUND_MS + 1_000));
        assertTrue(CompatTsSdkIT.run(List.of("node", "tokens.mjs"), compat, env, "tokens.mjs").contains("all token checks passed"));
    }

    @Test
    @Order(3)
    void killingAnAppendInstanceUnderLoadLosesNothingAcknowledged() throws Exception {
        assertEquals(201, send("POST", url + "/v1/basins", null, "{\"basin\":\"" + BASIN + "\"}").statusCode());
        for (int s = 0; s < STREAMS; s++) {
            HttpResponse<String> created = send("POST", url + "/v1/streams", BASIN, "{\"stream\":\"s" + s + "\"}");
            assertEquals(201, created.statusCode(), created.body());
        }
        Ledger ledger = new Ledger();
        List<Follower> followers = new ArrayList<>();
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            for (int s = 0; s < STREAMS; s++) {
                Follower f = new Follower("s" + s);
                followers.add(f);
                pool.submit(f);
            }
            long[] seeds = Stream.of(System.getProperty("brook.split.seeds", "11,23,37").split(","))
                    .mapToLong(x -> Long.parseLong(x.strip())).toArray();
            Set<String> restarted = new HashSet<>();
            for (long seed : seeds) {
                restarted.add(killRound(seed, ledger, pool));
            }

            // The checker: what each stream holds against what was acknowledged and sent.
            int acked = 0;
            for (int s = 0; s < STREAMS; s++) {
                String stream = "s" + s;
                List<String> stored = readAll(stream);
                acked += ledger.check(stream, stored);
                Follower f = followers.get(s);
                f.awaitCount(stored.size());
                assertEquals(stored, f.snapshot(stored.size()), stream + ": the follower saw the stream in order, exactly as stored");
            }
            assertTrue(acked >= seeds.length * 200, "enough acknowledged appends to mean something: " + acked);
            System.out.println("split deployment: " + acked + " acknowledged records, " + ledger.unknown.size()
                    + " appends with an unknown outcome, " + ledger.unknownStored.get() + " of them stored; follower resumes: "
                    + followers.stream().mapToInt(f -> f.resumes.get()).sum());

            for (String instance : List.of("append1", "append2")) {
                assertTrue(appendsServed(instance) > 0, instance + " served no appends"
                        + (restarted.contains(instance) ? " since its last restart" : ""));
            }
        } finally {
            followers.forEach(Follower::stop);
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(WAIT_S, TimeUnit.SECONDS), "writers and followers end");
        }
    }

    @Test
    @Order(4)
    void bothAppendInstancesWriteOneStreamAndAFollowerOnEdgeIsToldOfTheirCommits() throws Exception {
        // Writers aim at append1 and append2 directly, as a platform's balancer spreads requests at
        // random: both instances write one stream, racing for its tail (docs/LOG.md, "Contention").
        String basin = BASIN;
        HttpResponse<String> created = send("POST", url + "/v1/streams", basin, "{\"stream\":\"s" + STREAMS + "\"}");
        assertEquals(201, created.statusCode(), created.body());
        String stream = "s" + STREAMS;
        Ledger ledger = new Ledger();
        Map<String, AtomicInteger> ackedAt = new ConcurrentHashMap<>();
        List<String> targets = List.of("http://127.0.0.1:" + port("append1"), "http://127.0.0.1:" + port("append2"));
        Follower follower = new Follower(stream);
        ExecutorService pool = Executors.newCachedThreadPool();
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<?>> writers = new ArrayList<>();
        double noticesBefore = peerCounter("edge", "brook_peer_notices_received_total");
        try {
            pool.submit(follower);
            for (int w = 0; w < WRITERS; w++) {
                long writerSeed = 4_000 + w;
                String prefix = "d" + w + "-";
                writers.add(pool.submit(() -> {
                    write(new Random(writerSeed), prefix, ledger, stop, targets, STREAMS, 1, ackedAt);
                    return null;
                }));
            }
            ledger.awaitAcks(300, writers);
            // Writers list the followers' registrations every few seconds: keep writing until edge has been told.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
            while (peerCounter("edge", "brook_peer_notices_received_total") <= noticesBefore) {
                assertTrue(System.nanoTime() < deadline, "edge received no commit notice within " + WAIT_S + " s");
                ledger.awaitAcks(ledger.acks.get() + WRITERS, writers);
            }
        } finally {
            stop.set(true);
            for (Future<?> w : writers) {
                w.get(WAIT_S, TimeUnit.SECONDS);
            }
        }
        try {
            List<String> stored = readAll(stream);
            int acked = ledger.check(stream, stored);
            follower.awaitCount(stored.size());
            assertEquals(stored, follower.snapshot(stored.size()), "the follower on edge saw the stream in order, exactly as stored");
            for (String t : targets) {
                assertTrue(ackedAt.containsKey(t) && ackedAt.get(t).get() > 0, t + " acknowledged no append of the shared stream");
            }
            System.out.println("split deployment, one stream on both append instances: " + acked + " acknowledged records, "
                    + ledger.unknown.size() + " with an unknown outcome; acks per instance " + ackedAt
                    + "; forwards sent by append1 " + peerCounter("append1", "brook_peer_forwards_sent_total")
                    + ", by append2 " + peerCounter("append2", "brook_peer_forwards_sent_total")
                    + "; notices received by edge " + peerCounter("edge", "brook_peer_notices_received_total"));
        } finally {
            follower.stop();
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(WAIT_S, TimeUnit.SECONDS), "writers and follower end");
        }
    }

    /** The sum of a counter's series on one instance, from its /metrics (0 when absent). */
    private static double peerCounter(String instance, String name) throws Exception {
        HttpResponse<String> metrics = send("GET", "http://127.0.0.1:" + port(instance) + "/metrics", null, null);
        assertEquals(200, metrics.statusCode());
        double total = 0;
        for (String line : metrics.body().split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    /**
     * One seed: writers run; after some acknowledgements one append instance is killed, after some
     * more it is started again, after some more the writers stop. Returns the instance restarted.
     */
    private String killRound(long seed, Ledger ledger, ExecutorService pool) throws Exception {
        Random random = new Random(seed);
        String victim = random.nextBoolean() ? "append1" : "append2";
        int beforeKill = 40 + random.nextInt(60);
        int whileDown = 40 + random.nextInt(60);
        int afterRestart = 40 + random.nextInt(60);
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<?>> writers = new ArrayList<>();
        int start = ledger.acks.get();
        for (int w = 0; w < WRITERS; w++) {
            long writerSeed = seed * 1_000 + w;
            String prefix = "k" + seed + "w" + w + "-";
            writers.add(pool.submit(() -> {
                write(new Random(writerSeed), prefix, ledger, stop, List.of(url), 0, STREAMS, new ConcurrentHashMap<>());
                return null;
            }));
        }
        try {
            ledger.awaitAcks(start + beforeKill, writers);
            split("kill", victim);
            ledger.awaitAcks(ledger.acks.get() + whileDown, writers);
            split("start", victim);
            // The restarted process counts from zero: appends reach it again once the router sees it up.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
            while (appendsServed(victim) == 0) {
                assertTrue(System.nanoTime() < deadline, victim + " got no appends within " + WAIT_S + " s of its restart");
                ledger.awaitAcks(ledger.acks.get() + WRITERS, writers);
            }
            ledger.awaitAcks(ledger.acks.get() + afterRestart, writers);
        } finally {
            stop.set(true);
            for (Future<?> w : writers) {
                w.get(WAIT_S, TimeUnit.SECONDS);
            }
        }
        return victim;
    }

    /**
     * One writer: appends of 1-5 records to seeded streams (of {@code s<first>}, and the {@code streams - 1}
     * after it) until told to stop,
     * each to one of {@code targets} (chosen at random when there are several); every outcome
     * recorded, and the acknowledged appends counted per target in {@code ackedAt}.
     */
    private static void write(Random random, String prefix, Ledger ledger, AtomicBoolean stop, List<String> targets, int first,
                              int streams, Map<String, AtomicInteger> ackedAt) {
        int next = 0;
        while (!stop.get()) {
            String stream = "s" + (first + random.nextInt(streams));
            String target = targets.size() == 1 ? targets.get(0) : targets.get(random.nextInt(targets.size()));
            int n = 1 + random.nextInt(5);
            List<String> bodies = new ArrayList<>();
            StringBuilder batch = new StringBuilder("{\"records\":[");
            for (int i = 0; i < n; i++) {
                String body = prefix + next++;
                bodies.add(body);
                batch.append(i == 0 ? "" : ",").append("{\"body\":\"").append(body).append("\"}");
            }
            HttpResponse<String> ack;
            try {
                ack = send("POST", target + "/v1/streams/" + stream + "/records", BASIN, batch.append("]}").toString());
            } catch (IOException e) {
                ledger.unknown(bodies); // the connection broke: the append may or may not have happened
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ledger.unknown(bodies);
                return;
            }
            if (ack.statusCode() == 200) {
                ackedAt.computeIfAbsent(target, t -> new AtomicInteger()).incrementAndGet();
                ledger.acked(stream, json(ack.body()).get("start").get("seq_num").asLong(), bodies);
            } else if (ack.statusCode() >= 500) {
                ledger.unknown(bodies); // a failed append's outcome is unknown to the client (502, 503)
            } else {
                throw new AssertionError(stream + ": an append was refused: " + ack.statusCode() + " " + ack.body());
            }
        }
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    /** Every append sent, by outcome. Appends are never retried, so each body is sent once. */
    static final class Ledger {
        final Map<String, Map<Long, String>> acked = new ConcurrentHashMap<>();
        final Set<String> unknown = ConcurrentHashMap.newKeySet();
        final AtomicInteger acks = new AtomicInteger();
        final AtomicInteger unknownStored = new AtomicInteger();

        void acked(String stream, long start, List<String> bodies) {
            Map<Long, String> positions = acked.computeIfAbsent(stream, s -> new ConcurrentHashMap<>());
            for (int i = 0; i < bodies.size(); i++) {
                String earlier = positions.put(start + i, bodies.get(i));
                assertTrue(earlier == null, stream + "@" + (start + i) + " acknowledged twice: " + earlier + ", " + bodies.get(i));
            }
            synchronized (this) {
                acks.incrementAndGet();
                notifyAll();
            }
        }

        void unknown(List<String> bodies) {
            unknown.addAll(bodies);
        }

        /** Waits (bounded) until {@code count} appends have been acknowledged; fails if a writer failed. */
        synchronized void awaitAcks(int count, List<Future<?>> writers) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
            while (acks.get() < count) {
                for (Future<?> w : writers) {
                    if (w.isDone()) {
                        w.get(); // a writer that ended early has thrown
                    }
                }
                long left = deadline - System.nanoTime();
                assertTrue(left > 0, "only " + acks.get() + " of " + count + " appends acknowledged within " + WAIT_S + " s");
                wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 1_000)));
            }
        }

        /** Checks one stream's records; returns how many acknowledged records it holds. */
        int check(String stream, List<String> stored) {
            Map<Long, String> positions = acked.getOrDefault(stream, Map.of());
            for (Map.Entry<Long, String> a : positions.entrySet()) {
                assertTrue(a.getKey() < stored.size(), stream + ": acknowledged record " + a.getValue() + "@" + a.getKey()
                        + " is lost (the stream holds " + stored.size() + ")");
                assertEquals(a.getValue(), stored.get(a.getKey().intValue()), stream + "@" + a.getKey() + " is not what was acknowledged there");
            }
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < stored.size(); i++) {
                String body = stored.get(i);
                assertTrue(seen.add(body), stream + ": " + body + " is stored twice");
                if (!body.equals(positions.get((long) i))) {
                    assertTrue(unknown.contains(body), stream + "@" + i + ": " + body + " was never sent, or was acknowledged elsewhere");
                    unknownStored.incrementAndGet();
                }
            }
            return positions.size();
        }
    }

    /** A live SSE read session on one stream through the router (edge), resumed after the next record if it ends. */
    static final class Follower implements Runnable {
        final String stream;
        final List<String> seen = new ArrayList<>();
        final AtomicInteger resumes = new AtomicInteger();
        volatile boolean stopped;
        volatile Throwable failure;
        volatile HttpResponse<Stream<String>> current;

        Follower(String stream) {
            this.stream = stream;
        }

        @Override
        public void run() {
            try {
                for (int attempt = 0; !stopped && attempt < 100; attempt++) {
                    follow();
                    if (!stopped) {
                        resumes.incrementAndGet();
                    }
                }
                if (!stopped) {
                    failure = new AssertionError(stream + ": the follower gave up after 100 sessions");
                }
            } catch (Throwable t) {
                if (!stopped) {
                    failure = t;
                }
            } finally {
                synchronized (this) {
                    notifyAll();
                }
            }
        }

        private void follow() throws Exception {
            long from;
            synchronized (this) {
                from = seen.size();
            }
            HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/v1/streams/" + stream + "/records?seq_num=" + from))
                    .header("accept", "text/event-stream").header("s2-basin", BASIN).header("authorization", "Bearer " + admin).build();
            HttpResponse<Stream<String>> session;
            try {
                session = HTTP.send(request, HttpResponse.BodyHandlers.ofLines());
            } catch (IOException e) {
                return; // resumed by the caller
            }
            current = session;
            assertEquals(200, session.statusCode(), stream + ": the follow session");
            String event = null;
            try (Stream<String> lines = session.body()) {
                for (String line : (Iterable<String>) lines::iterator) {
                    if (line.isEmpty()) {
                        event = null;
                    } else if (line.startsWith("event: ")) {
                        event = line.substring(7);
                    } else if (line.startsWith("data: ") && "batch".equals(event)) {
                        JsonNode records = JSON.readTree(line.substring(6)).get("records");
                        synchronized (this) {
                            for (JsonNode r : records) {
                                assertEquals(seen.size(), r.get("seq_num").asLong(), stream + ": the follower got records out of order");
                                seen.add(r.get("body").asText());
                            }
                            notifyAll();
                        }
                    } else if (line.startsWith("data: ") && "error".equals(event)) {
                        return; // the server ended the session with an error event: resume
                    }
                }
            } catch (java.io.UncheckedIOException e) {
                // the connection broke: resume
            }
        }

        synchronized void awaitCount(int count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
            while (seen.size() < count && failure == null) {
                long left = deadline - System.nanoTime();
                assertTrue(left > 0, stream + ": the follower saw " + seen.size() + " of " + count + " records within " + WAIT_S + " s");
                wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 1_000)));
            }
            if (failure != null) {
                throw new AssertionError(stream + ": the follower failed", failure);
            }
        }

        synchronized List<String> snapshot(int count) {
            return new ArrayList<>(seen.subList(0, Math.min(count, seen.size())));
        }

        void stop() {
            stopped = true;
            HttpResponse<Stream<String>> s = current;
            if (s != null) {
                s.body().close();
            }
        }
    }

    /** Every record of a stream, read in pages through the router. */
    private static List<String> readAll(String stream) throws Exception {
        List<String> out = new ArrayList<>();
        for (int page = 0; page < 10_000; page++) {
            HttpResponse<String> r = send("GET", url + "/v1/streams/" + stream + "/records?seq_num=" + out.size() + "&count=1000", BASIN, null);
            if (r.statusCode() == 416) { // a read at the tail: S2 answers 416 with the tail
                assertEquals(out.size(), json(r.body()).get("tail").get("seq_num").asLong(), stream + ": read everything up to the tail");
                return out;
            }
            assertEquals(200, r.statusCode(), r.body());
            JsonNode records = json(r.body()).get("records");
            assertTrue(records.size() > 0, stream + ": an empty page before the tail");
            for (JsonNode rec : records) {
                assertEquals(out.size(), rec.get("seq_num").asLong(), stream + ": a gap");
                out.add(rec.get("body").asText());
            }
        }
        throw new AssertionError(stream + ": more than 10,000 pages");
    }

    /** The unary appends an instance has answered, from its own /metrics. */
    private static long appendsServed(String instance) throws Exception {
        HttpResponse<String> metrics = send("GET", "http://127.0.0.1:" + port(instance) + "/metrics", null, null);
        assertEquals(200, metrics.statusCode());
        long total = 0;
        for (String line : metrics.body().split("\n")) {
            if (line.startsWith("http_server_requests_seconds_count{") && line.contains("method=\"POST\"")
                    && line.contains("uri=\"/v1/streams/{stream}/records\"") && line.contains("status=\"200\"")) {
                total += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    @Test
    @Order(5)
    void theJanitorInvocationFreesWhatATrimMadeUnreachable() throws Exception {
        String basin = "split-janitor";
        HttpResponse<String> b = send("POST", url + "/v1/basins", null, "{\"basin\":\"" + basin + "\"}");
        assertEquals(201, b.statusCode(), b.body());
        Path log = streamWithRecords(basin, "trimmed", null, 5);
        // the trim command (base64 format: the header name is empty, its value `trim`; the body the point, u64)
        HttpRequest trim = HttpRequest.newBuilder(URI.create(url + "/v1/streams/trimmed/records")).timeout(Duration.ofSeconds(60))
                .header("authorization", "Bearer " + admin).header("content-type", "application/json")
                .header("s2-basin", basin).header("s2-format", "base64")
                .POST(HttpRequest.BodyPublishers.ofString("{\"records\":[{\"headers\":[[\"\",\"dHJpbQ==\"]],\"body\":\"AAAAAAAAAAM=\"}]}"))
                .build();
        HttpResponse<String> trimmed = HTTP.send(trim, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, trimmed.statusCode(), trimmed.body());
        assertEquals(6, commitObjects(log), "nothing is deleted on the append's path");

        // No function of the split stack runs the janitor: the platform's schedule does, as this does.
        String out = split("janitor");
        Matcher done = Pattern.compile("brook janitor: (\\d+) tasks done, 0 failed").matcher(out);
        assertTrue(done.find() && Integer.parseInt(done.group(1)) >= 1, out);
        assertEquals(3, commitObjects(log), "the commits of 0, 1 and 2 are deleted on S3");
        HttpResponse<String> read = send("GET", url + "/v1/streams/trimmed/records?seq_num=0", basin, null);
        assertEquals(200, read.statusCode(), read.body());
        assertTrue(read.body().contains("\"seq_num\":3"), read.body());
        assertFalse(read.body().contains("\"seq_num\":2"), read.body());
    }

    @Test
    @Order(6)
    void theJanitorInvocationExpiresRecordsAndDeletesAStreamThatStayedEmpty() throws Exception {
        String basin = "split-lifecycle";
        assertEquals(201, send("POST", url + "/v1/basins", null, "{\"basin\":\"" + basin + "\"}").statusCode());
        Path log = streamWithRecords(basin, "brief", "{\"retention_policy\":{\"age\":1}}", 3);
        assertEquals(201, send("POST", url + "/v1/streams", basin,
                "{\"stream\":\"fleeting\",\"config\":{\"retention_policy\":{\"infinite\":{}},\"delete_on_empty\":{\"min_age_secs\":1}}}")
                .statusCode());

        // Hidden from reads by the store's clock as soon as they are a second old, before any janitor ran.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String body = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> read = send("GET", url + "/v1/streams/brief/records?seq_num=0", basin, null);
            assertEquals(200, read.statusCode(), read.body());
            body = read.body();
            if (!body.contains("\"seq_num\"")) {
                break;
            }
            Thread.sleep(100); // polling for a condition, bounded by the deadline
        }
        assertFalse(body.contains("\"seq_num\""), "expired records are no longer read: " + body);
        assertEquals(3, commitObjects(log), "nothing deleted yet: no janitor ran");

        // Each process reads the store's clock from the Date of its answers (whole seconds, so each estimate is
        // off by up to half a second): a janitor started at once may judge a moment earlier than the server did
        // and find nothing expired yet; it then schedules the check for when the oldest commit expires by its
        // estimate, a second or so later (docs/LIFECYCLE.md). So the platform's schedule runs it again, a bounded
        // number of times, until the work is done (it was done on the first pass in most runs).
        HttpResponse<String> gone = null;
        for (int pass = 0; pass < 5; pass++) {
            String out = split("janitor");
            Matcher done = Pattern.compile("brook janitor: (\\d+) tasks done, 0 failed").matcher(out);
            assertTrue(done.find(), out);
            gone = send("GET", url + "/v1/streams/fleeting", basin, null);
            if (commitObjects(log) == 1 && gone.statusCode() == 409) {
                break;
            }
        }
        assertEquals(1, commitObjects(log), "the expired commits are deleted, the last one stays");
        assertEquals(409, gone.statusCode(), "deleted as an explicit delete would be: " + gone.body());
        assertTrue(gone.body().contains("stream_deletion_pending"), gone.body());
    }

    /** Creates {@code stream} (with {@code config}, when given), appends {@code records} one per request: its log's directory. */
    private static Path streamWithRecords(String basin, String stream, String config, int records) throws Exception {
        Set<Path> before = logDirs();
        assertEquals(201, send("POST", url + "/v1/streams", basin, "{\"stream\":\"" + stream + "\""
                + (config == null ? "" : ",\"config\":" + config) + "}").statusCode());
        for (int i = 0; i < records; i++) {
            HttpResponse<String> ack = send("POST", url + "/v1/streams/" + stream + "/records", basin,
                    "{\"records\":[{\"body\":\"r" + i + "\"}]}");
            assertEquals(200, ack.statusCode(), ack.body());
        }
        Set<Path> created = new java.util.HashSet<>(logDirs());
        created.removeAll(before);
        assertEquals(1, created.size(), "one new stream log: " + created);
        return created.iterator().next();
    }

    /** The stream-log directories in S3Proxy's files (one per stream incarnation). */
    private static Set<Path> logDirs() throws IOException {
        Path logs = DIR.resolve("s3/brook/split/logs");
        if (!Files.isDirectory(logs)) {
            return Set.of();
        }
        try (Stream<Path> dirs = Files.list(logs)) {
            return dirs.collect(java.util.stream.Collectors.toSet());
        }
    }

    private static long commitObjects(Path logDir) throws IOException {
        Path commits = logDir.resolve("c");
        if (!Files.isDirectory(commits)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(commits)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    private static HttpResponse<String> send(String method, String target, String basin, String json)
            throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(target)).timeout(Duration.ofSeconds(60))
                .header("authorization", "Bearer " + admin)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            r.header("content-type", "application/json");
        }
        if (basin != null) {
            r.header("s2-basin", basin);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int port(String instance) throws IOException {
        return Integer.parseInt(Files.readString(DIR.resolve(instance + ".port")).strip());
    }

    /** Runs {@code infra/split <args>} on this test's directory; fails with its output unless it exits 0. */
    static String split(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("infra/split").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("BROOK_SPLIT_DIR", DIR.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(UP_TIMEOUT_S, TimeUnit.SECONDS), "infra/split " + String.join(" ", args) + " timed out");
        assertEquals(0, p.exitValue(), "infra/split " + String.join(" ", args) + " failed:\n" + out + logs());
        return out;
    }

    /** The tail of each process's log, for a failure message. */
    private static String logs() throws IOException {
        StringBuilder out = new StringBuilder();
        if (!Files.isDirectory(DIR)) {
            return "";
        }
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path log : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                out.append("\n--- ").append(log.getFileName()).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
            }
        }
        return out.toString();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
