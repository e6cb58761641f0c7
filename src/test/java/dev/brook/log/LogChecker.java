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

    /** One commit of the log, with the store's stamp of its first occupant: what retention judges it by. */
    record LoggedCommit(CommitKey key, String objectKey, long start, long end, long trimPoint, long stampMs) {
        boolean hasRecords() {
            return end > start;
        }
    }

    /** Which engine acknowledged the batches of a commit, and when (-1: several engines, which no commit has). */
    record Ack(int engine, long atMs) {}

    private final LogSimulation world;
    private final List<String> violations = new ArrayList<>();
    final List<LoggedBatch> batches = new ArrayList<>();
    final Map<Long, SequencedRecord> records = new HashMap<>();
    /** Positions where the stream's state was complete: 0 and every batch end. */
    final Set<Long> boundaries = new HashSet<>();
    final Map<Long, Long> timestampAt = new HashMap<>();
    final Set<String> tokensInEffect = new HashSet<>();
    final List<LoggedCommit> commits = new ArrayList<>();
    /** For each commit whose batches were acknowledged: by which engine, and the last ack. */
    private final Map<CommitKey, Ack> acks = new HashMap<>();
    /** Commits with records, by start. */
    private final java.util.TreeMap<Long, LoggedCommit> byStart = new java.util.TreeMap<>();
    /** The trim point of the state at each batch end. */
    private final Map<Long, Long> trimPointAt = new HashMap<>();
    /** What the retention runs did (reads that hid records, commits deleted, late janitors), by name. */
    final Map<String, Long> retentionCounts = new java.util.TreeMap<>();
    long end;
    long finalTrimPoint;
    /** The first commit whose state is sealed (delete-on-empty's seal), and its index in {@link #commits}; null when none. */
    LoggedCommit seal;
    private int sealIndex = -1;

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
            LoggedBatch b = op.outcome() instanceof AppendOutcome.Acked ? logged(op) : null;
            if (b != null) {
                acks.merge(b.commit(), new Ack(op.engine(), op.completedMs()),
                        (x, y) -> x.engine() != y.engine() ? new Ack(-1, 0) : x.atMs() >= y.atMs() ? x : y);
            }
        }
        for (LogSimulation.Op op : world.history) {
            switch (op.kind()) {
                case "append" -> checkAppend(op);
                case "check-tail" -> checkTail(op);
                case "read" -> checkRead(op);
                default -> violations.add("unknown op kind " + op.kind());
            }
        }
        checkRealTimeOrder();
        if (world.config.expiry() != null) {
            checkDeletions();
            checkExpiryReports();
        }
        if (world.config.deleteOnEmpty() != null) {
            checkDeleteOnEmpty();
        } else if (seal != null) {
            violations.add("the log was sealed at " + seal.key() + " in a world where nobody seals");
        }
        checkAFreshInstanceFindsTheLog();
        return violations;
    }

    /**
     * After the storm, an instance with nothing cached, on the same objects without faults, must find
     * the log's tail and read exactly the records at or above the trim point: the state survived. Under
     * retention it reads with the retention judged now, and reads exactly those at or above the trim
     * point that it does not hide; the last commit is still stored, and so is every commit holding such a
     * record (docs/LIFECYCLE.md, "Retention by age": deleted are only commits below the one holding the
     * first visible record).
     */
    private void checkAFreshInstanceFindsTheLog() {
        // (the world's compaction cells: persistent, like the keys they name)
        LogEnv env = new LogEnv(world.store.truth(), world.sim::nowMs, world.sim::nanoTime, world.sim::delay,
                new java.util.Random(world.seed), LogSettings.DEFAULT.withSegmentCellRecords(world.config.settings().segmentCellRecords()));
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
        ReadRequest.Retention retention = world.config.expiry() == null ? ReadRequest.Retention.NONE
                : world.config.expiry().at(world.store.clockMs());
        if (world.config.expiry() != null) {
            checkRetainedCommitsStored(retention, trimPoint);
        }
        if (seal != null) {
            // Sealed by delete-on-empty: the stream is deleted next, so nothing retained may be left in it.
            long retainedFrom = Math.max(trimPoint, firstNotHidden(retention));
            if (retainedFrom < end) {
                violations.add("LOST: the log was sealed (delete-on-empty deletes the stream) at " + seal.end()
                        + " while records from " + retainedFrom + " are neither trimmed (trim point " + trimPoint + ") nor expired");
            }
            ReadOutcome o = fresh.read(new ReadRequest(new ReadRequest.Start.SeqNum(0), 1000, 1 << 20,
                    java.util.OptionalLong.empty(), false).withRetention(retention)).toCompletableFuture().join();
            if (!(o instanceof ReadOutcome.Sealed)) {
                violations.add("a fresh instance reading the sealed log got " + o);
            }
            return;
        }
        long expectedFirst = Math.min(Math.max(trimPoint, firstNotHidden(retention)), end);
        if (world.config.expiry() != null) {
            count("records retained at the end", end - expectedFirst);
        }
        List<SequencedRecord> all = new ArrayList<>();
        long next = 0;
        for (int reads = 0; next < end && reads < 10_000; reads++) {
            ReadOutcome o = fresh.read(new ReadRequest(new ReadRequest.Start.SeqNum(next), 1000, 1 << 20,
                    java.util.OptionalLong.empty(), false).withRetention(retention)).toCompletableFuture().join();
            if (o instanceof ReadOutcome.Records r && r.records().isEmpty() && retention.hidesAny() && r.startSeq() >= end) {
                break; // everything from here on is hidden
            }
            if (!(o instanceof ReadOutcome.Records r) || r.records().isEmpty()) {
                violations.add("a fresh instance reading from " + next + " got " + o);
                return;
            }
            all.addAll(r.records());
            next = r.records().get(r.records().size() - 1).seqNum() + 1;
        }
        if (!all.isEmpty() && all.get(0).seqNum() != expectedFirst || all.isEmpty() && expectedFirst < end) {
            violations.add("a fresh instance's read starts at " + (all.isEmpty() ? "nothing" : all.get(0).seqNum())
                    + ", the trim point is " + trimPoint + " and the first record retention does not hide " + firstNotHidden(retention));
        }
        long expected = expectedFirst;
        for (SequencedRecord r : all) {
            if (!r.equals(records.get(r.seqNum()))) {
                violations.add("a fresh instance read seq " + r.seqNum() + " unlike the log");
                return;
            }
            if (r.seqNum() != expected) {
                violations.add("a fresh instance read seq " + r.seqNum() + " where " + expected + " was due");
                return;
            }
            expected++;
        }
        if (expected != end && !all.isEmpty()) {
            violations.add("a fresh instance's reads end at " + expected + ", the log at " + end);
        }
    }

    /** The last commit, and every commit holding a record neither trimmed nor hidden by {@code retention}, are still stored. */
    private void checkRetainedCommitsStored(ReadRequest.Retention retention, long trimPoint) {
        if (commits.isEmpty()) {
            return;
        }
        LoggedCommit last = commits.get(commits.size() - 1);
        Optional<dev.brook.store.StoredObject> stored = world.store.truth().get(last.objectKey()).toCompletableFuture().join();
        if (stored.isEmpty() || !Arrays.equals(stored.get().body(), world.store.firstOccupants().get(last.objectKey()))) {
            violations.add("the last commit " + last.key() + " is no longer stored");
        }
        for (LoggedCommit c : commits) {
            Long deleted = world.store.firstDeletedAt().get(c.objectKey());
            if (deleted != null && c.hasRecords() && c.end() > trimPoint && !retention.hides(c.stampMs()) && !compactedAndKept(c, deleted)) {
                violations.add("commit " + c.key() + " (records " + c.start() + ".." + c.end() + ", stamped " + c.stampMs()
                        + ") was deleted at " + deleted + ", yet at the end it holds records above the trim point " + trimPoint
                        + " that retention does not hide");
            }
        }
    }

    /**
     * Whether the first occupant of {@code c}'s key was, by {@code at}, copied byte for byte into the
     * segment of its cell (docs/LOG.md, "Compaction"): the first segment ever written there holds it.
     */
    private boolean compactedBy(LoggedCommit c, long at) {
        int cell = world.config.settings().segmentCellRecords();
        long cellStart = c.start() - Math.floorMod(c.start(), cell);
        String segmentKey = new LogKeys(LogSimulation.SID).segment(cellStart);
        Long created = world.store.firstStamps().get(segmentKey);
        byte[] segment = world.store.firstOccupants().get(segmentKey);
        byte[] original = world.store.firstOccupants().get(c.objectKey());
        if (created == null || segment == null || original == null || created > at) {
            return false;
        }
        return SegmentCodec.decode(segmentKey, cellStart, segment).entries().stream()
                .anyMatch(e -> e.key().equals(c.key()) && Arrays.equals(e.body(), original));
    }

    /** As {@link #compactedBy}, and that segment is still stored at the end. */
    private boolean compactedAndKept(LoggedCommit c, long at) {
        if (!compactedBy(c, at)) {
            return false;
        }
        int cell = world.config.settings().segmentCellRecords();
        String segmentKey = new LogKeys(LogSimulation.SID).segment(c.start() - Math.floorMod(c.start(), cell));
        return world.store.truth().get(segmentKey).toCompletableFuture().join().isPresent();
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
        trimPointAt.put(0L, 0L);
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
            long stamp = world.store.firstStamps().getOrDefault(keys.commit(key), Long.MIN_VALUE);
            if (!commits.isEmpty() && stamp < commits.get(commits.size() - 1).stampMs()) {
                // Each commit is created once its predecessor exists: what makes the expired commits a prefix.
                violations.add("commit " + key + " was stamped " + stamp + ", before its predecessor");
            }
            LoggedCommit logged = new LoggedCommit(key, keys.commit(key), key.start(), c.end(), c.state().trimPoint(), stamp);
            if (seal != null) {
                violations.add("commit " + key + " follows the seal " + seal.key() + ": a sealed log takes nothing");
            } else if (c.state().sealed()) {
                seal = logged;
                sealIndex = commits.size();
            }
            commits.add(logged);
            if (logged.hasRecords()) {
                byStart.put(logged.start(), logged);
            }
            trimPointAt.put(c.end(), c.state().trimPoint());
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
            } else if (op.read().retention().hidesAny()) {
                checkReadUnderRetention(op, r);
            }
        } else if (op.outcome() instanceof ReadOutcome.Sealed && (seal == null || seal.stampMs() > op.completedMs())) {
            violations.add("read " + name + " (ended " + op.completedMs() + ") answered sealed, "
                    + (seal == null ? "the log never was" : "the seal was written at " + seal.stampMs()));
        } else if (op.outcome() instanceof ReadOutcome.RangeNotSatisfiable t && !boundaries.contains(t.tailSeq())) {
            violations.add("read " + name + " answered 416 with tail " + t.tailSeq() + ", not a state of the log");
        } else if (op.outcome() instanceof Throwable t && searchRanOut(t)) {
            violations.add("read " + name + ": " + t.getMessage());
        }
    }

    /**
     * A read under retention R (judged at its invocation) against the tail E it reports:
     * <ul>
     * <li>returns no record of a commit whose store stamp R hides, but for one allowance: the engine that
     * wrote a commit knows its stamp only as the store's clock when it learned that it won
     * (docs/LIFECYCLE.md, "Retention by age"), which is no later than its acks; so a read that engine
     * served may return the commit as long as R does not hide the moment its batches were acked;</li>
     * <li>skips nothing that certainly stayed visible: with S its start, let M be the largest of S, the
     * highest trim point of any commit created by the time the read ended (no trim run can have deleted
     * from higher), and the first record of the log neither R nor any expiry run judged by then hides
     * (expiry runs delete only what their own retention hides, and a retention judged later hides more).
     * If M lies below E, the read returns records, and the first lies at or below M (they are contiguous,
     * as every read's are).</li>
     * </ul>
     */
    private void checkReadUnderRetention(LogSimulation.Op op, ReadOutcome.Records r) {
        String name = opKey(op.client(), op.id());
        ReadRequest.Retention retention = op.read().retention();
        count("reads under retention");
        for (SequencedRecord got : r.records()) {
            LoggedCommit c = holding(got.seqNum());
            Ack ack = c == null ? null : acks.get(c.key());
            boolean writersOwn = ack != null && ack.engine() == op.engine() && !retention.hides(ack.atMs());
            if (c != null && retention.hides(c.stampMs()) && !writersOwn) {
                violations.add("read " + name + " (invoked " + op.invokedMs() + ", hiding stamps to " + retention.hiddenAtOrBeforeMs()
                        + ") returned seq " + got.seqNum() + " of commit " + c.key() + " stamped " + c.stampMs() + ", past its retention");
                break;
            }
        }
        long start = ((ReadRequest.Start.SeqNum) op.read().start()).seqNum();
        long from = Math.max(start, trimPointAt.getOrDefault(r.tailSeq(), 0L));
        if (from < r.tailSeq() && holding(from) != null && retention.hides(holding(from).stampMs())) {
            count("reads that hid records");
        }
        long mustStartBy = Math.max(Math.max(start, trimPointBy(op.completedMs())),
                firstNotHidden(later(retention, expiryRetentionBy(op.completedMs()))));
        if (mustStartBy < r.tailSeq() && (r.records().isEmpty() || r.records().get(0).seqNum() > mustStartBy)) {
            violations.add("read " + name + " from " + start + " (invoked " + op.invokedMs() + ", ended " + op.completedMs()
                    + ", tail " + r.tailSeq() + ") returned " + (r.records().isEmpty() ? "nothing" : "from " + r.records().get(0).seqNum())
                    + ", skipping " + mustStartBy + ", which stayed visible and was not trimmed");
        }
    }

    /**
     * Every deletion of a commit (its first occupant) was one the rules allow at the moment it took
     * effect: never the last commit (its successor existed by then), and either below the trim point (all
     * its records below the highest trim point of a commit created by then) or hidden by the retention of
     * an expiry run judged by then (the latest such retention: it hides the most). Deletes land late under
     * faults; judging at the moment they land only allows more, so this is sound for late landings too.
     */
    private void checkDeletions() {
        for (int i = 0; i < commits.size(); i++) {
            LoggedCommit c = commits.get(i);
            Long at = world.store.firstDeletedAt().get(c.objectKey());
            if (at == null) {
                continue;
            }
            count("commits deleted");
            if (i + 1 == commits.size() || commits.get(i + 1).stampMs() > at) {
                violations.add("commit " + c.key() + " was deleted at " + at + " while it was the last commit");
            }
            boolean trimmed = c.end() <= trimPointBy(at);
            Optional<ReadRequest.Retention> expiry = expiryRetentionBy(at);
            boolean expired = expiry.isPresent() && expiry.get().hides(c.stampMs());
            boolean compacted = compactedBy(c, at);
            if (compacted) {
                count("commits deleted after compaction");
            }
            if (!trimmed && !expired && !compacted) {
                violations.add("commit " + c.key() + " (records " + c.start() + ".." + c.end() + ", stamped " + c.stampMs()
                        + ") was deleted at " + at + ", neither below the trim point " + trimPointBy(at)
                        + " nor hidden by an expiry judged by then (" + expiry.map(x -> "hiding stamps to " + x.hiddenAtOrBeforeMs()).orElse("none") + ")");
            }
            if (!trimmed) {
                count("commits deleted past the trim point");
            }
        }
    }

    /**
     * What an expiry run reported is a state of the log; the first visible record it reports is at or
     * below every record that certainly stayed visible (as for reads, with the run's own retention: a run
     * that calls a stream empty while it holds such a record would have delete-on-empty delete it); and
     * the stamp it reports for the last commit is that commit's, or later (a writer knows its own
     * commit's stamp only as the store's clock when it learned that it won), never later than its end.
     */
    private void checkExpiryReports() {
        List<LogSimulation.ExpiryRun> runs = List.copyOf(world.expiries);
        if (runs.size() != world.expiriesStarted()) {
            violations.add(world.expiriesStarted() - runs.size() + " expiry runs never ended");
        }
        for (LogSimulation.ExpiryRun run : runs) {
            count(run.late() ? "late expiry runs" : "expiry runs");
            if (!(run.outcome() instanceof ExpiryReport report)) {
                count("expiry runs failed");
                if (run.outcome() instanceof Throwable t && searchRanOut(t)) {
                    violations.add("expiry run " + run.id() + ": " + t.getMessage());
                }
                continue;
            }
            if (report.sealed() && !report.stale() && seal != null && seal.stampMs() <= run.completedMs()) {
                count("expiry runs that found the log sealed");
                continue;
            }
            if (report.sealed() || report.stale()) {
                violations.add("expiry run " + run.id() + " reported " + report + " of a log never sealed nor reconfigured");
                continue;
            }
            count("commits deleted by expiry runs", report.deleted());
            if (run.late()) {
                boolean overtaken = runs.stream().anyMatch(o -> o.judgedMs() > run.judgedMs() && o.completedMs() < run.completedMs()
                        && o.outcome() instanceof ExpiryReport);
                if (overtaken) {
                    count("late expiry runs resumed after a later one finished");
                    count("commits deleted by late expiry runs", report.deleted());
                }
            }
            if (!boundaries.contains(report.end())) {
                violations.add("expiry run " + run.id() + " judged at tail " + report.end() + ", not a state of the log");
                continue;
            }
            long mustBy = Math.max(trimPointBy(run.completedMs()), firstNotHidden(later(run.retention(), expiryRetentionBy(run.completedMs()))));
            if (mustBy < report.end() && report.firstVisible() > mustBy) {
                violations.add("expiry run " + run.id() + " (judged " + run.judgedMs() + ", ended " + run.completedMs()
                        + ") reported the first visible record at " + report.firstVisible() + " of " + report.end() + ", but " + mustBy
                        + " stayed visible and was not trimmed");
            }
            LoggedCommit last = lastEndingAt(report.end());
            if (last != null && (report.lastWrittenMs().isEmpty() || report.lastWrittenMs().getAsLong() < last.stampMs()
                    || report.lastWrittenMs().getAsLong() > run.completedMs())) {
                violations.add("expiry run " + run.id() + " reported the last commit written at " + report.lastWrittenMs() + ", the store stamped "
                        + last.key() + " " + last.stampMs());
            }
        }
    }

    /**
     * Delete-on-empty (docs/LIFECYCLE.md): a janitor judged the stream empty at a tail E by an expiry run's
     * report, and deletable (nothing written for the minimum age), then asked to seal the log if its tail was
     * still E (StreamLog#sealIfAt). The rules:
     * <ul>
     * <li>every judgement acted on was right: each record below E was trimmed (the trim point of the state
     * at E) or hidden by a retention judged by the time the report was made (its own, or a later run's that
     * deleted what it hid: time only hides more), and the last write before E was the minimum age old by
     * the store's clock when it decided;</li>
     * <li>an answer true at E: the log is sealed, at E or later (another janitor's seal, found sealed), and
     * the seal was written by the time of the answer;</li>
     * <li>an answer false at E: the tail had moved past E, by a commit written by the time of the answer;
     * and the log was not sealed when the call began (found sealed is true);</li>
     * <li>the seal itself, at E_s: some seal-if-empty asked for E_s before it was written (nobody seals a
     * tail nobody judged empty), every record below E_s was trimmed or expired by the store's clock when it
     * was written, the minimum age had passed since the last write before it, every
     * acknowledged append ended at or before E_s, and no append invoked after it was acknowledged: each was
     * rejected as sealed, or failed;</li>
     * <li>nothing answers "sealed" (appends, reads, expiry runs) before the seal was written.</li>
     * </ul>
     * Nothing acknowledged and retained is lost: checked at the moment of the seal (above) and at the end (a
     * fresh instance finds nothing retained in a sealed log).
     */
    private void checkDeleteOnEmpty() {
        long minAge = world.config.deleteOnEmpty().minAgeMs();
        List<LogSimulation.SealRun> runs = List.copyOf(world.seals);
        if (runs.size() != world.sealsStarted()) {
            violations.add(world.sealsStarted() - runs.size() + " seal-if-empty calls never ended");
        }
        for (LogSimulation.SealRun run : runs) {
            String name = "seal-if-empty " + run.id() + (run.late() ? " (late)" : "") + " at " + run.report().end();
            long e = run.report().end();
            if (!boundaries.contains(e)) {
                violations.add(name + ": judged at a tail that is not a state of the log");
                continue;
            }
            // (trimmed by the highest trim point written by the time of the report: one past E, when the tail moved on
            // meanwhile and a trim run deleted what it trimmed, which the run then found gone; its seal cannot land)
            long judgedMs = run.judgement().completedMs();
            long trimmedTo = trimPointBy(judgedMs);
            ReadRequest.Retention own = run.judgement().retention();
            long visibleFrom = Math.max(trimmedTo, firstNotHidden(later(own, expiryRetentionBy(judgedMs))));
            if (visibleFrom < e) {
                LoggedCommit c = holding(visibleFrom);
                violations.add(name + " (report ended " + judgedMs + ") judged the stream empty, but record "
                        + visibleFrom + (c == null ? "" : " of commit " + c.key() + " stamped " + c.stampMs()) + " was neither trimmed (trim point "
                        + trimmedTo + ") nor hidden by a retention judged by then (its own hides stamps to " + own.hiddenAtOrBeforeMs() + ")");
            } else if (Math.max(trimPointAt.getOrDefault(e, 0L), firstNotHidden(later(own, expiryRetentionBy(judgedMs)))) < e) {
                count("empty judgements that a trim past their tail explains");
            } else if (Math.max(trimmedTo, firstNotHidden(own)) < e) {
                count("empty judgements that a later run's retention explains");
            }
            LoggedCommit last = lastEndingAt(e);
            long lastWrite = last == null ? LogSimulation.START_MS : last.stampMs();
            if (run.decidedMs() - lastWrite < minAge) {
                violations.add(name + " was decided at " + run.decidedMs() + ", only " + (run.decidedMs() - lastWrite)
                        + " ms after the last write (" + lastWrite + "), under the minimum age " + minAge);
            }
            if (run.outcome() instanceof Boolean sealed && sealed) {
                count(run.late() ? "late seal-if-empty answered true" : "seal-if-empty answered true");
                if (seal == null || seal.end() < e || seal.stampMs() > run.completedMs()) {
                    violations.add(name + " answered true at " + run.completedMs() + ", but "
                            + (seal == null ? "the log was never sealed" : "the seal at " + seal.end() + " was written at " + seal.stampMs()));
                }
            } else if (run.outcome() instanceof Boolean) {
                count(run.late() ? "late seal-if-empty answered false" : "seal-if-empty answered false");
                boolean moved = commits.stream().anyMatch(c -> c.end() > e && c.stampMs() <= run.completedMs());
                if (!moved) {
                    violations.add(name + " answered false at " + run.completedMs() + ", but no commit past " + e + " was written by then");
                }
                if (seal != null && seal.stampMs() <= run.invokedMs()) {
                    violations.add(name + " answered false, invoked at " + run.invokedMs() + " after the seal was written at " + seal.stampMs());
                }
            } else {
                count("seal-if-empty failed");
            }
        }
        if (seal != null) {
            count("streams sealed");
            count("virtual seconds before the seal", (seal.stampMs() - LogSimulation.START_MS) / 1000);
            count(seal.trimPoint() == seal.end() ? "streams sealed trimmed to the end" : "streams sealed with expired records");
            long at = seal.end();
            if (runs.stream().noneMatch(r -> r.report().end() == at && r.invokedMs() <= seal.stampMs())) {
                violations.add("the log was sealed at " + at + " (" + seal.key() + ", written at " + seal.stampMs()
                        + "), a tail no seal-if-empty invoked by then judged empty");
            }
            // Nothing acknowledged and retained is sealed away: when the seal was written, every record below it
            // was trimmed, or expired by the store's clock then (whatever the janitors judged).
            long retainedFrom = Math.max(trimPointBy(seal.stampMs()), firstNotHidden(world.config.expiry().at(seal.stampMs())));
            if (retainedFrom < at) {
                LoggedCommit c = holding(retainedFrom);
                violations.add("LOST: the log was sealed at " + at + " (written at " + seal.stampMs() + ") while record " + retainedFrom
                        + (c == null ? "" : " of commit " + c.key() + " stamped " + c.stampMs()) + " was neither trimmed (trim point "
                        + trimPointBy(seal.stampMs()) + ") nor expired");
            }
            long lastWrite = sealIndex == 0 ? LogSimulation.START_MS : commits.get(sealIndex - 1).stampMs();
            if (seal.stampMs() - lastWrite < minAge) {
                violations.add("the log was sealed at " + seal.stampMs() + ", only " + (seal.stampMs() - lastWrite)
                        + " ms after the last write, under the minimum age " + minAge);
            }
        }
        long clientsEnded = world.history.stream().mapToLong(LogSimulation.Op::completedMs).max().orElse(LogSimulation.START_MS);
        count("virtual seconds of the clients' work", (clientsEnded - LogSimulation.START_MS) / 1000);
        if (seal != null && seal.stampMs() < clientsEnded) {
            count("streams sealed while the clients worked");
        }
        for (LogSimulation.Op op : world.history) {
            if (!op.kind().equals("append")) {
                continue;
            }
            String name = opKey(op.client(), op.id());
            Object o = op.outcome();
            boolean rejectedSealed = o instanceof AppendOutcome.Rejected r && r.rejection() instanceof Rejection.StreamSealed;
            if (o instanceof AppendOutcome.Acked) {
                count("appends acked");
            }
            if (rejectedSealed) {
                count("appends rejected as sealed");
                if (seal == null || seal.stampMs() > op.completedMs()) {
                    violations.add(name + " (ended " + op.completedMs() + ") was rejected as sealed, "
                            + (seal == null ? "the log never was" : "the seal was written at " + seal.stampMs()));
                }
            }
            if (seal == null) {
                continue;
            }
            if (o instanceof AppendOutcome.Acked a && a.range().endSeq() > seal.end()) {
                violations.add(name + " was acked at " + a.range().startSeq() + ".." + a.range().endSeq() + ", past the seal at " + seal.end());
            }
            if (op.invokedMs() > seal.stampMs() && !rejectedSealed && !(o instanceof AppendOutcome.Failed)) {
                violations.add(name + ", invoked at " + op.invokedMs() + " after the seal was written (" + seal.stampMs() + "), ended with " + o);
            }
        }
    }

    /**
     * A search for the retention boundary that ran out of steps: a bisection over a few hundred commits
     * needs about ten, and one that fails on the store's faults fails with them; only a search that stops
     * making progress uses up its 128 steps (Reader#firstRetained).
     */
    private static boolean searchRanOut(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (String.valueOf(c.getMessage()).contains("retention boundary")) {
                return true;
            }
        }
        return false;
    }

    private void count(String what) {
        count(what, 1);
    }

    private void count(String what, long n) {
        retentionCounts.merge(what, n, Long::sum);
    }

    /** The commit holding {@code seq}, or null when no commit of the log does. */
    private LoggedCommit holding(long seq) {
        Map.Entry<Long, LoggedCommit> e = byStart.floorEntry(seq);
        return e == null || e.getValue().end() <= seq ? null : e.getValue();
    }

    /** The last commit of the log ending at {@code seq}, or null; not the seal (a stream's last write is the commit before it). */
    private LoggedCommit lastEndingAt(long seq) {
        LoggedCommit found = null;
        for (LoggedCommit c : commits) {
            if (c.end() == seq && c != seal) {
                found = c;
            }
        }
        return found;
    }

    /**
     * The first record of the log that {@code retention} does not hide: the start of the first commit
     * with records whose stamp it does not hide (stamps never decrease along the chain), else the end.
     */
    private long firstNotHidden(ReadRequest.Retention retention) {
        for (LoggedCommit c : byStart.values()) {
            if (!retention.hides(c.stampMs())) {
                return c.start();
            }
        }
        return end;
    }

    /** The highest trim point of a commit created at or before {@code ms}: no trim run could delete from higher by then. */
    private long trimPointBy(long ms) {
        long t = 0;
        for (LoggedCommit c : commits) {
            if (c.stampMs() <= ms) {
                t = Math.max(t, c.trimPoint());
            }
        }
        return t;
    }

    /** The retention of the latest expiry run judged at or before {@code ms}: it hides the most of any run judged by then. */
    private Optional<ReadRequest.Retention> expiryRetentionBy(long ms) {
        return world.expiries.stream().filter(run -> run.judgedMs() <= ms).map(LogSimulation.ExpiryRun::retention)
                .max(java.util.Comparator.comparingLong(ReadRequest.Retention::hiddenAtOrBeforeMs));
    }

    /** Whichever of the two hides more. */
    private static ReadRequest.Retention later(ReadRequest.Retention a, Optional<ReadRequest.Retention> b) {
        return b.isPresent() && b.get().hiddenAtOrBeforeMs() > a.hiddenAtOrBeforeMs() ? b.get() : a;
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
