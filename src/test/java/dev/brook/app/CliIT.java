package dev.brook.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.engine.auth.Keygen;
import dev.brook.testing.S3ProxyProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The {@code brook} CLI (docs/CLI.md) as a user runs it: the {@code ./brook} launcher in {@code bash},
 * against the packaged Brook on S3Proxy with access control required and keys from {@code keygen}.
 * The examples users bring from S2's docs run verbatim with {@code s2} replaced by {@code ./brook}:
 * basins and streams, {@code echo | append}, {@code read}, {@code tail -f FILE | append} while the
 * file grows, a read-only token issued with the legacy flags that reads by timestamp, follows live and
 * is refused an append. Then every other subcommand once. Waits are on output, with a deadline.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliIT {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static final long WAIT_S = 90;
    static final Pattern ACK = Pattern.compile("✓ \\[APPENDED\\] (\\d+)\\.\\.(\\d+) // tail: (\\d+) @ (\\d+)");

    static PackagedBrook brook;
    static Keygen.Result keys;
    static String readOnlyToken;

    @BeforeAll
    static void start() throws Exception {
        S3ProxyProcess s3 = S3ProxyProcess.shared();
        s3.createBucket("brook-cli-it");
        keys = Keygen.generate(Files.createTempDirectory("brook-cli-keys-"), "brook", OptionalLong.empty(), System.currentTimeMillis(),
                new SecureRandom());
        brook = PackagedBrook.onS3(s3, "brook-cli-it", "cli", Map.of("BROOK_AUTH", "required",
                "BROOK_AUTH_PUBLIC_KEY", keys.publicKeyFile().toString(), "BROOK_AUTH_PRIVATE_KEY", keys.privateKeyFile().toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (brook != null) {
            brook.close();
        }
    }

    /** A finished shell command. */
    record Ran(int exit, String stdout, String stderr) {
        Ran ok() {
            assertEquals(0, exit, "exit status; stdout:\n" + stdout + "\nstderr:\n" + stderr);
            return this;
        }
    }

    static Map<String, String> env(String token) {
        Map<String, String> env = new HashMap<>();
        env.put("S2_ACCOUNT_ENDPOINT", brook.endpoint());
        env.put("S2_BASIN_ENDPOINT", brook.endpoint());
        env.put("S2_ACCESS_TOKEN", token);
        return env;
    }

    /** A command line of S2's docs with {@code s2} replaced by {@code ./brook}, run by bash in the repository root. */
    static Ran sh(String command) throws Exception {
        return sh(command, env(keys.adminToken()));
    }

    static Ran sh(String command, Map<String, String> env) throws Exception {
        try (Background p = Background.start(command, env)) {
            assertTrue(p.process.waitFor(WAIT_S, TimeUnit.SECONDS), "`" + command + "` finished in time:\n" + p.stderr());
            return new Ran(p.process.exitValue(), p.stdout(), p.stderr());
        }
    }

    /** A command running in the background, its output in files; closing stops it and everything it started. */
    static final class Background implements AutoCloseable {
        final Process process;
        final Path out;
        final Path err;

        private Background(Process process, Path out, Path err) {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        static Background start(String command, Map<String, String> env) throws IOException {
            Path out = Files.createTempFile("brook-cli-out-", ".txt");
            Path err = Files.createTempFile("brook-cli-err-", ".txt");
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", command).directory(ROOT.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            pb.environment().keySet().removeIf(k -> k.startsWith("S2_"));
            pb.environment().putAll(env);
            return new Background(pb.start(), out, err);
        }

        String stdout() throws IOException {
            return Files.readString(out, StandardCharsets.UTF_8);
        }

        String stderr() throws IOException {
            return Files.readString(err, StandardCharsets.UTF_8);
        }

        /** Waits until the output (stdout, or stderr) satisfies {@code condition}; fails at the deadline. */
        String await(boolean stdout, Predicate<String> condition, String what) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
            while (System.nanoTime() < deadline) {
                String text = stdout ? stdout() : stderr();
                if (condition.test(text)) {
                    return text;
                }
                if (!process.isAlive() && !condition.test(stdout ? stdout() : stderr())) {
                    throw new AssertionError(what + ": the command ended (" + process.exitValue() + ") first; stdout:\n" + stdout()
                            + "\nstderr:\n" + stderr());
                }
                Thread.sleep(50); // polling the output files, bounded by the deadline
            }
            throw new AssertionError(what + ": not seen within " + WAIT_S + " s; stdout:\n" + stdout() + "\nstderr:\n" + stderr());
        }

        @Override
        public void close() throws Exception {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
            process.descendants().forEach(ProcessHandle::destroyForcibly);
        }
    }

    static List<long[]> acks(String stderr) {
        List<long[]> acks = new ArrayList<>();
        Matcher m = ACK.matcher(stderr);
        while (m.find()) {
            acks.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), Long.parseLong(m.group(4))});
        }
        return acks;
    }

    @Test
    @Order(1)
    void theBasinAndStreamExamplesRunVerbatim() throws Exception {
        Ran basin = sh("./brook create-basin my-basin").ok();
        assertEquals("✓ Basin created\n", basin.stderr());
        assertEquals("", basin.stdout());
        assertEquals("✓ Stream created\n", sh("./brook create-stream my-basin/events").ok().stderr());
        assertEquals("✓ Stream created\n", sh("./brook create-stream s2://my-basin/prod/logs").ok().stderr());

        Ran again = sh("./brook create-basin my-basin");
        assertEquals(1, again.exit());
        assertEquals("Error:   × Failed to create basin: resource_already_exists: basin `my-basin` already exists\n", again.stderr());
    }

    @Test
    @Order(2)
    void echoAppendsAndReadReadsAndFollows() throws Exception {
        Ran append = sh("echo \"hello from s2\" | ./brook append my-basin/events").ok();
        assertTrue(append.stderr().matches("✓ \\[APPENDED\\] 0\\.\\.1 // tail: 1 @ \\d+\\n"), append.stderr());

        Ran read = sh("./brook read my-basin/events -s 0 -n 1").ok();
        assertEquals("hello from s2\n", read.stdout());
        assertTrue(read.stderr().matches("⦿ 21 bytes \\(1 record in range 0\\.\\.=0\\)\\n"), read.stderr());

        // `s2 read my-basin/events`, verbatim: it starts at the tail and follows.
        try (Background follow = Background.start("./brook read my-basin/events", env(keys.adminToken()))) {
            // Appending until the follower shows a line: it may still be connecting when the first ones land.
            int n = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
            while (!follow.stdout().contains("live ") && System.nanoTime() < deadline) {
                sh("echo \"live " + n++ + "\" | ./brook append my-basin/events").ok();
            }
            String out = follow.await(true, s -> s.contains("live "), "the follower's first live record");
            assertFalse(out.contains("hello from s2"), "no start means the tail: " + out);
            assertTrue(follow.process.isAlive(), "it keeps following");
        }
    }

    @Test
    @Order(3)
    void tailFollowingAGrowingFilePipesEveryLineOnceInOrder() throws Exception {
        Path log = Files.createTempFile("brook-cli-app-", ".log");
        int rounds = 4;
        int perRound = 250;
        try (Background pipeline = Background.start("tail -n +1 -f " + log + " | ./brook append s2://my-basin/prod/logs",
                env(keys.adminToken()))) {
            for (int round = 0; round < rounds; round++) {
                StringBuilder lines = new StringBuilder();
                for (int i = 0; i < perRound; i++) {
                    lines.append("line ").append(round * perRound + i).append('\n');
                }
                Files.writeString(log, lines, java.nio.file.StandardOpenOption.APPEND);
                int expected = (round + 1) * perRound;
                pipeline.await(false, s -> !acks(s).isEmpty() && acks(s).get(acks(s).size() - 1)[1] == expected,
                        "acks up to " + expected);
            }
            List<long[]> acks = acks(pipeline.stderr());
            long next = 0;
            for (long[] a : acks) {
                assertEquals(next, a[0], "acks are contiguous: " + pipeline.stderr());
                next = a[1];
            }
            assertTrue(pipeline.process.isAlive(), "the pipeline keeps following the file");
        }
        Ran all = sh("./brook read s2://my-basin/prod/logs -s 0 -n 1000 --format json").ok();
        List<String> bodies = new ArrayList<>();
        for (String line : all.stdout().lines().toList()) {
            bodies.add(dev.brook.cli.HttpApi.JSON.readTree(line).get("body").asText());
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < rounds * perRound; i++) {
            expected.add("line " + i);
        }
        assertEquals(expected, bodies, "every line once, in order");
        String tail = sh("./brook check-tail s2://my-basin/prod/logs").ok().stdout();
        assertTrue(tail.startsWith(rounds * perRound + " @ "), tail);
    }

    @Test
    @Order(4)
    void aReadOnlyTokenFromTheLegacyFlagsReadsFollowsAndIsRefusedAnAppend() throws Exception {
        Ran issued = sh("./brook issue-access-token --id public-ro-logs --op-groups=\"stream=r\" --basins=\"my-basin\" --streams=\"prod/logs\"").ok();
        readOnlyToken = issued.stdout().strip();
        assertEquals(readOnlyToken + "\n", issued.stdout(), "the token alone on stdout");
        assertTrue(readOnlyToken.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+"), readOnlyToken);

        // Timestamps of two records, to read between them.
        List<String> records = sh("./brook read s2://my-basin/prod/logs -s 0 -n 1000 --format json").ok().stdout().lines().toList();
        long first = dev.brook.cli.HttpApi.JSON.readTree(records.get(0)).get("timestamp").asLong();
        long last = dev.brook.cli.HttpApi.JSON.readTree(records.get(records.size() - 1)).get("timestamp").asLong();
        Map<String, String> ro = env(readOnlyToken);

        // The example's own numbers (October 2025): before every record here, so nothing, and a clean exit.
        Ran past = sh("S2_ACCESS_TOKEN=" + readOnlyToken + " ./brook read s2://my-basin/prod/logs --timestamp 1761333455729 --until 1761333456740",
                ro).ok();
        assertEquals("", past.stdout());
        Ran window = sh("S2_ACCESS_TOKEN=" + readOnlyToken + " ./brook read s2://my-basin/prod/logs --timestamp " + first + " --until " + (last + 1),
                ro).ok();
        assertEquals(records.size(), window.stdout().lines().count(), window.stdout());
        assertTrue(window.stdout().startsWith("line 0\n"), window.stdout());
        Ran before = sh("S2_ACCESS_TOKEN=" + readOnlyToken + " ./brook read s2://my-basin/prod/logs --timestamp " + first + " --until " + first, ro);
        assertNotEquals(0, before.exit(), "until must be after the start timestamp: " + before.stderr());

        try (Background follow = Background.start("S2_ACCESS_TOKEN=" + readOnlyToken + " ./brook read s2://my-basin/prod/logs", ro)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
            int n = 0;
            while (!follow.stdout().contains("after the token") && System.nanoTime() < deadline) {
                sh("echo \"after the token " + n++ + "\" | ./brook append s2://my-basin/prod/logs").ok();
            }
            follow.await(true, s -> s.contains("after the token"), "the read-only follower sees a live record");
            assertTrue(follow.process.isAlive());
        }

        Ran refused = sh("echo 'not allowed' | S2_ACCESS_TOKEN=" + readOnlyToken + " ./brook append s2://my-basin/prod/logs", ro);
        assertEquals(1, refused.exit(), refused.stderr());
        assertTrue(refused.stderr().startsWith("Error:   × Failed to append: permission_denied: "), refused.stderr());
        assertTrue(refused.stderr().contains("help: Verify the token"), refused.stderr());
        assertFalse(refused.stderr().contains("\tat "), "no stack trace");
        assertFalse(refused.stderr().contains("[APPENDED]"));
    }

    @Test
    @Order(5)
    void everyOtherSubcommand() throws Exception {
        assertEquals("my-basin\n", sh("./brook ls").ok().stdout());
        assertEquals("my-basin\n", sh("./brook list-basins --prefix my-").ok().stdout());
        assertTrue(sh("./brook ls s2://my-basin/prod").ok().stdout().matches("s2://my-basin/prod/logs \\S+Z\\n"));
        assertEquals("s2://my-basin/events\ns2://my-basin/prod/logs\n", sh("./brook list-streams my-basin").ok().stdout());
        assertEquals("s2://my-basin/events\n", sh("./brook list-streams my-basin -n 1").ok().stdout());

        assertTrue(sh("./brook get-basin-config my-basin").ok().stdout().contains("| create_stream_on_append |  false"));
        Ran reconfigured = sh("./brook reconfigure-basin my-basin --create-stream-on-append true --retention-policy 1d").ok();
        assertEquals("✓ Basin reconfigured\n", reconfigured.stderr());
        assertTrue(reconfigured.stdout().contains("| create_stream_on_append |  true"), reconfigured.stdout());
        assertTrue(reconfigured.stdout().contains("| Age |  1day  |"), reconfigured.stdout());

        assertTrue(sh("./brook get-stream-config my-basin/events").ok().stdout().contains("|  7days  |"));
        Ran stream = sh("./brook reconfigure-stream my-basin/events --retention-policy infinite --timestamping-mode arrival").ok();
        assertEquals("✓ Stream reconfigured\n", stream.stderr());
        assertTrue(stream.stdout().contains("| retention_policy |  Infinite"), stream.stdout());
        assertTrue(stream.stdout().contains("|  arrival  |"), stream.stdout());

        String tail = sh("./brook check-tail my-basin/events").ok().stdout();
        assertTrue(tail.matches("\\d+ @ \\d+\\n"), tail);
        long next = Long.parseLong(tail.split(" ")[0]);
        Ran fence = sh("./brook fence my-basin/events my-token").ok();
        assertTrue(fence.stderr().matches("✓ \\[APPENDED\\] new fencing token \"my-token\" // tail: " + next + " @ \\d+\\n"), fence.stderr());
        Ran fenced = sh("echo x | ./brook append my-basin/events -f wrong");
        assertEquals(1, fenced.exit());
        assertEquals("Error:   × Failed to append: fencing token mismatch, expected: my-token\n", fenced.stderr());
        Ran trim = sh("./brook trim my-basin/events 1 -f my-token").ok();
        assertTrue(trim.stderr().matches("✓ \\[APPENDED\\] trim to 1 // tail: " + (next + 1) + " @ \\d+\\n"), trim.stderr());
        Ran matched = sh("printf 'a\\nb\\n' | ./brook append my-basin/events -f my-token -m " + (next + 2)).ok();
        assertTrue(matched.stderr().startsWith("✓ [APPENDED] " + (next + 2) + ".." + (next + 4) + " "), matched.stderr());
        Ran mismatch = sh("echo c | ./brook append my-basin/events -m 0");
        assertEquals("Error:   × Failed to append: sequence number mismatch, expected: " + (next + 4) + "\n", mismatch.stderr());

        assertEquals("a\nb\n", sh("./brook tail my-basin/events -n 2").ok().stdout());
        Ran json = sh("./brook tail my-basin/events -n 1 --format base64").ok();
        assertTrue(json.stdout().matches("\\{\"seq_num\":" + (next + 3) + ",\"timestamp\":\\d+,\"body\":\"Yg==\"}\\n"), json.stdout());
        Path file = Files.createTempFile("brook-cli-read-", ".txt");
        sh("./brook read my-basin/events --tail-offset 2 -n 2 -o " + file).ok();
        assertEquals("a\nb\n", Files.readString(file));

        assertEquals("✓ Stream deletion requested\n", sh("./brook delete-stream s2://my-basin/events").ok().stderr());
        assertEquals("✓ Stream created\n", sh("./brook create-stream my-basin/created-on-append").ok().stderr());

        String tokens = sh("./brook list-access-tokens").ok().stdout();
        assertTrue(tokens.contains("public-ro-logs  expires never\n  basins=my-basin*  streams=prod/logs*  tokens=∅  perms=s:r  ops=0"), tokens);
        assertEquals("✓ Access token 'public-ro-logs' revoked\n", sh("./brook revoke-access-token public-ro-logs").ok().stderr());
        assertFalse(sh("./brook list-access-tokens").ok().stdout().contains("public-ro-logs"));

        sh("./brook create-basin doomed-basin").ok();
        assertEquals("✓ Basin deletion requested\n", sh("./brook delete-basin doomed-basin").ok().stderr());
    }

    @Test
    @Order(6)
    void helpOnEveryCommandAndTheJarPrintsHelpInsteadOfServing() throws Exception {
        Ran help = sh("./brook --help").ok();
        assertTrue(help.stdout().startsWith("Usage: brook"), help.stdout());
        assertTrue(sh("./brook append --help").ok().stdout().contains("--linger"));
        Ran jar = sh("java -jar target/quarkus-app/quarkus-run.jar --help").ok();
        assertTrue(jar.stdout().startsWith("Usage: brook"), jar.stdout() + jar.stderr());
        assertFalse(jar.stdout().contains("brook ready") || jar.stderr().contains("Listening"), jar.stderr());
        assertEquals(2, sh("./brook no-such-command").exit());

        Path elsewhere = Files.createTempDirectory("brook-cli-nobuild-");
        Files.copy(ROOT.resolve("brook"), elsewhere.resolve("brook"));
        Ran missing = sh("bash " + elsewhere.resolve("brook") + " ls");
        assertEquals(2, missing.exit());
        assertTrue(missing.stderr().contains("./mvnw -q package -DskipTests"), missing.stderr());
    }

    @Test
    @Order(7)
    void benchWritesReadsLiveAndCatchesUpOnATemporaryStream() throws Exception {
        Ran bench = sh("./brook bench my-basin --duration 2s --catchup-delay 1s --record-size 1024 --target-mibps 1").ok();
        String err = bench.stderr();
        assertTrue(err.startsWith("Creating temporary stream s2://my-basin/bench/"), err);
        assertTrue(err.contains("Running for 2s targeting 1 MiB/s with 1024 byte records"), err);
        Matcher write = Pattern.compile("\nWrite: [\\d.]+ MiB/s, \\d+ records/s \\((\\d+) bytes, (\\d+) records in").matcher(err);
        assertTrue(write.find(), err);
        assertTrue(Long.parseLong(write.group(2)) > 0, err);
        assertTrue(err.contains("\nRead: ") && err.contains("Catchup: "), err);
        assertTrue(err.contains(write.group(1) + " bytes, " + write.group(2) + " records in"), "both readers read what was written: " + err);
        for (String table : List.of("Ack Latency Statistics (n=", "End-to-End Latency Statistics (n=")) {
            assertTrue(err.contains(table), err);
        }
        assertTrue(err.contains("\np99    : "), err);
        for (String line : sh("./brook list-streams my-basin --prefix bench/").ok().stdout().lines().toList()) {
            assertTrue(line.endsWith("[deleting]"), "the temporary stream is deleted: " + line);
        }
    }

    @Test
    @Order(8)
    void tailFollowingAFileSurvivesARestartingServerWithoutLosingOrDuplicatingALine() throws Exception {
        S3ProxyProcess s3 = S3ProxyProcess.shared();
        int port = S3ProxyProcess.freePort();
        Map<String, String> auth = Map.of("BROOK_AUTH", "required", "BROOK_AUTH_PUBLIC_KEY", keys.publicKeyFile().toString(),
                "BROOK_AUTH_PRIVATE_KEY", keys.privateKeyFile().toString());
        PackagedBrook restarting = PackagedBrook.onS3(s3, "brook-cli-it", "cli-restart", auth, port);
        Map<String, String> env = new HashMap<>();
        env.put("S2_ACCOUNT_ENDPOINT", restarting.endpoint());
        env.put("S2_BASIN_ENDPOINT", restarting.endpoint());
        env.put("S2_ACCESS_TOKEN", keys.adminToken());
        Path log = Files.createTempFile("brook-cli-restart-", ".log");
        int total = 0;
        try {
            sh("./brook create-basin restart-basin && ./brook create-stream restart-basin/logs", env).ok();
            try (Background pipeline = Background.start("tail -n +1 -f " + log + " | ./brook append restart-basin/logs", env)) {
                total = writeLines(log, total, 200);
                awaitAcked(pipeline, total);
                // Lines written while the server stops, is down and starts again.
                total = writeLines(log, total, 100);
                restarting.close();
                total = writeLines(log, total, 100);
                restarting = PackagedBrook.onS3(s3, "brook-cli-it", "cli-restart", auth, port);
                awaitAcked(pipeline, total);
                total = writeLines(log, total, 100);
                awaitAcked(pipeline, total);
                assertTrue(pipeline.process.isAlive(), "the pipeline outlived the restart: " + pipeline.stderr());
            }
            List<String> bodies = sh("./brook read restart-basin/logs -s 0 -n " + (total + 10), env).ok().stdout().lines().toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                expected.add("restart line " + i);
            }
            assertEquals(expected, bodies, "every line once, in order, across the restart");
        } finally {
            restarting.close();
        }
    }

    static int writeLines(Path file, int from, int n) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int i = from; i < from + n; i++) {
            lines.append("restart line ").append(i).append('\n');
        }
        Files.writeString(file, lines, java.nio.file.StandardOpenOption.APPEND);
        return from + n;
    }

    /** Waits until the acks printed so far cover the first {@code n} records, contiguously. */
    static void awaitAcked(Background pipeline, int n) throws Exception {
        pipeline.await(false, s -> {
            long next = 0;
            for (long[] a : acks(s)) {
                if (a[0] != next) {
                    return false;
                }
                next = a[1];
            }
            return next >= n;
        }, "acks covering " + n + " records");
        long next = 0;
        for (long[] a : acks(pipeline.stderr())) {
            assertEquals(next, a[0], "acks are contiguous: " + pipeline.stderr());
            next = a[1];
        }
    }
}
