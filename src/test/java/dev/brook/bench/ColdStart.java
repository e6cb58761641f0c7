package dev.brook.bench;

import dev.brook.engine.auth.Keygen;
import dev.brook.testing.S3ProxyProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cold start of each function, as a scale-to-zero platform sees it: the time from starting the
 * process to the first answer of a request that function serves, and its resident memory then.
 * Run with {@code bench/coldstart}, which builds the artifacts; timing lives here, never in tests.
 *
 * <p>The store is realistic: S3Proxy on loopback with a bucket, a basin and a stream of
 * {@value #COMMITS} one-record commits ({@code commits=N} sets another length), all made before the first measured start, so that every start finds the store
 * marker and pays the steady-state start-up check (one refused create and one read). Access control
 * is on, as deployed ({@code BROOK_AUTH=required} with the public key): every request carries the
 * admin token and is verified on arrival.
 *
 * <p>The request of each function, sent over a fresh HTTP/1.1 connection as soon as the port accepts
 * one (tried every {@value #POLL_MS} ms from the start): {@code append} a unary JSON append of one
 * record, {@code read} a unary read of one record from seq 0, {@code tail} check-tail, {@code control}
 * list basins, {@code edge} an SSE read from the last record ({@code tail_offset=1}: a follower
 * resuming; a catch-up from seq 0 would time the catch-up) until its first {@code batch} event, {@code all} the
 * unary append. RSS is {@code VmRSS} (and {@code VmHWM}, the peak) of {@code /proc/<pid>/status}
 * right after that answer. Runs of all variants are interleaved, after one unmeasured start of each.
 *
 * <p>Arguments: {@code functions=append,read,...} {@code variants=plain,flags,...} {@code runs=5};
 * the artifacts are read from {@code target/functions/<name>/} ({@code all}: {@code target/quarkus-app/});
 * {@code name@dir} reads function {@code name} from {@code target/dir} instead, to compare two builds;
 * {@code BROOK_JDK25} names a JDK 25 home for the {@code jdk25*} variants.
 */
public final class ColdStart {

    static final int POLL_MS = 2;
    static final String BASIN = "cold-start";
    static final String STREAM = "events";
    /**
     * Commits in the stream before the starts (one record each): a stream in use for a while, so
     * that a start pays what finding a real stream's tail costs, not a new stream's.
     */
    static final int COMMITS = 200;
    static final Pattern STARTED = Pattern.compile("started in ([0-9.]+)s");

    /** The flags chosen for a scale-to-zero function (docs/BENCHMARK.md): each one measured by the sweep. */
    static final List<String> FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k",
            "-XX:MaxRAM=512m", "-Xmx128m", "-Xmn32m", "-XX:ReservedCodeCacheSize=32m", "-XX:MaxMetaspaceSize=128m");

    /** How a variant starts the JVM, and which archive it needs first. */
    enum Archive { NONE, QUARKUS_APPCDS, TRAINED_APPCDS, TRAINED_AOT }

    /**
     * @param aotJar the artifact packaged as Quarkus's {@code aot-jar} (every class on the JVM's class
     *               path, so a trained archive holds the application's classes too), built into
     *               {@code target/functions/<name>-aot/} ({@code all}: {@code target/quarkus-app-aot/})
     */
    record Variant(String name, boolean jdk25, List<String> flags, Archive archive, String what, boolean aotJar) {
        Variant(String name, boolean jdk25, List<String> flags, Archive archive, String what) {
            this(name, jdk25, flags, archive, what, false);
        }
    }

    static final Map<String, Variant> VARIANTS = new LinkedHashMap<>();

    static {
        add(new Variant("plain", false, List.of(), Archive.NONE, "JDK 17, no flags"));
        add(new Variant("flags", false, FLAGS, Archive.NONE, "JDK 17, the chosen flags"));
        add(new Variant("appcds", false, FLAGS, Archive.QUARKUS_APPCDS, "JDK 17, flags, Quarkus's build-time AppCDS archive"));
        add(new Variant("appcds-trained", false, FLAGS, Archive.TRAINED_APPCDS, "JDK 17, flags, AppCDS from a training run that serves the request"));
        add(new Variant("jdk25", true, List.of(), Archive.NONE, "JDK 25, no flags"));
        add(new Variant("jdk25-flags", true, FLAGS, Archive.NONE, "JDK 25, the chosen flags"));
        add(new Variant("jdk25-aot", true, FLAGS, Archive.TRAINED_AOT, "JDK 25, flags, AOT cache from a training run that serves the request"));
        add(new Variant("aotjar-appcds", false, FLAGS, Archive.TRAINED_APPCDS,
                "JDK 17, flags, the aot-jar packaging, AppCDS from a training run that serves the request", true));
        add(new Variant("aotjar-jdk25", true, FLAGS, Archive.TRAINED_AOT,
                "JDK 25, flags, the aot-jar packaging, AOT cache from a training run that serves the request", true));
        // The sweep: one flag at a time on JDK 17, to see what each is worth.
        add(new Variant("tiered1", false, List.of("-XX:TieredStopAtLevel=1"), Archive.NONE, "JDK 17, C1 only"));
        add(new Variant("serialgc", false, List.of("-XX:+UseSerialGC"), Archive.NONE, "JDK 17, Serial GC"));
        add(new Variant("heap", false, List.of("-XX:MaxRAM=512m", "-Xmx128m"), Archive.NONE, "JDK 17, heap capped"));
        add(new Variant("xss", false, List.of("-Xss512k"), Archive.NONE, "JDK 17, 512 KiB thread stacks"));
        add(new Variant("young", false, List.of("-Xmn32m"), Archive.NONE, "JDK 17, a 32 MiB young generation from the start"));
        add(new Variant("codecache", false, List.of("-XX:ReservedCodeCacheSize=32m"), Archive.NONE, "JDK 17, 32 MiB code cache"));
        add(new Variant("noshare", false, List.of("-Xshare:off"), Archive.NONE, "JDK 17, no CDS at all (not even the JDK's)"));
    }

    static void add(Variant v) {
        VARIANTS.put(v.name(), v);
    }

    record Sample(long answerMs, long listenMs, double quarkusStartedS, long rssKib, long hwmKib, long cpuMs) {}

    final Path root;
    final Path work;
    final Map<String, String> env = new HashMap<>();
    final String token;
    final String jdk17 = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    final String jdk25;

    ColdStart(Path root, Path work, String token, String jdk25) {
        this.root = root;
        this.work = work;
        this.token = token;
        this.jdk25 = jdk25;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("arguments are key=value: " + a);
            }
            opts.put(a.substring(0, eq), a.substring(eq + 1));
        }
        List<String> functions = List.of(opts.getOrDefault("functions", "append,read,tail,control,edge").split(","));
        List<String> variantNames = List.of(opts.getOrDefault("variants", "plain,flags,appcds,appcds-trained,jdk25,jdk25-aot").split(","));
        int runs = Integer.parseInt(opts.getOrDefault("runs", "5"));
        String jdk25Home = System.getenv("BROOK_JDK25");
        String jdk25 = jdk25Home == null || jdk25Home.isBlank() ? null : Path.of(jdk25Home, "bin", "java").toString();
        List<Variant> variants = new ArrayList<>();
        for (String n : variantNames) {
            Variant v = VARIANTS.get(n);
            if (v == null) {
                throw new IllegalArgumentException("no variant " + n + "; known: " + VARIANTS.keySet());
            }
            if (v.jdk25() && jdk25 == null) {
                System.out.println("skipping " + n + ": BROOK_JDK25 is not set");
                continue;
            }
            variants.add(v);
        }

        Path root = Path.of("target").toAbsolutePath();
        Path work = Files.createTempDirectory("brook-coldstart-");
        System.out.println("logs in " + work);
        var keys = Keygen.generate(work.resolve("keys"), "brook", OptionalLong.empty(), System.currentTimeMillis(), new SecureRandom());
        S3ProxyProcess s3 = S3ProxyProcess.start();
        try {
            s3.createBucket("cold");
            ColdStart bench = new ColdStart(root, work, keys.adminToken(), jdk25);
            bench.env.putAll(s3.environment());
            bench.env.put("BROOK_STORE", "s3://cold/brook");
            bench.env.put("BROOK_AUTH", "required");
            bench.env.put("BROOK_AUTH_PUBLIC_KEY", keys.publicKeyFile().toString());
            // env.NAME=value overrides the functions' environment (e.g. env.BROOK_AUTH=off to see what auth costs)
            opts.forEach((k, val) -> {
                if (k.startsWith("env.")) {
                    bench.env.put(k.substring(4), val);
                }
            });
            bench.prepareStore(Integer.parseInt(opts.getOrDefault("commits", Integer.toString(COMMITS))));
            System.out.printf(Locale.ROOT, "cold start: S3Proxy on loopback, auth required, %d runs per cell after 1 unmeasured, %d CPUs, %s%n",
                    runs, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version") + (jdk25 != null ? " and " + version(jdk25) : ""));
            bench.run(functions, variants, runs);
            if (opts.containsKey("hold")) {
                bench.hold(Path.of(opts.get("hold")));
            }
        } finally {
            s3.stop();
        }
    }

    /** The basin, the stream and its commits, through the `all` artifact; the store marker with them. */
    void prepareStore(int commits) throws Exception {
        Started p = start("all", VARIANTS.get("plain"), List.of());
        try {
            Sample ignored = awaitAnswer(p, request("POST", "/v1/basins", "{\"basin\":\"" + BASIN + "\"}", false));
            exchange(p.port(), request("POST", "/v1/streams", "{\"stream\":\"" + STREAM + "\"}", true));
            for (int i = 0; i < commits; i++) {
                exchange(p.port(), request("POST", "/v1/streams/" + STREAM + "/records", "{\"records\":[{\"body\":\"hello\"}]}", true));
            }
            String tail = exchange(p.port(), request("GET", "/v1/streams/" + STREAM + "/records/tail", null, true));
            if (!tail.startsWith("HTTP/1.1 200")) {
                throw new IllegalStateException("store preparation failed: " + tail);
            }
        } finally {
            p.stop();
        }
    }

    /**
     * {@code hold=FILE}: after the runs, keeps S3Proxy and the prepared store up and writes to FILE
     * what a start needs (the environment as shell assignments, the request, and each trained
     * archive's path), so that an outside timer can repeat single starts; ends when FILE is deleted.
     */
    void hold(Path file) throws Exception {
        StringBuilder out = new StringBuilder();
        env.forEach((k, v) -> out.append("export ").append(k).append("='").append(v).append("'\n"));
        out.append("BROOK_TOKEN='").append(token).append("'\n");
        out.append("BROOK_BASIN='").append(BASIN).append("'\n");
        out.append("BROOK_STREAM='").append(STREAM).append("'\n");
        out.append("BROOK_ARCHIVES='").append(root.resolve("coldstart")).append("'\n");
        Files.writeString(file, out.toString());
        System.out.println("holding S3Proxy and the store until " + file + " is deleted");
        while (Files.exists(file)) {
            Thread.sleep(500);
        }
    }

    void run(List<String> functions, List<Variant> variants, int runs) throws Exception {
        Map<String, List<Sample>> samples = new LinkedHashMap<>();
        for (String f : functions) {
            for (Variant v : variants) {
                prepareArchive(f, v);
            }
        }
        Map<String, Integer> failed = new HashMap<>();
        for (int run = 0; run <= runs; run++) {
            for (String f : functions) {
                for (Variant v : variants) {
                    String cell = f + " " + v.name();
                    samples.computeIfAbsent(cell, k -> new ArrayList<>());
                    try {
                        Sample s = measure(f, v);
                        if (run > 0) {
                            samples.get(cell).add(s);
                        }
                    } catch (IllegalStateException e) {
                        // a start that did not answer (e.g. starved on a busy machine) is counted, not hidden
                        failed.merge(cell, 1, Integer::sum);
                        System.out.println("failed: " + cell + " (run " + run + "): " + e.getMessage().lines().findFirst().orElse(""));
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%n| function | variant | first answer ms (min / median / max) | listening ms (median) | Quarkus \"started in\" s (median) | RSS MiB (min / median / max) | peak RSS MiB (median) | CPU ms (median) | failed starts |%n");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (var e : samples.entrySet()) {
            String[] fv = e.getKey().split(" ");
            List<Sample> s = e.getValue();
            int failures = failed.getOrDefault(e.getKey(), 0);
            if (s.isEmpty()) {
                System.out.printf(Locale.ROOT, "| %s | %s | – | – | – | – | – | – | %d |%n", fv[0], fv[1], failures);
                continue;
            }
            long[] answer = s.stream().mapToLong(Sample::answerMs).sorted().toArray();
            long[] listen = s.stream().mapToLong(Sample::listenMs).sorted().toArray();
            double[] started = s.stream().mapToDouble(Sample::quarkusStartedS).sorted().toArray();
            long[] rss = s.stream().mapToLong(Sample::rssKib).sorted().toArray();
            long[] hwm = s.stream().mapToLong(Sample::hwmKib).sorted().toArray();
            long[] cpu = s.stream().mapToLong(Sample::cpuMs).sorted().toArray();
            System.out.printf(Locale.ROOT, "| %s | %s | %d / **%d** / %d | %d | %.3f | %.0f / **%.0f** / %.0f | %.0f | %d | %d |%n", fv[0], fv[1],
                    answer[0], median(answer), answer[answer.length - 1], median(listen), started[started.length / 2],
                    rss[0] / 1024.0, median(rss) / 1024.0, rss[rss.length - 1] / 1024.0, median(hwm) / 1024.0, median(cpu), failures);
        }
        System.out.println();
        for (Variant v : variants) {
            System.out.println("- `" + v.name() + "`: " + v.what() + (v.flags().isEmpty() ? "" : " `" + String.join(" ", v.flags()) + "`"));
        }
    }

    static long median(long[] sorted) {
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    /** {@code name@dir} measures another build of function {@code name}, in {@code target/dir} (an A/B comparison). */
    Path artifact(String function, Variant v) {
        int at = function.indexOf('@');
        if (at >= 0) {
            return root.resolve(function.substring(at + 1));
        }
        String suffix = v.aotJar() ? "-aot" : "";
        return function.equals("all") ? root.resolve("quarkus-app" + suffix) : root.resolve("functions").resolve(function + suffix);
    }

    Path archive(String function, Variant v) {
        return root.resolve("coldstart").resolve(function.replace('@', '-').replace('/', '-') + "-" + v.name() + (v.archive() == Archive.TRAINED_AOT ? ".aot" : ".jsa"));
    }

    /** The JVM options that use the variant's archive. */
    List<String> archiveFlags(String function, Variant v) {
        return switch (v.archive()) {
            case NONE -> List.of();
            case QUARKUS_APPCDS -> List.of("-XX:SharedArchiveFile=app-cds.jsa");
            case TRAINED_APPCDS -> List.of("-XX:SharedArchiveFile=" + archive(function, v));
            case TRAINED_AOT -> List.of("-XX:AOTCache=" + archive(function, v));
        };
    }

    /** A training run for the trained archives: start, answer the function's request, stop; the JVM writes the archive at exit. */
    void prepareArchive(String function, Variant v) throws Exception {
        if (v.archive() == Archive.QUARKUS_APPCDS) {
            if (!Files.isRegularFile(artifact(function, v).resolve("app-cds.jsa"))) {
                throw new IllegalStateException("no app-cds.jsa in " + artifact(function, v) + ": build with -Dquarkus.package.jar.appcds.enabled=true");
            }
            return;
        }
        if (v.archive() == Archive.NONE) {
            return;
        }
        Path file = archive(function, v);
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        String out = v.archive() == Archive.TRAINED_AOT ? "-XX:AOTCacheOutput=" + file : "-XX:ArchiveClassesAtExit=" + file;
        long t0 = System.nanoTime();
        Started p = start(function, v, List.of(out));
        awaitAnswer(p, requestFor(function));
        p.stop();
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("training run of " + function + " " + v.name() + " (exit " + p.process().exitValue() + ", "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms) wrote no " + file + ":\n" + p.output());
        }
        System.out.printf(Locale.ROOT, "trained %s for %s in %d ms: %s (%.1f MiB)%n", v.name(), function,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), file.getFileName(), Files.size(file) / 1048576.0);
    }

    Sample measure(String function, Variant v) throws Exception {
        Started p = start(function, v, archiveFlags(function, v));
        try {
            return awaitAnswer(p, requestFor(function));
        } finally {
            p.stop();
        }
    }

    /** The request a function serves, and how to tell it was answered. */
    Request requestFor(String function) {
        String records = "/v1/streams/" + STREAM + "/records";
        return switch (function.replaceFirst("@.*", "")) {
            case "append", "all" -> request("POST", records, "{\"records\":[{\"body\":\"cold\"}]}", true);
            case "read" -> request("GET", records + "?seq_num=0&count=1", null, true);
            case "tail" -> request("GET", records + "/tail", null, true);
            case "control" -> request("GET", "/v1/basins", null, false);
            case "edge" -> new Request("GET " + records + "?tail_offset=1 HTTP/1.1\r\nhost: 127.0.0.1\r\ns2-basin: " + BASIN
                    + "\r\naccept: text/event-stream\r\nauthorization: Bearer " + token + "\r\nconnection: close\r\n\r\n", "event: batch");
            default -> throw new IllegalArgumentException("no function " + function);
        };
    }

    /** An HTTP/1.1 request over a connection that closes after the answer; {@code until} ends the reading early (SSE). */
    record Request(String text, String until) {}

    Request request(String method, String path, String json, boolean basin) {
        StringBuilder r = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nhost: 127.0.0.1\r\n");
        if (basin) {
            r.append("s2-basin: ").append(BASIN).append("\r\n");
        }
        r.append("authorization: Bearer ").append(token).append("\r\nconnection: close\r\n");
        if (json != null) {
            r.append("content-type: application/json\r\ncontent-length: ")
                    .append(json.getBytes(StandardCharsets.UTF_8).length).append("\r\n\r\n").append(json);
        } else {
            r.append("\r\n");
        }
        return new Request(r.toString(), null);
    }

    /** A started Brook process and what it printed (to a file: a pipe left unread would stall it). */
    record Started(Process process, int port, long startNanos, Path log) {

        String output() {
            try {
                return Files.readString(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(no output: " + e + ")";
            }
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }
    }

    Started start(String function, Variant v, List<String> extra) throws Exception {
        Path dir = artifact(function, v);
        if (!Files.isRegularFile(dir.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException("no " + dir.resolve("quarkus-run.jar") + ": build it with functions/build " + function
                    + (v.aotJar() ? " -Dquarkus.package.jar.type=aot-jar" : ""));
        }
        List<String> command = new ArrayList<>();
        command.add(v.jdk25() ? jdk25 : jdk17);
        command.addAll(v.flags());
        command.addAll(extra);
        command.add("-jar");
        command.add("quarkus-run.jar");
        int port = S3ProxyProcess.freePort();
        Path log = Files.createTempFile(work, function.replace('@', '-').replace('/', '-') + "-" + v.name() + "-", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        if (System.getenv("BROOK_COLDSTART_DEBUG") != null) {
            System.out.println("starting " + command + " in " + dir);
        }
        long t0 = System.nanoTime();
        return new Started(pb.start(), port, t0, log);
    }

    /** Polls the port until it accepts, sends the request, and waits for its answer; then reads the process's memory. */
    Sample awaitAnswer(Started p, Request request) throws Exception {
        long deadline = p.startNanos() + TimeUnit.SECONDS.toNanos(60);
        long listen = -1;
        while (true) {
            if (!p.process().isAlive()) {
                throw new IllegalStateException("brook exited with " + p.process().exitValue() + ":\n" + p.output());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no answer within 60 s:\n" + p.output());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", p.port()), 1000);
                if (listen < 0) {
                    listen = System.nanoTime();
                }
                socket.setSoTimeout(30_000);
                String answer = exchange(socket, request);
                long answered = System.nanoTime();
                String head = answer.lines().findFirst().orElse("");
                if (!head.startsWith("HTTP/1.1 200") && !head.startsWith("HTTP/1.1 201")) {
                    throw new IllegalStateException("answer was not a success: " + answer + "\n" + p.output());
                }
                long[] mem = memory(p.process().pid());
                if (System.getenv("BROOK_COLDSTART_THREADS") != null) {
                    System.out.println("threads' CPU ms at the answer: " + threadsCpu(p.process().pid()));
                }
                return new Sample(TimeUnit.NANOSECONDS.toMillis(answered - p.startNanos()), TimeUnit.NANOSECONDS.toMillis(listen - p.startNanos()),
                        quarkusStarted(p), mem[0], mem[1], cpuMs(p.process().pid()));
            } catch (ConnectException notYet) {
                Thread.sleep(POLL_MS);
            }
        }
    }

    /** Quarkus's own "started in" figure, read once the line is printed (it follows the first answer at most by a little). */
    static double quarkusStarted(Started p) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            Matcher m = STARTED.matcher(p.output());
            if (m.find()) {
                return Double.parseDouble(m.group(1));
            }
            Thread.sleep(5);
        }
        return Double.NaN;
    }

    static String exchange(int port, Request request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            return exchange(socket, request);
        }
    }

    static String exchange(Socket socket, Request request) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(request.text().getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            answer.write(buf, 0, n);
            if (request.until() != null && answer.toString(StandardCharsets.UTF_8).contains(request.until())) {
                break;
            }
        }
        return answer.toString(StandardCharsets.UTF_8);
    }

    /** CPU time (user and system, all threads) the process has used, in ms. */
    static long cpuMs(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return ticks * 1000 / CLOCK_TICKS_PER_S;
    }

    /** Each thread's CPU time in ms, by thread name (threads of one name summed), largest first. */
    static String threadsCpu(long pid) throws IOException {
        Map<String, Long> byName = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+$", "#");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    byName.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1000 / CLOCK_TICKS_PER_S, Long::sum);
                } catch (IOException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return byName.entrySet().stream().filter(e -> e.getValue() > 0).sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(java.util.stream.Collectors.joining(" "));
    }

    /** USER_HZ: 100 on Linux for every architecture Java runs on here. */
    static final long CLOCK_TICKS_PER_S = 100;

    /** VmRSS and VmHWM in KiB. */
    static long[] memory(long pid) throws IOException {
        long rss = -1;
        long hwm = -1;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = kib(line);
            } else if (line.startsWith("VmHWM:")) {
                hwm = kib(line);
            }
        }
        return new long[] {rss, hwm};
    }

    static long kib(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    static String version(String java) {
        try {
            Process p = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return Arrays.stream(out.split("\n")).filter(l -> l.contains("version")).findFirst().orElse(out).trim();
        } catch (Exception e) {
            return java;
        }
    }
}
