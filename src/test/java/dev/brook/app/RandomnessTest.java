package dev.brook.app;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.brook.log.LogEnv;
import dev.brook.store.MemoryObjectStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.security.SecureRandom;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * AEAD nonces, stream incarnation ids, writer ids and commit nonces come from the randomness the
 * producers hand out: in a deployment it must be a CSPRNG (docs/DECISIONS.md 24), not a 48-bit LCG
 * whose whole future follows from a few outputs.
 */
class RandomnessTest {

    @Test
    void theEngineDrawsFromACsprng() {
        LogEnv env = new EngineProducer().logEnv(new MemoryObjectStore(System::currentTimeMillis),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        assertInstanceOf(SecureRandom.class, env.random());
    }

    @Test
    void theStoreDrawsFromACsprng() {
        StoreProducer producer = new StoreProducer();
        producer.fileIoThreads = 1;
        var env = producer.environment(ConfigProvider.getConfig(), new SimpleMeterRegistry(), null);
        assertInstanceOf(SecureRandom.class, env.random());
    }
}
