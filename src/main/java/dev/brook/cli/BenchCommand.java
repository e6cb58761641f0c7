package dev.brook.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brook.core.AppendRecord;
import dev.brook.core.Header;
import dev.brook.core.SequencedRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code bench <basin>} as S2's CLI runs it (docs/CLI.md, "bench"): a temporary stream, a writer at a
 * target rate through an append session, a live reader following it and, after a delay, a catch-up
 * reader from the start; every record carries a hash chained over the bodies before it, which both
 * readers recompute. Prints Write, Read and Catchup throughput and ack and end-to-end latency
 * tables; a progress line each second while it runs (redrawn in place on a terminal). The stream is deleted at the end.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmark a stream to measure throughput and latency.")
final class BenchCommand implements Callable<Integer> {

    static final byte[] HASH_HEADER = "hash".getBytes(StandardCharsets.UTF_8);
    static final int RECORD_OVERHEAD_BYTES = 8 + 2 + 4 + 8;

    @ParentCommand
    BrookCli root;

    @Parameters(index = "0", paramLabel = "<BASIN>", converter = Args.BasinConverter.class, description = "Name of the basin to use for the test.")
    Args.Basin basin;

    @Option(names = {"-c", "--storage-class"}, paramLabel = "<STORAGE_CLASS>",
            description = "Storage class for the test stream. Uses basin default if not specified. [possible values: standard, express]")
    String storageClass;

    @Option(names = {"-b", "--record-size"}, paramLabel = "<RECORD_SIZE>", defaultValue = "8192",
            description = "Total metered record size in bytes (includes headers and overhead). [default: 8192]")
    int recordSize;

    @Option(names = {"-t", "--target-mibps"}, paramLabel = "<TARGET_MIBPS>", defaultValue = "1",
            description = "Target write throughput in MiB/s. [default: 1]")
    long targetMibps;

    @Option(names = {"-d", "--duration"}, paramLabel = "<DURATION>", converter = Args.DurationConverter.class, defaultValue = "60s",
            description = "Run test for this duration. [default: 60s]")
    Duration duration;

    @Option(names = {"-w", "--catchup-delay"}, paramLabel = "<CATCHUP_DELAY>", converter = Args.DurationConverter.class, defaultValue = "20s",
            description = "Delay before starting the catchup read. [default: 20s]")
    Duration catchupDelay;

    /** What one reader saw: records, bytes, the time of its first and last, and the chain hash so far. */
    static final class ReadTally {
        long records;
        long bytes;
        long startNs;
        long lastNs;
        long hash;
        String problem;

        void check(SequencedRecord r) {
            if (problem != null) {
                return;
            }
            if (r.seqNum() != records) {
                problem = "expected record " + records + ", got " + r.seqNum();
                return;
            }
            byte[] expect = null;
            for (Header h : r.headers()) {
                if (java.util.Arrays.equals(h.name(), HASH_HEADER)) {
                    expect = h.value();
                }
            }
            hash = chain(hash, r.body());
            if (expect == null || expect.length != 8 || ByteBuffer.wrap(expect).getLong() != hash) {
                problem = "hash mismatch at record " + r.seqNum();
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        if (recordSize < 128 || recordSize >= 1 << 20) {
            throw CliException.invalidArgs("invalid value '" + recordSize + "' for '--record-size <RECORD_SIZE>': " + recordSize
                    + " is not in 128..1048576");
        }
        if (targetMibps <= 0) {
            throw CliException.invalidArgs("invalid value '" + targetMibps + "' for '--target-mibps <TARGET_MIBPS>': number would be zero for non-zero type");
        }
        BrookCli.Context ctx = root.context;
        Uri.Parsed uri = new Uri.Parsed(basin.name(), Optional.of("bench/" + UUID.randomUUID()));
        ctx.err.println("Creating temporary stream " + uri + " (storage class: " + (storageClass == null ? "<default>" : storageClass) + ")");
        ObjectNode config = HttpApi.JSON.createObjectNode();
        config.putObject("retention_policy").put("age", 3600);
        config.putObject("delete_on_empty").put("min_age_secs", 60);
        config.putObject("timestamping").put("mode", "client-require").put("uncapped", true);
        if (storageClass != null) {
            config.put("storage_class", storageClass);
        }
        ctx.api().send(HttpApi.call("bench", "POST", "/v1/streams").basin(uri.basin()).requestToken()
                .body(HttpApi.JSON.createObjectNode().put("stream", uri.streamName()).set("config", config)));
        try {
            ctx.err.println("Running for " + Durations.format(duration) + " targeting " + targetMibps + " MiB/s with " + recordSize
                    + " byte records, Ctrl+C to end early");
            run(ctx, uri);
        } finally {
            ctx.api().exchange(HttpApi.call("bench", "DELETE", HttpApi.streamPath(uri.streamName())).basin(uri.basin()));
        }
        return 0;
    }

    private void run(BrookCli.Context ctx, Uri.Parsed uri) throws Exception {
        List<Long> ackLatencies = Collections.synchronizedList(new ArrayList<>());
        List<Long> e2eLatencies = Collections.synchronizedList(new ArrayList<>());
        AtomicLong written = new AtomicLong();
        AtomicLong writtenBytes = new AtomicLong();
        AtomicLong writeLastNs = new AtomicLong();
        Map<AppendSession.Batch, Long> sentAt = Collections.synchronizedMap(new IdentityHashMap<>());
        long startNs = System.nanoTime();

        // The live reader: from the first record until it has every record written.
        ReadTally live = new ReadTally();
        AtomicLong writeTotal = new AtomicLong(-1);
        AtomicReference<Exception> readError = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                ReadSession.Params p = new ReadSession.Params();
                p.seqNum = OptionalLong.of(0);
                new ReadSession(ctx.api(), uri, Optional.empty(), "bench").run(p, (records, tail) -> {
                    long now = System.currentTimeMillis();
                    synchronized (live) {
                        if (live.records == 0) {
                            live.startNs = System.nanoTime();
                        }
                        for (SequencedRecord r : records) {
                            live.check(r);
                            live.records++;
                            live.bytes += r.meteredBytes();
                            e2eLatencies.add(Math.max(0, now - r.timestamp()) * 1_000_000);
                        }
                        live.lastNs = System.nanoTime();
                    }
                    long total = writeTotal.get();
                    if (total >= 0 && live.records >= total) {
                        throw new ReadSession.Stop();
                    }
                });
            } catch (Exception e) {
                readError.set(e);
            }
        }, "bench-live-reader");
        reader.setDaemon(true);
        reader.start();

