package dev.brook.app;

import dev.brook.engine.Janitor;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * When the janitor runs (docs/LIFECYCLE.md): every {@code brook.janitor.interval-ms} (default 60 s)
 * inside the {@code all} process, and as its own invocation ({@code brook janitor}) for the split
 * deployment, where a schedule of the platform starts it (Knative: a CronJob; Fly: a scheduled
 * Machine). A split function runs the schedule too when the interval is set for it.
 */
@Singleton
public class JanitorSchedule {

    private static final Logger LOG = Logger.getLogger(JanitorSchedule.class);
    /** Passes one invocation makes at most while each finds more due than one pass does. */
    static final int INVOCATION_PASSES_MAX = 100;
    static final long INVOCATION_PASS_TIMEOUT_S = 300;

    static final long DEFAULT_INTERVAL_MS = 60_000;

    @ConfigProperty(name = "brook.janitor.interval-ms")
    java.util.Optional<Long> intervalMs;

    @Inject
    Janitor janitor;

    @Inject
    Vertx vertx;

    private final AtomicBoolean running = new AtomicBoolean();

    /**
     * Starts the in-process schedule, if any: by default in {@code all} only; a pass that is still
     * running when the next is due is not doubled.
     */
    void start(boolean all) {
        long interval = intervalMs.orElse(all ? DEFAULT_INTERVAL_MS : 0);
        if (interval <= 0) {
            if (all) {
                LOG.info("janitor schedule off (brook.janitor.interval-ms <= 0): run `janitor` on a schedule instead");
            }
            return;
        }
        vertx.setPeriodic(interval, id -> pass());
    }

    private void pass() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        janitor.runDue(System.currentTimeMillis()).whenComplete((report, failure) -> {
            running.set(false);
            if (failure != null) {
                LOG.warnf("janitor pass failed: %s", failure.getMessage());
            } else if (report.done() + report.rescheduled() + report.failed() > 0) {
                LOG.infof("janitor: %d tasks done, %d continued, %d failed%s", report.done(), report.rescheduled(),
                        report.failed(), report.more() ? ", more due" : "");
            }
        });
    }

    /** One invocation: passes until nothing due is left, bounded. Returns the process's exit code. */
    int invocation() {
        int done = 0;
        int failed = 0;
        for (int pass = 0; pass < INVOCATION_PASSES_MAX; pass++) {
            Janitor.RunReport report;
            try {
                report = janitor.runDue(System.currentTimeMillis()).toCompletableFuture().get(INVOCATION_PASS_TIMEOUT_S, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("brook janitor: pass failed: " + e.getMessage());
                return 1;
            }
            done += report.done();
            failed += report.failed();
            if (!report.more() && report.rescheduled() == 0) {
                break;
            }
        }
        System.out.println("brook janitor: " + done + " tasks done, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }
}
