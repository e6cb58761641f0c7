package dev.brook.log;

/** What one compaction run did: segments written, commit objects they replaced, and whether more cells are ready. */
public record CompactionReport(int segments, int commits, boolean more) {
    static final CompactionReport NOTHING = new CompactionReport(0, 0, false);
}
