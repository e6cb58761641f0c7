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
 */
public record ReadRequest(Start start, long count, long bytes, OptionalLong until, boolean clamp, boolean follow) {

    /** A read that does not wait. */
    public ReadRequest(Start start, long count, long bytes, OptionalLong until, boolean clamp) {
        this(start, count, bytes, until, clamp, false);
    }

    public sealed interface Start {
        record SeqNum(long seqNum) implements Start {}

        record Timestamp(long timestamp) implements Start {}

        record TailOffset(long offset) implements Start {}
    }

    public ReadRequest {
        if (count < 0 || bytes < 0) {
            throw new IllegalArgumentException("negative read bounds");
        }
    }
}