        AppendSession session = new AppendSession(ctx.api(), uri, Optional.empty(), Optional.empty(), OptionalLong.of(0),
                (batch, start, end, tailSeq, tailTs) -> {
                    Long at = sentAt.remove(batch);
                    if (at != null) {
                        ackLatencies.add(System.nanoTime() - at);
                    }
                    written.addAndGet(batch.size());
                    writtenBytes.addAndGet(batch.meteredBytes());
                    writeLastNs.set(System.nanoTime());
                });
        Random random = new Random();
        long hash = 0;
        long bytesPerSec = targetMibps << 20;
        long submitted = 0;
        long endNs = startNs + duration.toNanos();
        long nextProgress = startNs + 1_000_000_000L;
        while (System.nanoTime() < endNs && !session.failed()) {
            long elapsed = System.nanoTime() - startNs;
            long allowed = (long) (bytesPerSec * (elapsed / 1e9)) + recordSize;
            List<AppendRecord> batch = new ArrayList<>();
            long batchBytes = 0;
            while (submitted + batchBytes + recordSize <= allowed && batch.size() < 1000 && batchBytes + recordSize <= 1 << 20) {
                byte[] body = new byte[recordSize - RECORD_OVERHEAD_BYTES];
                random.nextBytes(body);
                hash = chain(hash, body);
                batch.add(new AppendRecord(OptionalLong.of(System.currentTimeMillis()),
                        List.of(new Header(HASH_HEADER, ByteBuffer.allocate(8).putLong(hash).array())), body));
                batchBytes += recordSize;
            }
            if (!batch.isEmpty()) {
                AppendSession.Batch b = new AppendSession.Batch(List.copyOf(batch), batchBytes);
                sentAt.put(b, System.nanoTime());
                session.submit(b);
                submitted += batchBytes;
            }
            long now = System.nanoTime();
            if (now >= nextProgress) {
                String progress;
                synchronized (live) {
                    progress = sample("Write", writtenBytes.get(), written.get(), writeLastNs.get() - startNs) + "  |  "
                            + sample("Read", live.bytes, live.records, live.lastNs - live.startNs);
                }
                if (ctx.style.color) {
                    ctx.err.print("\r\u001b[K" + progress); // one line, redrawn, on a terminal
                    ctx.err.flush();
                } else {
                    ctx.err.println(progress);
                }
                nextProgress += 1_000_000_000L;
            }
            Thread.sleep(5); // pacing the writer to the target rate
        }
        session.close();
        if (ctx.style.color) {
            ctx.err.print("\r\u001b[K");
        }
        writeTotal.set(written.get());
        long waitUntil = System.nanoTime() + 120_000_000_000L;
        while (reader.isAlive() && System.nanoTime() < waitUntil) {
            synchronized (live) {
                if (live.records >= written.get() || live.problem != null) {
                    break;
                }
            }
            reader.join(100);
        }
        ctx.err.println();
        ctx.err.println(ctx.style.blue("Write") + ": " + sample(null, writtenBytes.get(), written.get(), writeLastNs.get() - startNs));
        synchronized (live) {
            ctx.err.println(ctx.style.green("Read") + ": " + sample(null, live.bytes, live.records, live.lastNs - live.startNs));
        }
        ctx.err.println();
        for (String line : latencyTables(ackLatencies, e2eLatencies)) {
            ctx.err.println(line);
        }
        if (readError.get() instanceof CliException c) {
            throw c;
        }
        synchronized (live) {
            if (live.problem != null) {
                throw verification("live read " + live.problem);
            }
            if (live.records != written.get()) {
                throw verification("live read record count mismatch: expected " + written.get() + ", got " + live.records);
            }
        }

