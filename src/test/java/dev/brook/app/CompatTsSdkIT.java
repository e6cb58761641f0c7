package dev.brook.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.engine.auth.Keygen;
import dev.brook.testing.S3ProxyProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The official S2 TypeScript SDK ({@code @s2-dev/streamstore}, pinned in compat/ts) drives every
 * unary operation against the packaged Brook on S3Proxy, then every session check on both of its
 * transports: {@code fetch} (HTTP/1.1: sequential unary appends, SSE reads) and {@code s2s} (h2c
 * with prior knowledge, framed sessions) on the same port. Then, against a second Brook started
 * with keys, access tokens: issued, listed, used, refused, revoked. The SDK is installed with
 * {@code npm ci} from the lock file.
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
        try (PackagedBrook brook = PackagedBrook.onS3(s3, bucket, "compat")) {
            String endpoint = brook.endpoint();
            Map<String, String> env = Map.of("S2_ACCOUNT_ENDPOINT", endpoint, "S2_BASIN_ENDPOINT", endpoint, "S2_ACCESS_TOKEN", "brook");
            String output = run(List.of("node", "unary.mjs"), COMPAT, env, "the SDK script");
            assertTrue(output.contains("all unary operations passed"), output);

            for (String transport : List.of("fetch", "s2s")) {
                Map<String, String> sessionEnv = new java.util.HashMap<>(env);
                sessionEnv.put("SDK_TRANSPORT", transport);
                String sessions = run(List.of("node", "sessions.mjs"), COMPAT, sessionEnv, "the SDK session script on " + transport);
                assertTrue(sessions.contains("all session checks passed on " + transport), sessions);
            }
        }

        Keygen.Result keys = Keygen.generate(Files.createTempDirectory("brook-compat-keys-"), "brook", OptionalLong.empty(),
                System.currentTimeMillis(), new SecureRandom());
        Map<String, String> authEnv = Map.of("BROOK_AUTH", "required",
                "BROOK_AUTH_PUBLIC_KEY", keys.publicKeyFile().toString(), "BROOK_AUTH_PRIVATE_KEY", keys.privateKeyFile().toString());
        try (PackagedBrook brook = PackagedBrook.onS3(s3, bucket, "compat-auth", authEnv)) {
            assertTrue(brook.output().contains("auth required"), brook.output());
            String endpoint = brook.endpoint();
            Map<String, String> env = Map.of("S2_ACCOUNT_ENDPOINT", endpoint, "S2_BASIN_ENDPOINT", endpoint,
                    "S2_ACCESS_TOKEN", keys.adminToken());
            String output = run(List.of("node", "tokens.mjs"), COMPAT, env, "the SDK token script");
            assertTrue(output.contains("all token checks passed"), output);
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
