package dev.brook.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.testing.S3ProxyProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The official S2 TypeScript SDK ({@code @s2-dev/streamstore}, pinned in compat/ts) drives every
 * unary operation against the packaged Brook on S3Proxy, over HTTP/1.1 with
 * {@code forceTransport: "fetch"}. The SDK is installed with {@code npm ci} from the lock file.
 */
class CompatTsSdkIT {

    static final Path COMPAT = Path.of("compat/ts").toAbsolutePath();
    static final long TIMEOUT_S = 300;

    @Test
    void theTypeScriptSdkRunsUnaryOperationsAndSessions() throws Exception {
        run(List.of("npm", "ci", "--no-audit", "--no-fund"), COMPAT, Map.of(), "npm ci");

        S3ProxyProcess s3 = S3ProxyProcess.shared();
        String bucket = "brook-compat-ts";
        s3.createBucket(bucket);
        Path workDir = Files.createTempDirectory("brook-compat-");
        int port = S3ProxyProcess.freePort();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-jar", BrookProcessIT.RUNNER.toString())
                .directory(workDir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(s3.environment());
        pb.environment().put("BROOK_STORE", "s3://" + bucket + "/compat");
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        Process brook = pb.start();
        try {
            CompletableFuture<Void> ready = new CompletableFuture<>();
            List<String> log = new ArrayList<>();
            Thread reader = new Thread(() -> pump(brook, ready, log), "brook-output");
            reader.setDaemon(true);
            reader.start();
            ready.get(BrookProcessIT.START_TIMEOUT_S, TimeUnit.SECONDS);

            String endpoint = "http://127.0.0.1:" + port;
            String output = run(List.of("node", "unary.mjs"), COMPAT,
                    Map.of("S2_ACCOUNT_ENDPOINT", endpoint, "S2_BASIN_ENDPOINT", endpoint, "S2_ACCESS_TOKEN", "brook"), "the SDK script");
            assertTrue(output.contains("all unary operations passed"), output);

            Map<String, String> sessionEnv = Map.of("S2_ACCOUNT_ENDPOINT", endpoint, "S2_BASIN_ENDPOINT", endpoint,
                    "S2_ACCESS_TOKEN", "brook", "SDK_TRANSPORT", "fetch");
            String sessions = run(List.of("node", "sessions.mjs"), COMPAT, sessionEnv, "the SDK session script");
            assertTrue(sessions.contains("all session checks passed on fetch"), sessions);
        } finally {
            brook.destroy();
            brook.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static void pump(Process p, CompletableFuture<Void> ready, List<String> log) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                synchronized (log) {
                    log.add(line);
                }
                if (line.contains("brook ready:")) {
                    ready.complete(null);
                }
            }
            ready.completeExceptionally(new AssertionError("brook exited: " + String.join("\n", log)));
        } catch (IOException e) {
            ready.completeExceptionally(e);
        }
    }

    /** Runs a command to completion; fails the test with its output unless it exits 0. */
    static String run(List<String> command, Path dir, Map<String, String> env, String what) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError(what + ": cannot run `" + command.get(0) + "` (Node.js 20+ and npm must be installed): " + e.getMessage());
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(TIMEOUT_S, TimeUnit.SECONDS), what + " timed out");
        System.out.println(output);
        assertEquals(0, p.exitValue(), what + " failed:\n" + output);
        return output;
    }
}
