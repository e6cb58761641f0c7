package dev.brook.http.edge;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brook.core.SequencedRecord;
import dev.brook.http.errors.Replies;
import dev.brook.http.records.RecordJson;
import dev.brook.http.wire.Http;
import dev.brook.http.wire.S2sFrames;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Optional;

/** The two wire forms of a read session: SSE events (spec §7.4) and S2S frames of ReadBatch (§8.4). */
final class SessionOutputs {

    private SessionOutputs() {}

    /**
     * Encoded batches shared by the sessions that send the same records in the same form: followers of
     * one stream in one process are woken by one commit and read the same record objects from the
     * commit cache, so each batch is encoded once for all of them instead of once per session
     * (docs/LOG.md, "Fan-out"). Keys compare the first and last record by identity (the same decoded
     * commits, hence the same records between them) and the tail; entries are small and few.
     */
    static final class Shared {
        static final int ENTRIES_MAX = 256;
        static final int BYTES_MAX_EACH = 64 * 1024;

        private record Key(SequencedRecord first, SequencedRecord last, int size, long tailSeq, long tailTimestamp, String form) {
            @Override
            public boolean equals(Object o) {
                return o instanceof Key k && k.first == first && k.last == last && k.size == size && k.tailSeq == tailSeq
                        && k.tailTimestamp == tailTimestamp && k.form.equals(form);
            }

            @Override
            public int hashCode() {
                return ((System.identityHashCode(first) * 31 + System.identityHashCode(last)) * 31 + Long.hashCode(tailSeq)) * 31
                        + form.hashCode();
            }
        }

        private final java.util.LinkedHashMap<Key, byte[]> encoded = new java.util.LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(java.util.Map.Entry<Key, byte[]> eldest) {
                return size() > ENTRIES_MAX;
            }
        };
        private final java.util.concurrent.atomic.AtomicLong hits = new java.util.concurrent.atomic.AtomicLong();

        byte[] encode(List<SequencedRecord> records, Optional<long[]> tail, String form, java.util.function.Supplier<byte[]> encoder) {
            Key key = new Key(records.get(0), records.get(records.size() - 1), records.size(), tail.map(t -> t[0]).orElse(-1L),
                    tail.map(t -> t[1]).orElse(-1L), form);
            synchronized (this) {
                byte[] known = encoded.get(key);
                if (known != null) {
                    hits.incrementAndGet();
                    return known;
                }
            }
            byte[] bytes = encoder.get();
            if (bytes.length <= BYTES_MAX_EACH) {
                synchronized (this) {
                    encoded.put(key, bytes);
                }
            }
            return bytes;
        }

        long hits() {
            return hits.get();
        }
    }

    static final Shared SHARED = new Shared();

    static final String SSE = "text/event-stream";
    /** The blank line that ends an SSE event; never written to (it is shared by every event). */
    private static final byte[] EVENT_END = {'\n', '\n'};
    static final String S2S = "s2s/proto";

    /** {@code batch} events with id {@code seq,count,bytes}, {@code ping} with the tail, {@code error}, {@code [DONE]}. */
    static ReadSession.Output sse(RecordJson.Format format) {
        String form = "sse:" + format; // the shared encoding's key, built once per session, not per batch
        return new ReadSession.Output() {
            @Override
            public String contentType() {
                return SSE;
            }

            @Override
            public String form() {
                return form;
            }

            @Override
            public Buffer batch(List<SequencedRecord> records, Optional<long[]> tail, long deliveredCount, long deliveredBytes) {
                long last = records.get(records.size() - 1).seqNum();
                byte[] data = SHARED.encode(records, tail, form, () -> RecordJson.readBatchBytes(records, tail, format));
                // The shared encoding is not copied: the event is its own head, the shared data and the end.
                byte[] head = ("event: batch\nid: " + last + "," + deliveredCount + "," + deliveredBytes + "\ndata: ")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                return Buffer.buffer(io.netty.buffer.Unpooled.wrappedBuffer(head, data, EVENT_END));
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
        String form = "s2s:" + compression.orElse(""); // the shared encoding's key, built once per session
        return new ReadSession.Output() {
            @Override
            public String contentType() {
                return S2S;
            }

            @Override
            public String form() {
                return form;
            }

            @Override
            public Buffer batch(List<SequencedRecord> records, Optional<long[]> tail, long deliveredCount, long deliveredBytes) {
                return Http.wrap(SHARED.encode(records, tail, form, () -> S2sFrames.readBatch(records, tail, compression)));
            }

            @Override
            public Buffer heartbeat(long tailSeq, long tailTimestamp, long nowMs) {
                return Http.wrap(S2sFrames.readBatch(List.of(), Optional.of(new long[]{tailSeq, tailTimestamp}), compression));
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
