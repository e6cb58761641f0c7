package dev.brook.app;

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

/** The packaged server (target/quarkus-app) as a child process on S3Proxy, started and ready, for process-level tests. */
final class PackagedBrook implements AutoCloseable {

    final int port;
    private final Process process;
    private final List<String> log = new ArrayList<>();

    private PackagedBrook(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /** Starts Brook with {@code BROOK_STORE=s3://bucket/prefix} on S3Proxy and waits until it says it is ready. */
    static PackagedBrook onS3(S3ProxyProcess s3, String bucket, String prefix) throws Exception {
        return onS3(s3, bucket, prefix, Map.of());
    }

    /** As {@link #onS3(S3ProxyProcess, String, String)}, with more environment (BROOK_AUTH_*, say) set last. */
    static PackagedBrook onS3(S3ProxyProcess s3, String bucket, String prefix, Map<String, String> extraEnv) throws Exception {
        return onS3(s3, bucket, prefix, extraEnv, S3ProxyProcess.freePort());
    }

    /** As {@link #onS3(S3ProxyProcess, String, String, Map)} on a given port: a restart on the address clients already use. */
    static PackagedBrook onS3(S3ProxyProcess s3, String bucket, String prefix, Map<String, String> extraEnv, int port) throws Exception {
        Path workDir = Files.createTempDirectory("brook-proc-");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-jar", BrookProcessIT.RUNNER.toString())
                .directory(workDir.toFile()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("BROOK_") || k.startsWith("QUARKUS_"));
        pb.environment().putAll(s3.environment());
        pb.environment().put("BROOK_STORE", "s3://" + bucket + "/" + prefix);
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        pb.environment().putAll(extraEnv);
        PackagedBrook brook = new PackagedBrook(port, pb.start());
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> brook.pump(ready), "brook-output-" + port);
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(BrookProcessIT.START_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (Exception e) {
            brook.close();
            throw e;
        }
        return brook;
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    private void pump(CompletableFuture<Void> ready) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                synchronized (log) {
                    log.add(line);
                }
                if (line.contains("brook ready:")) {
                    ready.complete(null);
                }
            }
            ready.completeExceptionally(new AssertionError("brook exited: " + output()));
        } catch (IOException e) {
            ready.completeExceptionally(e);
        }
    }

    String output() {
        synchronized (log) {
            return String.join("\n", log);
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
