package dev.brook.http;

import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import dev.brook.log.ReadRequest;
import java.util.OptionalLong;

/**
 * The read parameters of a session (spec §7.4): like a unary read's, but without the unary caps,
 * and with {@code wait} defaulting to "forever" when no bound is given. A {@code last-event-id}
 * (SSE resume) moves the start past what was delivered and takes it off the bounds.
 */
record SessionQuery(ReadRequest.Start start, boolean clamp, OptionalLong count, OptionalLong bytes, OptionalLong until,
                    OptionalLong waitMs, long deliveredCount, long deliveredBytes) {

    /** Whether the session follows the live tail after catching up (spec §7.1 may_follow). */
    boolean mayFollow() {
        return (count.isEmpty() && bytes.isEmpty() && until.isEmpty()) || waitMs.isEmpty() || waitMs.getAsLong() > 0;
    }

    static SessionQuery parse(java.util.function.Function<String, String> param, String lastEventId) {
        for (String name : new String[]{"seq_num", "timestamp", "tail_offset", "clamp", "count", "bytes", "until", "wait"}) {
            String v = param.apply(name);
            if (v != null && v.isEmpty()) {
                throw new S2Error(ErrorCode.BAD_QUERY, "Invalid query parameter `" + name + "`: empty value");
            }
        }
        String seqNum = param.apply("seq_num");
        String timestamp = param.apply("timestamp");
        String tailOffset = param.apply("tail_offset");
        int starts = (seqNum != null ? 1 : 0) + (timestamp != null ? 1 : 0) + (tailOffset != null ? 1 : 0);
        ReadRequest.Start start;
        if (seqNum != null) {
            start = new ReadRequest.Start.SeqNum(Http.unsignedQuery("seq_num", seqNum));
        } else if (timestamp != null) {
            start = new ReadRequest.Start.Timestamp(Http.u64Query("timestamp", timestamp));
        } else {
            start = new ReadRequest.Start.TailOffset(tailOffset == null ? 0 : Http.unsignedQuery("tail_offset", tailOffset));
        }
        boolean clamp = param.apply("clamp") != null && Http.boolQuery("clamp", param.apply("clamp"));
        OptionalLong count = optional("count", param.apply("count"));
        OptionalLong bytes = optional("bytes", param.apply("bytes"));
        OptionalLong until = param.apply("until") == null ? OptionalLong.empty() : OptionalLong.of(Http.u64Query("until", param.apply("until")));
        OptionalLong wait = optional("wait", param.apply("wait"));
        if (wait.isPresent() && wait.getAsLong() > 0xffff_ffffL) {
            throw new S2Error(ErrorCode.BAD_QUERY, "Invalid query parameter `wait`: out of range");
        }
        if (starts > 1) {
            throw S2Error.invalid("only one of seq_num, timestamp, or tail_offset can be provided");
        }
        if (start instanceof ReadRequest.Start.Timestamp t && until.isPresent() && Long.compareUnsigned(until.getAsLong(), t.timestamp()) <= 0) {
            throw S2Error.invalid("start `timestamp` exceeds or equal to `until`");
        }
        // Default wait: forever for an unbounded session, none for a bounded one.
        OptionalLong waitMs = wait.isPresent() ? OptionalLong.of(wait.getAsLong() * 1000)
                : count.isEmpty() && bytes.isEmpty() && until.isEmpty() ? OptionalLong.empty() : OptionalLong.of(0);
        long deliveredCount = 0;
        long deliveredBytes = 0;
        if (lastEventId != null) {
            String[] parts = lastEventId.trim().split(",", -1);
            try {
                if (parts.length != 3) {
                    throw new NumberFormatException();
                }
                start = new ReadRequest.Start.SeqNum(Long.parseUnsignedLong(parts[0]) + 1);
                deliveredCount = Long.parseUnsignedLong(parts[1]);
                deliveredBytes = Long.parseUnsignedLong(parts[2]);
            } catch (NumberFormatException e) {
                throw new S2Error(ErrorCode.BAD_HEADER, "Invalid header `last-event-id`: " + lastEventId);
            }
            count = minus(count, deliveredCount);
            bytes = minus(bytes, deliveredBytes);
        }
        return new SessionQuery(start, clamp, count, bytes, until, waitMs, deliveredCount, deliveredBytes);
    }

    private static OptionalLong optional(String name, String value) {
        return value == null ? OptionalLong.empty() : OptionalLong.of(Http.unsignedQuery(name, value));
    }

    private static OptionalLong minus(OptionalLong bound, long used) {
        return bound.isPresent() ? OptionalLong.of(Math.max(0, bound.getAsLong() - used)) : bound;
    }
}
