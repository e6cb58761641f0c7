package dev.brook.log;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.Command;
import dev.brook.core.Rejection;
import dev.brook.core.SequencedRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Judges a simulated history without trusting the system under test. The log is defined as the
 * chain of first occupants of the commit keys, starting at the first key: whatever was deleted or
 * overwritten later, the first object ever created at a key is what the key means. Then every
 * outcome a client saw must be explained by that log.
 */
final class LogChecker {

    /** One client batch as it lies in the log. */
    record LoggedBatch(CommitKey commit, long start, long end, List<SequencedRecord> records, String tokenBefore, String opKey) {}

    private final LogSimulation world;
    private final List<String> violations = new ArrayList<>();
    final List<LoggedBatch> batches = new ArrayList<>();
    final Map<Long, SequencedRecord> records = new HashMap<>();
    /** Positions where the stream's state was complete: 0 and every batch end. */
    final Set<Long> boundaries = new HashSet<>();
    final Map<Long, Long> timestampAt = new HashMap<>();
    final Set<String> tokensInEffect = new HashSet<>();
    long end;
    long finalTrimPoint;

    LogChecker(LogSimulation world) {
        this.world = world;
    }

    List<String> check() {
        buildLog();
        Map<String, LogSimulation.Op> ops = new HashMap<>();
        for (LogSimulation.Op op : world.history) {
            ops.put(opKey(op.client(), op.id()), op);
        }
        checkLoggedBatches(ops);
        for (LogSimulation.Op op : world.history) {
            switch (op.kind()) {
                case "append" -> checkAppend(op);
                case "check-tail" -> checkTail(op);
                case "read" -> checkRead(op);
                default -> violations.add("unknown op kind " + op.kind());
            }
        }
        checkRealTimeOrder();
        checkAFreshInstanceFindsTheLog();
        return violations;
    }

    /**
     * After the storm, an instance with nothing cached, on the same objects without faults, must find
     * the log's tail and read every record at or above the trim point: the state survived.
     */
    private void checkAFreshInstanceFindsTheLog() {
        LogEnv env = new LogEnv(world.store.truth(), world.sim::nowMs, world.sim::nanoTime, world.sim::delay,
                new java.util.Random(world.seed), LogSettings.DEFAULT);
        StreamLog fresh = new StreamLog(env, LogSimulation.SID, world.genesis);
        TailPosition tail;
        try {
            tail = fresh.checkTail().toCompletableFuture().join();
        } catch (RuntimeException e) {
            violations.add("a fresh instance cannot find the tail: " + e.getMessage());
            return;
        }
        if (tail.seqNum() != end || tail.timestamp() != timestampAt.getOrDefault(end, -1L)) {
            violations.add("a fresh instance finds the tail at " + tail + ", the log ends at " + end);
            return;
        }
        long trimPoint = batches.isEmpty() ? 0 : finalTrimPoint;
        List<SequencedRecord> all = new ArrayList<>();
        long next = 0;
        for (int reads = 0; next < end && reads < 10_000; reads++) {
            ReadOutcome o = fresh.read(new ReadRequest(new ReadRequest.Start.SeqNum(next), 1000, 1 << 20,
                    java.util.OptionalLong.empty(), false)).toCompletableFuture().join();
            if (!(o instanceof ReadOutcome.Records r) || r.records().isEmpty()) {
                violations.add("a fresh instance reading from " + next + " got " + o);
                return;
            }
            all.addAll(r.records());
            next = r.records().get(r.records().size() - 1).seqNum() + 1;
        }
        long expectedFirst = Math.min(trimPoint, end);
        if (!all.isEmpty() && all.get(0).seqNum() != expectedFirst) {
            violations.add("a fresh instance's read starts at " + all.get(0).seqNum() + ", the trim point is " + trimPoint);
        }
        for (SequencedRecord r : all) {
            if (!r.equals(records.get(r.seqNum()))) {
                violations.add("a fresh instance read seq " + r.seqNum() + " unlike the log");
                return;
            }
        }
    }

    private static String opKey(int client, int op) {
        return "c" + client + "-o" + op;
    }

