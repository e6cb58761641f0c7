package dev.brook.core;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One client batch as it reaches the decision: its records, its conditions, and the single arrival
 * time (ms, already checked against the store's clock) that all its records share. The arrival time
 * is fixed when the batch arrives and kept when it is decided again after a conflict.
 */
public record AppendBatch(List<AppendRecord> records, OptionalLong matchSeqNum, Optional<String> fencingToken, long arrivalMs) {

    public AppendBatch {
        records = List.copyOf(records);
    }

    public long meteredBytes() {
        long total = 0;
        for (AppendRecord r : records) {
            total += r.meteredBytes();
        }
        return total;
    }

    /** Whether a record of this batch is a trim command (spec §5.5): its storage is freed in the background. */
    public boolean carriesTrim() {
        for (AppendRecord r : records) {
            // Only a record with exactly one header can be a command: the common case costs no parse.
            if (r.headers().size() == 1 && Command.parse(r) instanceof Command.IsCommand c && c.command() instanceof Command.Trim) {
                return true;
            }
        }
        return false;
    }
}
