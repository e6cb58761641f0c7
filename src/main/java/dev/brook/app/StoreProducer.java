package dev.brook.app;

import dev.brook.store.ObjectStore;
import dev.brook.store.ObjectStores;
import dev.brook.store.StoreSpec;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.util.Random;
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
        ObjectStores.Environment env = new ObjectStores.Environment(
                name -> config.getOptionalValue(name, String.class),
                new StoreMetrics(registry),
                new Random(new SecureRandom().nextLong()),
                fileIoThreads);
        return ObjectStores.open(StoreSpec.parse(store), env);
    }

    void close(@Disposes ObjectStore store) {
        store.close();
    }
}
