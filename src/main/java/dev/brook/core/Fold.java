package dev.brook.core;

import java.util.List;

/** The verdicts for a commit's batches, in order, and the stream state after the accepted ones. */
public record Fold(List<Verdict> verdicts, StreamState after) {
    public Fold {
        verdicts = List.copyOf(verdicts);
    }
}
