package dev.brook.engine;

import static dev.brook.engine.ReconfigurationSimulation.BASIN;
import static dev.brook.engine.ReconfigurationSimulation.STREAM;

import dev.brook.core.SequencedRecord;
import dev.brook.core.StreamState;
import dev.brook.log.AppendOutcome;
import dev.brook.log.Commit;
import dev.brook.log.CommitCodec;
import dev.brook.log.CommitKey;
import dev.brook.log.LogEnv;
import dev.brook.log.LogKeys;
import dev.brook.log.LogSettings;
import dev.brook.log.StreamLog;
import dev.brook.store.StoredObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Judges a reconfiguration history from the objects, without trusting the system: the catalog's
 * versions of the name, and per incarnation the log as the chain of first occupants of its commit
 * keys. Every operation completed; the log only ever enforces a configuration version the catalog
 * holds, with that version's timestamping; a configuration reported to a client (PATCH, PUT, GET)
 * was enforced by the log when the call returned, so appends after it were decided under it or a
 * later one; no append is acked after a delete answered; and a retry by a calm process converges,
 * GET then reporting what the log enforces.
 */
final class ReconfigurationChecker {

    /** Where an acked batch lies: its incarnation and the state it was decided under. */
    private record Found(String sid, StreamState decidedUnder) {}

    private final ReconfigurationSimulation world;
    private final List<String> violations = new ArrayList<>();
    private final Map<String, Map<Long, StreamRecord>> versionsBySid = new LinkedHashMap<>();
    private final Map<String, List<Commit>> chains = new HashMap<>();
    private final Map<String, Found> markers = new HashMap<>();

    ReconfigurationChecker(ReconfigurationSimulation world) {
        this.world = world;
    }

    List<String> check() {
        for (ReconfigurationSimulation.Op op : world.history) {
            if (op.outcome == null) {
                violations.add("never answered: " + op);
            }
        }
        readCatalog();
        versionsBySid.keySet().forEach(this::readChain);
        chains.forEach(this::checkChain);
        for (ReconfigurationSimulation.Op op : world.history) {
            switch (op.kind) {
                case "append" -> checkAppend(op);
                case "get" -> checkGet(op);
                case "patch", "put" -> checkEnforced(op);
                default -> { }
            }
        }
        checkConvergence();
        return violations;
    }

    private void readCatalog() {
        for (long v = 1; ; v++) {
            String key = CatalogKeys.streamVersion(BASIN, STREAM, v);
            Optional<StoredObject> o = world.store.truth().get(key).toCompletableFuture().join();
            if (o.isEmpty()) {
                return;
            }
            StreamRecord r = CatalogCodec.decodeStream(key, v, o.get().body());
            versionsBySid.computeIfAbsent(r.sid(), k -> new HashMap<>()).put(v, r);
        }
    }

    private void readChain(String sid) {
        LogKeys keys = new LogKeys(sid);
        List<Commit> chain = new ArrayList<>();
        CommitKey key = CommitKey.FIRST;
        for (int i = 0; i < 100_000; i++) {
            byte[] body = world.store.firstOccupants().get(keys.commit(key));
            if (body == null) {
                break;
            }
            Commit c = CommitCodec.decode(key, body);
            chain.add(c);
            for (SequencedRecord r : c.records()) {
                markers.put(new String(r.body(), StandardCharsets.UTF_8), new Found(sid, c.state()));
            }
            key = c.successor();
        }
        chains.put(sid, chain);
    }

    /** The version that created incarnation {@code sid}: its genesis state is that version's configuration. */
    private long creationVersion(String sid) {
        return versionsBySid.get(sid).keySet().stream().mapToLong(Long::longValue).min().orElseThrow();
    }

    /** The configuration version a state enforces; 0 is the genesis (streams created before it was recorded). */
    private long effective(String sid, StreamState s) {
        return s.configVersion() == 0 ? creationVersion(sid) : s.configVersion();
    }

    private void checkChain(String sid, List<Commit> chain) {
        long version = 0;
        for (Commit c : chain) {
            long v = effective(sid, c.state());
            if (v < version) {
                violations.add(sid + ": config version went back to " + v + " at " + c.key());
            }
            version = v;
            StreamRecord r = versionsBySid.get(sid).get(v);
            if (r == null) {
                violations.add(sid + ": the log enforces version " + v + ", which the catalog does not hold for it");
            } else if (!r.config().timestamping().equals(c.state().timestamping())) {
                violations.add(sid + ": at " + c.key() + " the log enforces " + c.state().timestamping() + " as version " + v
                        + ", the catalog says " + r.config().timestamping());
            }
        }
    }

    /** The states the log of {@code sid} ever had: its genesis, then every commit's. */
    private List<StreamState> states(String sid) {
        List<StreamState> all = new ArrayList<>();
        StreamRecord created = versionsBySid.get(sid).get(creationVersion(sid));
        all.add(StreamState.empty(creationVersion(sid), created.genesis()));
        chains.getOrDefault(sid, List.of()).forEach(c -> all.add(c.state()));
        return all;
    }

