package dev.brook.engine;

import static dev.brook.engine.ReconfigurationSimulation.BASIN;
import static dev.brook.engine.ReconfigurationSimulation.STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.brook.core.StreamConfig;
import dev.brook.core.StreamConfigSpec;
import dev.brook.core.Timestamping;
import dev.brook.engine.ReconfigurationSimulation.Reported;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * Reconfiguration and deletion under faults, below HTTP, in virtual time: many seeds of
 * {@link ReconfigurationSimulation} judged by {@link ReconfigurationChecker}. A failure names its
 * seed; rerun one with {@code -Dbrook.reconfig.seed=N -Dbrook.reconfig.seeds=1}.
 */
class ReconfigurationSimulationTest {

    static final int SEEDS = Integer.getInteger("brook.reconfig.seeds", 200);
    static final long FIRST_SEED = Long.getLong("brook.reconfig.seed", 1);

    /** The stream operations as the resources serve them: one ControlPlane call each. */
    static ReconfigurationSimulation.Api engine(Catalog catalog, DataPlane data, Janitor janitor) {
        ControlPlane control = new ControlPlane(catalog, data, janitor);
        return new ReconfigurationSimulation.Api() {
            @Override
            public CompletionStage<Reported> patch(Timestamping t) {
                return control.reconfigureStream(BASIN, STREAM, (current, defaults) -> new StreamConfig(current.storageClass(),
                        current.retention(), t, current.deleteOnEmptyMinAgeSecs())).thenApply(ReconfigurationSimulationTest::reported);
            }

            @Override
            public CompletionStage<Reported> put(Timestamping t) {
                return control.ensureStream(BASIN, STREAM, spec(t)).thenApply(changed -> reported(changed.now()));
            }

            @Override
            public CompletionStage<Reported> get() {
                return control.streamConfig(BASIN, STREAM)
                        .thenApply(s -> new Reported(s.record().sid(), s.enforcedVersion(), s.config().timestamping()));
            }

            @Override
            public CompletionStage<String> delete() {
                return control.deleteStream(BASIN, STREAM).thenApply(StreamRecord::sid);
            }
        };
    }

    static StreamConfigSpec spec(Timestamping t) {
        return new StreamConfigSpec(Optional.empty(), Optional.empty(), Optional.of(t.mode()), Optional.of(t.uncapped()),
                OptionalLong.empty());
    }

    static Reported reported(StreamRecord r) {
        return new Reported(r.sid(), r.version(), r.config().timestamping());
    }

    @Test
    void reportedConfigurationIsEnforcedAndRetriesConverge() {
        List<String> failures = new ArrayList<>();
        for (long seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
            ReconfigurationSimulation world = new ReconfigurationSimulation(seed, ReconfigurationSimulationTest::engine).run();
            List<String> violations = new ReconfigurationChecker(world).check();
            if (!violations.isEmpty()) {
                failures.add("seed " + seed + ": " + violations.subList(0, Math.min(3, violations.size())));
            }
        }
        assertEquals(List.of(), failures.subList(0, Math.min(4, failures.size())), failures.size() + " of " + SEEDS + " seeds failed");
    }
}
