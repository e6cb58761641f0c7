package dev.brook.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * A real S3 server for tests: S3Proxy's fat jar (copied to target/s3proxy by the build, on no
 * classpath) run as a child JVM on a free loopback port, with the filesystem provider and
 * AWS v4 authentication. One per test JVM ({@link #shared()}), stopped when the JVM exits.
 */
public final class S3ProxyProcess {

    public static final String ACCESS_KEY = "brook-test";
    public static final String SECRET_KEY = "brook-test-secret";
    public static final String REGION = "us-east-1";
    private static final long START_TIMEOUT_S = 60;

    private static S3ProxyProcess shared;

    private final Process process;
    private final URI endpoint;
    private final Path dataDir;

    private S3ProxyProcess(Process process, URI endpoint, Path dataDir) {
        this.process = process;
        this.endpoint = endpoint;
        this.dataDir = dataDir;
    }

    public static synchronized S3ProxyProcess shared() {
        if (shared == null || !shared.process.isAlive()) {
            shared = start();
            S3ProxyProcess started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop));
        }
        return shared;
    }

    public static S3ProxyProcess start() {
        String jar = System.getProperty("brook.s3proxy.jar", "target/s3proxy/s3proxy.jar");
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("S3Proxy jar not found at " + jar + ": run the tests through Maven (./mvnw verify)");
        }
        try {
            Path dir = Files.createTempDirectory("brook-s3proxy-");
            Path data = Files.createDirectories(dir.resolve("data"));
            int port = freePort();
            URI endpoint = URI.create("http://127.0.0.1:" + port);
            Path properties = dir.resolve("s3proxy.properties");
            Files.writeString(properties, String.join("\n",
                    "s3proxy.endpoint=" + endpoint,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY,
                    "s3proxy.credential=" + SECRET_KEY,
                    "jclouds.provider=filesystem-nio2",
                    "jclouds.filesystem.basedir=" + data,
                    ""));
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx512m", "-jar", Path.of(jar).toAbsolutePath().toString(),
                    "--properties", properties.toString())
                    .redirectErrorStream(true);
            Process process = pb.start();
            CompletableFuture<Void> started = new CompletableFuture<>();
            Deque<String> lastLines = new ArrayDeque<>();
            Thread reader = new Thread(() -> pump(process, started, lastLines), "s3proxy-output");
            reader.setDaemon(true);
            reader.start();
            try {
                started.get(START_TIMEOUT_S, TimeUnit.SECONDS);
            } catch (Exception e) {
                process.destroyForcibly();
                synchronized (lastLines) {
                    throw new IllegalStateException("S3Proxy did not start: " + String.join(" | ", lastLines), e);
                }
            }
            return new S3ProxyProcess(process, endpoint, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for Jetty's "Started ... ServerConnector" line: the port is open when it is printed. */
    private static void pump(Process process, CompletableFuture<Void> started, Deque<String> lastLines) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                synchronized (lastLines) {
                    lastLines.addLast(line);
                    if (lastLines.size() > 20) {
                        lastLines.removeFirst();
                    }
                }
                if (line.contains("Started") && line.contains("ServerConnector")) {
                    started.complete(null);
                }
            }
        } catch (IOException e) {
            started.completeExceptionally(e);
        }
        started.completeExceptionally(new IllegalStateException("S3Proxy exited with " + waitFor(process)));
    }

    private static int waitFor(Process process) {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The S3Proxy JVM's process id (the benchmark reads its CPU time). */
    public long pid() {
        return process.pid();
    }

    public URI endpoint() {
        return endpoint;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** An admin client for bucket setup; Brook itself builds its own. */
    public S3AsyncClient adminClient() {
        return S3AsyncClient.builder()
                .endpointOverride(endpoint)
                .forcePathStyle(true)
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    public void createBucket(String bucket) {
        try (S3AsyncClient s3 = adminClient()) {
            s3.createBucket(b -> b.bucket(bucket)).join();
        }
    }

    /** The variables Brook reads to reach this server ({@code AWS_*}, as a deployment would set them). */
    public java.util.Map<String, String> environment() {
        return java.util.Map.of(
                "AWS_ENDPOINT_URL_S3", endpoint.toString(),
                "AWS_ACCESS_KEY_ID", ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", SECRET_KEY,
                "AWS_REGION", REGION);
    }

    public void stop() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
