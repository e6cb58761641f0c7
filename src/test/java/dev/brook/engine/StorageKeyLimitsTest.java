package dev.brook.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.core.BasinConfig;
import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import dev.brook.core.StreamConfigSpec;
import dev.brook.store.MemoryObjectStore;
import dev.brook.store.ObjectStore;
import dev.brook.store.S3ObjectStore;
import dev.brook.testing.ForwardingStore;
import dev.brook.testing.S3ProxyProcess;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * A valid name whose storage keys would not fit the store (S3's 1,024 bytes with the deployment's
 * prefix, the key grammar's 900 characters, docs/STORE.md) is refused as an invalid name, before
 * anything is written: a 512-byte stream name in a 48-byte basin makes a 905-character key.
 */
class StorageKeyLimitsTest {

    static final String LONG_BASIN = "b".repeat(48);
    static final String LONGEST_STREAM = "s".repeat(512);

    private static <T> T join(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    private static S2Error failure(CompletionStage<?> stage) {
        CompletionException e = assertThrows(CompletionException.class, () -> join(stage));
        return assertInstanceOf(S2Error.class, e.getCause(), () -> "failed with " + e.getCause());
    }

    private static Catalog catalog(ObjectStore store) {
        return new Catalog(store, () -> 1_000, new Random(1));
    }

    private static List<String> keys(ObjectStore store, String prefix) {
        return join(store.list(prefix, "", 1000)).keys();
    }

    @Test
    void aStreamWhoseVersionKeysWouldNotFitIsRefusedAsABadPathAndNothingIsWritten() {
        MemoryObjectStore store = new MemoryObjectStore(() -> 1_000);
        Catalog catalog = catalog(store);
        join(catalog.createBasin(LONG_BASIN, BasinConfig.DEFAULT, Optional.empty(), "h"));

        S2Error e = failure(catalog.createStream(LONG_BASIN, LONGEST_STREAM, StreamConfigSpec.EMPTY, Optional.empty(), Optional.empty()));
        assertEquals(ErrorCode.BAD_PATH, e.code());
        assertEquals("stream name must not exceed 509 bytes in length in basin `" + LONG_BASIN
                + "` (storage keys are limited to 900 characters)", e.getMessage());
        assertEquals(ErrorCode.BAD_PATH, failure(catalog.ensureStream(LONG_BASIN, LONGEST_STREAM, StreamConfigSpec.EMPTY)).code());
        assertEquals(ErrorCode.BAD_PATH, failure(catalog.stream(LONG_BASIN, LONGEST_STREAM)).code());
        assertEquals(List.of(), keys(store, CatalogKeys.streamsOf(LONG_BASIN)), "nothing was written");

        // The longest name that fits is created, and so is the longest name in a shorter basin.
        String longest = "s".repeat(509);
        assertEquals(Provisioned.Result.CREATED, join(catalog.createStream(LONG_BASIN, longest, StreamConfigSpec.EMPTY,
                Optional.empty(), Optional.empty())).result());
        assertEquals(ErrorCode.BAD_PATH, failure(catalog.createStream(LONG_BASIN, "s".repeat(510), StreamConfigSpec.EMPTY,
                Optional.empty(), Optional.empty())).code());
        join(catalog.createBasin("short-bn", BasinConfig.DEFAULT, Optional.empty(), "h"));
        assertEquals(Provisioned.Result.CREATED, join(catalog.createStream("short-bn", LONGEST_STREAM, StreamConfigSpec.EMPTY,
                Optional.empty(), Optional.empty())).result());
    }

    @Test
    void theLimitComesFromTheStoreSoAStoreWithLessRoomRefusesShorterNames() {
        ObjectStore tight = new ForwardingStore(new MemoryObjectStore(() -> 1_000)) {
            @Override
            public int keyCharsMax() {
                return 100;
            }
        };
        Catalog catalog = catalog(tight);
        // basins/{77 chars}/{20 digits} is 105 characters.
        S2Error basin = failure(catalog.createBasin(LONG_BASIN, BasinConfig.DEFAULT, Optional.empty(), "h"));
        assertEquals(ErrorCode.BAD_PATH, basin.code());
        assertTrue(basin.getMessage().startsWith("basin name must not exceed 45 bytes in length"), basin.getMessage());
        assertEquals(ErrorCode.BAD_PATH, failure(catalog.ensureBasin(LONG_BASIN, BasinConfig.DEFAULT)).code());
        assertEquals(List.of(), keys(tight, CatalogKeys.basinPrefix()));

        join(catalog.createBasin("short-bn", BasinConfig.DEFAULT, Optional.empty(), "h"));
        // streams/short-bn/{encoded}/-v/{20 digits}: 59 characters of room for the encoding, 36 bytes of name.
        assertEquals(Provisioned.Result.CREATED, join(catalog.createStream("short-bn", "x".repeat(36), StreamConfigSpec.EMPTY,
                Optional.empty(), Optional.empty())).result());
        assertEquals(ErrorCode.BAD_PATH, failure(catalog.createStream("short-bn", "x".repeat(37), StreamConfigSpec.EMPTY,
                Optional.empty(), Optional.empty())).code());
    }

    @Test
    void onS3WithTheLongestPrefixTheLongestNamesAreRefusedNotAFiveHundred() {
        S3ProxyProcess s3 = S3ProxyProcess.shared();
        String bucket = "brook-key-limits";
        s3.createBucket(bucket);
        Map<String, String> env = new HashMap<>(s3.environment());
        String run = "key-limits/" + Long.toString(System.nanoTime(), 36) + "-";
        String prefix = run + "p".repeat(100 - run.length()); // StoreSpec allows at most 100 characters
        try (S3ObjectStore store = S3ObjectStore.open(S3ObjectStore.Settings.from(bucket, prefix, n -> Optional.ofNullable(env.get(n))))) {
            assertEquals(100, prefix.length());
            assertEquals(900, store.keyCharsMax(), "the key grammar's limit binds before S3's 1,024 bytes with 101 of prefix");
            Catalog catalog = catalog(store);
            join(catalog.createBasin(LONG_BASIN, BasinConfig.DEFAULT, Optional.empty(), "h"));
            assertEquals(ErrorCode.BAD_PATH, failure(catalog.createStream(LONG_BASIN, LONGEST_STREAM, StreamConfigSpec.EMPTY,
                    Optional.empty(), Optional.empty())).code());
            assertEquals(List.of(), keys(store, CatalogKeys.streamsOf(LONG_BASIN)), "nothing was written");
        }
    }
}
