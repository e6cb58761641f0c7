package dev.brook.http.wire;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.ErrorCode;
import dev.brook.core.Header;
import dev.brook.core.S2Error;
import dev.brook.core.SequencedRecord;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The protobuf messages of {@code package s2.v1} (spec §5.1), by hand in the proto3 wire format:
 * no protobuf runtime and no generated code, so nothing for native-image to reflect over.
 *
 * <p>Decoding follows what S2 Lite's decoder (prost) accepts: unknown fields of every non-group wire
 * type are skipped, a repeated scalar field's last value wins, a repeated message field merges;
 * anything malformed is 400 {@code bad_proto}. Every allocation is bounded by the input: a length is
 * checked against the bytes that remain before anything is copied. uint64 values above
 * {@link Long#MAX_VALUE} are rejected, as the JSON codec rejects them, so every value Brook holds is
 * non-negative; the encoders refuse negative values as a programmer error.
 *
 * <p>Encoding is canonical proto3: implicit-presence fields equal to their default are omitted,
 * {@code optional} fields and message fields are written whenever present.
 */
public final class ProtoCodec {

    /** A {@code StreamPosition}. */
    public record Position(long seqNum, long timestamp) {

        static final Position ZERO = new Position(0, 0);
    }

    /** An {@code AppendAck}; a missing {@code tail} decodes as {@code end}, as the TS SDK reads it. */
    public record AppendAck(Position start, Position end, Position tail) {}

    /** A {@code ReadBatch}; {@code tail} only on live reads and heartbeats. */
    public record ReadBatch(List<SequencedRecord> records, Optional<Position> tail) {

        public ReadBatch {
            records = List.copyOf(records);
        }
    }

    static final int WIRE_VARINT = 0;
    static final int WIRE_FIXED64 = 1;
    static final int WIRE_LEN = 2;
    static final int WIRE_GROUP_START = 3;
    static final int WIRE_GROUP_END = 4;
    static final int WIRE_FIXED32 = 5;

    /** A 64-bit varint takes at most 10 bytes, and the tenth may only carry the top bit. */
    static final int VARINT_BYTES_MAX = 10;
    static final int FIXED64_BYTES = 8;
    static final int FIXED32_BYTES = 4;
    /** Tags are uint32 on the wire; field numbers run 1..2^29-1. */
    static final long TAG_MAX = 0xFFFF_FFFFL;
    static final int FIELD_NUMBER_MAX = (1 << 29) - 1;

    static final String ERROR_PREFIX = "Invalid protobuf body: ";

    // Field numbers, per message (spec §5.1). Persistent: never renumber.
    static final int POSITION_SEQ_NUM = 1;
    static final int POSITION_TIMESTAMP = 2;
    static final int HEADER_NAME = 1;
    static final int HEADER_VALUE = 2;
    static final int APPEND_RECORD_TIMESTAMP = 1;
    static final int APPEND_RECORD_HEADERS = 2;
    static final int APPEND_RECORD_BODY = 3;
    static final int APPEND_INPUT_RECORDS = 1;
    static final int APPEND_INPUT_MATCH_SEQ_NUM = 2;
    static final int APPEND_INPUT_FENCING_TOKEN = 3;
    static final int APPEND_ACK_START = 1;
    static final int APPEND_ACK_END = 2;
    static final int APPEND_ACK_TAIL = 3;
    static final int SEQUENCED_RECORD_SEQ_NUM = 1;
    static final int SEQUENCED_RECORD_TIMESTAMP = 2;
    static final int SEQUENCED_RECORD_HEADERS = 3;
    static final int SEQUENCED_RECORD_BODY = 4;
    static final int READ_BATCH_RECORDS = 1;
    static final int READ_BATCH_TAIL = 2;

    private static final byte[] EMPTY = new byte[0];

    private ProtoCodec() {}

    // ---------------------------------------------------------------- decoding

    /** An {@code AppendInput} body; {@code arrivalMs} is the batch's single arrival time. */
    public static AppendBatch decodeAppendInput(byte[] body, long arrivalMs) {
        Reader in = new Reader(body, 0, body.length);
        List<AppendRecord> records = new ArrayList<>();
        OptionalLong matchSeqNum = OptionalLong.empty();
        Optional<String> fencingToken = Optional.empty();
        while (in.hasMore()) {
            long tag = in.tag();
            switch (fieldNumber(tag)) {
                case APPEND_INPUT_RECORDS -> records.add(appendRecord(in.message(tag, "AppendInput.records")));
                case APPEND_INPUT_MATCH_SEQ_NUM -> matchSeqNum = OptionalLong.of(in.uint64(tag, "AppendInput.match_seq_num"));
                case APPEND_INPUT_FENCING_TOKEN -> fencingToken = Optional.of(utf8(in.bytes(tag, "AppendInput.fencing_token"),
                        "AppendInput.fencing_token"));
                default -> in.skip(tag);
            }
        }
        return new AppendBatch(records, matchSeqNum, fencingToken, arrivalMs);
    }

    public static AppendAck decodeAppendAck(byte[] body) {
        Reader in = new Reader(body, 0, body.length);
        Position start = null;
        Position end = null;
        Position tail = null;
        while (in.hasMore()) {
            long tag = in.tag();
            switch (fieldNumber(tag)) {
                case APPEND_ACK_START -> start = position(in.message(tag, "AppendAck.start"), start);
                case APPEND_ACK_END -> end = position(in.message(tag, "AppendAck.end"), end);
                case APPEND_ACK_TAIL -> tail = position(in.message(tag, "AppendAck.tail"), tail);
                default -> in.skip(tag);
            }
        }
        if (start == null || end == null) {
            throw bad("AppendAck is missing " + (start == null ? "start" : "end"));
        }
        return new AppendAck(start, end, tail == null ? end : tail);
    }

    public static ReadBatch decodeReadBatch(byte[] body) {
        Reader in = new Reader(body, 0, body.length);
        List<SequencedRecord> records = new ArrayList<>();
        Position tail = null;
        while (in.hasMore()) {
            long tag = in.tag();
            switch (fieldNumber(tag)) {
                case READ_BATCH_RECORDS -> records.add(sequencedRecord(in.message(tag, "ReadBatch.records")));
                case READ_BATCH_TAIL -> tail = position(in.message(tag, "ReadBatch.tail"), tail);
                default -> in.skip(tag);
            }
        }
        return new ReadBatch(records, Optional.ofNullable(tail));
    }

    private static AppendRecord appendRecord(Reader in) {
        OptionalLong timestamp = OptionalLong.empty();
        List<Header> headers = new ArrayList<>();
        byte[] body = EMPTY;
        while (in.hasMore()) {
            long tag = in.tag();
            switch (fieldNumber(tag)) {
                case APPEND_RECORD_TIMESTAMP -> timestamp = OptionalLong.of(in.uint64(tag, "AppendRecord.timestamp"));
                case APPEND_RECORD_HEADERS -> headers.add(header(in.message(tag, "AppendRecord.headers")));
                case APPEND_RECORD_BODY -> body = in.bytes(tag, "AppendRecord.body");
                default -> in.skip(tag);
            }
        }
        return new AppendRecord(timestamp, headers, body);
    }

    private static SequencedRecord sequencedRecord(Reader in) {
        long seqNum = 0;
        long timestamp = 0;
        List<Header> headers = new ArrayList<>();
        byte[] body = EMPTY;
        while (in.hasMore()) {
            long tag = in.tag();
            switch (fieldNumber(tag)) {
                case SEQUENCED_RECORD_SEQ_NUM -> seqNum = in.uint64(tag, "SequencedRecord.seq_num");
                case SEQUENCED_RECORD_TIMESTAMP -> timestamp = in.uint64(tag, "SequencedRecord.timestamp");
                case SEQUENCED_RECORD_HEADERS -> headers.add(header(in.message(tag, "SequencedRecord.headers")));
                case SEQUENCED_RECORD_BODY -> body = in.bytes(tag, "SequencedRecord.body");
                default -> in.skip(tag);
            }
        }
        return new SequencedRecord(seqNum, timestamp, headers, body);
    }

    private static Header header(Reader in) {
        byte[] name = EMPTY;
        byte[] value = EMPTY;
        while (in.hasMore()) {
            long tag = in.tag();
            switch (fieldNumber(tag)) {
                case HEADER_NAME -> name = in.bytes(tag, "Header.name");
                case HEADER_VALUE -> value = in.bytes(tag, "Header.value");
                default -> in.skip(tag);
            }
        }
        return new Header(name, value);
    }

    /** A position; a message field seen twice merges into the earlier one, as protobuf requires. */
    private static Position position(Reader in, Position earlier) {
        Position base = earlier == null ? Position.ZERO : earlier;
        long seqNum = base.seqNum();
        long timestamp = base.timestamp();
        while (in.hasMore()) {
            long tag = in.tag();
            switch (fieldNumber(tag)) {
                case POSITION_SEQ_NUM -> seqNum = in.uint64(tag, "StreamPosition.seq_num");
                case POSITION_TIMESTAMP -> timestamp = in.uint64(tag, "StreamPosition.timestamp");
                default -> in.skip(tag);
            }
        }
        return new Position(seqNum, timestamp);
    }

    private static int fieldNumber(long tag) {
        return (int) (tag >>> 3);
    }

    private static String utf8(byte[] bytes, String field) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw bad(field + " is not valid UTF-8");
        }
    }

    static S2Error bad(String why) {
        return new S2Error(ErrorCode.BAD_PROTO, ERROR_PREFIX + why);
    }

    /** A cursor over {@code buf[pos, limit)}; a nested message is a new Reader over its bytes. */
    private static final class Reader {

        private final byte[] buf;
        private int pos;
        private final int limit;

        Reader(byte[] buf, int pos, int limit) {
            this.buf = buf;
            this.pos = pos;
            this.limit = limit;
        }

        boolean hasMore() {
            return pos < limit;
        }

        /** The next tag, with a wire type that exists and is not a group (Brook's schema has none). */
        long tag() {
            long tag = varint();
            if (tag > TAG_MAX) {
                throw bad("tag " + Long.toUnsignedString(tag) + " exceeds 32 bits");
            }
            long field = tag >>> 3;
            if (field == 0 || field > FIELD_NUMBER_MAX) {
                throw bad("invalid field number " + field);
            }
            int wire = wireType(tag);
            if (wire == WIRE_GROUP_START || wire == WIRE_GROUP_END) {
                throw bad("group wire type " + wire + " (field " + field + ") is not supported");
            }
            if (wire > WIRE_FIXED32) {
                throw bad("invalid wire type " + wire + " (field " + field + ")");
            }
            return tag;
        }

        long uint64(long tag, String field) {
            expect(tag, WIRE_VARINT, field);
            long value = varint();
            if (value < 0) {
                throw bad(field + " value " + Long.toUnsignedString(value) + " exceeds " + Long.MAX_VALUE);
            }
            return value;
        }

        byte[] bytes(long tag, String field) {
            expect(tag, WIRE_LEN, field);
            int length = length();
            byte[] out = length == 0 ? EMPTY : Arrays.copyOfRange(buf, pos, pos + length);
            pos += length;
            return out;
        }

        Reader message(long tag, String field) {
            expect(tag, WIRE_LEN, field);
            int length = length();
            Reader nested = new Reader(buf, pos, pos + length);
            pos += length;
            return nested;
        }

        void skip(long tag) {
            switch (wireType(tag)) {
                case WIRE_VARINT -> varint();
                case WIRE_FIXED64 -> advance(FIXED64_BYTES);
                case WIRE_LEN -> {
                    int length = length();
                    pos += length;
                }
                case WIRE_FIXED32 -> advance(FIXED32_BYTES);
                default -> throw new IllegalStateException("tag() admits no wire type " + wireType(tag));
            }
        }

        private void expect(long tag, int wire, String field) {
            if (wireType(tag) != wire) {
                throw bad(field + " has wire type " + wireType(tag) + ", expected " + wire);
            }
        }

        /** A length prefix, checked to fit in what remains before anyone allocates from it. */
        private int length() {
            long length = varint();
            if (length < 0 || length > limit - pos) {
                throw bad("length " + Long.toUnsignedString(length) + " exceeds the " + (limit - pos) + " bytes remaining");
            }
            return (int) length;
        }

        private void advance(int n) {
            if (n > limit - pos) {
                throw bad("truncated fixed-width field: " + n + " bytes needed, " + (limit - pos) + " remaining");
            }
            pos += n;
        }

        private long varint() {
            long value = 0;
            for (int i = 0; i < VARINT_BYTES_MAX; i++) {
                if (pos >= limit) {
                    throw bad("truncated varint");
                }
                int b = buf[pos++] & 0xFF;
                if (i == VARINT_BYTES_MAX - 1 && b > 1) {
                    throw bad("varint overflows 64 bits");
                }
                value |= (long) (b & 0x7F) << (7 * i);
                if (b < 0x80) {
                    return value;
                }
            }
            throw bad("varint longer than " + VARINT_BYTES_MAX + " bytes");
        }

        private static int wireType(long tag) {
            return (int) (tag & 7);
        }
    }

    // ---------------------------------------------------------------- encoding

    public static byte[] encodeAppendAck(long startSeq, long startTs, long endSeq, long endTs, long tailSeq, long tailTs) {
        Position start = new Position(startSeq, startTs);
        Position end = new Position(endSeq, endTs);
        Position tail = new Position(tailSeq, tailTs);
        Writer out = new Writer(messageFieldSize(APPEND_ACK_START, positionSize(start))
                + messageFieldSize(APPEND_ACK_END, positionSize(end)) + messageFieldSize(APPEND_ACK_TAIL, positionSize(tail)));
        writePositionField(out, APPEND_ACK_START, start);
        writePositionField(out, APPEND_ACK_END, end);
        writePositionField(out, APPEND_ACK_TAIL, tail);
        return out.done();
    }

    /** A {@code ReadBatch}; {@code tail} is {@code {seqNum, timestamp}} when present. */
    public static byte[] encodeReadBatch(List<SequencedRecord> records, Optional<long[]> tail) {
        return encodeReadBatch(records, tail, 0);
    }

    /**
     * A {@code ReadBatch} after {@code headroom} bytes left zero for the caller (an S2S frame's header), so
     * that a megabyte batch is not copied once more to be framed.
     */
    static byte[] encodeReadBatch(List<SequencedRecord> records, Optional<long[]> tail, int headroom) {
        Optional<Position> tailPosition = tail.map(ProtoCodec::positionOf);
        long size = 0;
        for (SequencedRecord r : records) {
            size += messageFieldSize(READ_BATCH_RECORDS, sequencedRecordSize(r));
        }
        if (tailPosition.isPresent()) {
            size += messageFieldSize(READ_BATCH_TAIL, positionSize(tailPosition.get()));
        }
        Writer out = new Writer(size, headroom);
        for (SequencedRecord r : records) {
            out.tag(READ_BATCH_RECORDS, WIRE_LEN);
            out.varint(sequencedRecordSize(r));
            writeSequencedRecord(out, r);
        }
        tailPosition.ifPresent(p -> writePositionField(out, READ_BATCH_TAIL, p));
        return out.done();
    }

    /** An {@code AppendInput}, as a client sends it (tests, and S2S sessions to come); arrival time is not sent. */
    public static byte[] encodeAppendInput(AppendBatch batch) {
        byte[] token = batch.fencingToken().map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null);
        long size = 0;
        for (AppendRecord r : batch.records()) {
            size += messageFieldSize(APPEND_INPUT_RECORDS, appendRecordSize(r));
        }
        if (batch.matchSeqNum().isPresent()) {
            size += uint64FieldSize(APPEND_INPUT_MATCH_SEQ_NUM, batch.matchSeqNum().getAsLong());
        }
        if (token != null) {
            size += bytesFieldSize(APPEND_INPUT_FENCING_TOKEN, token.length);
        }
        Writer out = new Writer(size);
        for (AppendRecord r : batch.records()) {
            out.tag(APPEND_INPUT_RECORDS, WIRE_LEN);
            out.varint(appendRecordSize(r));
            writeAppendRecord(out, r);
        }
        if (batch.matchSeqNum().isPresent()) {
            out.uint64Field(APPEND_INPUT_MATCH_SEQ_NUM, batch.matchSeqNum().getAsLong());
        }
        if (token != null) {
            out.bytesField(APPEND_INPUT_FENCING_TOKEN, token);
        }
        return out.done();
    }

    private static Position positionOf(long[] seqAndTimestamp) {
        if (seqAndTimestamp.length != 2) {
            throw new IllegalArgumentException("a tail is {seqNum, timestamp}, got " + seqAndTimestamp.length + " values");
        }
        return new Position(seqAndTimestamp[0], seqAndTimestamp[1]);
    }

    private static void writePositionField(Writer out, int field, Position p) {
        out.tag(field, WIRE_LEN);
        out.varint(positionSize(p));
        out.uint64IfNonZero(POSITION_SEQ_NUM, p.seqNum());
        out.uint64IfNonZero(POSITION_TIMESTAMP, p.timestamp());
    }

    private static void writeAppendRecord(Writer out, AppendRecord r) {
        if (r.timestamp().isPresent()) {
            out.uint64Field(APPEND_RECORD_TIMESTAMP, r.timestamp().getAsLong());
        }
        writeHeaders(out, APPEND_RECORD_HEADERS, r.headers());
        out.bytesIfNonEmpty(APPEND_RECORD_BODY, r.body());
    }

    private static void writeSequencedRecord(Writer out, SequencedRecord r) {
        out.uint64IfNonZero(SEQUENCED_RECORD_SEQ_NUM, r.seqNum());
        out.uint64IfNonZero(SEQUENCED_RECORD_TIMESTAMP, r.timestamp());
        writeHeaders(out, SEQUENCED_RECORD_HEADERS, r.headers());
        out.bytesIfNonEmpty(SEQUENCED_RECORD_BODY, r.body());
    }

    private static void writeHeaders(Writer out, int field, List<Header> headers) {
        for (Header h : headers) {
            out.tag(field, WIRE_LEN);
            out.varint(headerSize(h));
            out.bytesIfNonEmpty(HEADER_NAME, h.name());
            out.bytesIfNonEmpty(HEADER_VALUE, h.value());
        }
    }

    // Sizes, computed before writing so each message is written once into an exact array.

    private static long positionSize(Position p) {
        return uint64FieldSizeIfNonZero(POSITION_SEQ_NUM, p.seqNum()) + uint64FieldSizeIfNonZero(POSITION_TIMESTAMP, p.timestamp());
    }

    private static long headerSize(Header h) {
        return bytesFieldSizeIfNonEmpty(HEADER_NAME, h.name().length) + bytesFieldSizeIfNonEmpty(HEADER_VALUE, h.value().length);
    }

    private static long headersSize(int field, List<Header> headers) {
        long size = 0;
        for (Header h : headers) {
            size += messageFieldSize(field, headerSize(h));
        }
        return size;
    }

    private static long appendRecordSize(AppendRecord r) {
        long size = headersSize(APPEND_RECORD_HEADERS, r.headers()) + bytesFieldSizeIfNonEmpty(APPEND_RECORD_BODY, r.body().length);
        if (r.timestamp().isPresent()) {
            size += uint64FieldSize(APPEND_RECORD_TIMESTAMP, r.timestamp().getAsLong());
        }
        return size;
    }

    private static long sequencedRecordSize(SequencedRecord r) {
        return uint64FieldSizeIfNonZero(SEQUENCED_RECORD_SEQ_NUM, r.seqNum())
                + uint64FieldSizeIfNonZero(SEQUENCED_RECORD_TIMESTAMP, r.timestamp())
                + headersSize(SEQUENCED_RECORD_HEADERS, r.headers())
                + bytesFieldSizeIfNonEmpty(SEQUENCED_RECORD_BODY, r.body().length);
    }

    private static long uint64FieldSize(int field, long value) {
        return tagSize(field) + varintSize(value);
    }

    private static long uint64FieldSizeIfNonZero(int field, long value) {
        return value == 0 ? 0 : uint64FieldSize(field, value);
    }

    private static long bytesFieldSize(int field, long length) {
        return tagSize(field) + varintSize(length) + length;
    }

    private static long bytesFieldSizeIfNonEmpty(int field, long length) {
        return length == 0 ? 0 : bytesFieldSize(field, length);
    }

    private static long messageFieldSize(int field, long size) {
        return bytesFieldSize(field, size);
    }

    private static int tagSize(int field) {
        return varintSize((long) field << 3);
    }

    static int varintSize(long value) {
        int size = 1;
        while ((value & ~0x7FL) != 0) {
            value >>>= 7;
            size++;
        }
        return size;
    }

    /** Writes into an array of the size computed beforehand; {@link #done} checks the two agree. */
    private static final class Writer {

        private final byte[] buf;
        private int pos;

        Writer(long size) {
            this(size, 0);
        }

        Writer(long size, int headroom) {
            if (size > Integer.MAX_VALUE - FIXED64_BYTES - headroom) {
                throw new IllegalArgumentException("message of " + size + " bytes does not fit in an array");
            }
            buf = new byte[(int) size + headroom];
            pos = headroom;
        }

        void tag(int field, int wire) {
            varint(((long) field << 3) | wire);
        }

        void varint(long value) {
            while ((value & ~0x7FL) != 0) {
                buf[pos++] = (byte) ((value & 0x7F) | 0x80);
                value >>>= 7;
            }
            buf[pos++] = (byte) value;
        }

        void uint64Field(int field, long value) {
            if (value < 0) {
                throw new IllegalArgumentException("field " + field + ": Brook holds no uint64 above Long.MAX_VALUE, got " + value);
            }
            tag(field, WIRE_VARINT);
            varint(value);
        }

        void uint64IfNonZero(int field, long value) {
            if (value != 0) {
                uint64Field(field, value);
            }
        }

        void bytesField(int field, byte[] bytes) {
            tag(field, WIRE_LEN);
            varint(bytes.length);
            System.arraycopy(bytes, 0, buf, pos, bytes.length);
            pos += bytes.length;
        }

        void bytesIfNonEmpty(int field, byte[] bytes) {
            if (bytes.length > 0) {
                bytesField(field, bytes);
            }
        }

        byte[] done() {
            if (pos != buf.length) {
                throw new IllegalStateException("wrote " + pos + " bytes of a message sized " + buf.length);
            }
            return buf;
        }
    }
}
