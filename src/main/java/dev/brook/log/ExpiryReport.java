package dev.brook.log;

import java.util.OptionalLong;

/**
 * What one expiry run found and did (docs/LIFECYCLE.md, "Retention"): the facts the janitor decides
 * the stream's next lifecycle check from, and delete-on-empty from.
 *
 * @param sealed          the log is sealed (being deleted): nothing was done
 * @param stale           the log enforces a newer configuration than the run was given: nothing was done
 * @param end             the tail (next sequence number)
 * @param firstVisible    the first record neither trimmed nor hidden by retention ({@code end} when none is)
 * @param lastWrittenMs   the store's stamp of the last commit (empty before the first)
 * @param oldestVisibleMs the store's stamp of the commit holding {@code firstVisible}, when there is one
 * @param deleted         commits deleted by this run
 * @param more            the run stopped at its budget with more to delete, or found its target deleted
 *                        by another run meanwhile and deleted nothing: run again
 */
public record ExpiryReport(boolean sealed, boolean stale, long end, long firstVisible, OptionalLong lastWrittenMs,
                           OptionalLong oldestVisibleMs, int deleted, boolean more) {

    static ExpiryReport nothing(boolean sealed, boolean stale) {
        return new ExpiryReport(sealed, stale, 0, 0, OptionalLong.empty(), OptionalLong.empty(), 0, false);
    }

    /** No record is visible: never written, trimmed or expired to the end. */
    public boolean empty() {
        return firstVisible >= end;
    }

    /**
     * Delete-on-empty's judgement (docs/LIFECYCLE.md, "Delete-on-empty"): no record is visible and nothing
     * was written for {@code minAgeMs} by the store's clock {@code storeNowMs}, counted from the last
     * commit's stamp, or from {@code createdAtMs} when there is none. The seal that follows must still find
     * the tail at {@link #end} ({@link StreamLog#sealIfAt}).
     */
    public boolean emptyFor(long minAgeMs, long storeNowMs, long createdAtMs) {
        return empty() && storeNowMs - lastWrittenMs.orElse(createdAtMs) >= minAgeMs;
    }
}
