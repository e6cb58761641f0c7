package dev.brook.app;

import dev.brook.store.ObjectStore;
import dev.brook.store.ObjectStores;
import dev.brook.store.StoreSpec;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Builds the deployment's one ObjectStore from {@code BROOK_STORE} and the standard AWS variables. */
@Singleton
public class StoreProducer {

    @ConfigProperty(name = "brook.store", defaultValue = StoreSpec.DEFAULT)
    String store;

    @ConfigProperty(name = "brook.file.io-threads", defaultValue = "32")
    int fileIoThreads;

    @Produces
    @Singleton
    ObjectStore objectStore(Config config, MeterRegistry registry, Vertx vertx) {
        return ObjectStores.open(StoreSpec.parse(store), environment(config, registry, vertx));
    }

    /** What the store's adapters take from the process: variables, metrics, randomness, threads. */
    ObjectStores.Environment environment(Config config, MeterRegistry registry, Vertx vertx) {
        return new ObjectStores.Environment(
                name -> config.getOptionalValue(name, String.class),
                new StoreMetrics(registry),
                // Writer ids and instance ids: a CSPRNG created at run time (docs/DECISIONS.md 24).
                new SecureRandom(),
                fileIoThreads,
                // S3 requests run on the server's event loops: no thread of their own, no hop.
                java.util.Optional.ofNullable(vertx));
    }

    void close(@Disposes ObjectStore store) {
        store.close();
    }
}
