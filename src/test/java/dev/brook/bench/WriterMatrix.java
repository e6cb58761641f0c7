package dev.brook.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 14's writer matrix: closed-loop unary writers of 1 KiB records, writers × records per append
 * 1×1, 8×1, 1×100 and 8×100, on Brook and then on Redis (its own {@code redis-server}, fsync before
 * every reply) in the same run, cell by cell, each followed by a line comparing the two against
 * the targets in docs/BENCHMARK.md. Without {@code redis-server} (or with {@code BROOK_BENCH_REDIS=0}) the Redis side
 * is skipped with a line saying so.
 */
final class WriterMatrix {

    /** A cell and its target: Brook's records/s at least {@code minRatio} × Redis's, Brook's ack p50 at most {@code maxP50Ms}. */
    record Cell(int writers, int records, double minRatio, double maxP50Ms) {
        String stream() {
            return "u" + writers + "x" + records;
        }

        String name() {
            return "unary 1 KiB, " + writers + (writers == 1 ? " writer" : " writers") + " x " + records + "-record batches";
        }

        String target() {
            if (maxP50Ms < Double.POSITIVE_INFINITY) {
                return String.format(Locale.ROOT, "Brook ack p50 <= %s ms", fmt(maxP50Ms));
            }
            return minRatio > 0 ? String.format(Locale.ROOT, ">= %s x Redis", fmt(minRatio)) : "none";
        }
    }

    static final List<Cell> CELLS = List.of(
            new Cell(1, 1, 0, 1.0),
            new Cell(8, 1, 0.5, Double.POSITIVE_INFINITY),
            new Cell(1, 100, 0, Double.POSITIVE_INFINITY),
            new Cell(8, 100, 1.0, Double.POSITIVE_INFINITY));

    static final boolean REDIS_WANTED = !System.getenv().getOrDefault("BROOK_BENCH_REDIS", "1").equals("0");

    private final Bench bench;

    WriterMatrix(Bench bench) {
        this.bench = bench;
    }

    void run() throws Exception {
        List<Cell> cells = CELLS.stream().filter(c -> !Bench.skipped(c.stream())).toList();
        if (cells.isEmpty()) {
            return;
        }
        RedisPeer redis = null;
        if (!REDIS_WANTED) {
            System.out.println("Redis side skipped: BROOK_BENCH_REDIS=0");
        } else {
            try {
                redis = RedisPeer.start();
            } catch (Exception e) {
                System.out.println("Redis side skipped: redis-server could not be started (" + e.getMessage() + "); bench/run installs it "
                        + "with apt-get (Debian package redis-server)");
            }
        }
        try {
            for (Cell c : cells) {
                bench.settle();
                Bench.Measured brook = bench.unary(c.name(), c.stream(), c.writers(), c.records(), Bench.KIB);
                Bench.Measured peer = redis == null ? null : redis(redis, c);
                System.out.println(compare(c, brook, peer));
            }
        } finally {
            if (redis != null) {
                redis.close();
            }
        }
    }

    /** The cell on Redis, printed as a row of its own. */
    private Bench.Measured redis(RedisPeer redis, Cell c) throws Exception {
        Map<String, ProcessCpu> cpu = Map.of(Bench.REDIS, ProcessCpu.ofPid(redis.process.pid()));
        Bench.Usage before = new Bench.Usage(Map.of(), Bench.cpuSeconds(cpu));
        ClosedLoop.Run run = redis.xadd(c.stream(), c.writers(), c.records(), Bench.KIB, Bench.SECONDS);
        Bench.Usage after = new Bench.Usage(Map.of(), Bench.cpuSeconds(cpu));
        Bench.Measured m = new Bench.Measured(c.name(), redis.label(), run.records(), Bench.KIB, run.elapsedNanos(),
                Bench.sortedNanos(run.latencies()), new long[0], run.timeline());
        bench.report(m, before, after, Bench.REDIS);
        return m;
    }

    /** The comparison line of a cell: Brook's and Redis's records/s and ack p50, their ratio, and the target met or missed. */
    static String compare(Cell c, Bench.Measured brook, Bench.Measured redis) {
        double brookP50 = Bench.ms(Bench.pct(brook.ack(), 50));
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %d x %d, Brook vs Redis: ", c.writers(), c.records()));
        double ratio = Double.NaN;
        if (redis == null) {
            line.append(String.format(Locale.ROOT, "Brook %,.0f records/s, ack p50 %.2f ms; Redis not measured", brook.recordsPerSecond(), brookP50));
        } else {
            ratio = brook.recordsPerSecond() / Math.max(redis.recordsPerSecond(), 1e-9);
            line.append(String.format(Locale.ROOT, "%,.0f / %,.0f records/s = %.2f x; ack p50 %.2f / %.2f ms", brook.recordsPerSecond(),
                    redis.recordsPerSecond(), ratio, brookP50, Bench.ms(Bench.pct(redis.ack(), 50))));
        }
        line.append("; target ").append(c.target()).append(": ");
        if (c.maxP50Ms() < Double.POSITIVE_INFINITY) {
            line.append(brookP50 <= c.maxP50Ms() ? "met" : "missed");
        } else if (c.minRatio() > 0) {
            line.append(Double.isNaN(ratio) ? "n/a (no Redis)" : ratio >= c.minRatio() ? "met" : "missed");
        } else {
            line.append("-");
        }
        return line.toString();
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.1f", v) : Double.toString(v);
    }
}
