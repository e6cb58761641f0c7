package dev.brook.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides the batches of one commit (spec §6). A left fold: each batch is decided against the state
 * the previous accepted batch left, so a fence or a tail moved by batch N is what batch N+1 sees,
 * exactly as if they had been committed one by one. A rejected batch changes nothing.
 */
public final class AppendDecision {

    /** No limit on ordinary records beyond the sequence-number space itself. */
    public static final long RECORD_SEQ_NUM_UNLIMITED = Long.MAX_VALUE;

    private AppendDecision() {}

    public static Fold decide(StreamState base, List<AppendBatch> batches) {
        return decide(base, batches, RECORD_SEQ_NUM_UNLIMITED);
    }

    /**
     * As {@link #decide(StreamState, List)}, where no record but a command may be assigned a sequence
     * number above {@code recordSeqNumMax} (S2 limits records encrypted with aes-256-gcm to
     * {@link Limits#AES_256_GCM_SEQ_NUM_MAX}); the whole batch is rejected otherwise.
     */
    public static Fold decide(StreamState base, List<AppendBatch> batches, long recordSeqNumMax) {
        List<Verdict> verdicts = new ArrayList<>(batches.size());
        StreamState state = base;
        for (AppendBatch batch : batches) {
            Step step = decideOne(state, batch, recordSeqNumMax);
            verdicts.add(step.verdict());
            state = step.after();
        }
        return new Fold(verdicts, state);
    }

    private record Step(Verdict verdict, StreamState after) {}

    private static Step decideOne(StreamState state, AppendBatch batch, long recordSeqNumMax) {
        Optional<Rejection> rejection = rejection(state, batch, recordSeqNumMax);
        if (rejection.isPresent()) {
            return new Step(new Verdict.Rejected(rejection.get()), state);
        }
        return sequence(state, batch);
    }

    /** The checks in S2's order; the first that fails is the answer. */
    private static Optional<Rejection> rejection(StreamState state, AppendBatch batch, long recordSeqNumMax) {
        if (state.sealed()) {
            return Optional.of(new Rejection.StreamSealed());
        }
        Optional<Rejection.Invalid> invalid = BatchRules.check(batch);
        if (invalid.isPresent()) {
            return Optional.of(invalid.get());
        }
        if (batch.fencingToken().isPresent() && !batch.fencingToken().get().equals(state.fencingToken())) {
            return Optional.of(new Rejection.FencingTokenMismatch(state.fencingToken()));
        }
        if (batch.matchSeqNum().isPresent() && batch.matchSeqNum().getAsLong() != state.nextSeq()) {
            return Optional.of(new Rejection.SeqNumMismatch(state.nextSeq()));
        }
        return seqRoomProblem(state, batch).or(() -> recordProblem(state, batch, recordSeqNumMax));
    }

    /**
     * The end of the batch must still be a sequence number: the last record may take at most
     * {@code Long.MAX_VALUE - 1}. S2's wording for its own ceiling is reused.
     */
    private static Optional<Rejection> seqRoomProblem(StreamState state, AppendBatch batch) {
        int n = batch.records().size();
        if (n > Long.MAX_VALUE - state.nextSeq()) {
            // next + n - 1 < 2^64 since both are below 2^63: read as unsigned it is exact.
            String attempted = Long.toUnsignedString(state.nextSeq() + n - 1);
            return Optional.of(new Rejection.Invalid(
                    "max assignable sequence number is " + (Long.MAX_VALUE - 1) + "; attempted " + attempted));
        }
        return Optional.empty();
    }

    /**
     * Per record, in S2's order: the record's assigned sequence number against the limit of what it
     * is (commands have none), then its timestamp when the stream requires client timestamps.
     */
    private static Optional<Rejection> recordProblem(StreamState state, AppendBatch batch, long recordSeqNumMax) {
        boolean required = state.timestamping().mode() == TimestampingMode.CLIENT_REQUIRE;
        List<AppendRecord> records = batch.records();
        for (int i = 0; i < records.size(); i++) {
            AppendRecord r = records.get(i);
            long seq = state.nextSeq() + i; // no overflow: seqRoomProblem passed
            if (seq > recordSeqNumMax && !(Command.parse(r) instanceof Command.IsCommand)) {
                return Optional.of(new Rejection.Invalid("max assignable sequence number is " + recordSeqNumMax + "; attempted " + seq));
            }
            if (required && r.timestamp().isEmpty()) {
                return Optional.of(new Rejection.Invalid("record timestamp was required but was missing"));
            }
        }
        return Optional.empty();
    }

    /** Assigns positions and timestamps, then applies the commands in order. Cannot fail. */
    private static Step sequence(StreamState state, AppendBatch batch) {
        Timestamping timestamping = state.timestamping();
        long now = batch.arrivalMs();
        long max = state.lastTimestamp();
        long seq = state.nextSeq();
        String token = state.fencingToken();
        long trimPoint = state.trimPoint();
        List<SequencedRecord> out = new ArrayList<>(batch.records().size());
        for (AppendRecord r : batch.records()) {
            long ts = chosenTimestamp(timestamping.mode(), r, now);
            // Timestamps are u64 (client ones opaque): compared unsigned.
            if (!timestamping.uncapped() && Long.compareUnsigned(ts, now) > 0) {
                ts = now;
            }
            // Timestamps never go backwards along a stream; equal ones are fine.
            if (Long.compareUnsigned(ts, max) < 0) {
                ts = max;
            } else {
                max = ts;
            }
            out.add(new SequencedRecord(seq, ts, r.headers(), r.body()));
            if (Command.parse(r) instanceof Command.IsCommand c) {
                if (c.command() instanceof Command.Fence f) {
                    token = f.token();
                } else if (c.command() instanceof Command.Trim t) {
                    trimPoint = trimmedTo(trimPoint, t.point(), seq);
                }
            }
            seq++;
        }
        Verdict.Accepted accepted = new Verdict.Accepted(state.nextSeq(), seq, out.get(0).timestamp(),
                out.get(out.size() - 1).timestamp(), out);
        StreamState after = new StreamState(seq, max, token, trimPoint, state.configVersion(), timestamping, state.sealed());
        return new Step(accepted, after);
    }

    private static long chosenTimestamp(TimestampingMode mode, AppendRecord r, long now) {
        return switch (mode) {
            case CLIENT_PREFER -> r.timestamp().orElse(now);
            // The rejection step made sure every record has one.
            case CLIENT_REQUIRE -> r.timestamp().getAsLong();
            case ARRIVAL -> now;
        };
    }

    /**
     * A trim never deletes past its own record (so at most {@code trimSeq + 1}) and never moves the
     * trim point back: a lower request is a no-op.
     */
    private static long trimmedTo(long current, long requested, long trimSeq) {
        return Math.max(current, Math.min(requested, trimSeq + 1));
    }
}