    /** The highest version a successful configuration call on {@code sid} reported before {@code beforeMs}. */
    private long reportedBefore(String sid, long beforeMs) {
        long max = -1;
        for (ReconfigurationSimulation.Op op : world.history) {
            if (op.succeeded() && op.completedMs < beforeMs && op.outcome instanceof ReconfigurationSimulation.Reported r
                    && r.sid().equals(sid)) {
                max = Math.max(max, r.version());
            }
        }
        return max;
    }

    private void checkAppend(ReconfigurationSimulation.Op op) {
        if (!(op.outcome instanceof AppendOutcome.Acked)) {
            return;
        }
        Found f = markers.get(op.marker);
        if (f == null) {
            violations.add("acked but in no log: " + op);
            return;
        }
        long reported = reportedBefore(f.sid(), op.invokedMs);
        if (effective(f.sid(), f.decidedUnder()) < reported) {
            violations.add("decided under config version " + effective(f.sid(), f.decidedUnder()) + " (" + f.decidedUnder().timestamping()
                    + ") after version " + reported + " was reported: " + op);
        }
        for (ReconfigurationSimulation.Op d : world.history) {
            if (d.kind.equals("delete") && d.succeeded() && f.sid().equals(d.outcome) && d.completedMs < op.invokedMs) {
                violations.add("acked after the delete of " + f.sid() + " answered at " + d.completedMs + ": " + op);
            }
        }
    }

    /** A GET reports a configuration the log had, no older than anything reported before it. */
    private void checkGet(ReconfigurationSimulation.Op op) {
        if (!(op.outcome instanceof ReconfigurationSimulation.Reported r)) {
            return;
        }
        boolean had = states(r.sid()).stream().anyMatch(s -> effective(r.sid(), s) == r.version()
                && s.timestamping().equals(r.timestamping()));
        if (!had) {
            violations.add("GET reported " + r.timestamping() + " as version " + r.version() + ", which the log never enforced: " + op);
        }
        long before = reportedBefore(r.sid(), op.invokedMs);
        if (r.version() < before) {
            violations.add("GET reported version " + r.version() + " after version " + before + " was reported: " + op);
        }
    }

    /** A PATCH or PUT that answered: the log enforced its version (or a later one). */
    private void checkEnforced(ReconfigurationSimulation.Op op) {
        if (!(op.outcome instanceof ReconfigurationSimulation.Reported r)) {
            return;
        }
        boolean reached = states(r.sid()).stream().anyMatch(s -> effective(r.sid(), s) >= r.version());
        if (!reached) {
            violations.add(op.kind + " reported version " + r.version() + " (" + r.timestamping() + "), the log never reached it: " + op);
        }
    }

    /**
     * After the storm, a calm process retries a reconfiguration to what the catalog holds; then GET
     * must report exactly what the log's tail enforces, and that is the catalog's configuration.
     */
    private void checkConvergence() {
        ReconfigurationSimulation.Api calm = world.calmProcess();
        ReconfigurationSimulation.Reported now;
        try {
            ReconfigurationSimulation.Reported before = world.settle(calm::get);
            world.settle(() -> calm.patch(latest().config().timestamping()));
            now = world.settle(calm::get);
            if (!now.sid().equals(before.sid())) {
                violations.add("the incarnation changed at quiescence");
            }
        } catch (RuntimeException e) {
            return; // deleted, or being deleted, at the end: nothing to converge
        }
        StreamRecord latest = latest();
        // The calm process writes past the faulty store, so its commits are no first occupants: ask the log.
        LogEnv env = new LogEnv(world.store.truth(), world.sim::nowMs, world.sim::nanoTime, world.sim::delay,
                new java.util.Random(world.seed), LogSettings.DEFAULT);
        StreamState tail = world.settle(() -> new StreamLog(env, latest.sid(),
                StreamState.empty(latest.genesisVersion(), latest.genesis())).state());
        if (!now.timestamping().equals(tail.timestamping())) {
            violations.add("at quiescence GET reports " + now.timestamping() + ", the log enforces " + tail.timestamping());
        }
        if (!latest.config().timestamping().equals(tail.timestamping()) || effective(latest.sid(), tail) < latest.version()) {
            violations.add("a retry did not converge: catalog v" + latest.version() + " " + latest.config().timestamping()
                    + ", log v" + effective(latest.sid(), tail) + " " + tail.timestamping());
        }
    }

    private StreamRecord latest() {
        versionsBySid.clear();
        readCatalog();
        StreamRecord latest = null;
        for (Map<Long, StreamRecord> versions : versionsBySid.values()) {
            for (StreamRecord r : versions.values()) {
                if (latest == null || r.version() > latest.version()) {
                    latest = r;
                }
            }
        }
        return latest;
    }
}
