package dev.brook.app;

import dev.brook.store.ObjectStore;
import dev.brook.store.ObjectStores;
import dev.brook.store.StoreSpec;
import io.micrometer.core.instrument.MeterRegistry;
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
    ObjectStore objectStore(Config config, MeterRegistry registry) {
        return ObjectStores.open(StoreSpec.parse(store), environment(config, registry));
    }

    /** What the store's adapters take from the process: variables, metrics, randomness, threads. */
    ObjectStores.Environment environment(Config config, MeterRegistry registry) {
        return new ObjectStores.Environment(
                name -> config.getOptionalValue(name, String.class),
                new StoreMetrics(registry),
                // Writer ids and instance ids: a CSPRNG created at run time (docs/DECISIONS.md 24).
                new SecureRandom(),
                fileIoThreads);
    }

    void close(@Disposes ObjectStore store) {
        store.close();
    }
}
