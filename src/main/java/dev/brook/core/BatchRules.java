package dev.brook.core;

import java.util.Optional;

/**
 * The rules a batch must keep whatever the stream's state (spec §5.4, §5.5). They are checked in
 * S2's order: each record in turn (its headers and command, then its size), then the batch's count
 * and size, then its fencing token. So a batch with several faults reports the one S2 would.
 */
public final class BatchRules {

    private BatchRules() {}

    public static Optional<Rejection.Invalid> check(AppendBatch b) {
        for (AppendRecord r : b.records()) {
            Optional<String> problem = recordProblem(r);
            if (problem.isPresent()) {
                return problem.map(Rejection.Invalid::new);
            }
        }
        return batchProblem(b).map(Rejection.Invalid::new);
    }

    private static Optional<String> recordProblem(AppendRecord r) {
        if (Command.parse(r) instanceof Command.Malformed m) {
            return Optional.of(m.message());
        }
        if (r.meteredBytes() > Limits.RECORD_METERED_BYTES_MAX) {
            return Optional.of("record must have metered size less than 1 MiB");
        }
        return Optional.empty();
    }

    private static Optional<String> batchProblem(AppendBatch b) {
        if (b.records().isEmpty()) {
            return Optional.of("record batch must not be empty");
        }
        if (b.records().size() > Limits.BATCH_RECORDS_MAX) {
            return Optional.of("record batch must not exceed " + Limits.BATCH_RECORDS_MAX + " records");
        }
        if (b.meteredBytes() > Limits.BATCH_METERED_BYTES_MAX) {
            return Optional.of("record batch must not exceed a metered size of 1 MiB");
        }
        return b.fencingToken().flatMap(Names::fencingToken);
    }
}
