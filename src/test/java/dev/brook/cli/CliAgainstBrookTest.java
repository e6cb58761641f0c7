package dev.brook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.testing.FaultProxy;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The CLI in this JVM against Brook in this JVM (memory store), with {@link FaultProxy} between them
 * where a test loses a response: an append whose ack is lost is found landed, not sent twice; a
 * follower whose connection is cut resumes after the last record it showed; encrypted streams with
 * the key flags.
 */
@QuarkusTest
class CliAgainstBrookTest {

    static final long WAIT_S = 30;
    static int basins;

    @TestHTTPResource("/")
    URI root;

    /** One CLI run: its exit status when done, and its output so far. */
    static final class Run {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final CompletableFuture<Integer> status = new CompletableFuture<>();

        static Run start(Map<String, String> env, InputStream in, String... args) {
            Run run = new Run();
            Thread t = new Thread(() -> run.status.complete(BrookCli.run(new BrookCli.Context(env, in,
                    new PrintStream(run.out, true, StandardCharsets.UTF_8), new PrintStream(run.err, true, StandardCharsets.UTF_8),
                    new Formats.Style(false)), args)), "cli-run");
            t.setDaemon(true);
            t.start();
            return run;
        }

        String out() {
            return run(out);
        }

        String err() {
            return run(err);
        }

        private static String run(ByteArrayOutputStream b) {
            return b.toString(StandardCharsets.UTF_8);
        }

        int await() throws Exception {
            return status.get(WAIT_S, TimeUnit.SECONDS);
        }

