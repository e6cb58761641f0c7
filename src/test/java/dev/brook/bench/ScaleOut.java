package dev.brook.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brook.testing.S3ProxyProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Several Brook processes on one store serving one stream, as behind a platform balancer that
 * spreads requests at random. Each matrix entry starts a fresh S3Proxy (filesystem provider) and
 * N packaged Brooks on it, then runs one scenario:
 * <ul>
 * <li>{@code NxW} (contention): W writers in a closed loop of unary appends of 1-5 records, each
 * sent to one of the N processes picked at random; prints acknowledged records/s and appends/s,
 * {@code hot_server} and other failures, ack latency, and the result of reading the stream back:
 * every acknowledged record exactly once, at the position its ack named, nothing twice, and no
 * record of an append that failed without side effects.</li>
 * <li>{@code cross}: two processes; an SSE reader on B follows while one writer appends single
 * 1 KiB records to A at about 20/s; prints send-to-delivery and ack-to-delivery latency, storage
 * requests while appending, and B's storage requests per minute while the stream is idle.</li>
 * </ul>
 * Run with {@code bench/scale-out}; {@code BROOK_SCALE_MATRIX} (default {@code 1x8,2x8,3x8,3x80};
 * add {@code cross}), {@code BROOK_SCALE_SECONDS} (10), {@code BROOK_SCALE_WARMUP_SECONDS} (10: the same
 * load on the same stream first, unmeasured but verified, so that every JVM has compiled the paths of
 * the role it plays),
 * {@code BROOK_SCALE_IDLE_SECONDS} (60) and {@code BROOK_SCALE_SEED} (1) configure it. The processes run a private copy of target/quarkus-app
 * taken at the start, so a rebuild meanwhile changes nothing. Timing lives here, never in tests.
 */
public final class ScaleOut {

    static final long SECONDS = Long.parseLong(System.getenv().getOrDefault("BROOK_SCALE_SECONDS", "10"));
    static final long IDLE_SECONDS = Long.parseLong(System.getenv().getOrDefault("BROOK_SCALE_IDLE_SECONDS", "60"));
    /** The safety net's polling settles at its longest interval about 30 s after the last commit. */
    static final long IDLE_SETTLE_SECONDS = 30;
    static final long WARMUP_SECONDS = Long.parseLong(System.getenv().getOrDefault("BROOK_SCALE_WARMUP_SECONDS", "10"));
    static final long SEED = Long.parseLong(System.getenv().getOrDefault("BROOK_SCALE_SEED", "1"));
    static final String MATRIX = System.getenv().getOrDefault("BROOK_SCALE_MATRIX", "1x8,2x8,3x8,3x80");
    static final Path APP = Path.of("target/quarkus-app");
    static final String STREAM = "scale";
    static final int RECORD_BYTES = 100;
    static final int CROSS_RECORD_BYTES = 1024;
    static final long CROSS_PACE_NANOS = TimeUnit.MILLISECONDS.toNanos(50); // about 20 appends/s
    static final ObjectMapper JSON = new ObjectMapper();
    /** Error codes whose append may or may not have taken effect (spec: not side-effect-free). */
    static final Set<String> UNKNOWN_OUTCOME = Set.of("request_timeout", "client_hangup", "other", "storage", "unavailable",
            "upstream_timeout");
    static final Pattern ENTRY = Pattern.compile("(\\d+)x(\\d+)");
    static final int EXAMPLES = 10;

