package dev.brook.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Redis 7 beside Brook, for the side-by-side figures of docs/BENCHMARK.md: its own {@code redis-server} on a free
 * loopback port in a temporary directory, append-only file on and fsynced before every reply
 * ({@code --appendonly yes --appendfsync always --save ''}; automatic AOF rewrites off, so that no
 * background rewrite lands inside a measurement). Writers are closed-loop, each on its own connection:
 * a batch of N records is N {@code XADD key * f <body>} pipelined in one write, then its N replies
 * (Redis fsyncs the AOF once per event-loop pass, so a pipelined batch shares one fsync, as a Brook
 * batch shares one commit).
 */
final class RedisPeer implements AutoCloseable {

    /** How long redis-server gets to answer PING after it starts. */
    static final long START_DEADLINE_SECONDS = 10;

    final Process process;
    final int port;
    final Path dir;
    final String version;

    private RedisPeer(Process process, int port, Path dir, String version) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.version = version;
    }

    /** Starts {@code redis-server} from the PATH; throws when it is not there or does not answer. */
    static RedisPeer start() throws Exception {
        Path dir = Files.createTempDirectory("brook-bench-redis-");
        int port = dev.brook.testing.S3ProxyProcess.freePort();
        Process p = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--auto-aof-rewrite-percentage", "0", "--daemonize", "no")
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_DEADLINE_SECONDS);
        while (true) {
            try (Socket s = connect(port)) {
                Object pong = call(s, "PING");
                if ("PONG".equals(pong)) {
                    String info = (String) call(s, "INFO", "server");
                    String version = info.lines().filter(l -> l.startsWith("redis_version:")).map(l -> l.substring(14).strip()).findFirst().orElse("?");
                    return new RedisPeer(p, port, dir, version);
                }
            } catch (IOException e) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    String log = Files.exists(dir.resolve("redis.log")) ? Files.readString(dir.resolve("redis.log")).strip() : "";
                    deleteTree(dir);
                    throw new IOException("redis-server did not answer on port " + port + (log.isEmpty() ? "" : ": " + log), e);
                }
                Thread.sleep(50);
            }
        }
    }

    /** The store and durability of the rows measured here. */
    String label() {
        return "Redis " + version + ", appendfsync always";
    }

    static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        return s;
    }

    /** One command and its reply on {@code s}. */
    static Object call(Socket s, String... args) throws IOException {
        s.getOutputStream().write(Resp.command(args));
        s.getOutputStream().flush();
        return Resp.read(s.getInputStream()); // unbuffered: nothing read past this reply
    }

    /** One command on a connection of its own. */
    Object call(String... args) throws IOException {
        try (Socket s = connect(port)) {
            return call(s, args);
        }
    }

    /** What closed-loop writers measured: records acknowledged, how long, each batch's ack latency, acks per second. */
    /**
     * {@code writers} closed-loop writers of {@code key} for {@code seconds}, each sending {@code records}
     * pipelined XADDs of a {@code size}-byte field and waiting for all their replies before the next batch.
     */
    ClosedLoop.Run xadd(String key, int writers, int records, int size, long seconds) throws Exception {
        byte[] body = new byte[size];
        Arrays.fill(body, (byte) 'x');
        byte[] one = Resp.command("XADD".getBytes(StandardCharsets.US_ASCII), key.getBytes(StandardCharsets.UTF_8), new byte[]{'*'},
                new byte[]{'f'}, body);
        byte[] batch = new byte[one.length * records];
        for (int i = 0; i < records; i++) {
            System.arraycopy(one, 0, batch, i * one.length, one.length);
        }
        ClosedLoop.Run run = ClosedLoop.run("redis-writer", writers, records, seconds, () -> {
            Socket s = connect(port);
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), batch.length);
            InputStream in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
            return new ClosedLoop.Writer() {
                @Override
                public void batch(long t0) throws Exception {
                    out.write(batch);
                    out.flush();
                    for (int i = 0; i < records; i++) {
                        Resp.read(in); // an entry id; an error reply throws
                    }
                }

                @Override
                public void close() throws Exception {
                    s.close();
                }
            };
        });
        call("DEL", key); // the next cell starts from an empty stream, and memory is given back
        return run;
    }

    /** Stops redis-server and deletes its directory (its append-only file). */
    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        deleteTree(dir);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
