package dev.brook.http;

import dev.brook.store.ObjectStore;
import dev.brook.store.ResilientObjectStore;
import dev.brook.store.StoreCheck;
import dev.brook.store.StoreException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** {@code /health}: live while the process runs; ready only while the store answers. */
public final class HealthChecks {

    /** A readiness probe that waits longer than this says "not ready" rather than hanging. */
    static final long STORE_PROBE_TIMEOUT_MS = 2_000;

    private HealthChecks() {}

    @Liveness
    @ApplicationScoped
    public static class Build implements HealthCheck {
        @Inject
        Instance<ServedGroups.Group> groups;

        @Override
        public HealthCheckResponse call() {
            ServedGroups.Selection selection = ServedGroups.of(groups);
            return HealthCheckResponse.named("brook")
                    .withData("function", selection.function())
                    .withData("serves", String.join(",", selection.groups()))
                    .up().build();
        }
    }

    @Readiness
    @ApplicationScoped
    public static class Store implements HealthCheck {
        @Inject
        ObjectStore store;

        @Override
        public HealthCheckResponse call() {
            var response = HealthCheckResponse.named("store").withData("store", store.describe());
            try {
                // Any answer, present or absent, means the store is reachable and serving.
                ObjectStore once = store instanceof ResilientObjectStore r ? r.withoutRetries() : store;
                once.head(StoreCheck.MARKER_KEY).toCompletableFuture().get(STORE_PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                return response.up().build();
            } catch (java.util.concurrent.TimeoutException e) {
                return response.down().withData("problem", "no answer within " + STORE_PROBE_TIMEOUT_MS + " ms").build();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return response.down().withData("problem", "interrupted").build();
            } catch (java.util.concurrent.ExecutionException e) {
                return response.down().withData("problem", StoreException.unwrap(e).getMessage()).build();
            }
        }
    }
}