    public static void main(String[] args) throws Exception {
        System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager"); // the S3 admin client logs through JUL
        System.out.println("Brook scale-out benchmark: one stream on S3Proxy on loopback (filesystem provider, no fsync); "
                + Runtime.getRuntime().availableProcessors() + " CPUs; " + SECONDS + " s per entry; seed " + SEED
                + "; matrix " + MATRIX);
        Path app = snapshot(APP);
        try {
            Path jar = app.resolve("quarkus-run.jar");
            boolean headed = false;
            for (String entry : MATRIX.split(",")) {
                entry = entry.trim();
                Matcher m = ENTRY.matcher(entry);
                if (entry.equals("cross")) {
                    cross(jar);
                } else if (m.matches()) {
                    if (!headed) {
                        System.out.printf(Locale.ROOT, "%5s %7s %9s %9s %16s %-22s %8s %8s %8s %8s  %s%n", "procs", "writers", "records/s",
                                "appends/s", "hot_server", "other failures", "p50 ms", "p90 ms", "p99 ms", "max ms", "verification");
                        headed = true;
                    }
                    contention(jar, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
                } else if (!entry.isEmpty()) {
                    throw new IllegalArgumentException("BROOK_SCALE_MATRIX entry `" + entry + "`: expected NxW or cross");
                }
            }
        } finally {
            deleteTree(app);
        }
    }

    /** A private copy of the packaged app, so that a rebuild during the run changes nothing under the processes. */
    static Path snapshot(Path app) throws IOException {
        if (!Files.isRegularFile(app.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException(app + "/quarkus-run.jar not found: build with ./mvnw package -DskipTests");
        }
        Path copy = Files.createTempDirectory("brook-scale-app-");
        try (Stream<Path> paths = Files.walk(app)) {
            for (Path from : paths.toList()) {
                Path to = copy.resolve(app.relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to);
                }
            }
        }
        return copy;
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind
        }
    }

    // ---------------------------------------------------------------- contention

    /** One unary append: which writer sent which records where, and how it ended. */
    static final class Append {
        final int writer;
        final int process;
        final List<String> ids;
        int status; // HTTP status, or -1 for a transport error
        String code = "";
        long startSeq = -1;
        long latencyNanos;

        Append(int writer, int process, List<String> ids) {
            this.writer = writer;
            this.process = process;
            this.ids = ids;
        }

        boolean acked() {
            return status == 200;
        }

        /** A failure after which the records may or may not be in the stream. */
        boolean outcomeUnknown() {
            return status == -1 || UNKNOWN_OUTCOME.contains(code) || (status >= 500 && code.isEmpty());
        }

        String failure() {
            return status == -1 ? "transport " + code : status + (code.isEmpty() ? "" : " " + code);
        }
    }