        /** Waits until {@code condition} holds of stdout or stderr; bounded. */
        void until(Predicate<Run> condition, String what) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
            while (!condition.test(this)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(what + " not seen; stdout:\n" + out() + "\nstderr:\n" + err());
                }
                if (status.isDone() && !condition.test(this)) {
                    throw new AssertionError(what + ": the command ended (" + status.get() + "); stdout:\n" + out() + "\nstderr:\n" + err());
                }
                Thread.sleep(20); // polling captured output, bounded by the deadline
            }
        }
    }

    static Map<String, String> env(URI endpoint) {
        String e = endpoint.toString().replaceAll("/$", "");
        return Map.of("S2_ACCOUNT_ENDPOINT", e, "S2_BASIN_ENDPOINT", e);
    }

    String run(URI endpoint, String... args) throws Exception {
        Run r = Run.start(env(endpoint), new ByteArrayInputStream(new byte[0]), args);
        assertEquals(0, r.await(), String.join(" ", args) + ":\n" + r.err());
        return r.out();
    }

    String basinWithStream(String... createBasinFlags) throws Exception {
        String basin = "cli-brook-" + (++basins) + "-" + System.nanoTime() % 100000;
        String[] args = new String[createBasinFlags.length + 2];
        args[0] = "create-basin";
        args[1] = basin;
        System.arraycopy(createBasinFlags, 0, args, 2, createBasinFlags.length);
        run(root, args);
        run(root, "create-stream", basin + "/s");
        return basin;
    }

    /** `append` of {@code basin}/s through {@code proxy}, reading {@code lines}, once its first line ("a") is acknowledged. */
    Run appendThroughWithFirstAck(FaultProxy proxy, PipedOutputStream lines, String basin) throws Exception {
        PipedInputStream stdin = new PipedInputStream(lines, 1 << 16);
        Run append = Run.start(env(proxy.endpoint()), stdin, "append", basin + "/s");
        lines.write("a\n".getBytes(StandardCharsets.UTF_8));
        lines.flush();
        append.until(r -> r.err().contains("✓ [APPENDED] 0..1 "), "the first ack");
        return append;
    }

    @Test
    void anAppendWhoseAckIsLostIsFoundLandedAndNotSentTwice() throws Exception {
        String basin = basinWithStream();
        try (FaultProxy proxy = new FaultProxy(root); PipedOutputStream lines = new PipedOutputStream()) {
            Run append = appendThroughWithFirstAck(proxy, lines, basin);

            proxy.dropNextResponses(1); // b reaches Brook and is appended; its ack is cut off with the connection
            lines.write("b\n".getBytes(StandardCharsets.UTF_8));
            lines.flush();
            append.until(r -> r.err().contains("✓ [APPENDED] 1..2 "), "b reported once it is known to have landed");
            assertEquals(1, proxy.dropped());

            lines.write("c\n".getBytes(StandardCharsets.UTF_8));
            lines.close();
            assertEquals(0, append.await(), append.err());
            assertTrue(append.err().contains("✓ [APPENDED] 2..3 "), append.err());
            assertEquals(3, append.err().lines().filter(l -> l.startsWith("✓ [APPENDED]")).count(), append.err());
        }
        assertEquals("a\nb\nc\n", run(root, "read", basin + "/s", "-s", "0", "-n", "10"), "each line once, in order");
        assertEquals("3 @ ", run(root, "check-tail", basin + "/s").replaceAll("\\d{5,}\\n$", ""));
    }

    @Test
    void aFollowerWhoseConnectionIsCutResumesAfterTheLastRecordItShowed() throws Exception {
        String basin = basinWithStream();
        try (FaultProxy proxy = new FaultProxy(root)) {
            Run follow = Run.start(env(proxy.endpoint()), new ByteArrayInputStream(new byte[0]), "read", basin + "/s", "-s", "0");
            run(root, "append", basin + "/s", "-i", writeTemp("one\n"));
            follow.until(r -> r.out().equals("one\n"), "the first record");

            proxy.dropNextResponses(1); // the next batch event is lost with the connection
            run(root, "append", basin + "/s", "-i", writeTemp("two\n"));
            follow.until(r -> r.out().equals("one\ntwo\n"), "the record whose delivery was cut, after reconnecting");
            run(root, "append", basin + "/s", "-i", writeTemp("three\n"));
            follow.until(r -> r.out().equals("one\ntwo\nthree\n"), "following on");
            assertEquals(1, proxy.dropped());
            assertTrue(!follow.status.isDone(), "still following");
        }
    }

    @Test
    void encryptedStreamsTakeTheKeyFlags() throws Exception {
        String basin = basinWithStream("--stream-cipher", "aegis-256");
        String key = Base64.getEncoder().encodeToString(new byte[32]);
        Run append = Run.start(env(root), new ByteArrayInputStream("secret\n".getBytes(StandardCharsets.UTF_8)), "append", basin + "/s",
                "-k", key);
        assertEquals(0, append.await(), append.err());
        assertEquals("secret\n", run(root, "read", basin + "/s", "-s", "0", "-n", "1", "--encryption-key", key));
        Run without = Run.start(env(root), new ByteArrayInputStream(new byte[0]), "read", basin + "/s", "-s", "0", "-n", "1");
        assertEquals(1, without.await());
        assertTrue(without.err().startsWith("Error:   × Failed to read: bad_header: "), without.err());
        Run badKey = Run.start(env(root), new ByteArrayInputStream(new byte[0]), "read", basin + "/s", "-k", "not-a-key");
        assertEquals(1, badKey.await());
        assertTrue(badKey.err().contains("Invalid CLI arguments: invalid encryption key"), badKey.err());
    }

    static String writeTemp(String content) throws Exception {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("cli-in-", ".txt");
        java.nio.file.Files.writeString(f, content);
        return f.toString();
    }

    @Test
    void compressedRequestsAndAnswersWithS2Compression() throws Exception {
        String basin = basinWithStream();
        for (String encoding : java.util.List.of("gzip", "zstd")) {
            Map<String, String> env = new java.util.HashMap<>(env(root));
            env.put("S2_COMPRESSION", encoding);
            for (int i = 0; i < 40; i++) {
                String stream = encoding + "-stream-with-a-long-name-" + (100 + i);
                Run create = Run.start(env, new ByteArrayInputStream(new byte[0]), "create-stream", basin + "/" + stream,
                        "--retention-policy", "1d");
                assertEquals(0, create.await(), create.err());
            }
            Run list = Run.start(env, new ByteArrayInputStream(new byte[0]), "list-streams", basin, "--prefix", encoding);
            assertEquals(0, list.await(), list.err());
            assertEquals(40, list.out().lines().count(), "a listing over 1 KiB, answered " + encoding + ": " + list.out());
        }
    }

    @Test
    void anInDoubtBatchAfterAnotherWritersAppendStopsWithAnErrorInsteadOfADuplicate() throws Exception {
        String basin = basinWithStream();
        try (FaultProxy proxy = new FaultProxy(root); PipedOutputStream lines = new PipedOutputStream()) {
            Run append = appendThroughWithFirstAck(proxy, lines, basin);

            proxy.dropNextResponses(1);
            proxy.holdNewConnections(); // the CLI's reconnection waits while another writer appends
            lines.write("b\n".getBytes(StandardCharsets.UTF_8));
            lines.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
            while (proxy.dropped() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20); // until b's ack was cut off: b is in the stream
            }
            assertEquals(1, proxy.dropped());
            run(root, "append", basin + "/s", "-i", writeTemp("x\n"));
            proxy.releaseConnections();

            assertEquals(1, append.await(), append.err());
            assertTrue(append.err().contains("Error:   × Failed to append: connection lost with 1 records not acknowledged, of which some may "
                    + "have been appended: the stream's tail is 3, expected 1"), append.err());
            assertTrue(append.err().contains("another writer appended in between"), append.err());
            assertEquals(1, append.err().lines().filter(l -> l.startsWith("✓ [APPENDED]")).count(), "b never reported: " + append.err());
        }
        assertEquals("a\nb\nx\n", run(root, "read", basin + "/s", "-s", "0", "-n", "10"), "b once: not sent again");
    }

    @Test
    void readStartsAndBoundsAsS2sFlagsSay() throws Exception {
        String basin = basinWithStream();
        run(root, "append", basin + "/s", "-i", writeTemp("one\ntwo\nthree\n"));
        assertEquals("one\n", run(root, "read", basin + "/s", "-s", "0", "-b", "20"), "11 metered bytes a record: two would pass 20");
        assertEquals("one\ntwo\nthree\n", run(root, "read", basin + "/s", "--ago", "1h", "-n", "3"));
        assertEquals("three\n", run(root, "read", basin + "/s", "--tail-offset", "1", "-n", "5"));
        String raw = run(root, "read", basin + "/s", "-s", "1", "-n", "1", "--format", "raw");
        assertTrue(raw.matches("\\{\"seq_num\":1,\"timestamp\":\\d+,\"body\":\"two\"}\\n"), raw);
        Run beyond = Run.start(env(root), new ByteArrayInputStream(new byte[0]), "read", basin + "/s", "-s", "100", "-n", "1");
        assertEquals(1, beyond.await());
        assertTrue(beyond.err().startsWith("Error:   × Failed to read: read from an unwritten position. current tail: 3 @ "), beyond.err());
        Run both = Run.start(env(root), new ByteArrayInputStream(new byte[0]), "read", basin + "/s", "-s", "0", "--timestamp", "5");
        assertEquals(2, both.await(), "one start only, as S2's CLI: " + both.err());
        Run clamped = Run.start(env(root), new ByteArrayInputStream(new byte[0]), "read", basin + "/s", "-s", "100", "--clamp");
        clamped.until(r -> r.status.isDone() || r.err().isEmpty(), "a clamped start at the tail follows");
        run(root, "append", basin + "/s", "-i", writeTemp("four\n"));
        clamped.until(r -> r.out().equals("four\n"), "the clamped follower sees the next record");
    }
}