    /** Walks first occupants from the first key: links, hashes, contiguity, monotone timestamps and trim points. */
    private void buildLog() {
        LogKeys keys = new LogKeys(LogSimulation.SID);
        Map<String, byte[]> first = world.store.firstOccupants();
        CommitKey key = CommitKey.FIRST;
        Optional<CommitKey> previous = Optional.empty();
        byte[] previousHash = new byte[Commit.HASH_BYTES];
        long lastTs = 0;
        long trim = 0;
        String token = "";
        tokensInEffect.add(token);
        boundaries.add(0L);
        timestampAt.put(0L, 0L);
        for (int guard = 0; first.containsKey(keys.commit(key)); guard++) {
            if (guard > 1_000_000) {
                violations.add("the chain does not end");
                return;
            }
            byte[] bytes = first.get(keys.commit(key));
            Commit c;
            try {
                c = CommitCodec.decode(key, bytes);
            } catch (RuntimeException e) {
                violations.add("first occupant of " + key + " is not a commit: " + e.getMessage());
                return;
            }
            if (!c.previous().equals(previous) || !Arrays.equals(c.previousHash(), previousHash)) {
                violations.add("commit " + key + " does not extend its real predecessor " + previous + " (fork joined)");
            }
            if (c.state().trimPoint() < trim) {
                violations.add("trim point moved back at " + key);
            }
            trim = c.state().trimPoint();
            int offset = 0;
            for (int size : c.batchSizes()) {
                List<SequencedRecord> rs = c.records().subList(offset, offset + size);
                long start = rs.get(0).seqNum();
                String opKey = null;
                for (SequencedRecord r : rs) {
                    if (r.timestamp() < lastTs) {
                        violations.add("timestamp decreased at seq " + r.seqNum());
                    }
                    lastTs = r.timestamp();
                    records.put(r.seqNum(), r);
                    String body = new String(r.body(), StandardCharsets.UTF_8);
                    if (opKey == null && body.matches("c\\d+-o\\d+-r0")) {
                        opKey = body.substring(0, body.length() - 3);
                    }
                }
                batches.add(new LoggedBatch(key, start, start + size, rs, token, opKey));
                for (SequencedRecord r : rs) {
                    if (Command.parse(new AppendRecord(java.util.OptionalLong.empty(), r.headers(), r.body()))
                            instanceof Command.IsCommand cmd && cmd.command() instanceof Command.Fence f) {
                        token = f.token();
                    }
                }
                tokensInEffect.add(token);
                boundaries.add(start + size);
                timestampAt.put(start + size, lastTs);
                offset += size;
            }
            if (!c.state().fencingToken().equals(token)) {
                violations.add("commit " + key + " states token `" + c.state().fencingToken() + "` but its records leave `" + token + "`");
            }
            end = c.end();
            finalTrimPoint = c.state().trimPoint();
            previous = Optional.of(key);
            previousHash = CommitCodec.sha256(bytes);
            key = c.successor();
        }
    }

    /** Every batch in the log: from one operation, once, with its content, conditions honoured. */
    private void checkLoggedBatches(Map<String, LogSimulation.Op> ops) {
        Set<String> seen = new HashSet<>();
        for (LoggedBatch b : batches) {
            if (b.opKey == null || !ops.containsKey(b.opKey)) {
                violations.add("the log holds a batch at " + b.start + " that no finished operation sent (" + b.opKey + ")");
                continue;
            }
            if (!seen.add(b.opKey)) {
                violations.add("DUPLICATE: " + b.opKey + " is in the log twice (again at " + b.start + ")");
            }
            AppendBatch sent = ops.get(b.opKey).batch();
            if (sent.records().size() != b.records.size()) {
                violations.add(b.opKey + " lies in the log with " + b.records.size() + " records, sent with " + sent.records().size());
                continue;
            }
            for (int i = 0; i < b.records.size(); i++) {
                if (!Arrays.equals(sent.records().get(i).body(), b.records.get(i).body())
                        || !sent.records().get(i).headers().equals(b.records.get(i).headers())) {
                    violations.add(b.opKey + " record " + i + " differs in the log");
                }
            }
            if (sent.matchSeqNum().isPresent() && sent.matchSeqNum().getAsLong() != b.start) {
                violations.add(b.opKey + " had match_seq_num " + sent.matchSeqNum().getAsLong() + " but lies at " + b.start);
            }
            if (sent.fencingToken().isPresent() && !sent.fencingToken().get().equals(b.tokenBefore)) {
                violations.add(b.opKey + " carried token `" + sent.fencingToken().get() + "` but the stream's was `" + b.tokenBefore + "`");
            }
        }
    }

    private LoggedBatch logged(LogSimulation.Op op) {
        String key = opKey(op.client(), op.id());
        for (LoggedBatch b : batches) {
            if (key.equals(b.opKey)) {
                return b;
            }
        }
        return null;
    }

