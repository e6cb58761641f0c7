package dev.brook.store;

import dev.brook.testing.S3ProxyProcess;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;

/** The contract against a real S3 server over HTTP: S3Proxy, started by the test itself. */
class S3ObjectStoreContractTest extends ObjectStoreContract {

    static final String BUCKET = "brook-contract";
    private static final AtomicInteger TESTS = new AtomicInteger();

    @BeforeAll
    static void bucket() {
        S3ProxyProcess.shared().createBucket(BUCKET);
    }

    @Override
    protected ObjectStore openAdapter() {
        return open(S3ProxyProcess.shared(), BUCKET, "contract/t" + TESTS.incrementAndGet());
    }

    static S3ObjectStore open(S3ProxyProcess s3, String bucket, String prefix) {
        var env = s3.environment();
        return S3ObjectStore.open(S3ObjectStore.Settings.from(bucket, prefix, name -> Optional.ofNullable(env.get(name))));
    }
}
