package dev.brook.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * CPU seconds (user + system, all threads) a server process has used so far: from
 * {@code /proc/<pid>/stat} for the processes the benchmark starts (Brook, S3Proxy, Redis), from
 * Brook's own {@code process_cpu_time_ns_total} on {@code /metrics} for a Brook it did not start.
 */
@FunctionalInterface
interface ProcessCpu {

    /** Fields 14 and 15 of /proc/PID/stat count in these ticks; Linux fixes them at 100 per second for user space. */
    long DEFAULT_CLOCK_TICKS = 100;

    Pattern METRIC = Pattern.compile("^(process_cpu_time_ns_total) ([0-9.eE+]+)$");

    double seconds() throws Exception;

    /** The process {@code pid}, read from /proc. */
    static ProcessCpu ofPid(long pid) {
        long ticks = clockTicks();
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        return () -> secondsFromStat(Files.readString(stat, StandardCharsets.US_ASCII), ticks);
    }

    /** The Brook at {@code base}, when its /metrics has the process's CPU time. */
    static Optional<ProcessCpu> ofMetrics(HttpClient http, URI base) throws Exception {
        ProcessCpu cpu = () -> {
            Map<String, Double> found = Bench.scrape(http, base, METRIC);
            Double ns = found.get("process_cpu_time_ns_total");
            if (ns == null) {
                throw new IOException("no process_cpu_time_ns_total on " + base + "/metrics");
            }
            return ns / 1e9;
        };
        try {
            cpu.seconds();
            return Optional.of(cpu);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * utime + stime of a /proc/PID/stat line, in seconds. The fields are counted after the command name's
     * closing parenthesis (the name may hold spaces and parentheses): state is the first, utime the 12th.
     */
    static double secondsFromStat(String stat, long ticksPerSecond) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + stat);
        }
        String[] fields = stat.substring(close + 1).strip().split(" +");
        long utime = Long.parseLong(fields[11]);
        long stime = Long.parseLong(fields[12]);
        return (utime + stime) / (double) ticksPerSecond;
    }

    /** {@code getconf CLK_TCK}, or 100 when it cannot be asked. */
    static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            return p.waitFor() == 0 ? Long.parseLong(out) : DEFAULT_CLOCK_TICKS;
        } catch (IOException | NumberFormatException e) {
            return DEFAULT_CLOCK_TICKS;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DEFAULT_CLOCK_TICKS;
        }
    }
}
