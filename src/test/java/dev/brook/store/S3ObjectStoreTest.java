package dev.brook.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.testing.FaultProxy;
import dev.brook.testing.S3ProxyProcess;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What only the S3 adapter does: real lost responses on the wire, and how S3's errors are classified. */
class S3ObjectStoreTest {

    static final String BUCKET = "brook-s3-adapter";

    @BeforeAll
    static void bucket() {
        S3ProxyProcess.shared().createBucket(BUCKET);
    }

    private static S3ObjectStore open(String endpoint, String bucket, String prefix) {
        Map<String, String> env = new HashMap<>(S3ProxyProcess.shared().environment());
        env.put("AWS_ENDPOINT_URL_S3", endpoint);
        return S3ObjectStore.open(S3ObjectStore.Settings.from(bucket, prefix, n -> Optional.ofNullable(env.get(n))));
    }

    private static ResilientObjectStore resilient(ObjectStore inner) {
        return new ResilientObjectStore(inner, new ResilientObjectStore.RetryPolicy(4, 60_000, 0, 0), System::nanoTime,
                ms -> CompletableFuture.completedFuture(null), new Random(7));
    }

    @Test
    void aPutWhoseResponseIsCutOnTheWireIsResentAndSettledAsCreated() throws Exception {
        try (FaultProxy proxy = new FaultProxy(S3ProxyProcess.shared().endpoint());
             S3ObjectStore s3 = open(proxy.endpoint().toString(), BUCKET, "lost-response")) {
            byte[] body = "landed, but nobody heard".getBytes(StandardCharsets.UTF_8);
            proxy.dropNextResponses(1);
            PutOutcome outcome = resilient(s3).putIfAbsent("k", body, Map.of()).toCompletableFuture().join();
            assertEquals(1, proxy.dropped(), "the first response was really lost");
            assertEquals(PutOutcome.CREATED, outcome, "the 412 on the resend was our own write");
            assertArrayEquals(body, s3.get("k").toCompletableFuture().join().orElseThrow().body());

            // Without the writer id the same 412 is someone else's object, and stays so.
            proxy.dropNextResponses(1);
            PutOutcome second = resilient(s3).putIfAbsent("k", "late".getBytes(StandardCharsets.UTF_8), Map.of())
                    .toCompletableFuture().join();
            assertEquals(PutOutcome.ALREADY_EXISTS, second);
            assertArrayEquals(body, s3.get("k").toCompletableFuture().join().orElseThrow().body());
        }
    }

    @Test
    void theStoresClockIsLearnedFromItsAnswersNotTakenFromOurs() throws Exception {
        // Retention compares the store's stamps with the store's clock (docs/LIFECYCLE.md, "Clocks"):
        // a store an hour ahead of us must not make every record look an hour old.
        try (FaultProxy proxy = new FaultProxy(S3ProxyProcess.shared().endpoint());
             S3ObjectStore s3 = open(proxy.endpoint().toString(), BUCKET, "skewed-clock")) {
            proxy.skewClock(java.time.Duration.ofHours(1));
            long ours = System.currentTimeMillis();
            assertEquals(PutOutcome.CREATED, s3.putIfAbsent("k", new byte[1], Map.of()).toCompletableFuture().join());
            long stamped = s3.head("k").toCompletableFuture().join().orElseThrow().lastModifiedMs();
            long storeNow = s3.clockMs();
            assertTrue(stamped - ours > 3_500_000, "the store stamps by its own clock, an hour ahead: " + (stamped - ours));
            assertTrue(Math.abs(storeNow - stamped) < 3_000, "the store's clock as we tell it agrees with its stamps: "
                    + (storeNow - stamped) + " ms apart");
        }
    }

    @Test
    void aMissingBucketIsFatalAndNamed() {
        try (S3ObjectStore s3 = open(S3ProxyProcess.shared().endpoint().toString(), "no-such-bucket", "")) {
            StoreException e = StoreException.unwrap(assertThrows(CompletionException.class,
                    () -> s3.putIfAbsent("k", new byte[1], Map.of()).toCompletableFuture().join()));
            assertEquals(StoreException.Kind.FATAL, e.kind());
            assertTrue(e.getMessage().contains("bucket `no-such-bucket` does not exist"), e.getMessage());
        }
    }

    @Test
    void anUnreachableEndpointIsTransient() throws Exception {
        int closedPort = S3ProxyProcess.freePort();
        try (S3ObjectStore s3 = open("http://127.0.0.1:" + closedPort, BUCKET, "")) {
            StoreException e = StoreException.unwrap(assertThrows(CompletionException.class,
                    () -> s3.head("k").toCompletableFuture().join()));
            assertEquals(StoreException.Kind.TRANSIENT, e.kind(), e.getMessage());
        }
    }

    @Test
    void wrongCredentialsAreFatal() {
        Map<String, String> env = new HashMap<>(S3ProxyProcess.shared().environment());
        env.put("AWS_SECRET_ACCESS_KEY", "wrong");
        try (S3ObjectStore s3 = S3ObjectStore.open(S3ObjectStore.Settings.from(BUCKET, "", n -> Optional.ofNullable(env.get(n))))) {
            StoreException e = StoreException.unwrap(assertThrows(CompletionException.class,
                    () -> s3.putIfAbsent("k", new byte[1], Map.of()).toCompletableFuture().join()));
            assertEquals(StoreException.Kind.FATAL, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("403"), e.getMessage());
        }
    }

    @Test
    void settingsFollowTheStandardVariables() {
        var withEndpoint = S3ObjectStore.Settings.from("b", "p", n -> Optional.ofNullable(Map.of(
                "AWS_ENDPOINT_URL", "http://generic:1", "AWS_ENDPOINT_URL_S3", "http://s3only:2", "AWS_REGION", "eu-west-3").get(n)));
        assertEquals("http://s3only:2", withEndpoint.endpoint().orElseThrow().toString());
        assertTrue(withEndpoint.pathStyle(), "an overridden endpoint means path style");
        assertEquals("eu-west-3", withEndpoint.region());

        var generic = S3ObjectStore.Settings.from("b", "p", n -> Optional.ofNullable(Map.of(
                "AWS_ENDPOINT_URL", "https://generic:1", "BROOK_S3_PATH_STYLE", "false").get(n)));
        assertEquals("https://generic:1", generic.endpoint().orElseThrow().toString());
        assertEquals(false, generic.pathStyle());

        var aws = S3ObjectStore.Settings.from("b", "p", n -> Optional.ofNullable(Map.of("AWS_REGION", "us-west-2").get(n)));
        assertEquals(Optional.empty(), aws.endpoint());
        assertEquals(false, aws.pathStyle(), "virtual-hosted style on AWS itself");

        StoreException bad = assertThrows(StoreException.class, () -> S3ObjectStore.Settings.from("b", "p",
                n -> Optional.ofNullable(Map.of("AWS_ENDPOINT_URL_S3", "localhost:9000").get(n))));
        assertTrue(bad.getMessage().contains("`localhost:9000` is not an http(s) URL"), bad.getMessage());
        assertThrows(StoreException.class, () -> S3ObjectStore.Settings.from("b", "p",
                n -> Optional.ofNullable(Map.of("BROOK_S3_PATH_STYLE", "maybe").get(n))));
    }
}
