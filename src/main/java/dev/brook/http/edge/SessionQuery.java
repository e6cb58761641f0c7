package dev.brook.http.edge;

import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import dev.brook.http.records.Records;
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
        Records.ReadParams p = Records.ReadParams.parse(param);
        ReadRequest.Start start = p.start();
        boolean clamp = p.clamp();
        OptionalLong count = p.count();
        OptionalLong bytes = p.bytes();
        OptionalLong until = p.until();
        OptionalLong wait = p.waitSecs();
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
                // Brook emits no value at or above 2^63 (positions and counters are longs), so such a
                // value (negative once parsed) is not ours and is refused, never wrapped (docs/DECISIONS.md 17).
                long last = Long.parseUnsignedLong(parts[0]);
                deliveredCount = Long.parseUnsignedLong(parts[1]);
                deliveredBytes = Long.parseUnsignedLong(parts[2]);
                if (last < 0 || last == Long.MAX_VALUE || deliveredCount < 0 || deliveredBytes < 0) {
                    throw new NumberFormatException();
                }
                start = new ReadRequest.Start.SeqNum(last + 1);
            } catch (NumberFormatException e) {
                throw new S2Error(ErrorCode.BAD_HEADER, "Invalid header `last-event-id`: " + lastEventId);
            }
            count = minus(count, deliveredCount);
            bytes = minus(bytes, deliveredBytes);
        }
        return new SessionQuery(start, clamp, count, bytes, until, waitMs, deliveredCount, deliveredBytes);
    }

    private static OptionalLong minus(OptionalLong bound, long used) {
        return bound.isPresent() ? OptionalLong.of(Math.max(0, bound.getAsLong() - used)) : bound;
    }
}
