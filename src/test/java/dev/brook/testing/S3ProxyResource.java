package dev.brook.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Points a {@code @QuarkusTest} application at the shared S3Proxy: a bucket of its own and the
 * standard AWS variables, set exactly as a deployment would set them.
 */
public class S3ProxyResource implements QuarkusTestResourceLifecycleManager {

    private static final AtomicInteger STARTS = new AtomicInteger();

    @Override
    public Map<String, String> start() {
        S3ProxyProcess s3 = S3ProxyProcess.shared();
        String bucket = "brook-app-" + STARTS.incrementAndGet();
        s3.createBucket(bucket);
        Map<String, String> config = new HashMap<>(s3.environment());
        config.put("brook.store", "s3://" + bucket + "/tenant-a");
        return config;
    }

    @Override
    public void stop() {
        // The shared S3Proxy outlives each application; a JVM shutdown hook stops it.
    }
}
