package dev.brook.log;

import java.util.OptionalLong;

/**
 * A read that returns what is stored now (no waiting): where to start and when to stop. Bounds are
 * applied as S2 does (spec §7.2): a record is delivered only if it fits the count, the metered
 * bytes and comes before {@code until}; the read stops at the first that does not.
 *
 * @param count  records at most (the caller caps it for unary reads)
 * @param bytes  metered bytes at most
 * @param until  exclusive timestamp bound
 * @param clamp  start at the tail rather than fail when the start lies beyond it
 * @param follow the caller waits at the tail (spec §7.1 may_follow): a start at the tail is then not a 416
 * @param retention what the stream's retention hides
 */
public record ReadRequest(Start start, long count, long bytes, OptionalLong until, boolean clamp, boolean follow,
                          Retention retention) {

    /** A read that does not wait. */
    public ReadRequest(Start start, long count, long bytes, OptionalLong until, boolean clamp) {
        this(start, count, bytes, until, clamp, false);
    }

    /** A read that hides nothing by age (the caller applies no retention). */
    public ReadRequest(Start start, long count, long bytes, OptionalLong until, boolean clamp, boolean follow) {
        this(start, count, bytes, until, clamp, follow, Retention.NONE);
    }

    /** This read under {@code r}. */
    public ReadRequest withRetention(Retention r) {
        return new ReadRequest(start, count, bytes, until, clamp, follow, r);
    }

    /**
     * What retention hides from a read (docs/LIFECYCLE.md, "Retention"): the records of every commit
     * the store stamped at or before {@code hiddenAtOrBeforeMs} (by its Last-Modified, in whole seconds),
     * as the stream's configuration at {@code configVersion} says. A log that enforces a newer
     * configuration than that answers {@link ReadOutcome.Reconfigured}: the caller's configuration is
     * stale and the read is asked again with the current one.
     */
    public record Retention(long configVersion, long hiddenAtOrBeforeMs) {
        /** Hides nothing and never asks for a newer configuration. */
        public static final Retention NONE = new Retention(Long.MAX_VALUE, Long.MIN_VALUE);

        /** Under {@code configVersion}, keeping everything (infinite retention). */
        public static Retention keepAll(long configVersion) {
            return new Retention(configVersion, Long.MIN_VALUE);
        }

        /** Under {@code configVersion}, hiding what is older than {@code ageSecs} at the store's {@code nowMs}. */
        public static Retention age(long configVersion, long ageSecs, long nowMs) {
            long ageMs = ageSecs > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : ageSecs * 1000;
            return new Retention(configVersion, nowMs - ageMs < nowMs ? nowMs - ageMs : Long.MIN_VALUE);
        }

        public boolean hidesAny() {
            return hiddenAtOrBeforeMs != Long.MIN_VALUE;
        }

        /** Whether the records of a commit the store stamped {@code lastModifiedMs} are hidden. */
        public boolean hides(long lastModifiedMs) {
            return hidesAny() && Math.floorDiv(lastModifiedMs, 1000) * 1000 <= hiddenAtOrBeforeMs;
        }
    }

    public sealed interface Start {
        record SeqNum(long seqNum) implements Start {}

        record Timestamp(long timestamp) implements Start {}

        record TailOffset(long offset) implements Start {}
    }

    public ReadRequest {
        if (retention == null) {
            throw new IllegalArgumentException("a read names its retention (Retention.NONE for none)");
        }
        if (count < 0 || bytes < 0) {
            throw new IllegalArgumentException("negative read bounds");
        }
    }
}
