package dev.brook.http.records;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.ErrorCode;
import dev.brook.core.Header;
import dev.brook.core.Names;
import dev.brook.core.S2Error;
import dev.brook.core.SequencedRecord;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Records in S2's JSON (spec §5.2): header pairs as two-element arrays, and every header name,
 * value and body a string, read and written per {@code s2-format}: {@code raw} (UTF-8 text; reads
 * decode lossily) or {@code base64} (standard, padded, strict).
 */
public final class RecordJson {

    public enum Format {
        RAW, BASE64;

        /** The {@code s2-format} header: absent means raw; aliases json / json-binsafe; anything else is 400. */
        public static Format parse(String header) {
            if (header == null) {
                return RAW;
            }
            return switch (header.trim()) {
                case "raw", "json" -> RAW;
                case "base64", "json-binsafe" -> BASE64;
                default -> throw new S2Error(ErrorCode.BAD_HEADER, "Invalid header `s2-format`: " + header.trim());
            };
        }
    }

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private RecordJson() {}

    /** An AppendInput document; {@code arrivalMs} is the batch's single arrival time. */
    public static AppendBatch appendInput(JsonNode n, Format format, long arrivalMs) {
        if (n == null || !n.isObject()) {
            throw badJson("expected an AppendInput object");
        }
        JsonNode records = n.get("records");
        if (records == null || !records.isArray()) {
            throw badJson("missing field `records`");
        }
        List<AppendRecord> out = new ArrayList<>(records.size());
        for (JsonNode r : records) {
            out.add(record(r, format));
        }
        OptionalLong match = OptionalLong.empty();
        JsonNode m = n.get("match_seq_num");
        if (m != null && !m.isNull()) {
            match = OptionalLong.of(unsigned(m, "match_seq_num"));
        }
        Optional<String> token = Optional.empty();
        JsonNode t = n.get("fencing_token");
        if (t != null && !t.isNull()) {
            if (!t.isTextual()) {
                throw badJson("fencing_token: expected a string");
            }
            Optional<String> problem = Names.fencingToken(t.asText());
            if (problem.isPresent()) {
                throw badJson(problem.get());
            }
            token = Optional.of(t.asText());
        }
        return new AppendBatch(out, match, token, arrivalMs);
    }

    private static AppendRecord record(JsonNode r, Format format) {
        if (!r.isObject()) {
            throw badJson("records: expected objects");
        }
        OptionalLong timestamp = OptionalLong.empty();
        JsonNode ts = r.get("timestamp");
        if (ts != null && !ts.isNull()) {
            timestamp = OptionalLong.of(unsigned(ts, "timestamp"));
        }
        List<Header> headers = new ArrayList<>();
        JsonNode hs = r.get("headers");
        if (hs != null && !hs.isNull()) {
            if (!hs.isArray()) {
                throw badJson("headers: expected an array of [name, value] pairs");
            }
            for (JsonNode h : hs) {
                if (!h.isArray() || h.size() != 2 || !h.get(0).isTextual() || !h.get(1).isTextual()) {
                    throw badJson("headers: expected [name, value] pairs of strings");
                }
                headers.add(new Header(bytes(h.get(0).asText(), format), bytes(h.get(1).asText(), format)));
            }
        }
        JsonNode body = r.get("body");
        byte[] b = new byte[0];
        if (body != null && !body.isNull()) {
            if (!body.isTextual()) {
                throw badJson("body: expected a string");
            }
            b = bytes(body.asText(), format);
        }
        return new AppendRecord(timestamp, headers, b);
    }

    private static byte[] bytes(String s, Format format) {
        if (format == Format.RAW) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        try {
            byte[] decoded = Base64.getDecoder().decode(s);
            if (!Base64.getEncoder().encodeToString(decoded).equals(s)) {
                throw new IllegalArgumentException("not canonical");
            }
            return decoded;
        } catch (IllegalArgumentException e) {
            throw S2Error.invalid("invalid Base64 encoding");
        }
    }

    public static ObjectNode position(long seqNum, long timestamp) {
        ObjectNode n = JSON.objectNode();
        putU64(n, "seq_num", seqNum);
        putU64(n, "timestamp", timestamp);
        return n;
    }

    /** A u64 held in a long's bits. */
    static void putU64(ObjectNode n, String field, long value) {
        if (value >= 0) {
            n.put(field, value);
        } else {
            n.put(field, new java.math.BigInteger(Long.toUnsignedString(value)));
        }
    }

    /** Characters beyond the BMP as UTF-8, as the tree encoding writes them (not as escaped surrogate pairs). */
    private static final com.fasterxml.jackson.core.JsonFactory STREAMING = com.fasterxml.jackson.core.JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.json.JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build();

