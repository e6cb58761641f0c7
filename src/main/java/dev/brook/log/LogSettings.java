package dev.brook.log;

/**
 * The bounds of the log's loops and batches. Defaults suit a deployment; tests shrink them to reach
 * edge cases quickly.
 *
 * @param commitBatchesMax     client batches one commit may carry
 * @param commitBytesMax       metered bytes one commit may carry (one PUT, never multipart)
 * @param commitAttemptsMax    commits tried for one group of batches before giving up
 * @param appendDeadlineMs     time from the start of a group commit to its last attempt (below the SDK's 5 s)
 * @param resendsMax           byte-identical resends of one payload whose outcome is unknown
 * @param tailHopsMax          successors followed by HEAD before falling back to LIST
 * @param floorHopsMax         floor versions followed by HEAD before falling back to LIST
 * @param listProbesMax        LIST probes of one cold tail discovery
 * @param readCommitsMax       commits one read request may fetch
 * @param hintEveryCommits     how often a writer refreshes the hint
 * @param deleteKeysMax        commits one trim run may delete
 * @param loopDeadlineMs       time any one loop over storage may take before it gives up
 * @param segmentCellRecords   sequence numbers per compaction cell: persistent (segment keys are cell starts), so
 *                             only tests change it ({@link Segments#CELL_RECORDS})
 */
public record LogSettings(int commitBatchesMax, long commitBytesMax, int commitAttemptsMax, long appendDeadlineMs,
                          int resendsMax, int tailHopsMax, int floorHopsMax, int listProbesMax, int readCommitsMax,
                          int hintEveryCommits, int deleteKeysMax, long loopDeadlineMs, int segmentCellRecords) {

    public static final LogSettings DEFAULT = new LogSettings(1000, 8L << 20, 8, 4_000, 3, 16, 8, 256, 1024, 64, 10_000, 10_000);

    /** Settings with the persistent compaction cell ({@link Segments#CELL_RECORDS}). */
    public LogSettings(int commitBatchesMax, long commitBytesMax, int commitAttemptsMax, long appendDeadlineMs,
                       int resendsMax, int tailHopsMax, int floorHopsMax, int listProbesMax, int readCommitsMax,
                       int hintEveryCommits, int deleteKeysMax, long loopDeadlineMs) {
        this(commitBatchesMax, commitBytesMax, commitAttemptsMax, appendDeadlineMs, resendsMax, tailHopsMax, floorHopsMax,
                listProbesMax, readCommitsMax, hintEveryCommits, deleteKeysMax, loopDeadlineMs, Segments.CELL_RECORDS);
    }

    /** These settings with compaction cells of {@code records} (tests). */
    public LogSettings withSegmentCellRecords(int records) {
        return new LogSettings(commitBatchesMax, commitBytesMax, commitAttemptsMax, appendDeadlineMs, resendsMax, tailHopsMax,
                floorHopsMax, listProbesMax, readCommitsMax, hintEveryCommits, deleteKeysMax, loopDeadlineMs, records);
    }

    /** A deadline for one loop, starting now. */
    Loops.Deadline loopDeadline(java.util.function.LongSupplier nanoClock) {
        return Loops.Deadline.in(nanoClock, loopDeadlineMs);
    }
}