    static void contention(Path jar, int processes, int writers) throws Exception {
        try (Cluster c = Cluster.start(jar, processes)) {
            c.createStream();
            // The same load on the same stream first, unmeasured, so that every JVM has compiled the paths
            // of the role it plays (leader or forwarder); its appends are verified with the rest.
            List<List<Append>> warm = load(c, STREAM, "u", writers, System.nanoTime() + TimeUnit.SECONDS.toNanos(WARMUP_SECONDS));
            double[] cpuBefore = c.cpuSeconds();
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(SECONDS);
            List<List<Append>> perWriter = load(c, STREAM, "w", writers, end);
            long elapsed = System.nanoTime() - start;
            double[] cpu = c.cpuSeconds();
            for (int i = 0; i < cpu.length; i++) {
                cpu[i] -= cpuBefore[i];
            }
            List<Append> appends = perWriter.stream().flatMap(List::stream).toList();
            long ackedAppends = appends.stream().filter(Append::acked).count();
            long ackedRecords = appends.stream().filter(Append::acked).mapToLong(a -> a.ids.size()).sum();
            long hot = appends.stream().filter(a -> a.code.equals("hot_server")).count();
            Map<String, Long> other = new TreeMap<>(appends.stream().filter(a -> !a.acked() && !a.code.equals("hot_server"))
                    .collect(Collectors.groupingBy(Append::failure, Collectors.counting())));
            long[] l = appends.stream().filter(Append::acked).mapToLong(a -> a.latencyNanos).sorted().toArray();
            List<String> problems = new ArrayList<>();
            List<List<Append>> everything = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                List<Append> both = new ArrayList<>(warm.get(w));
                both.addAll(perWriter.get(w));
                everything.add(both);
            }
            String verdict = verify(c, everything, problems);
            double seconds = elapsed / 1e9;
            System.out.printf(Locale.ROOT, "%5d %7d %9.0f %9.1f %16s %-22s %8.1f %8.1f %8.1f %8.1f  %s%n", processes, writers,
                    ackedRecords / seconds, ackedAppends / seconds,
                    String.format(Locale.ROOT, "%d (%.1f%%)", hot, appends.isEmpty() ? 0.0 : 100.0 * hot / appends.size()),
                    other.isEmpty() ? "none" : other.entrySet().stream().map(e -> e.getKey() + " x" + e.getValue())
                            .collect(Collectors.joining(", ")),
                    Bench.ms(Bench.pct(l, 50)), Bench.ms(Bench.pct(l, 90)), Bench.ms(Bench.pct(l, 99)), Bench.ms(Bench.pct(l, 100)), verdict);
            problems.forEach(p -> System.out.println("      " + p));
            System.out.printf(Locale.ROOT, "      CPU seconds while measured: Brooks %s, S3Proxy %.1f%n",
                    java.util.Arrays.stream(cpu, 0, processes).mapToObj(x -> String.format(Locale.ROOT, "%.1f", x)).toList(), cpu[processes]);
            if (processes > 1) {
                List<Map<String, Double>> requests = c.storeRequests();
                List<Map<String, Double>> peer = c.peerCounters();
                for (int p = 0; p < processes; p++) {
                    System.out.printf(Locale.ROOT, "      process %d: storage %s; peer %s%n", p, requests.get(p), peer.get(p));
                }
            }
        }
    }

    /** {@code writers} closed loops on {@code stream} until {@code end}; each writer's appends, in order. */
    static List<List<Append>> load(Cluster c, String stream, String tag, int writers, long end) throws Exception {
        List<List<Append>> perWriter = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        ConcurrentLinkedQueue<Throwable> crashed = new ConcurrentLinkedQueue<>();
        for (int w = 0; w < writers; w++) {
            List<Append> log = new ArrayList<>();
            perWriter.add(log);
            int writer = w;
            Thread t = new Thread(() -> {
                try {
                    write(c, stream, tag, writer, end, log);
                } catch (Throwable e) {
                    crashed.add(e);
                }
            }, "writer-" + w);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!crashed.isEmpty()) {
            throw new IllegalStateException("a writer crashed", crashed.peek());
        }
        return perWriter;
    }

    /** One writer's closed loop: an append of 1-5 records to a random process, then the next. */
    static void write(Cluster c, String stream, String tag, int writer, long end, List<Append> log) throws Exception {
        Random random = new Random(SEED * 1_000_003L + writer + tag.hashCode() * 7919L);
        int next = 0;
        while (System.nanoTime() < end) {
            int records = 1 + random.nextInt(5);
            int process = random.nextInt(c.size());
            List<String> ids = new ArrayList<>();
            StringBuilder body = new StringBuilder("{\"records\":[");
            for (int i = 0; i < records; i++) {
                String id = tag + writer + "-" + next++;
                ids.add(id);
                body.append(i == 0 ? "" : ",").append("{\"body\":\"").append(padded(id, RECORD_BYTES)).append("\"}");
            }
            Append a = new Append(writer, process, ids);
            long t0 = System.nanoTime();
            try {
                HttpResponse<String> r = c.http(process).send(c.request(process, "POST", "/v1/streams/" + stream + "/records",
                        body.append("]}").toString()).build(), HttpResponse.BodyHandlers.ofString());
                a.latencyNanos = System.nanoTime() - t0;
                a.status = r.statusCode();
                if (a.status == 200) {
                    a.startSeq = JSON.readTree(r.body()).path("start").path("seq_num").asLong(-1);
                } else {
                    a.code = errorCode(r.body());
                }
            } catch (IOException e) {
                a.latencyNanos = System.nanoTime() - t0;
                a.status = -1;
                a.code = e.getClass().getSimpleName();
            }
            log.add(a);
        }
    }

    /** {@code id:} then dots up to {@code size} bytes; the id is what verification looks for. */
    static String padded(String id, int size) {
        return id + ":" + ".".repeat(Math.max(0, size - id.length() - 1));
    }

    static String errorCode(String body) {
        try {
            return JSON.readTree(body).path("code").asText("");
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Reads the stream back and checks it against what the writers were told; returns the verdict
     * and adds the details of anything wrong to {@code problems}.
     */
    static String verify(Cluster c, List<List<Append>> perWriter, List<String> problems) throws Exception {
        List<Long> tails = new ArrayList<>();
        for (int p = 0; p < c.size(); p++) {
            tails.add(c.tail(p));
        }
        Map<String, List<Long>> seen = new HashMap<>();
        List<String> foreign = new ArrayList<>();
        long read = c.readAll(0, (seq, body) -> {
            int colon = body.indexOf(':');
            String id = colon < 0 ? body : body.substring(0, colon);
            seen.computeIfAbsent(id, k -> new ArrayList<>()).add(seq);
        });
        Map<String, Append> sent = new HashMap<>();
        perWriter.forEach(log -> log.forEach(a -> a.ids.forEach(id -> sent.put(id, a))));
        seen.keySet().stream().filter(id -> !sent.containsKey(id)).sorted().forEach(foreign::add);
        List<String> missing = new ArrayList<>();
        List<String> misplaced = new ArrayList<>();
        List<String> twice = new ArrayList<>();
        List<String> sideEffects = new ArrayList<>();
        List<String> partial = new ArrayList<>();
        List<String> reordered = new ArrayList<>();
        long unackedPresent = 0;
        seen.forEach((id, seqs) -> {
            if (seqs.size() > 1) {
                twice.add(id + " at " + seqs);
            }
        });
        for (List<Append> log : perWriter) {
            long lastAcked = -1;
            for (Append a : log) {
                int present = 0;
                for (int i = 0; i < a.ids.size(); i++) {
                    List<Long> at = seen.get(a.ids.get(i));
                    if (at != null) {
                        present++;
                    }
                    if (a.acked()) {
                        if (at == null) {
                            missing.add(a.ids.get(i) + " (acked at " + (a.startSeq + i) + " by process " + a.process + ")");
                        } else if (at.get(0) != a.startSeq + i) {
                            misplaced.add(a.ids.get(i) + " acked at " + (a.startSeq + i) + " by process " + a.process + ", found at " + at);
                        }
                    }
                }
                if (a.acked()) {
                    if (a.startSeq <= lastAcked) {
                        reordered.add("w" + a.writer + ": append acked at " + a.startSeq + " after one acked at " + lastAcked);
                    }
                    lastAcked = a.startSeq;
                } else if (present > 0) {
                    String what = String.join(",", a.ids) + " (" + a.failure() + " from process " + a.process + "): " + present + " of "
                            + a.ids.size() + " present";
                    if (a.outcomeUnknown()) {
                        unackedPresent += present;
                    } else {
                        sideEffects.add(what);
                    }
                    if (present != a.ids.size()) {
                        partial.add(what);
                    }
                }
            }
        }
        long maxTail = tails.stream().mapToLong(Long::longValue).max().orElse(0);
        List<String> tailIssues = new ArrayList<>();
        if (read != maxTail || tails.stream().anyMatch(t -> t != maxTail)) {
            tailIssues.add("read " + read + " records from process 0; tails by process " + tails);
        }
        report(problems, "acknowledged but missing", missing);
        report(problems, "acknowledged at another position", misplaced);
        report(problems, "present more than once", twice);
        report(problems, "present although the append failed without side effects", sideEffects);
        report(problems, "appends partly present", partial);
        report(problems, "acks out of order within one writer", reordered);
        report(problems, "records nobody sent", foreign);
        report(problems, "tail disagreement", tailIssues);
        String counts = read + " read, " + unackedPresent + " unacked present";
        return (problems.isEmpty() ? "ok: " : "FAIL: ") + counts;
    }

    static void report(List<String> problems, String what, List<String> cases) {
        if (!cases.isEmpty()) {
            problems.add(cases.size() + " " + what + ": " + cases.stream().limit(EXAMPLES).collect(Collectors.joining("; "))
                    + (cases.size() > EXAMPLES ? "; ..." : ""));
        }
    }

    // ---------------------------------------------------------------- cross

    /** Two processes: writer on A, live SSE reader on B; then an idle phase with the reader open. */
    static void cross(Path jar) throws Exception {
        try (Cluster c = Cluster.start(jar, 2)) {
            c.createStream();
            SseReader reader = new SseReader(c, 1);
            reader.start();
            if (!reader.following.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the SSE reader on B sent no ping within 10 s");
            }
            Map<Long, Long> ackedAt = new ConcurrentHashMap<>();
            List<Long> ackLatencies = new ArrayList<>();
            String pad = "x".repeat(CROSS_RECORD_BYTES - 19);
            // Warm-up, unmeasured: both JVMs compile their paths, and A lists B's registration (every 5 s).
            long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARMUP_SECONDS);
            long warmed = 0;
            while (System.nanoTime() < warmEnd) {
                crossAppend(c, pad);
                warmed++;
            }
            long firstMeasured = warmed;
            List<Map<String, Double>> before = c.storeRequests();
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(SECONDS);
            long appended = 0;
            while (System.nanoTime() < end) {
                long[] a = crossAppend(c, pad);
                ackedAt.put(a[2], a[1]);
                ackLatencies.add(a[1] - a[0]);
                appended++;
            }
            long appendSeconds = System.nanoTime() - start;
            long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (reader.delivered.get() < warmed + appended && System.nanoTime() < waitUntil && reader.isAlive()) {
                Thread.sleep(10);
            }
            List<Map<String, Double>> afterAppends = c.storeRequests();
            // Idle: the safety net's polling backs off from 1 s to 15 s over the first 30 s; measure after that.
            Thread.sleep(TimeUnit.SECONDS.toMillis(IDLE_SETTLE_SECONDS));
            List<Map<String, Double>> idleFrom = c.storeRequests();
            long eventsBeforeIdle = reader.events.get();
            long idleStart = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(IDLE_SECONDS));
            double idleMinutes = (System.nanoTime() - idleStart) / 60e9;
            List<Map<String, Double>> afterIdle = c.storeRequests();
            boolean openThroughIdle = reader.isAlive();
            long idleEvents = reader.events.get() - eventsBeforeIdle;
            reader.close();

            long[] e2e = reader.deliveries.stream().filter(d -> d[0] >= firstMeasured).mapToLong(d -> d[1] - d[2]).sorted().toArray();
            long[] ackToDelivery = reader.deliveries.stream().filter(d -> ackedAt.containsKey(d[0]))
                    .mapToLong(d -> d[1] - ackedAt.get(d[0])).sorted().toArray();
            long[] ack = ackLatencies.stream().mapToLong(Long::longValue).sorted().toArray();
            double minutes = appendSeconds / 60e9;
            System.out.printf(Locale.ROOT, "cross: 2 processes; writer appends single %d B records to A at ~%d/s for %d s; SSE reader on B%n",
                    CROSS_RECORD_BYTES, TimeUnit.SECONDS.toNanos(1) / CROSS_PACE_NANOS, SECONDS);
            System.out.printf(Locale.ROOT, "  delivered at B          %d of %d appended, warm-up included (%.1f appends/s); %d out of order, %d repeated%s%n",
                    reader.delivered.get(), warmed + appended, appended / (appendSeconds / 1e9), reader.outOfOrder.get(), reader.repeated.get(),
                    reader.failure == null ? "" : "; reader ended: " + reader.failure);
            System.out.printf(Locale.ROOT, "  e2e (send -> B) ms      p50 %.1f  p90 %.1f  p99 %.1f  max %.1f%n", Bench.ms(Bench.pct(e2e, 50)),
                    Bench.ms(Bench.pct(e2e, 90)), Bench.ms(Bench.pct(e2e, 99)), Bench.ms(Bench.pct(e2e, 100)));
            System.out.printf(Locale.ROOT, "  ack at A -> B ms        p50 %.1f  p99 %.1f%n", Bench.ms(Bench.pct(ackToDelivery, 50)),
                    Bench.ms(Bench.pct(ackToDelivery, 99)));
            System.out.printf(Locale.ROOT, "  ack latency at A ms     p50 %.1f  p99 %.1f  max %.1f%n", Bench.ms(Bench.pct(ack, 50)),
                    Bench.ms(Bench.pct(ack, 99)), Bench.ms(Bench.pct(ack, 100)));
            for (int p = 0; p < 2; p++) {
                System.out.printf(Locale.ROOT, "  storage, appending  %s  %s%n", p == 0 ? "A" : "B", perMinute(before.get(p), afterAppends.get(p), minutes));
            }
            System.out.printf(Locale.ROOT, "  idle %.0f s, after %d s to settle (reader open: %s; %d SSE events meanwhile)%n", idleMinutes * 60,
                    IDLE_SETTLE_SECONDS, openThroughIdle ? "yes" : "NO", idleEvents);
            for (int p = 0; p < 2; p++) {
                System.out.printf(Locale.ROOT, "  storage, idle       %s  %s%n", p == 0 ? "A" : "B", perMinute(idleFrom.get(p), afterIdle.get(p), idleMinutes));
            }
        }
    }

    /**
     * One paced append of a single record to A (process 0), its body starting with the send time:
     * returns {sent, acknowledged, seq_num}, after waiting out the rest of the pace.
     */
    static long[] crossAppend(Cluster c, String pad) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = c.http(0).send(c.request(0, "POST", "/v1/streams/" + STREAM + "/records",
                "{\"records\":[{\"body\":\"" + String.format(Locale.ROOT, "%019d", t0) + pad + "\"}]}").build(),
                HttpResponse.BodyHandlers.ofString());
        long t1 = System.nanoTime();
        if (r.statusCode() != 200) {
            throw new IllegalStateException("append to A: " + r.statusCode() + " " + r.body());
        }
        long seq = JSON.readTree(r.body()).path("start").path("seq_num").asLong();
        long pace = CROSS_PACE_NANOS - (System.nanoTime() - t0);
        if (pace > 0) {
            TimeUnit.NANOSECONDS.sleep(pace);
        }
        return new long[]{t0, t1, seq};
    }

    /** Storage requests per minute between two scrapes: the total, then by operation. */
    static String perMinute(Map<String, Double> before, Map<String, Double> after, double minutes) {
        double total = 0;
        StringBuilder ops = new StringBuilder();
        for (String op : new TreeSet<>(after.keySet())) {
            double n = after.get(op) - before.getOrDefault(op, 0.0);
            if (n > 0) {
                total += n;
                ops.append(' ').append(op).append('=').append(String.format(Locale.ROOT, "%.0f", n / minutes));
            }
        }
        return String.format(Locale.ROOT, "%7.0f requests/min", total / minutes) + (ops.length() == 0 ? "" : " (" + ops.toString().trim() + ")");
    }

    /** A live SSE read from seq_num 0 on one process; each delivery is {seq, delivered at, sent at}. */
    static final class SseReader extends Thread {
        final Cluster c;
        final int process;
        final CountDownLatch following = new CountDownLatch(1);
        final ConcurrentLinkedQueue<long[]> deliveries = new ConcurrentLinkedQueue<>();
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong outOfOrder = new AtomicLong();
        final AtomicLong repeated = new AtomicLong();
        final AtomicLong events = new AtomicLong();
        volatile InputStream body;
        volatile boolean closing;
        volatile String failure;

        SseReader(Cluster c, int process) {
            super("sse-reader");
            setDaemon(true);
            this.c = c;
            this.process = process;
        }

        @Override
        public void run() {
            try {
                HttpRequest request = HttpRequest.newBuilder(c.url(process).resolve("/v1/streams/" + STREAM + "/records?seq_num=0"))
                        .header("s2-basin", c.basin).header("accept", "text/event-stream").GET().build();
                HttpResponse<InputStream> r = c.http(process).send(request, HttpResponse.BodyHandlers.ofInputStream());
                body = r.body();
                if (r.statusCode() != 200) {
                    failure = "status " + r.statusCode() + " " + new String(body.readAllBytes(), StandardCharsets.UTF_8);
                    return;
                }
                BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
                String event = "";
                StringBuilder data = new StringBuilder();
                String line;
                long expected = 0;
                while ((line = lines.readLine()) != null) {
                    if (!line.isEmpty()) {
                        if (line.startsWith("event:")) {
                            event = line.substring(6).trim();
                        } else if (line.startsWith("data:")) {
                            data.append(data.length() == 0 ? "" : "\n").append(line.substring(5).trim());
                        }
                        continue;
                    }
                    long now = System.nanoTime();
                    events.incrementAndGet();
                    switch (event) {
                        case "ping" -> following.countDown();
                        case "batch" -> {
                            for (JsonNode record : JSON.readTree(data.toString()).path("records")) {
                                long seq = record.path("seq_num").asLong();
                                if (seq < expected) {
                                    repeated.incrementAndGet();
                                } else if (seq > expected) {
                                    outOfOrder.incrementAndGet();
                                }
                                expected = Math.max(expected, seq + 1);
                                long sent = Long.parseLong(record.path("body").asText().substring(0, 19));
                                deliveries.add(new long[] {seq, now, sent});
                                delivered.incrementAndGet();
                            }
                        }
                        case "error" -> {
                            failure = "error event " + data;
                            return;
                        }
                        default -> {
                            if (data.toString().equals("[DONE]")) {
                                failure = "[DONE]";
                                return;
                            }
                        }
                    }
                    event = "";
                    data.setLength(0);
                }
                failure = "end of stream";
            } catch (Exception e) {
                if (!closing) {
                    failure = e.toString();
                }
            }
        }

        void close() {
            closing = true;
            try {
                InputStream b = body;
                if (b != null) {
                    b.close();
                }
            } catch (IOException ignored) {
                // the processes are stopped next anyway
            }
        }
    }

    // ---------------------------------------------------------------- processes

    /** A fresh S3Proxy with one bucket and N Brooks on it, each on its own port; close() stops them all. */
    static final class Cluster implements AutoCloseable {
        final S3ProxyProcess s3;
        final String basin = "scale-" + Long.toString(System.currentTimeMillis(), 36);
        final List<Process> brooks = new ArrayList<>();
        final List<URI> urls = new ArrayList<>();
        final List<HttpClient> clients = new ArrayList<>();

        private Cluster(S3ProxyProcess s3) {
            this.s3 = s3;
        }

        static Cluster start(Path jar, int processes) throws Exception {
            Cluster c = new Cluster(S3ProxyProcess.start());
            try {
                c.s3.createBucket("scale");
                byte[] secretBytes = new byte[32];
                new SecureRandom().nextBytes(secretBytes);
                String secret = HexFormat.of().formatHex(secretBytes);
                for (int p = 0; p < processes; p++) {
                    int port = S3ProxyProcess.freePort();
                    URI url = URI.create("http://127.0.0.1:" + port);
                    Map<String, String> env = new HashMap<>(c.s3.environment());
                    env.put("BROOK_STORE", "s3://scale/b");
                    env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
                    env.put("BROOK_PEER_URL", url.toString());
                    env.put("BROOK_PEER_SECRET", secret);
                    c.brooks.add(Bench.start(jar, env));
                    c.urls.add(url);
                    c.clients.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build());
                }
                return c;
            } catch (Exception | Error e) {
                c.close();
                throw e;
            }
        }

        int size() {
            return urls.size();
        }

        URI url(int process) {
            return urls.get(process);
        }

        HttpClient http(int process) {
            return clients.get(process);
        }

        HttpRequest.Builder request(int process, String method, String path, String json) {
            HttpRequest.Builder b = HttpRequest.newBuilder(url(process).resolve(path)).timeout(Duration.ofSeconds(60)).header("s2-basin", basin)
                    .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
            if (json != null) {
                b.header("content-type", "application/json");
            }
            return b;
        }

        void send(int process, String method, String path, String json, int expected) throws Exception {
            HttpResponse<String> r = http(process).send(request(process, method, path, json).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expected) {
                throw new IllegalStateException(method + " " + path + " on process " + process + ": " + r.statusCode() + " " + r.body());
            }
        }

        /** The basin and the stream, created through process 0. */
        void createStream() throws Exception {
            send(0, "POST", "/v1/basins", "{\"basin\":\"" + basin + "\"}", 201);
            send(0, "POST", "/v1/streams", "{\"stream\":\"" + STREAM + "\"}", 201);
        }

        /** The next seq_num as one process sees it (check tail). */
        long tail(int process) throws Exception {
            HttpResponse<String> r = http(process).send(request(process, "GET", "/v1/streams/" + STREAM + "/records/tail", null).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("check tail on process " + process + ": " + r.statusCode() + " " + r.body());
            }
            return JSON.readTree(r.body()).path("tail").path("seq_num").asLong();
        }

        interface RecordSink {
            void accept(long seq, String body);
        }

        /** Reads the stream from its start in unary JSON pages of up to 1,000 records; returns how many. */
        long readAll(int process, RecordSink sink) throws Exception {
            long seq = 0;
            long records = 0;
            while (true) {
                HttpResponse<String> r = http(process).send(request(process, "GET", "/v1/streams/" + STREAM + "/records?seq_num=" + seq
                        + "&count=1000", null).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 416) {
                    return records; // the tail
                }
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("read at " + seq + " on process " + process + ": " + r.statusCode() + " " + r.body());
                }
                JsonNode page = JSON.readTree(r.body()).path("records");
                if (page.isEmpty()) {
                    return records;
                }
                for (JsonNode record : page) {
                    sink.accept(record.path("seq_num").asLong(), record.path("body").asText());
                    records++;
                    seq = record.path("seq_num").asLong() + 1;
                }
            }
        }

        /** CPU seconds so far of each Brook, then of everything else this JVM started (S3Proxy). */
        double[] cpuSeconds() {
            double[] cpu = new double[brooks.size() + 1];
            java.util.Set<Long> brookPids = new java.util.HashSet<>();
            for (int i = 0; i < brooks.size(); i++) {
                brookPids.add(brooks.get(i).pid());
                cpu[i] = brooks.get(i).info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
            }
            cpu[brooks.size()] = ProcessHandle.current().children().filter(h -> !brookPids.contains(h.pid()))
                    .mapToDouble(h -> h.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0)).sum();
            return cpu;
        }

        /** The {@code brook_peer_*} counters per process, from each one's /metrics (forwards and notices sent and received). */
        List<Map<String, Double>> peerCounters() throws Exception {
            Pattern peer = Pattern.compile("^brook_peer_(\\S+) ([0-9.eE+]+)$");
            List<Map<String, Double>> all = new ArrayList<>();
            for (int p = 0; p < size(); p++) {
                all.add(scrape(p, peer));
            }
            return all;
        }

        /** Sums, by the pattern's first group, the values (its second group) of the matching lines of one process's /metrics. */
        Map<String, Double> scrape(int process, Pattern line) throws Exception {
            return Bench.scrape(http(process), url(process), line);
        }

        /** Storage requests so far by operation, per process, from each one's /metrics. */
        List<Map<String, Double>> storeRequests() throws Exception {
            List<Map<String, Double>> all = new ArrayList<>();
            for (int p = 0; p < size(); p++) {
                all.add(scrape(p, Bench.STORE_COUNT));
            }
            return all;
        }

        @Override
        public void close() {
            for (Process p : brooks) {
                p.destroy();
            }
            for (Process p : brooks) {
                try {
                    if (!p.waitFor(30, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
            s3.stop();
            // A Brook that never became ready is not in the list: stop whatever this JVM started and is still running.
            ProcessHandle.current().children().filter(ProcessHandle::isAlive).forEach(h -> {
                h.destroy();
                try {
                    h.onExit().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    h.destroyForcibly();
                }
            });
            deleteTree(s3.dataDir().getParent());
        }
    }
}