    /**
     * A ReadBatch (spec §5.2): {@code records} always, {@code tail} only when given (live reads), as
     * UTF-8 JSON written straight to bytes: no tree, no intermediate String. A follower that lags reads a range nobody else reads, so its batch is encoded
     * for it alone; a cheap encoding keeps a lagging server from falling further behind.
     *
     * @param tail the tail (seq_num, timestamp) for live reads, else empty
     */
    public static byte[] readBatchBytes(List<SequencedRecord> records, Optional<long[]> tail, Format format) {
        Scratch out = SCRATCH.get();
        out.count = 0;
        try (com.fasterxml.jackson.core.JsonGenerator g = STREAMING.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("records");
            for (SequencedRecord r : records) {
                g.writeStartObject();
                writeU64(g, "seq_num", r.seqNum());
                writeU64(g, "timestamp", r.timestamp());
                if (!r.headers().isEmpty()) {
                    g.writeArrayFieldStart("headers");
                    for (Header h : r.headers()) {
                        g.writeStartArray();
                        writeText(g, h.name(), format);
                        writeText(g, h.value(), format);
                        g.writeEndArray();
                    }
                    g.writeEndArray();
                }
                if (r.body().length > 0) {
                    g.writeFieldName("body");
                    writeText(g, r.body(), format);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            if (tail.isPresent()) {
                g.writeObjectFieldStart("tail");
                writeU64(g, "seq_num", tail.get()[0]);
                writeU64(g, "timestamp", tail.get()[1]);
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("writing JSON to memory cannot fail", e);
        }
        return out.take();
    }

    /**
     * Where the read encoder writes, one per thread, kept between batches: the batch is then copied out
     * once at its exact size. A fresh buffer per batch, sized by an estimate, was a fifth of all the
     * server allocated with three live readers at 8 writers × 100 records, and from 512 KiB on each one
     * was a humongous G1 object (docs/DECISIONS.md 53). Only a buffer of at most 2 MiB is kept.
     */
    private static final class Scratch extends java.io.OutputStream {
        private static final int FIRST = 64 * 1024;
        private static final int KEPT_MAX = 2 << 20;
        private byte[] buf = new byte[FIRST];
        private int count;

        @Override
        public void write(int b) {
            room(1);
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            room(len);
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        private void room(int more) {
            if (count + more > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
            }
        }

        byte[] take() {
            byte[] out = java.util.Arrays.copyOf(buf, count);
            count = 0;
            if (buf.length > KEPT_MAX) {
                buf = new byte[FIRST];
            }
            return out;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static void writeU64(com.fasterxml.jackson.core.JsonGenerator g, String field, long value) throws java.io.IOException {
        g.writeFieldName(field);
        if (value >= 0) {
            g.writeNumber(value);
        } else {
            g.writeNumber(Long.toUnsignedString(value)); // a u64 above 2^63 - 1, held in a long's bits
        }
    }

    /**
     * A header name, header value or body as a JSON string: raw bytes that are printable ASCII
     * without a quote or a backslash go out as they are (one scan, one copy), other ASCII escaped.
     */
    private static void writeText(com.fasterxml.jackson.core.JsonGenerator g, byte[] bytes, Format format) throws java.io.IOException {
        if (format != Format.RAW) {
            g.writeString(text(bytes, format));
            return;
        }
        switch (asciiKind(bytes)) {
            case PLAIN -> g.writeRawUTF8String(bytes, 0, bytes.length);
            case ESCAPED -> g.writeUTF8String(bytes, 0, bytes.length);
            default -> g.writeString(text(bytes, format)); // UTF-8 decoded lossily, as the tree encoding does
        }
    }

    private enum AsciiKind { PLAIN, ESCAPED, NOT_ASCII }

    /** Printable ASCII with nothing to escape, ASCII that needs escapes, or not ASCII. */
    private static AsciiKind asciiKind(byte[] bytes) {
        int plain = PlainAscii.end(bytes, 0);
        if (plain == bytes.length) {
            return AsciiKind.PLAIN;
        }
        AsciiKind kind = AsciiKind.ESCAPED;
        for (int i = plain; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b < 0) {
                return AsciiKind.NOT_ASCII;
            }
        }
        return kind;
    }

    static String text(byte[] bytes, Format format) {
        if (format == Format.BASE64) {
            return Base64.getEncoder().encodeToString(bytes);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("REPLACE never throws", e);
        }
    }

    /** A u64 (up to 2^64 - 1), returned in a long's bits. */
    private static long unsigned(JsonNode n, String field) {
        if (!n.isIntegralNumber()) {
            throw badJson(field + ": expected an unsigned 64-bit integer");
        }
        java.math.BigInteger v = n.bigIntegerValue();
        if (v.signum() < 0 || v.bitLength() > 64) {
            throw badJson(field + ": expected an unsigned 64-bit integer");
        }
        return v.longValue();
    }

    private static S2Error badJson(String message) {
        return new S2Error(ErrorCode.BAD_JSON, message);
    }
}
