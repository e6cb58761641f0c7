package dev.brook.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.http.wire.ProtoCodec;
import dev.brook.testing.S3ProxyProcess;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmark, like {@code s2 bench}: drives a Brook through its public API and prints one row per
 * scenario (the store and its durability, records/s, MiB/s, ack latency percentiles, end-to-end latency,
 * the server's CPU seconds per MiB, storage requests per MiB), then S2's own bench lines, and draws the
 * plots. Starts the packaged Brook itself on a temporary file store (or on S3Proxy: {@code s3proxy}), or
 * measures the one at {@code BROOK_BENCH_URL}. Run with {@code bench/run [file|s3proxy]}; docs/BENCHMARK.md
 * describes every scenario. Timing lives here, never in tests.
 *
 * <p>Scenarios, by stream name ({@code BROOK_BENCH_SCENARIOS} runs only those; empty runs all): the
 * writer matrix {@code u1x1,u8x1,u1x100,u8x100} ({@link WriterMatrix}: closed-loop unary writers × records
 * per append, each cell also on Redis; {@code u1} and {@code u8} are still accepted), {@code live}
 * ({@link LiveReaders}: 8 × 100 writers and a long-poll, an SSE and an S2S reader), {@code s1k,s100,s64k}
 * (append sessions), {@code e2e}, {@code c1} (compaction and catch-up), {@code fan}, {@code idle}, and
 * {@code s2} (S2's bench, {@code brook bench}, after the table).
 *
 * <p>Environment: {@code BROOK_BENCH_URL}, {@code BROOK_BENCH_TOKEN} and {@code BROOK_BENCH_STORE} (a Brook
 * already running, and the store its rows name), {@code BROOK_BENCH_SECONDS} (each scenario's length,
 * default 8), {@code BROOK_BENCH_WARMUP_SECONDS} (unmeasured appends before the first scenario, default 15),
 * {@code BROOK_BENCH_LIVE_WARMUP_SECONDS} (the live readers' unmeasured first seconds, default 15),
 * {@code BROOK_BENCH_REDIS} ({@code 0}: no Redis side), {@code BROOK_BENCH_S2_DURATION},
 * {@code BROOK_BENCH_S2_TARGET_MIBPS}, {@code BROOK_BENCH_S2_RECORD_SIZE}, {@code BROOK_BENCH_S2_CATCHUP_DELAY}
 * (S2's bench: 5s, 2, 1024, 1s), {@code BROOK_BENCH_PLOTS} (the plots' directory, default {@code docs/bench};
 * {@code none}), {@code BROOK_BENCH_READERS} (live readers of the fan-out scenario, half S2S and half SSE,
 * default 100), {@code BROOK_BENCH_IDLE_STREAMS} (streams of the idle-followers scenario, one live reader
 * each, default 1000) and {@code BROOK_BENCH_IDLE_SECONDS} (how long it measures, default 60). Live
 * readers, S2S and SSE alike, share h2c connections (as many streams on each as Brook allows).
 */
public final class Bench {

    static final int KIB = 1024;
    static final double MIB = 1024.0 * 1024.0;
    static final long SECONDS = Long.parseLong(System.getenv().getOrDefault("BROOK_BENCH_SECONDS", "8"));
    static final ObjectMapper JSON = new ObjectMapper();
    /** How long the sessions of a scenario get to answer (first heartbeat) before it goes on without the rest. */
    static final long ANSWER_DEADLINE_SECONDS = 60;
    static final Pattern STORE_COUNT = Pattern.compile("^brook_store_requests_seconds_count\\{operation=\"([a-z-]+)\",outcome=\"[^\"]*\"} ([0-9.eE+]+)$");

    final URI base;
    final String token;
    final String basin;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    final Vertx vertx = Vertx.vertx();
    final io.vertx.core.http.HttpClient h2;
    /**
     * Session clients, used in turn: each has its own connections, so the sessions' events are decoded
     * on several event loops (one client put every session on one loop, and that loop, not Brook,
     * limited the 1,000-reader fan-out).
     */
    final List<io.vertx.core.http.HttpClient> sessionClients = new ArrayList<>();
    private int nextSessionClient;
    final List<String> rows = new ArrayList<>();
    /** The store Brook runs on and its durability, as each row names it. */
    final String store;
    /** The server processes whose CPU each row shows, by name ({@link #BROOK}, {@link #S3PROXY}). */
    final Map<String, ProcessCpu> cpu = new java.util.LinkedHashMap<>();
    final Plots plots = new Plots();

    Bench(URI base, String token, String store) {
        this.base = base;
        this.token = token;
        this.store = store;
        this.basin = "bench-" + Long.toString(System.currentTimeMillis(), 36);
        this.h2 = vertx.createHttpClient(h2Options());
        for (int i = 0; i < SESSION_CLIENTS; i++) {
            sessionClients.add(vertx.createHttpClient(h2Options()));
        }
    }

    /**
     * h2c with prior knowledge; a new connection only when the open ones carry as many streams as the
     * server allows (Vert.x default 100; Brook sets none). The connection's receive window is as large
     * as its streams' together: with HTTP/2's default 64 KiB, a connection carrying 100 followers could
     * not take one 1 KiB record for each of them before the client sent a WINDOW_UPDATE, so a busy
     * client throttled the server's fan-out.
     */
    static HttpClientOptions h2Options() {
        return new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false).setHttp2MaxPoolSize(256)
                .setHttp2ConnectionWindowSize(256 << 20).setInitialSettings(new io.vertx.core.http.Http2Settings().setInitialWindowSize(10 << 20));
    }

    /** Session clients (each on its own connections and event loop): Vert.x's default, two event loops per CPU. */
    static final int SESSION_CLIENTS = 2 * Runtime.getRuntime().availableProcessors();

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true"); // the plots: before anything touches AWT
        String mode = args.length > 0 ? args[0] : "file";
        String url = System.getenv("BROOK_BENCH_URL");
        Process brook = null;
        S3ProxyProcess s3 = null;
        String backend;
        String store;
        if (url == null) {
            Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
            int port = S3ProxyProcess.freePort();
            Map<String, String> env = new HashMap<>();
            env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
            // the compaction scenario waits for the janitor (0: measure "before" alone)
            env.put("BROOK_JANITOR_INTERVAL_MS", System.getenv().getOrDefault("BROOK_JANITOR_INTERVAL_MS", "2000"));
            // Catch-up reads old data from storage, as a reader would whose commits are long gone from memory:
            // 32 MiB holds three segments, not the compaction scenario's 40 MiB of commits.
            env.put("BROOK_COMMIT_CACHE_BYTES", System.getenv().getOrDefault("BROOK_COMMIT_CACHE_BYTES", "33554432"));
            if (mode.equals("s3proxy")) {
                s3 = S3ProxyProcess.start();
                s3.createBucket("bench");
                env.putAll(s3.environment());
                env.put("BROOK_STORE", "s3://bench/b");
                backend = "S3Proxy on loopback (filesystem provider, no fsync)";
                store = "S3Proxy (filesystem, no fsync)";
            } else {
                Path dir = Files.createTempDirectory("brook-bench-");
                env.put("BROOK_STORE", "file:" + dir);
                backend = "file store (fsync per commit) in " + dir;
                store = "file store, fsync before ack";
            }
            brook = start(jar, env);
            url = "http://127.0.0.1:" + port;
        } else {
            backend = "the Brook at " + url;
            store = System.getenv().getOrDefault("BROOK_BENCH_STORE", "as deployed (BROOK_BENCH_STORE)");
        }
        Bench bench = new Bench(URI.create(url), System.getenv("BROOK_BENCH_TOKEN"), store);
        if (brook != null) {
            bench.cpu.put(BROOK, ProcessCpu.ofPid(brook.pid()));
        } else {
            ProcessCpu.ofMetrics(bench.http, bench.base).ifPresent(c -> bench.cpu.put(BROOK, c));
        }
        if (s3 != null) {
            bench.cpu.put(S3PROXY, ProcessCpu.ofPid(s3.pid()));
        }
        try {
            System.out.println("Brook benchmark: " + backend + "; " + SECONDS + " s per scenario; 2 cores here? "
                    + Runtime.getRuntime().availableProcessors() + " CPUs");
            bench.run();
        } finally {
            bench.vertx.close();
            if (brook != null) {
                brook.destroy();
                brook.waitFor(30, TimeUnit.SECONDS);
            }
            if (s3 != null) {
                s3.stop();
            }
        }
    }

    static Process start(Path jar, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar.toAbsolutePath().toString()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.contains("brook ready:")) {
                        ready.complete(null);
                    }
                }
                ready.completeExceptionally(new IllegalStateException("brook exited before it was ready"));
            } catch (Exception e) {
                ready.completeExceptionally(e);
            }
        });
        t.setDaemon(true);
        t.start();
        ready.get(60, TimeUnit.SECONDS);
        return p;
    }

    void run() throws Exception {
        send("POST", "/v1/basins", "{\"basin\":\"" + basin + "\"}", 201);
        System.out.printf(Locale.ROOT, ROW + "%10s %8s %8s %8s %8s %8s %8s %9s %s%n", "scenario", "store, durability", "records/s", "MiB/s",
                "p50 ms", "p90 ms", "p99 ms", "max ms", "e2e p50", "CPU s/MiB", "storage requests per MiB");
        warmUp();
        new WriterMatrix(this).run();
        new LiveReaders(this).run("live readers: 8 writers x 100, long-poll+SSE+S2S", "live", 8, 100, KIB);
        session("session 1 KiB, 1 writer, 100-record batches", "s1k", 100, KIB, 32);
        session("session 100 B, 1 writer, 1000-record batches", "s100", 1000, 100, 16);
        session("session 64 KiB, 1 writer, 15-record batches", "s64k", 15, 64 * KIB, 8);
        endToEnd("end-to-end 1 KiB, 10-record batches, 1 live reader", "e2e", 10, KIB);
        catchUp("catch-up read of the 1 KiB session stream", "s1k");
        compaction("c1");
        fanOut("fan-out 1 KiB, 1 rec/append, " + (FAN_OUT_READERS + 1) / 2 + " S2S+" + FAN_OUT_READERS / 2 + " SSE", "fan", FAN_OUT_READERS, KIB);
        idle("idle followers: " + IDLE_STREAMS + " streams, " + (IDLE_STREAMS + 1) / 2 + " S2S+" + IDLE_STREAMS / 2 + " SSE", "idle",
                IDLE_STREAMS);
        s2Bench();
        writePlots();
    }

    /**
     * Seconds of unmeasured appends before the first scenario (BROOK_BENCH_WARMUP_SECONDS, default 15; 0: none):
     * a fresh JVM serving one-record appends spent most of its first 15-20 s compiling (a tenth of the steady
     * rate in the first seconds), so the warm-up runs the writer matrix's shapes in turn, a third each.
     */
    static final long WARMUP_SECONDS = Long.parseLong(System.getenv().getOrDefault("BROOK_BENCH_WARMUP_SECONDS", "15"));

    void warmUp() throws Exception {
        if (WARMUP_SECONDS <= 0) {
            return;
        }
        createStream("warmup");
        long records = 0;
        int[][] shapes = {{1, 1}, {8, 1}, {8, 100}};
        for (int[] shape : shapes) {
            String body = jsonBatch(shape[1], KIB);
            long seconds = Math.max(1, WARMUP_SECONDS / shapes.length);
            records += closedLoop("warm-up", "warmup", shape[0], shape[1], KIB, seconds, t0 -> body).records();
        }
        System.out.printf(Locale.ROOT, "(warm-up, not measured: %d s, %,d records appended in turn by 1 x 1, 8 x 1 and 8 x 100 writers)%n",
                WARMUP_SECONDS, records);
    }

    /** A row's first two columns: the scenario, and the store and durability it measured. */
    static final String ROW = "%-52s %-32s ";

    /** Earlier names of scenarios, still accepted by BROOK_BENCH_SCENARIOS: the writer matrix's corners. */
    static final Map<String, String> ALIASES = Map.of("u1", "u1x1", "u8", "u8x100");

    /** BROOK_BENCH_SCENARIOS=u1,fan,... runs only those scenarios (named by their streams); empty runs all. */
    static final java.util.Set<String> ONLY = java.util.Set.of(System.getenv().getOrDefault("BROOK_BENCH_SCENARIOS", "").split(","))
            .stream().filter(x -> !x.isBlank()).map(x -> ALIASES.getOrDefault(x.strip(), x.strip())).collect(java.util.stream.Collectors.toSet());

    static boolean skipped(String stream) {
        return !ONLY.isEmpty() && !ONLY.contains(stream);
    }

    /** Appends per second of the fan-out's writer (one record each), and how many may be unanswered at once. */
    static final int FAN_OUT_RATE = Integer.parseInt(System.getenv().getOrDefault("BROOK_BENCH_FAN_RATE", "100"));
    static final int FAN_OUT_IN_FLIGHT = 64;
    /** Seconds the fan-out's writer runs before the measured ones (BROOK_BENCH_FAN_WARMUP_SECONDS, default 10). */
    static final long FAN_OUT_WARMUP_SECONDS = Long.parseLong(System.getenv().getOrDefault("BROOK_BENCH_FAN_WARMUP_SECONDS", "10"));

    /** The fan-out's "late" delivery, for its timeline: twice the target's p99 on the file store. */
    static final long LATE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** Live readers of the fan-out scenario: even ones S2S, odd ones SSE. */
    static final int FAN_OUT_READERS = Integer.parseInt(System.getenv().getOrDefault("BROOK_BENCH_READERS", "100"));

    /**
     * {@code readers} live readers of one stream, half S2S and half SSE, while one writer appends one
     * record per append, {@code BROOK_BENCH_FAN_RATE} appends/s (default 100) on schedule: every reader must get every record, in order; end-to-end
     * latency over all deliveries (and by transport), and the storage requests of the whole process
     * per commit. The first append waits until every session has answered.
     */
    void fanOut(String name, String stream, int readers, int size) throws Exception {
        if (skipped(stream)) {
            return;
        }
        createStream(stream);
        // One sample array per session, written only on its connection's event loop: boxed latencies in a shared
        // queue (a node and a Long per delivery, all kept to the end) made the client's young collections copy
        // millions of objects, 50-120 ms pauses every second and a half that showed up as late deliveries.
        List<Samples> e2eS2s = new ArrayList<>();
        List<Samples> e2eSse = new ArrayList<>();
        AtomicLong delivered = new AtomicLong();
        List<Follower> sessions = new ArrayList<>();
        AtomicLong outOfOrder = new AtomicLong();
        long[] measuredFrom = {Long.MAX_VALUE}; // records sent before this (the warm-up) are checked, not timed
        // The slowest ack by the second its append was sent in: a stall of the commit path shows in both.
        java.util.concurrent.atomic.AtomicLongArray slowestAck = new java.util.concurrent.atomic.AtomicLongArray((int) SECONDS + 1);
        for (int i = 0; i < readers; i++) {
            boolean sse = i % 2 == 1;
            // Every record to every session, with a tenth to spare (a run whose schedule moved on sends a few more).
            Samples e2e = new Samples((FAN_OUT_WARMUP_SECONDS + SECONDS) * FAN_OUT_RATE * 11 / 10);
            (sse ? e2eSse : e2eS2s).add(e2e);
            long[] expected = {0};
            sessions.add(follow(stream, sse, (now, seqNums, sentAts) -> {
                for (int k = 0; k < seqNums.length; k++) {
                    if (seqNums[k] != expected[0]) {
                        if (outOfOrder.incrementAndGet() <= 5) {
                            System.out.println((sse ? "SSE" : "S2S") + " reader got " + seqNums[k] + " expecting " + expected[0]
                                    + " in a batch of " + Arrays.stream(seqNums).mapToObj(Long::toString)
                                    .collect(java.util.stream.Collectors.joining(",")));
                        }
                    }
                    expected[0] = seqNums[k] + 1;
                    e2e.add(sentAts[k], now - sentAts[k]); // the warm-up's too: chosen by send time at the end
                    delivered.incrementAndGet(); // after the sample: its read by the main thread sees the sample
                }
            }));
        }
        String unanswered = awaitAnswered(sessions); // every session reaches the (empty) tail before the first append
        Usage before = null;
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        String pad = "x".repeat(size - 20);
        // Open loop: appends go out on schedule whatever the acks (group commit shares commits between
        // those in flight), at most FAN_OUT_IN_FLIGHT unanswered; a writer held back by that is late, not faster.
        // The first FAN_OUT_WARMUP_SECONDS warm the JIT on the path of a thousand deliveries per commit: checked, not timed.
        Semaphore inFlight = new Semaphore(FAN_OUT_IN_FLIGHT);
        AtomicLong failures = new AtomicLong();
        long interval = TimeUnit.SECONDS.toNanos(1) / FAN_OUT_RATE;
        long warmup = System.nanoTime();
        long start = warmup + TimeUnit.SECONDS.toNanos(FAN_OUT_WARMUP_SECONDS);
        long end = start + TimeUnit.SECONDS.toNanos(SECONDS);
        long appended = 0;
        long sent = 0;
        long[] warmupDrainNanos = {0};
        for (long due = warmup; due < end; due += interval) {
            long wait = due - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            inFlight.acquire();
            boolean measured = due >= start;
            if (measured && before == null) {
                // The measured phase starts with every reader at the tail: the warm-up's backlog (a thousand sessions
                // opened while the JIT was cold) made every late delivery of a run fall in its first seconds. The
                // writer pauses until it is delivered, and the schedule moves on by as long.
                long caughtUpBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                long pausedAt = System.nanoTime();
                while (delivered.get() < sent * readers && System.nanoTime() < caughtUpBy) {
                    Thread.sleep(10);
                }
                warmupDrainNanos[0] = System.nanoTime() - pausedAt;
                before = usage();
                // Shifted after the scrape too: appends due while it ran must not go out at once when it returns
                // (a burst of 10-20 commits at the restart made the late deliveries of a run's first second).
                long shift = System.nanoTime() - due;
                if (shift > 0) {
                    due += shift;
                    start += shift;
                    end += shift;
                }
                measuredFrom[0] = System.nanoTime();
            }
            long t0 = System.nanoTime();
            http.sendAsync(request("POST", "/v1/streams/" + stream + "/records", "{\"records\":[{\"body\":\""
                    + String.format(Locale.ROOT, "%019d", t0) + pad + "\"}]}").build(), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((r, failure) -> {
                        if (failure != null || r.statusCode() != 200) {
                            if (failures.incrementAndGet() <= 5) {
                                System.out.println("fan-out append failed: " + (failure != null ? failure : r.statusCode() + " " + r.body()));
                            }
                        } else if (measured) {
                            long took = System.nanoTime() - t0;
                            latencies.add(took);
                            slowestAck.accumulateAndGet((int) Math.min(slowestAck.length() - 1, Math.max(0, t0 - measuredFrom[0]) / 1_000_000_000L),
                                    took, Math::max);
                        }
                        inFlight.release();
                    });
            sent++;
            appended += measured ? 1 : 0;
        }
        if (!inFlight.tryAcquire(FAN_OUT_IN_FLIGHT, 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("fan-out appends still unanswered after 60 s");
        }
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " fan-out appends failed");
        }
        long elapsed = System.nanoTime() - start;
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (delivered.get() < sent * readers && System.nanoTime() < waitUntil) {
            Thread.sleep(10);
        }
        Usage after = usage();
        sessions.forEach(f -> f.request.reset());
        long[] l = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] s2s = Samples.sorted(e2eS2s, measuredFrom[0]);
        long[] sse = Samples.sorted(e2eSse, measuredFrom[0]);
        // Deliveries later than LATE_NANOS, by the second of the measured phase their record was sent in: whether
        // a p99 is made of a few bad moments or spread over the run.
        List<Samples> all = new ArrayList<>(e2eS2s);
        all.addAll(e2eSse);
        long[] late = Samples.lateBySecond(all, measuredFrom[0], LATE_NANOS, (int) SECONDS + 1);
        long[] e = java.util.stream.LongStream.concat(Arrays.stream(s2s), Arrays.stream(sse)).sorted().toArray();
        double appendedMib = appended * (double) (size + 8) / MIB;
        System.out.printf(Locale.ROOT, ROW + "%10.0f %8.1f %8.2f %8.2f %8.2f %8.2f %8.2f %9s per commit: %s; e2e p99 %.2f ms; "
                        + "e2e p50/p99 S2S %.2f/%.2f ms, SSE %.2f/%.2f ms; delivered %d of %d, %d out of order%s%n",
                name, store, appended / (elapsed / 1e9), appendedMib / (elapsed / 1e9), ms(pct(l, 50)), ms(pct(l, 90)),
                ms(pct(l, 99)), ms(pct(l, 100)), ms(pct(e, 50)), cpuPer(before, after, BROOK, appendedMib), perMib(before, after, appended),
                ms(pct(e, 99)), ms(pct(s2s, 50)),
                ms(pct(s2s, 99)), ms(pct(sse, 50)), ms(pct(sse, 99)), delivered.get(), sent * readers, outOfOrder.get(), unanswered);
        StringBuilder bySecond = new StringBuilder();
        StringBuilder acksBySecond = new StringBuilder();
        for (int i = 0; i < late.length; i++) {
            bySecond.append(i == 0 ? "" : " ").append(late[i]);
            acksBySecond.append(i == 0 ? "" : " ").append(Math.round(slowestAck.get(i) / 1e6));
        }
        System.out.printf(Locale.ROOT, "  deliveries later than %d ms, by second of the measured phase their record was sent in: %s;"
                + " the warm-up's backlog took %.1f s to deliver before it%n", LATE_NANOS / 1_000_000, bySecond, warmupDrainNanos[0] / 1e9);
        System.out.printf(Locale.ROOT, "  slowest ack (ms) by second of the measured phase its append was sent in: %s; measured from %s%n",
                acksBySecond, java.time.Instant.now().minusNanos(System.nanoTime() - measuredFrom[0]));
    }

    /** Streams of the idle-followers scenario, one live reader each (even ones S2S, odd ones SSE). */
    static final int IDLE_STREAMS = Integer.parseInt(System.getenv().getOrDefault("BROOK_BENCH_IDLE_STREAMS", "1000"));
    static final long IDLE_SECONDS = Long.parseLong(System.getenv().getOrDefault("BROOK_BENCH_IDLE_SECONDS", "60"));
    /** Seconds between the last session answering and the start of the idle measurement. */
    static final long IDLE_SETTLE_SECONDS = Long.parseLong(System.getenv().getOrDefault("BROOK_BENCH_IDLE_SETTLE_SECONDS", "30"));
    /** Stream creations in flight at once. */
    static final int CREATE_CONCURRENCY = 16;

    /**
     * {@code streams} streams with one live reader each and nothing appended: what following costs in
     * storage requests when nothing happens (the whole process's, per second and per minute per followed
     * stream), over {@code BROOK_BENCH_IDLE_SECONDS} once every session has answered.
     */
    void idle(String name, String prefix, int streams) throws Exception {
        if (skipped(prefix)) {
            return;
        }
        Semaphore slots = new Semaphore(CREATE_CONCURRENCY);
        List<CompletableFuture<Void>> created = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            String path = "/v1/streams";
            String json = "{\"stream\":\"" + prefix + "-" + i + "\"}";
            slots.acquire();
            created.add(http.sendAsync(request("POST", path, json).build(), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((r, failure) -> slots.release())
                    .thenAccept(r -> {
                        if (r.statusCode() != 201) {
                            throw new IllegalStateException("POST " + path + " " + json + ": " + r.statusCode() + " " + r.body());
                        }
                    }));
        }
        CompletableFuture.allOf(created.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        AtomicLong records = new AtomicLong();
        List<Follower> sessions = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            sessions.add(follow(prefix + "-" + i, i % 2 == 1, (now, seqNums, sentAts) -> records.addAndGet(seqNums.length)));
        }
        String unanswered = awaitAnswered(sessions);
        // Polling at an idle tail backs off from 1 s to 15 s over about 30 s: measure the settled cost.
        Thread.sleep(TimeUnit.SECONDS.toMillis(IDLE_SETTLE_SECONDS));
        long heartbeatsBefore = sessions.stream().mapToLong(f -> f.heartbeats.get()).sum();
        Usage before = usage();
        long start = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(IDLE_SECONDS));
        Usage after = usage();
        double seconds = (System.nanoTime() - start) / 1e9;
        long heartbeats = sessions.stream().mapToLong(f -> f.heartbeats.get()).sum() - heartbeatsBefore;
        long ended = sessions.stream().filter(f -> f.done.isDone()).count();
        sessions.forEach(f -> f.request.reset());
        double total = 0;
        for (Map.Entry<String, Double> op : after.requests().entrySet()) {
            total += op.getValue() - before.requests().getOrDefault(op.getKey(), 0.0);
        }
        System.out.printf(Locale.ROOT, ROW + "%10s %8s %8s %8s %8s %8s %8s %9s storage requests %.2f/s (per s: %s), %.3f per minute per followed "
                        + "stream over %.0f s; %d heartbeats, %d records, %d of %d sessions ended%s; CPU %s s/s%n", name, store, "-", "-", "-", "-",
                "-", "-", "-", "-", total / seconds, perMib(before, after, seconds), total / (seconds / 60) / streams, seconds, heartbeats, records.get(), ended,
                streams, unanswered, cpuPer(before, after, BROOK, seconds));
    }

    /** The S2 bench's length, target rate, record size and catch-up delay (BROOK_BENCH_S2_*). */
    static final String S2_DURATION = System.getenv().getOrDefault("BROOK_BENCH_S2_DURATION", "5s");
    static final String S2_TARGET_MIBPS = System.getenv().getOrDefault("BROOK_BENCH_S2_TARGET_MIBPS", "2");
    static final String S2_RECORD_SIZE = System.getenv().getOrDefault("BROOK_BENCH_S2_RECORD_SIZE", "1024");
    static final String S2_CATCHUP_DELAY = System.getenv().getOrDefault("BROOK_BENCH_S2_CATCHUP_DELAY", "1s");

    /**
     * After the table, S2's own bench against the same Brook ({@code brook bench}, run in this process on
     * the benchmark's basin): its Write, Read and Catchup lines and its ack and end-to-end latency tables.
     */
    void s2Bench() {
        if (skipped("s2")) {
            return;
        }
        Map<String, String> env = new HashMap<>();
        env.put("S2_ACCOUNT_ENDPOINT", base.toString());
        env.put("S2_BASIN_ENDPOINT", base.toString());
        if (token != null) {
            env.put("S2_ACCESS_TOKEN", token);
        }
        String[] args = {"bench", basin, "--duration", S2_DURATION, "--target-mibps", S2_TARGET_MIBPS, "--record-size", S2_RECORD_SIZE,
                "--catchup-delay", S2_CATCHUP_DELAY};
        System.out.println();
        System.out.println("S2 bench (brook " + String.join(" ", args) + "), " + store + ":");
        java.io.PrintStream out = new java.io.PrintStream(System.out, true, StandardCharsets.UTF_8);
        int status = dev.brook.cli.BrookCli.run(new dev.brook.cli.BrookCli.Context(env, java.io.InputStream.nullInputStream(), out, out,
                new dev.brook.cli.Formats.Style(false)), args);
        if (status != 0) {
            System.out.println("S2 bench exited with status " + status);
        }
    }

    /** Where the plots go: BROOK_BENCH_PLOTS (default docs/bench, from the repository's root as bench/run runs); "none" for none. */
    static final String PLOTS_DIR = System.getenv().getOrDefault("BROOK_BENCH_PLOTS", "docs/bench");

    void writePlots() throws Exception {
        if (PLOTS_DIR.equals("none")) {
            return;
        }
        String subtitle = store + "; " + SECONDS + " s per scenario; " + java.time.LocalDate.now(java.time.ZoneOffset.UTC) + "; "
                + Runtime.getRuntime().availableProcessors() + " CPUs";
        for (Path file : plots.write(Path.of(PLOTS_DIR), subtitle)) {
            System.out.println("plot: " + file);
        }
    }

    // ---------------------------------------------------------------- scenarios

    /**
     * {@code writers} concurrent unary appenders of {@code records} records of {@code size} bytes, each
     * waiting for its ack before the next batch; returns what they measured, or null when skipped.
     */
    Measured unary(String name, String stream, int writers, int records, int size) throws Exception {
        if (skipped(stream)) {
            return null;
        }
        createStream(stream);
        String body = jsonBatch(records, size);
        Usage before = usage();
        Measured m = closedLoop(name, stream, writers, records, size, SECONDS, t0 -> body);
        report(m, before, usage(), BROOK);
        return m;
    }

    /**
     * {@code writers} closed-loop unary appenders of {@code stream} for {@code seconds}, the body of each
     * append built from its send time (nanoTime): what they measured. A failed append ends the run.
     */
    Measured closedLoop(String name, String stream, int writers, int records, int size, long seconds,
                        java.util.function.LongFunction<String> body) throws Exception {
        String path = "/v1/streams/" + stream + "/records";
        ClosedLoop.Run run = ClosedLoop.run("bench-writer", writers, records, seconds, () -> {
            // One keep-alive socket per writer, as the Redis side has (KeepAliveHttp says why not the JDK client).
            KeepAliveHttp http = new KeepAliveHttp(base, basin, token);
            return new ClosedLoop.Writer() {
                private String sentBody;
                private byte[] request;

                @Override
                public void batch(long t0) throws Exception {
                    String json = body.apply(t0);
                    if (json != sentBody) { // the same body (not one stamped with its send time) is encoded once
                        request = http.request("POST", path, json);
                        sentBody = json;
                    }
                    KeepAliveHttp.Response r = http.send(request);
                    if (r.status() != 200) {
                        throw new IllegalStateException("POST " + path + ": " + r.status() + " " + r.text());
                    }
                }

                @Override
                public void close() {
                    http.close();
                }
            };
        });
        return new Measured(name, store, run.records(), size, run.elapsedNanos(), sortedNanos(run.latencies()), new long[0], run.timeline());
    }

    /** One S2S append session pipelining batches, at most {@code inFlight} unacknowledged. */
    void session(String name, String stream, int records, int size, int inFlight) throws Exception {
        if (skipped(stream)) {
            return;
        }
        createStream(stream);
        byte[] frame = frame(ProtoCodec.encodeAppendInput(batch(records, size)));
        Usage before = usage();
        Semaphore window = new Semaphore(inFlight);
        ConcurrentLinkedQueue<Long> sent = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicLong acked = new AtomicLong();
        Timeline[] timeline = {new Timeline(System.nanoTime(), SECONDS)}; // restarted when the first batch goes out
        CompletableFuture<Void> done = new CompletableFuture<>();
        HttpClientRequest request = open(HttpMethod.POST, "/v1/streams/" + stream + "/records", frames -> frames.forEach(f -> {
            if ((f[0] & 0x80) != 0) {
                done.completeExceptionally(new IllegalStateException("terminal frame: " + new String(f, 3, f.length - 3, StandardCharsets.UTF_8)));
                return;
            }
            long now = System.nanoTime();
            latencies.add(now - sent.poll());
            acked.addAndGet(records);
            timeline[0].add(now, records);
            window.release();
        }), done);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        long start = System.nanoTime();
        timeline[0] = new Timeline(start, SECONDS);
        while (System.nanoTime() < end && !done.isDone()) {
            window.acquire();
            sent.add(System.nanoTime());
            request.write(Buffer.buffer(frame));
        }
        window.acquire(inFlight); // every batch acknowledged
        long elapsed = System.nanoTime() - start;
        request.end();
        done.get(30, TimeUnit.SECONDS);
        report(new Measured(name, store, acked.get(), size, elapsed, sortedNanos(latencies), new long[0], timeline[0]), before, usage(), BROOK);
    }

    /** A live S2S reader follows while one writer appends at a steady pace: send-to-delivery latency. */
    void endToEnd(String name, String stream, int records, int size) throws Exception {
        if (skipped(stream)) {
            return;
        }
        createStream(stream);
        Usage before = usage();
        ConcurrentLinkedQueue<Long> e2e = new ConcurrentLinkedQueue<>();
        CompletableFuture<Void> readDone = new CompletableFuture<>();
        AtomicLong delivered = new AtomicLong();
        HttpClientRequest reader = open(HttpMethod.GET, "/v1/streams/" + stream + "/records?seq_num=0", frames -> frames.forEach(f -> {
            long now = System.nanoTime();
            for (long sentAt : sendTimes(f)) {
                e2e.add(now - sentAt);
                delivered.incrementAndGet();
            }
        }), readDone);
        reader.end();
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        long start = System.nanoTime();
        Timeline timeline = new Timeline(start, SECONDS);
        TaggedBatch batch = new TaggedBatch(records, size);
        long appended = 0;
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            send("POST", "/v1/streams/" + stream + "/records", batch.at(t0), 200);
            long now = System.nanoTime();
            latencies.add(now - t0);
            timeline.add(now, records);
            appended += records;
            Thread.sleep(5); // a steady pace, not a flood: this scenario measures latency
        }
        long elapsed = System.nanoTime() - start;
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (delivered.get() < appended && System.nanoTime() < waitUntil) {
            Thread.sleep(10);
        }
        reader.reset();
        long[] e = sortedNanos(e2e);
        plots.e2e(name, e);
        report(new Measured(name, store, appended, size, elapsed, sortedNanos(latencies), e, timeline), before, usage(), BROOK);
    }

    /**
     * Waits until the janitor is done with what earlier scenarios wrote: no object written and none
     * deleted over two of its passes in a row (the benchmark polls what it measures; the janitor runs
     * every 2 s here), at most {@code seconds}. The writer matrix and the live readers wait for it before
     * each cell, so that a cell measures its own compaction, not the last one's (the 1 x 1 cell of a
     * run once served 584 appends/s while the janitor compacted the warm-up's 470 MiB beside it).
     */
    boolean janitorQuiet(long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        double[] last = {-1, -1};
        int quiet = 0;
        while (quiet < 2 && System.nanoTime() < deadline) {
            Thread.sleep(2_500);
            Map<String, Double> m = storeRequests();
            double[] writes = {m.getOrDefault("put-if-absent", 0.0), m.getOrDefault("delete", 0.0)};
            quiet = Arrays.equals(writes, last) ? quiet + 1 : 0;
            last = writes;
        }
        return quiet >= 2;
    }

    /** Before a measured cell: the janitor done with earlier cells' writes, or a line saying it was not within a minute. */
    void settle() throws Exception {
        if (!janitorQuiet(60)) {
            System.out.println("(the janitor was still compacting earlier scenarios' records after 60 s; measuring anyway)");
        }
    }

    /** Records of the compaction scenario (one 1 KiB record per append); the default fills five cells of 8,192. */
    static final int COMPACT_RECORDS = Integer.parseInt(System.getenv().getOrDefault("BROOK_BENCH_COMPACT_RECORDS", "40960"));
    /** How long the compaction scenario waits for the janitor to compact (Brook needs BROOK_JANITOR_INTERVAL_MS short). */
    static final long COMPACT_WAIT_SECONDS = Long.parseLong(System.getenv().getOrDefault("BROOK_BENCH_COMPACT_WAIT_SECONDS", "300"));

    /**
     * docs/LIFECYCLE.md, compaction: a stream written one 1 KiB record per append (16 writers, one record
     * per request), caught up from its start as written, then again once the janitor has compacted it (waited
     * for until the janitor writes and deletes nothing for two of its passes): unary pages, one S2S read
     * session, then {@link #CATCHUP_PASSES} more of each on a warm server, whose medians it prints.
     */
    void compaction(String stream) throws Exception {
        if (skipped(stream)) {
            return;
        }
        send("POST", "/v1/streams", "{\"stream\":\"" + stream + "\"}", 201);
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(16);
        AtomicLong failures = new AtomicLong();
        String body = "{\"records\":[{\"body\":\"" + "x".repeat(KIB) + "\"}]}";
        long t0 = System.nanoTime();
        for (int i = 0; i < COMPACT_RECORDS; i++) {
            inFlight.acquire();
            http.sendAsync(request("POST", "/v1/streams/" + stream + "/records", body).build(), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((r, e) -> {
                        if (e != null || r.statusCode() != 200) {
                            failures.incrementAndGet();
                        }
                        inFlight.release();
                    });
        }
        inFlight.acquire(16);
        System.out.printf(Locale.ROOT, "compaction: %d one-record appends of 1 KiB written in %.1f s (%d failed)%n", COMPACT_RECORDS,
                (System.nanoTime() - t0) / 1e9, failures.get());
        // With the janitor running, compaction starts as cells fill: this first read may already be partly or
        // wholly served from segments (its GETs per MiB say which). BROOK_JANITOR_INTERVAL_MS=0 measures "before".
        catchUp("catch-up, 1 rec/append, as written", stream);
        if (System.getenv().getOrDefault("BROOK_JANITOR_INTERVAL_MS", "2000").equals("0")) {
            return;
        }
        // "After" is measured once the janitor is done.
        if (!janitorQuiet(COMPACT_WAIT_SECONDS)) {
            System.out.println("compaction: the janitor was still writing after " + COMPACT_WAIT_SECONDS + " s");
            return;
        }
        catchUp("catch-up, 1 rec/append, after compaction", stream);
        catchUpSession("catch-up, same, one S2S read session", stream, COMPACT_RECORDS);
        // A stream of 40 MiB is read in well under a second: the first pass above pays the read path's JIT
        // warm-up. The passes after it measure a warm server, as a long-running one serves catch-ups.
        double[] unary = new double[CATCHUP_PASSES];
        double[] session = new double[CATCHUP_PASSES];
        for (int i = 0; i < CATCHUP_PASSES; i++) {
            unary[i] = catchUp(null, stream)[0];
            session[i] = catchUpSession(null, stream, COMPACT_RECORDS);
        }
        Arrays.sort(unary);
        Arrays.sort(session);
        System.out.printf(Locale.ROOT, ROW + "%10s %8.1f   (min %.1f, max %.1f)%n", "catch-up after compaction, warm: median of " + CATCHUP_PASSES,
                store, "-", unary[CATCHUP_PASSES / 2], unary[0], unary[CATCHUP_PASSES - 1]);
        System.out.printf(Locale.ROOT, ROW + "%10s %8.1f   (min %.1f, max %.1f)%n", "same, S2S session, warm: median of " + CATCHUP_PASSES,
                store, "-", session[CATCHUP_PASSES / 2], session[0], session[CATCHUP_PASSES - 1]);
    }

    /** Further catch-up passes of the compaction scenario, on a warm server (BROOK_BENCH_CATCHUP_PASSES, default 5). */
    static final int CATCHUP_PASSES = Integer.parseInt(System.getenv().getOrDefault("BROOK_BENCH_CATCHUP_PASSES", "5"));

    /**
     * Reads a stream from seq 0 to {@code end} through one S2S read session (as S2's own bench catches
     * up: the server streams batches, no request per page); prints a line like {@link #catchUp} unless
     * {@code name} is null; returns the MiB/s.
     */
    double catchUpSession(String name, String stream, long end) throws Exception {
        if (skipped(stream)) {
            return 0;
        }
        Usage before = usage();
        AtomicLong bytes = new AtomicLong();
        AtomicLong next = new AtomicLong();
        CompletableFuture<Void> reached = new CompletableFuture<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        done.whenComplete((v, e) -> reached.completeExceptionally(e != null ? e : new IllegalStateException("session ended at " + next.get())));
        long start = System.nanoTime();
        HttpClientRequest request = open(HttpMethod.GET, "/v1/streams/" + stream + "/records?seq_num=0", frames -> frames.forEach(frame -> {
            if ((frame[0] & 0x80) != 0) {
                reached.completeExceptionally(new IllegalStateException("terminal frame: " + new String(frame, 3, frame.length - 3, StandardCharsets.UTF_8)));
                return;
            }
            ProtoCodec.ReadBatch batch = ProtoCodec.decodeReadBatch(Arrays.copyOfRange(frame, 1, frame.length));
            for (var rec : batch.records()) {
                if (rec.seqNum() != next.get()) {
                    reached.completeExceptionally(new IllegalStateException("expected seq " + next.get() + ", got " + rec.seqNum()));
                    return;
                }
                next.incrementAndGet();
                bytes.addAndGet(rec.meteredBytes());
            }
            if (next.get() >= end) {
                reached.complete(null);
            }
        }), done);
        request.end();
        reached.get(COMPACT_WAIT_SECONDS, TimeUnit.SECONDS);
        long elapsed = System.nanoTime() - start;
        request.reset();
        Usage after = usage();
        double mib = bytes.get() / MIB;
        if (name != null) {
            System.out.printf(Locale.ROOT, ROW + "%10.0f %8.1f %8s %8s %8s %8s %8s %9s %s%n", name, store, next.get() / (elapsed / 1e9),
                    mib / (elapsed / 1e9), "-", "-", "-", "-", "-", cpuPer(before, after, BROOK, mib), perMib(before, after, mib) + " (reads)");
        }
        return mib / (elapsed / 1e9);
    }

    /** Reads a stream from its start in unary pages of 1,000 records / 1 MiB; prints a line unless {@code name} is null. */
    double[] catchUp(String name, String stream) throws Exception {
        if (skipped(stream)) {
            return new double[3];
        }
        Usage before = usage();
        long seq = 0;
        long bytes = 0;
        long records = 0;
        long start = System.nanoTime();
        // One keep-alive HTTP/1.1 connection, each page scanned rather than decoded (PageScan says why).
        try (KeepAliveHttp http = new KeepAliveHttp(base, basin, token)) {
            while (true) {
                KeepAliveHttp.Response r = http.send(http.request("GET", "/v1/streams/" + stream + "/records?seq_num=" + seq, null,
                        "application/protobuf"));
                if (r.status() != 200) {
                    if (r.status() != 416) {
                        throw new IllegalStateException("catch-up of " + stream + " at " + seq + ": " + r.status() + " " + r.text());
                    }
                    break; // at the tail
                }
                PageScan page = PageScan.of(r.body());
                if (page.records == 0) {
                    // Brook answers a read below the tail with records, past it with 416: an empty page is a fault.
                    throw new IllegalStateException("catch-up of " + stream + " at " + seq + ": an empty page");
                }
                if (!page.consecutive || (records > 0 && page.firstSeq != seq)) {
                    throw new IllegalStateException("catch-up of " + stream + ": expected seq " + seq + ", got " + page.firstSeq
                            + (page.consecutive ? "" : " and a gap inside the page"));
                }
                seq = page.lastSeq + 1;
                bytes += page.meteredBytes;
                records += page.records;
            }
        }
        long elapsed = System.nanoTime() - start;
        Usage after = usage();
        if (name != null) {
            System.out.printf(Locale.ROOT, ROW + "%10.0f %8.1f %8s %8s %8s %8s %8s %9s %s%n", name, store, records / (elapsed / 1e9),
                    bytes / MIB / (elapsed / 1e9), "-", "-", "-", "-", "-", cpuPer(before, after, BROOK, bytes / MIB),
                    perMib(before, after, bytes / MIB) + " (reads)");
        }
        return new double[]{bytes / MIB / (elapsed / 1e9), after.requests().getOrDefault("get", 0.0) - before.requests().getOrDefault("get", 0.0),
                bytes / MIB};
    }

    /**
     * One unary read as protobuf (the live readers' long poll): its status and body, on the Vert.x h2c
     * client the sessions use. The catch-up reads on a {@link KeepAliveHttp} connection of its own.
     */
    Map.Entry<Integer, Buffer> page(String path) throws Exception {
        RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setHost(base.getHost()).setPort(base.getPort())
                .setURI(path).putHeader("s2-basin", basin).putHeader("accept", "application/protobuf");
        if (token != null) {
            o.putHeader("authorization", "Bearer " + token);
        }
        // Built on an event loop: composed from this thread, the response could arrive before body() was
        // attached, and its chunks went nowhere (an empty body under a 1 MiB content-length, now and then).
        CompletableFuture<Map.Entry<Integer, Buffer>> page = new CompletableFuture<>();
        vertx.runOnContext(v -> h2.request(o).compose(req -> req.send().compose(resp -> resp.body().map(b -> Map.entry(resp.statusCode(), b))))
                .onSuccess(page::complete).onFailure(page::completeExceptionally));
        return page.get(90, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- reporting

    /** What one writing scenario measured: its row, its plots, and the writer matrix's comparisons. */
    record Measured(String name, String store, long records, int size, long elapsedNanos, long[] ack, long[] e2e, Timeline timeline) {
        double recordsPerSecond() {
            return records / (elapsedNanos / 1e9);
        }

        /** Metered MiB: body + 8 bytes a record. */
        double mib() {
            return records * (double) (size + 8) / MIB;
        }
    }

    /**
     * Prints {@code m}'s row (CPU of {@code server} per appended MiB, storage requests per MiB) and gives
     * its latencies and throughput to the plots (a peer's, not Brook's, dashed).
     */
    void report(Measured m, Usage before, Usage after, String server) {
        double seconds = m.elapsedNanos() / 1e9;
        long[] l = m.ack();
        long[] e = m.e2e();
        System.out.printf(Locale.ROOT, ROW + "%10.0f %8.1f %8.2f %8.2f %8.2f %8.2f %8s %9s %s%n", m.name(), m.store(), m.recordsPerSecond(),
                m.mib() / seconds, ms(pct(l, 50)), ms(pct(l, 90)), ms(pct(l, 99)), ms(pct(l, 100)),
                e.length == 0 ? "-" : String.format(Locale.ROOT, "%.2f", ms(pct(e, 50))), cpuPer(before, after, server, m.mib()),
                perMib(before, after, m.mib()) + (e.length == 0 ? "" : String.format(Locale.ROOT, "; e2e p99 %.2f ms", ms(pct(e, 99)))));
        boolean peer = !server.equals(BROOK);
        String label = peer ? m.name() + Plots.PEER_SUFFIX : m.name();
        plots.ack(label, l, peer);
        plots.throughput(label, m.timeline().perSecond(), peer);
    }

    static long[] sortedNanos(java.util.Collection<Long> samples) {
        return samples.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    static long pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** The CPU seconds {@code process} used between two readings, per {@code amount} (MiB, or seconds): "n/a" when not known. */
    static String cpuPer(Usage before, Usage after, String process, double amount) {
        Double b = before.cpuSeconds().get(process);
        Double a = after.cpuSeconds().get(process);
        if (a == null || b == null) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.3f", (a - b) / Math.max(amount, 1e-9));
    }

    /** Storage requests per {@code mib} by operation, and S3Proxy's CPU seconds per {@code mib} when it runs here. */
    static String perMib(Usage before, Usage after, double mib) {
        StringBuilder sb = new StringBuilder();
        for (String op : new java.util.TreeSet<>(after.requests().keySet())) {
            double n = after.requests().get(op) - before.requests().getOrDefault(op, 0.0);
            if (n > 0) {
                sb.append(sb.length() == 0 ? "" : " ").append(op).append('=').append(String.format(Locale.ROOT, "%.1f", n / Math.max(mib, 1e-9)));
            }
        }
        String requests = sb.length() == 0 ? "none" : sb.toString();
        return after.cpuSeconds().containsKey(S3PROXY) ? requests + "; S3Proxy CPU " + cpuPer(before, after, S3PROXY, mib) : requests;
    }

    /** The processes whose CPU the rows show: the Brook measured, S3Proxy when the benchmark started it, Redis. */
    static final String BROOK = "brook";
    static final String S3PROXY = "s3proxy";
    static final String REDIS = "redis";

    /** What the servers have used so far: Brook's storage requests by operation, and CPU seconds by process (what is known). */
    record Usage(Map<String, Double> requests, Map<String, Double> cpuSeconds) {}

    /** Brook's storage requests and the CPU of {@link #cpu}'s processes, now. */
    Usage usage() throws Exception {
        return new Usage(storeRequests(), cpuSeconds(cpu));
    }

    static Map<String, Double> cpuSeconds(Map<String, ProcessCpu> processes) throws Exception {
        Map<String, Double> out = new java.util.TreeMap<>();
        for (Map.Entry<String, ProcessCpu> p : processes.entrySet()) {
            out.put(p.getKey(), p.getValue().seconds());
        }
        return out;
    }

    /** Store requests so far, by operation, from Brook's /metrics. */
    Map<String, Double> storeRequests() throws Exception {
        return scrape(http, base, STORE_COUNT);
    }

    /** Sums, by the pattern's first group, the values (its second group) of the matching lines of {@code base}'s /metrics. */
    static Map<String, Double> scrape(HttpClient http, URI base, Pattern line) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Double> counts = new java.util.TreeMap<>();
        for (String l : r.body().split("\n")) {
            Matcher m = line.matcher(l.trim());
            if (m.matches()) {
                counts.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
            }
        }
        return counts;
    }

    // ---------------------------------------------------------------- wire helpers

    void createStream(String stream) throws Exception {
        send("POST", "/v1/streams", "{\"stream\":\"" + stream + "\"}", 201);
    }

    HttpRequest.Builder request(String method, String path, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60)).header("s2-basin", basin)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("content-type", "application/json");
        }
        if (token != null) {
            b.header("authorization", "Bearer " + token);
        }
        return b;
    }

    void send(String method, String path, String json, int expected) throws Exception {
        HttpResponse<String> r = http.send(request(method, path, json).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IllegalStateException(method + " " + path + ": " + r.statusCode() + " " + r.body());
        }
    }

    static String jsonBatch(int records, int size) {
        String body = "x".repeat(size);
        StringBuilder b = new StringBuilder("{\"records\":[");
        for (int i = 0; i < records; i++) {
            b.append(i == 0 ? "" : ",").append("{\"body\":\"").append(body).append("\"}");
        }
        return b.append("]}").toString();
    }

    /**
     * A JSON batch of {@code records} records of {@code size} bytes, each body starting with the append's send
     * time (nanoTime, 19 digits) so that a live reader can measure end-to-end latency: the text is built once,
     * and each append writes its time into the copy.
     */
    static final class TaggedBatch {
        static final int TAG_CHARS = 19;
        private final byte[] template;
        private final int[] tags;

        TaggedBatch(int records, int size) {
            if (size < TAG_CHARS) {
                throw new IllegalArgumentException("a tagged record needs " + TAG_CHARS + " bytes, not " + size);
            }
            String pad = "x".repeat(size - TAG_CHARS);
            StringBuilder b = new StringBuilder("{\"records\":[");
            tags = new int[records];
            for (int i = 0; i < records; i++) {
                b.append(i == 0 ? "" : ",").append("{\"body\":\"");
                tags[i] = b.length();
                b.append("0".repeat(TAG_CHARS)).append(pad).append("\"}");
            }
            template = b.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
        }

        /** The batch, every body tagged with {@code sentAt}. */
        String at(long sentAt) {
            byte[] out = template.clone();
            byte[] digits = String.format(Locale.ROOT, "%019d", sentAt).getBytes(StandardCharsets.US_ASCII);
            for (int at : tags) {
                System.arraycopy(digits, 0, out, at, TAG_CHARS);
            }
            return new String(out, StandardCharsets.ISO_8859_1);
        }
    }

    static AppendBatch batch(int records, int size) {
        byte[] body = new byte[size];
        Arrays.fill(body, (byte) 'x');
        List<AppendRecord> list = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            list.add(new AppendRecord(OptionalLong.empty(), List.of(), body));
        }
        return new AppendBatch(list, OptionalLong.empty(), Optional.empty(), 0);
    }

    static byte[] frame(byte[] payload) {
        byte[] f = new byte[4 + payload.length];
        int length = payload.length + 1;
        f[0] = (byte) (length >>> 16);
        f[1] = (byte) (length >>> 8);
        f[2] = (byte) length;
        System.arraycopy(payload, 0, f, 4, payload.length);
        return f;
    }

    /** The send times (nanoTime, 19 digits) at the start of each record body in a ReadBatch frame. */
    static List<Long> sendTimes(byte[] frameWithFlags) {
        ProtoCodec.ReadBatch batch = ProtoCodec.decodeReadBatch(Arrays.copyOfRange(frameWithFlags, 1, frameWithFlags.length));
        List<Long> out = new ArrayList<>();
        for (var r : batch.records()) {
            out.add(sentAt(r.body()));
        }
        return out;
    }

    /** A tagged record's send time: the nanoTime its body starts with (19 digits, {@link TaggedBatch}). */
    static long sentAt(byte[] body) {
        return Long.parseLong(new String(body, 0, TaggedBatch.TAG_CHARS, StandardCharsets.US_ASCII));
    }

    /** Latency samples of one session, in a growing primitive array: no object per sample. Not thread-safe. */
    static final class Samples {
        // Pairs: send time (nanoTime) and latency of every delivery, warm-up included. Recording every one
        // and choosing the measured ones at the end keeps the delivery callback on one path all run long:
        // a branch first taken when the measured phase starts can cost a recompilation right then.
        private long[] values;
        private int size;

        /**
         * Room for {@code expected} deliveries from the start. Arrays that double as they fill double all at
         * once in a fan-out (every session gets every record): a thousand of them copied in the same moment
         * made one of the client's young collections take 90 ms mid-run, seen as late deliveries and acks.
         */
        Samples(long expected) {
            values = new long[(int) Math.min(Integer.MAX_VALUE - 8, Math.max(1024, 2 * expected))];
        }

        void add(long sentAt, long latency) {
            if (size + 2 > values.length) {
                values = Arrays.copyOf(values, values.length * 2);
            }
            values[size] = sentAt;
            values[size + 1] = latency;
            size += 2;
        }

        /** The latencies of all of {@code all} whose record was sent at or after {@code from}, sorted. */
        static long[] sorted(List<Samples> all, long from) {
            // Read after every delivery was counted (the counter's update follows each sample). Should a run end
            // with deliveries missing, a session may still be adding: take what its array surely holds.
            long[] out = new long[all.stream().mapToInt(x -> x.size / 2).sum()];
            int at = 0;
            for (Samples x : all) {
                long[] v = x.values;
                int n = Math.min(x.size, v.length) & ~1;
                for (int i = 0; i < n && at < out.length; i += 2) {
                    if (v[i] >= from) {
                        out[at++] = v[i + 1];
                    }
                }
            }
            long[] taken = Arrays.copyOf(out, at);
            Arrays.sort(taken);
            return taken;
        }

        /** Per second after {@code from} (the last slot takes the rest), the deliveries later than {@code lateNanos}. */
        static long[] lateBySecond(List<Samples> all, long from, long lateNanos, int seconds) {
            long[] late = new long[seconds];
            for (Samples x : all) {
                long[] v = x.values;
                int n = Math.min(x.size, v.length) & ~1;
                for (int i = 0; i < n; i += 2) {
                    if (v[i] >= from && v[i + 1] > lateNanos) {
                        late[(int) Math.min(seconds - 1, (v[i] - from) / 1_000_000_000L)]++;
                    }
                }
            }
            return late;
        }
    }

    /** What a live reader got in one batch: each record's seq_num and send time (nanoTime), received at {@code now}. */
    interface Deliveries {
        void batch(long now, long[] seqNums, long[] sentAts);
    }

    /** One live read session, S2S or SSE, as the benchmark sees it. */
    static final class Follower {
        final boolean sse;
        /** Completes on the session's first heartbeat or batch: it reached the tail and follows. */
        final CompletableFuture<Void> answered = new CompletableFuture<>();
        /** Completes when the response ends, exceptionally when it was not 200 or ended with an error. */
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final AtomicLong heartbeats = new AtomicLong();
        HttpClientRequest request;

        Follower(boolean sse) {
            this.sse = sse;
            done.whenComplete((v, failure) -> answered.completeExceptionally(failure != null ? failure : new IllegalStateException("ended")));
        }
    }

    /**
     * The sequence numbers and send times (the first 19 characters of each body) of an SSE batch's
     * records, by scanning the JSON text instead of building a tree: with hundreds of readers the
     * benchmark's client must not be what limits the fan-out. Bodies here are plain decimal text. The
     * text is the event's bytes as Latin-1 (one char per byte): String's searches are vectorised,
     * where a loop over bytes spent more CPU per delivery than the server did.
     */
    static long[][] scanSseBatch(String json) {
        List<long[]> found = new ArrayList<>();
        int at = 0;
        // Where the records end: once per batch (searched from each record, it made big batches quadratic).
        int recordsEnd = json.lastIndexOf(TAIL);
        if (recordsEnd < 0) {
            recordsEnd = json.length();
        }
        while (true) {
            int seq = json.indexOf(SEQ_NUM, at);
            if (seq < 0) {
                break;
            }
            int end = seq + SEQ_NUM.length();
            long seqNum = 0;
            while (end < json.length() && json.charAt(end) >= '0' && json.charAt(end) <= '9') {
                seqNum = seqNum * 10 + (json.charAt(end) - '0');
                end++;
            }
            int body = json.indexOf(BODY, end);
            if (body < 0 || seq > recordsEnd) {
                break; // the tail's seq_num, not a record's
            }
            long sentAt = 0;
            for (int k = body + BODY.length(); k < body + BODY.length() + 19; k++) {
                sentAt = sentAt * 10 + (json.charAt(k) - '0');
            }
            found.add(new long[]{seqNum, sentAt});
            at = body + BODY.length() + 19;
        }
        long[][] out = new long[2][found.size()];
        for (int i = 0; i < found.size(); i++) {
            out[0][i] = found.get(i)[0];
            out[1][i] = found.get(i)[1];
        }
        return out;
    }

    private static final String SEQ_NUM = "\"seq_num\":";
    private static final String BODY = "\"body\":\"";
    private static final String TAIL = "\"tail\":";

    /** Opens a live read session on {@code stream} from seq 0 on h2c: SSE ({@code batch} events) or S2S (ReadBatch frames). */
    Follower follow(String stream, boolean sse, Deliveries deliveries) throws Exception {
        Follower f = new Follower(sse);
        String path = "/v1/streams/" + stream + "/records?seq_num=0";
        if (sse) {
            f.request = openSse(path, events -> events.forEach(ev -> {
                long now = System.nanoTime();
                f.answered.complete(null);
                if (ev.event().equals("ping")) {
                    f.heartbeats.incrementAndGet();
                } else if (ev.event().equals("batch")) {
                    long[][] parsed = scanSseBatch(ev.data());
                    deliveries.batch(now, parsed[0], parsed[1]);
                } else if (ev.event().equals("error")) {
                    f.done.completeExceptionally(new IllegalStateException("SSE error event: " + ev.text()));
                }
            }), f.done);
        } else {
            f.request = open(HttpMethod.GET, path, frames -> frames.forEach(frame -> {
                long now = System.nanoTime();
                f.answered.complete(null);
                if ((frame[0] & 0x80) != 0) {
                    f.done.completeExceptionally(new IllegalStateException("terminal frame: "
                            + new String(frame, 3, frame.length - 3, StandardCharsets.UTF_8)));
                    return;
                }
                ProtoCodec.ReadBatch batch = ProtoCodec.decodeReadBatch(Arrays.copyOfRange(frame, 1, frame.length));
                if (batch.records().isEmpty()) {
                    f.heartbeats.incrementAndGet();
                    return;
                }
                long[] seqNums = new long[batch.records().size()];
                long[] sentAts = new long[batch.records().size()];
                for (int k = 0; k < seqNums.length; k++) {
                    var r = batch.records().get(k);
                    seqNums[k] = r.seqNum();
                    sentAts[k] = sentAt(r.body());
                }
                deliveries.batch(now, seqNums, sentAts);
            }), f.done);
        }
        f.request.end();
        return f;
    }

    /**
     * Waits until every session has answered, at most {@link #ANSWER_DEADLINE_SECONDS}: empty when all
     * did, else a note for the scenario's row (and the first failure on its own line).
     */
    static String awaitAnswered(List<Follower> sessions) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ANSWER_DEADLINE_SECONDS);
        Throwable failure = null;
        long answered = 0;
        for (Follower f : sessions) {
            try {
                f.answered.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                answered++;
            } catch (ExecutionException e) {
                failure = failure == null ? e.getCause() : failure;
            } catch (TimeoutException e) {
                // counted as unanswered
            }
        }
        if (answered == sessions.size()) {
            return "";
        }
        if (failure != null) {
            System.out.println("a session failed: " + failure.getMessage());
        }
        return String.format(Locale.ROOT, "; only %d of %d sessions answered within %d s", answered, sessions.size(), ANSWER_DEADLINE_SECONDS);
    }

    /** An SSE event: its name and its data line's bytes as Latin-1 (one char per byte; UTF-8 not decoded). */
    record SseEvent(String event, String data) {
        String text() {
            return new String(data.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        }
    }

    /**
     * Opens an SSE read session on h2c ({@code accept: text/event-stream}); {@code onEvents} gets the
     * complete events of each chunk. {@code done} completes when the response ends.
     */
    HttpClientRequest openSse(String path, java.util.function.Consumer<List<SseEvent>> onEvents, CompletableFuture<Void> done) throws Exception {
        SseDecoder decoder = new SseDecoder();
        return stream(HttpMethod.GET, path, "accept", "text/event-stream", chunk -> onEvents.accept(decoder.feed(chunk)), done);
    }

    /** SSE events from chunks as they arrive (an event may span many chunks, a chunk hold many events). */
    static final class SseDecoder {
        private final Accumulator partial = new Accumulator();

        List<SseEvent> feed(Buffer chunk) {
            partial.add(chunk);
            List<SseEvent> events = new ArrayList<>();
            byte[] b = partial.bytes;
            // Only the new bytes are searched for the blank line that ends an event, as Latin-1 text (one
            // char per byte): String's search is vectorised, a loop over bytes is not.
            int base = Math.max(partial.start, partial.scanned - 1);
            String fresh = new String(b, base, partial.length - base, StandardCharsets.ISO_8859_1);
            for (int at = fresh.indexOf("\n\n"); at >= 0; at = fresh.indexOf("\n\n", at + 2)) {
                int end = base + at;
                if (end >= partial.start) {
                    events.add(event(new String(b, partial.start, end - partial.start, StandardCharsets.ISO_8859_1)));
                    partial.start = end + 2;
                }
            }
            partial.scanned = partial.length;
            partial.compact();
            return events;
        }

        /** The event in {@code text}: its name and its data (one data line, as Brook sends), without decoding the data. */
        private static SseEvent event(String text) {
            String name = "message";
            String data = "";
            for (int line = 0; line < text.length(); ) {
                int end = text.indexOf('\n', line);
                if (end < 0) {
                    end = text.length();
                }
                if (text.startsWith("event:", line)) {
                    name = text.substring(line + 6, end).strip();
                } else if (text.startsWith("data:", line)) {
                    int d = line + 5 + (line + 5 < end && text.charAt(line + 5) == ' ' ? 1 : 0);
                    data = text.substring(d, end);
                }
                line = end + 1;
            }
            return new SseEvent(name, data);
        }
    }

    /** S2S frames (flags + payload each) from chunks as they arrive. */
    static final class FrameDecoder {
        private final Accumulator partial = new Accumulator();

        List<byte[]> feed(Buffer chunk) {
            partial.add(chunk);
            byte[] b = partial.bytes;
            List<byte[]> frames = new ArrayList<>();
            while (partial.length - partial.start >= 3) {
                int at = partial.start;
                int length = ((b[at] & 0xff) << 16) | ((b[at + 1] & 0xff) << 8) | (b[at + 2] & 0xff);
                if (partial.length - at - 3 < length) {
                    break;
                }
                frames.add(Arrays.copyOfRange(b, at + 3, at + 3 + length));
                partial.start = at + 3 + length;
            }
            partial.compact();
            return frames;
        }
    }

    /**
     * Bytes received and not consumed yet, {@code [start, length)}; {@code scanned} marks how far they
     * were searched. Appending and consuming are linear in the bytes (an event or frame spread over
     * many chunks is not copied or scanned again per chunk: that made the fan-out client quadratic).
     */
    static final class Accumulator {
        byte[] bytes = new byte[8192];
        int start;
        int length;
        int scanned;

        void add(Buffer chunk) {
            int n = chunk.length();
            if (length + n > bytes.length) {
                byte[] grown = new byte[Math.max(bytes.length * 2, length - start + n)];
                System.arraycopy(bytes, start, grown, 0, length - start);
                length -= start;
                scanned = Math.max(0, scanned - start);
                start = 0;
                bytes = grown;
            }
            chunk.getBytes(bytes, length);
            length += n;
        }

        /** Drops what was consumed once that is most of the buffer. */
        void compact() {
            if (start == length) {
                start = length = scanned = 0;
            } else if (start > bytes.length / 2) {
                System.arraycopy(bytes, start, bytes, 0, length - start);
                length -= start;
                scanned = Math.max(0, scanned - start);
                start = 0;
            }
        }
    }

    /**
     * Opens an S2S session on h2c; {@code onFrames} gets each complete frame as flags + payload.
     * {@code done} completes when the response ends.
     */
    HttpClientRequest open(HttpMethod method, String path, java.util.function.Consumer<List<byte[]>> onFrames, CompletableFuture<Void> done)
            throws Exception {
        FrameDecoder decoder = new FrameDecoder();
        HttpClientRequest request = stream(method, path, "content-type", "s2s/proto", chunk -> onFrames.accept(decoder.feed(chunk)), done);
        if (method == HttpMethod.POST) {
            request.setChunked(true);
            request.sendHead().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        return request;
    }

    /**
     * A streamed request on h2c with one header naming its transport; {@code onChunk} gets the body of
     * a 200 answer as it arrives. {@code done} completes when the response ends, exceptionally (with the
     * body) when it is not 200.
     */
    HttpClientRequest stream(HttpMethod method, String path, String header, String value, Handler<Buffer> onChunk, CompletableFuture<Void> done)
            throws Exception {
        RequestOptions o = new RequestOptions().setMethod(method).setHost(base.getHost()).setPort(base.getPort()).setURI(path)
                .putHeader(header, value).putHeader("s2-basin", basin);
        if (token != null) {
            o.putHeader("authorization", "Bearer " + token);
        }
        io.vertx.core.http.HttpClient client;
        synchronized (this) {
            client = sessionClients.get(nextSessionClient++ % sessionClients.size());
        }
        HttpClientRequest request = client.request(o).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        request.response().onSuccess((HttpClientResponse r) -> {
            if (r.statusCode() != 200) {
                r.body().onComplete(b -> done.completeExceptionally(new IllegalStateException(
                        "session answered " + r.statusCode() + (b.succeeded() ? " " + b.result() : ""))));
                return;
            }
            r.handler(onChunk);
            r.endHandler(v -> done.complete(null));
        }).onFailure(done::completeExceptionally);
        return request;
    }
}