    private void checkAppend(LogSimulation.Op op) {
        String name = opKey(op.client(), op.id());
        LoggedBatch inLog = logged(op);
        Object o = op.outcome();
        if (o instanceof AppendOutcome.Acked a) {
            if (inLog == null) {
                violations.add("LOST: " + name + " was acked at " + a.range().startSeq() + ".." + a.range().endSeq() + " but is not in the log");
            } else if (inLog.start != a.range().startSeq() || inLog.end != a.range().endSeq()) {
                violations.add(name + " was acked at " + a.range().startSeq() + ".." + a.range().endSeq() + " but lies at " + inLog.start + ".." + inLog.end);
            } else {
                List<SequencedRecord> acked = a.range().records();
                for (int i = 0; i < acked.size(); i++) {
                    if (acked.get(i).timestamp() != inLog.records.get(i).timestamp()) {
                        violations.add(name + " acked timestamp differs from the log at " + acked.get(i).seqNum());
                    }
                }
            }
            if (a.tailSeq() < a.range().endSeq() || !boundaries.contains(a.tailSeq())) {
                violations.add(name + " acked with tail " + a.tailSeq() + ", not a state of the log at or after its end");
            }
        } else if (o instanceof AppendOutcome.Rejected r) {
            if (inLog != null) {
                violations.add(name + " was rejected (" + r.rejection() + ") but is in the log");
            }
            if (r.rejection() instanceof Rejection.SeqNumMismatch m && !boundaries.contains(m.expected())) {
                violations.add(name + " got seq_num_mismatch " + m.expected() + ", a state the log never had");
            }
            if (r.rejection() instanceof Rejection.FencingTokenMismatch f && !tokensInEffect.contains(f.current())) {
                violations.add(name + " got fencing_token_mismatch `" + f.current() + "`, a token the log never had");
            }
        } else if (o instanceof AppendOutcome.Failed f) {
            if (!f.mayHaveLanded() && inLog != null) {
                violations.add(name + " failed as " + f.failure() + " (nothing written) but is in the log");
            }
        } else {
            violations.add(name + " ended with " + o);
        }
    }

    private void checkTail(LogSimulation.Op op) {
        if (op.outcome() instanceof TailPosition t) {
            if (!boundaries.contains(t.seqNum())) {
                violations.add("check-tail " + opKey(op.client(), op.id()) + " reported " + t.seqNum() + ", not a state of the log");
            } else if (timestampAt.get(t.seqNum()) != t.timestamp()) {
                violations.add("check-tail " + opKey(op.client(), op.id()) + " reported timestamp " + t.timestamp()
                        + " at " + t.seqNum() + ", the log has " + timestampAt.get(t.seqNum()));
            }
        }
    }

    private void checkRead(LogSimulation.Op op) {
        String name = opKey(op.client(), op.id());
        if (op.outcome() instanceof ReadOutcome.Records r) {
            long expected = -1;
            for (SequencedRecord got : r.records()) {
                SequencedRecord truth = records.get(got.seqNum());
                if (!got.equals(truth)) {
                    violations.add("read " + name + " returned seq " + got.seqNum() + " that is not the log's record there");
                }
                if (expected >= 0 && got.seqNum() != expected) {
                    violations.add("read " + name + " skipped from " + expected + " to " + got.seqNum());
                }
                expected = got.seqNum() + 1;
            }
            if (!boundaries.contains(r.tailSeq())) {
                violations.add("read " + name + " was served against tail " + r.tailSeq() + ", not a state of the log");
            }
        } else if (op.outcome() instanceof ReadOutcome.RangeNotSatisfiable t && !boundaries.contains(t.tailSeq())) {
            violations.add("read " + name + " answered 416 with tail " + t.tailSeq() + ", not a state of the log");
        }
    }

    /** Check-tail never goes back, and is at least the end of every ack that completed before it began. */
    private void checkRealTimeOrder() {
        List<LogSimulation.Op> tails = world.history.stream().filter(o -> o.outcome() instanceof TailPosition).toList();
        for (LogSimulation.Op t : tails) {
            long seq = ((TailPosition) t.outcome()).seqNum();
            for (LogSimulation.Op before : world.history) {
                if (before.completedMs() >= t.invokedMs()) {
                    continue;
                }
                long mustSee = -1;
                if (before.outcome() instanceof AppendOutcome.Acked a) {
                    mustSee = a.range().endSeq();
                } else if (before.outcome() instanceof TailPosition p) {
                    mustSee = p.seqNum();
                }
                if (seq < mustSee) {
                    violations.add("check-tail " + opKey(t.client(), t.id()) + " at " + t.invokedMs() + " reported " + seq + " after "
                            + opKey(before.client(), before.id()) + " had completed with " + mustSee);
                }
            }
        }
    }
}
