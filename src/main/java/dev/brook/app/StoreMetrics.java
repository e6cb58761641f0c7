package dev.brook.app;

import dev.brook.store.StoreObserver;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Store requests as Prometheus metrics: {@code brook_store_requests_seconds{operation,outcome}}
 * (count, sum, max) and {@code brook_store_bytes{operation}}. The request counts per operation are
 * what an S3 bill is made of.
 */
final class StoreMetrics implements StoreObserver {

    private final MeterRegistry registry;

    StoreMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void completed(Operation operation, String outcome, long nanos, long bytes) {
        String op = operation.name().toLowerCase(Locale.ROOT).replace('_', '-');
        Timer.builder("brook.store.requests")
                .description("Requests to the object store, retries included")
                .tag("operation", op)
                .tag("outcome", outcome)
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
        if (bytes > 0) {
            DistributionSummary.builder("brook.store.bytes")
                    .description("Object bytes moved to or from the store")
                    .baseUnit("bytes")
                    .tag("operation", op)
                    .register(registry)
                    .record(bytes);
        }
    }
}
