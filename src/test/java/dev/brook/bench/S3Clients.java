package dev.brook.bench;

import dev.brook.store.ObjectStore;
import dev.brook.store.PutOutcome;
import dev.brook.store.S3ObjectStore;
import dev.brook.testing.S3ProxyProcess;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The S3 client, chosen by measurement (docs/DECISIONS.md 49): a commit's two requests in the steady
 * state (a conditional PUT of 1 KiB, then a HEAD of a key that is absent, as the floor guard reads
 * it) made one after the other against S3Proxy on loopback, by each candidate in turn, rounds
 * alternated so that the machine's drift falls on all alike:
 * <ul>
 *   <li>{@code brook}: Brook's own SigV4 client on Vert.x (the store Brook runs), on a Vert.x of
 *       the size the server gives it;</li>
 *   <li>{@code brook-own-loop}: the same on the store's own small Vert.x (the CLI's and the tests' way);</li>
 *   <li>{@code sdk-netty}: the AWS SDK's async S3 client on its Netty HTTP client, as most Java
 *       S3 users would write it.</li>
 * </ul>
 * Prints per candidate: pairs, p50 / p90 / p99 / max of the pair in ms. {@code bench/s3-clients};
 * BROOK_S3_CLIENTS_PAIRS (pairs per round, default 2000) and BROOK_S3_CLIENTS_ROUNDS (default 4).
 */
public final class S3Clients {

    private static final String BUCKET = "clients";

    private interface Candidate extends AutoCloseable {
        String name();

        /** A conditional put of {@code body} at {@code key}, then a HEAD of {@code absent}; blocks until both answered. */
        void pair(String key, String absent, byte[] body) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int pairs = Integer.parseInt(System.getenv().getOrDefault("BROOK_S3_CLIENTS_PAIRS", "2000"));
        int rounds = Integer.parseInt(System.getenv().getOrDefault("BROOK_S3_CLIENTS_ROUNDS", "4"));
        S3ProxyProcess s3 = S3ProxyProcess.start();
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2 * Runtime.getRuntime().availableProcessors()));
        List<Candidate> candidates = new ArrayList<>();
        try {
            s3.createBucket(BUCKET);
            Map<String, String> env = s3.environment();
            S3ObjectStore.Settings settings = S3ObjectStore.Settings.from(BUCKET, "p", name -> Optional.ofNullable(env.get(name)));
            candidates.add(brook("brook", S3ObjectStore.open(settings, vertx)));
            candidates.add(brook("brook-own-loop", S3ObjectStore.open(settings)));
            candidates.add(sdk(s3.adminClient()));
            byte[] body = new byte[1024];
            Arrays.fill(body, (byte) 'x');
            List<long[]> samples = new ArrayList<>();
            candidates.forEach(c -> samples.add(new long[pairs * rounds]));
            for (Candidate c : candidates) { // warm-up: JIT, connections
                for (int i = 0; i < Math.min(pairs, 1000); i++) {
                    c.pair(c.name() + "/warm/" + i, c.name() + "/none/" + i, body);
                }
            }
            for (int round = 0; round < rounds; round++) {
                for (int ci = 0; ci < candidates.size(); ci++) {
                    Candidate c = candidates.get(ci);
                    for (int i = 0; i < pairs; i++) {
                        long t0 = System.nanoTime();
                        c.pair(c.name() + "/r" + round + "/" + i, c.name() + "/none/r" + round + "/" + i, body);
                        samples.get(ci)[round * pairs + i] = System.nanoTime() - t0;
                    }
                }
            }
            System.out.println("S3 clients: conditional PUT of 1 KiB + HEAD of an absent key, one pair at a time, S3Proxy on loopback; "
                    + rounds + " alternated rounds of " + pairs);
            System.out.printf(Locale.ROOT, "%-16s %8s %8s %8s %8s %8s%n", "client", "pairs", "p50 ms", "p90 ms", "p99 ms", "max ms");
            for (int ci = 0; ci < candidates.size(); ci++) {
                long[] s = samples.get(ci);
                Arrays.sort(s);
                System.out.printf(Locale.ROOT, "%-16s %8d %8.2f %8.2f %8.2f %8.2f%n", candidates.get(ci).name(), s.length,
                        ms(s, 0.50), ms(s, 0.90), ms(s, 0.99), s[s.length - 1] / 1e6);
            }
        } finally {
            for (Candidate c : candidates) {
                c.close();
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            s3.stop();
        }
    }

    private static double ms(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) (sorted.length * q))] / 1e6;
    }

    private static Candidate brook(String name, ObjectStore store) {
        return new Candidate() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void pair(String key, String absent, byte[] body) throws Exception {
                PutOutcome put = store.putIfAbsent(key, body, Map.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
                if (put != PutOutcome.CREATED || store.head(absent).toCompletableFuture().get(30, TimeUnit.SECONDS).isPresent()) {
                    throw new IllegalStateException(name + ": unexpected answer at " + key);
                }
            }

            @Override
            public void close() throws Exception {
                store.close();
            }
        };
    }

    private static Candidate sdk(S3AsyncClient client) {
        return new Candidate() {
            @Override
            public String name() {
                return "sdk-netty";
            }

            @Override
            public void pair(String key, String absent, byte[] body) throws Exception {
                client.putObject(b -> b.bucket(BUCKET).key("p/" + key).ifNoneMatch("*"), AsyncRequestBody.fromBytes(body)).get(30, TimeUnit.SECONDS);
                try {
                    client.headObject(b -> b.bucket(BUCKET).key("p/" + absent)).get(30, TimeUnit.SECONDS);
                    throw new IllegalStateException("sdk-netty: " + absent + " exists");
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof NoSuchKeyException)
                            && !(e.getCause() instanceof software.amazon.awssdk.services.s3.model.S3Exception s && s.statusCode() == 404)) {
                        throw e;
                    }
                }
            }

            @Override
            public void close() {
                client.close();
            }
        };
    }
}
