package dev.brook.http.edge;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brook.core.SequencedRecord;
import dev.brook.http.errors.Replies;
import dev.brook.http.records.RecordJson;
import dev.brook.http.wire.Http;
import dev.brook.http.wire.ProtoCodec;
import dev.brook.http.wire.S2sFrames;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Optional;

/** The two wire forms of a read session: SSE events (spec §7.4) and S2S frames of ReadBatch (§8.4). */
final class SessionOutputs {

    private SessionOutputs() {}

    static final String SSE = "text/event-stream";
    static final String S2S = "s2s/proto";

    /** {@code batch} events with id {@code seq,count,bytes}, {@code ping} with the tail, {@code error}, {@code [DONE]}. */
    static ReadSession.Output sse(RecordJson.Format format) {
        return new ReadSession.Output() {
            @Override
            public String contentType() {
                return SSE;
            }

            @Override
            public Buffer batch(List<SequencedRecord> records, Optional<long[]> tail, long deliveredCount, long deliveredBytes) {
                long last = records.get(records.size() - 1).seqNum();
                return event("batch", last + "," + deliveredCount + "," + deliveredBytes,
                        Http.write(RecordJson.readBatch(records, tail.map(t -> RecordJson.position(t[0], t[1])), format)));
            }

            @Override
            public Buffer heartbeat(long tailSeq, long tailTimestamp, long nowMs) {
                ObjectNode n = JsonNodeFactory.instance.objectNode();
                n.put("timestamp", nowMs);
                n.set("tail", RecordJson.position(tailSeq, tailTimestamp));
                return event("ping", null, Http.write(n));
            }

            @Override
            public Buffer done() {
                return Buffer.buffer("data: [DONE]\n\n");
            }

            @Override
            public Buffer error(Replies.Error error) {
                return event("error", null, error.json());
            }
        };
    }

    private static Buffer event(String name, String id, String json) {
        StringBuilder sb = new StringBuilder();
        sb.append("event: ").append(name).append('\n');
        if (id != null) {
            sb.append("id: ").append(id).append('\n');
        }
        sb.append("data: ").append(json).append("\n\n");
        return Buffer.buffer(sb.toString());
    }

    /**
     * Regular frames of {@code ReadBatch} (a heartbeat is an empty one with the tail), compressed as
     * the client's {@code accept-encoding} allows; an error is a terminal frame; the normal end is the
     * end of the body, with no frame.
     */
    static ReadSession.Output s2s(Optional<String> compression) {
        return new ReadSession.Output() {
            @Override
            public String contentType() {
                return S2S;
            }

            @Override
            public Buffer batch(List<SequencedRecord> records, Optional<long[]> tail, long deliveredCount, long deliveredBytes) {
                return Buffer.buffer(S2sFrames.regular(ProtoCodec.encodeReadBatch(records, tail), compression));
            }

            @Override
            public Buffer heartbeat(long tailSeq, long tailTimestamp, long nowMs) {
                return Buffer.buffer(S2sFrames.regular(ProtoCodec.encodeReadBatch(List.of(), Optional.of(new long[]{tailSeq, tailTimestamp})),
                        compression));
            }

            @Override
            public Buffer done() {
                return Buffer.buffer();
            }

            @Override
            public Buffer error(Replies.Error error) {
                return Buffer.buffer(S2sFrames.terminal(error.status(), error.json()));
            }
        };
    }
}
