package dev.brook.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.store.S3ObjectStore;
import dev.brook.testing.RealScheduler;
import dev.brook.testing.S3ProxyProcess;
import dev.brook.testing.SimFaultyStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The simulation's workload and faults on a real S3 server (S3Proxy over HTTP), in real time with
 * real concurrency. Not reproducible run to run, so it only complements the seeded runs on memory;
 * the faults are injected in front of S3, where the injector sees what really landed.
 */
class LogSimulationS3Test {

    static final String BUCKET = "brook-log-sim";
    static final long[] SEEDS = {1, 2, 3};
    static final LogSimulation.Config ON_S3 = new LogSimulation.Config(3, 4, 25,
            new SimFaultyStore.Faults(0.03, 0.03, 0.03, 0.01, 0.2, 3, 0.02, 300, 150, 600),
            LogSimulation.Config.SMALL, 0.02, 40);
    static final long RUN_BUDGET_MS = 180_000;

    @BeforeAll
    static void bucket() {
        S3ProxyProcess.shared().createBucket(BUCKET);
    }

    @Test
    void historiesOnS3ProxyAreExplainedByTheLog() {
        for (long seed : SEEDS) {
            Map<String, String> env = S3ProxyProcess.shared().environment();
            try (RealScheduler scheduler = new RealScheduler(16);
                 S3ObjectStore s3 = S3ObjectStore.open(S3ObjectStore.Settings.from(BUCKET, "seed-" + seed + "-" + System.nanoTime(),
                         n -> Optional.ofNullable(env.get(n))))) {
                LogSimulation world = new LogSimulation(seed, ON_S3, scheduler, s3).run(RUN_BUDGET_MS);
                List<String> violations = new LogChecker(world).check();
                assertEquals(List.of(), violations, "seed " + seed + " on S3Proxy");
                long acked = world.history.stream().filter(o -> o.outcome() instanceof AppendOutcome.Acked).count();
                assertTrue(acked > 20, "seed " + seed + ": the run appended (" + acked + " acks)");
            }
        }
    }
}