        ctx.err.println();
        ctx.err.println("Waiting " + Durations.format(catchupDelay) + " before catchup read...");
        Thread.sleep(catchupDelay.toMillis()); // the catch-up delay the user asked for
        ReadTally catchup = new ReadTally();
        if (written.get() > 0) {
            ReadSession.Params p = new ReadSession.Params();
            p.seqNum = OptionalLong.of(0);
            p.count = OptionalLong.of(written.get());
            catchup.startNs = System.nanoTime();
            new ReadSession(ctx.api(), uri, Optional.empty(), "bench").run(p, (records, tail) -> {
                for (SequencedRecord r : records) {
                    catchup.check(r);
                    catchup.records++;
                    catchup.bytes += r.meteredBytes();
                }
                catchup.lastNs = System.nanoTime();
            });
            ctx.err.println(ctx.style.blue("Catchup") + ": " + sample(null, catchup.bytes, catchup.records, catchup.lastNs - catchup.startNs));
        } else {
            ctx.err.println(ctx.style.blue("Catchup") + ": no records available for catchup read");
        }
        if (catchup.problem != null) {
            throw verification("catchup read " + catchup.problem);
        }
        if (catchup.records != written.get()) {
            throw verification("catchup read record count mismatch: expected " + written.get() + ", got " + catchup.records);
        }
    }

    private static CliException verification(String what) {
        return new CliException("Benchmark verification failed: " + what, Optional.empty(),
                Optional.of("Ensure no other writers are mutating the stream during bench and retry the test."), 1);
    }

    /** {@code X MiB/s, Y records/s (B bytes, N records in S s)}. */
    static String sample(String label, long bytes, long records, long elapsedNs) {
        double secs = Math.max(elapsedNs, 1) / 1e9;
        String s = String.format(Locale.ROOT, "%.2f MiB/s, %.0f records/s (%d bytes, %d records in %.2fs)",
                bytes / secs / (1 << 20), records / secs, bytes, records, elapsedNs / 1e9);
        return label == null ? s : label + ": " + s;
    }

    /** S2's latency tables, stacked: min, p50, p90, p99, max of each. */
    static List<String> latencyTables(List<Long> ack, List<Long> e2e) {
        List<String> lines = new ArrayList<>();
        lines.add("Ack Latency Statistics (n=" + ack.size() + ")");
        lines.addAll(rows(ack));
        lines.add("");
        lines.add("End-to-End Latency Statistics (n=" + e2e.size() + ")");
        lines.addAll(rows(e2e));
        return lines;
    }

    static List<String> rows(List<Long> samples) {
        List<Long> sorted;
        synchronized (samples) {
            sorted = new ArrayList<>(samples);
        }
        Collections.sort(sorted);
        List<String> rows = new ArrayList<>();
        String[] keys = {"min", "p50", "p90", "p99", "max"};
        double[] ranks = {0, 0.50, 0.90, 0.99, 1};
        for (int i = 0; i < keys.length; i++) {
            String value = "-";
            if (!sorted.isEmpty()) {
                int at = (int) Math.min(sorted.size() - 1, Math.max(0, Math.ceil(ranks[i] * sorted.size()) - 1));
                value = latency(sorted.get(i == 0 ? 0 : at));
            }
            rows.add(String.format(Locale.ROOT, "%-7s: %9s", keys[i], value));
        }
        return rows;
    }

    static String latency(long nanos) {
        if (nanos < 1_000) {
            return nanos + "ns";
        }
        if (nanos < 1_000_000) {
            return String.format(Locale.ROOT, "%.1fus", nanos / 1e3);
        }
        if (nanos < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.2fms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.2fs", nanos / 1e9);
    }

    /** The chained hash: the first 8 bytes of SHA-256 over the previous hash and the body. */
    static long chain(long previous, byte[] body) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(ByteBuffer.allocate(8).putLong(previous).array());
            sha.update(body);
            return ByteBuffer.wrap(sha.digest()).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
