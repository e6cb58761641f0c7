package dev.brook.http.records;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brook.core.ErrorCode;
import dev.brook.core.Limits;
import dev.brook.core.Names;
import dev.brook.core.Rejection;
import dev.brook.core.S2Error;
import dev.brook.http.errors.PreconditionFailed;
import dev.brook.http.errors.RangeNotSatisfiable;
import dev.brook.http.wire.Http;
import dev.brook.log.AppendOutcome;
import dev.brook.log.ReadRequest;
import java.util.List;
import java.util.OptionalLong;

/** What the record endpoints share: stream names, read requests, and how append outcomes answer. */
public final class Records {

    private Records() {}

    public static String stream(String stream) {
        return Http.pathName(stream, Names::streamName);
    }

    /**
     * A read's query parameters as sent (spec §7.1), parsed and checked the same way, in the same
     * order, for unary reads and sessions: values first (400 {@code bad_query}), then how they
     * combine (422 {@code invalid}). Absent bounds stay absent; each caller applies its defaults.
     */
    public record ReadParams(ReadRequest.Start start, boolean clamp, OptionalLong count, OptionalLong bytes, OptionalLong until,
                      OptionalLong waitSecs) {

        public static ReadParams parse(java.util.function.Function<String, String> param) {
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
            OptionalLong count = unsigned("count", param.apply("count"));
            OptionalLong bytes = unsigned("bytes", param.apply("bytes"));
            OptionalLong until = param.apply("until") == null ? OptionalLong.empty() : OptionalLong.of(Http.u64Query("until", param.apply("until")));
            OptionalLong wait = unsigned("wait", param.apply("wait"));
            if (wait.isPresent() && wait.getAsLong() > 0xffff_ffffL) {
                throw new S2Error(ErrorCode.BAD_QUERY, "Invalid query parameter `wait`: out of range");
            }
            if (starts > 1) {
                throw S2Error.invalid("only one of seq_num, timestamp, or tail_offset can be provided");
            }
            if (start instanceof ReadRequest.Start.Timestamp t && until.isPresent() && Long.compareUnsigned(until.getAsLong(), t.timestamp()) <= 0) {
                throw S2Error.invalid("start `timestamp` exceeds or equal to `until`");
            }
            return new ReadParams(start, clamp, count, bytes, until, wait);
        }

        private static OptionalLong unsigned(String name, String value) {
            return value == null ? OptionalLong.empty() : OptionalLong.of(Http.unsignedQuery(name, value));
        }
    }

    /** The parsed read query, validated before anything is looked up or auto-created. */
    record ReadQuery(ReadRequest request, long waitSecs) {}

    /** A unary read's query: the parameters with the unary caps (spec §7.3). */
    static ReadQuery readQuery(java.util.function.Function<String, String> param) {
        ReadParams p = ReadParams.parse(param);
        long c = Math.min(p.count().orElse(Limits.READ_RECORDS_MAX), Limits.READ_RECORDS_MAX);
        long b = Math.min(p.bytes().orElse(Limits.READ_METERED_BYTES_MAX), Limits.READ_METERED_BYTES_MAX);
        long waitSecs = Math.min(p.waitSecs().orElse(0), Limits.UNARY_READ_WAIT_MS_MAX / 1000);
        return new ReadQuery(new ReadRequest(p.start(), c, b, p.until(), p.clamp(), waitSecs > 0), waitSecs);
    }

    static ObjectNode ack(AppendOutcome.Acked a) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.set("start", RecordJson.position(a.range().startSeq(), a.range().startTimestamp()));
        n.set("end", RecordJson.position(a.range().endSeq(), a.range().endTimestamp()));
        n.set("tail", RecordJson.position(a.tailSeq(), a.tailTimestamp()));
        return n;
    }

    /** Every outcome that is not an ack, as S2 answers it. */
    public static RuntimeException failure(String basin, String stream, AppendOutcome outcome) {
        if (outcome instanceof AppendOutcome.Rejected r) {
            Rejection why = r.rejection();
            if (why instanceof Rejection.SeqNumMismatch m) {
                return new PreconditionFailed(JsonNodeFactory.instance.objectNode().put("seq_num_mismatch", m.expected()));
            }
            if (why instanceof Rejection.FencingTokenMismatch f) {
                return new PreconditionFailed(JsonNodeFactory.instance.objectNode().put("fencing_token_mismatch", f.current()));
            }
            if (why instanceof Rejection.Invalid i) {
                return S2Error.invalid(i.message());
            }
            return S2Error.streamDeletionPending(basin, stream);
        }
        AppendOutcome.Failed f = (AppendOutcome.Failed) outcome;
        return switch (f.failure()) {
            case OUTCOME_UNKNOWN -> new S2Error(ErrorCode.UNAVAILABLE, "the append may or may not have been written: " + f.message());
            case CONTENDED -> new S2Error(ErrorCode.HOT_SERVER, "the stream is contended, nothing was written: " + f.message());
            case UNAVAILABLE -> new S2Error(ErrorCode.UNAVAILABLE, "storage unavailable: " + f.message());
            case SESSION_BROKEN -> new S2Error(ErrorCode.UNAVAILABLE, "not written: " + f.message());
        };
    }

    /** A 416 with the tail, as S2 answers a read that starts past it. */
    public static RangeNotSatisfiable rangeNotSatisfiable(long tailSeq, long tailTimestamp) {
        return new RangeNotSatisfiable(RecordJson.position(tailSeq, tailTimestamp));
    }

    static final List<String> JSON_TYPES = List.of("application/json");
}
