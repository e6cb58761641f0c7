package dev.brook.http.wire;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.ErrorCode;
import dev.brook.core.Header;
import dev.brook.core.S2Error;
import dev.brook.core.SequencedRecord;
import dev.brook.http.wire.ProtoCodec.AppendAck;
import dev.brook.http.wire.ProtoCodec.Position;
import dev.brook.http.wire.ProtoCodec.ReadBatch;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProtoCodecTest {

    static final long ARRIVAL_MS = 1_767_000_000_000L;
    static final long MAX = Long.MAX_VALUE;

    // ---------------------------------------------------------------- round trips

    static Stream<Arguments> appendInputs() {
        return Stream.of(
                arguments("no records, no conditions", batch(List.of(), OptionalLong.empty(), Optional.empty())),
                arguments("one empty record", batch(List.of(record(OptionalLong.empty(), List.of(), "")), OptionalLong.empty(),
                        Optional.empty())),
                arguments("explicit timestamp 0", batch(List.of(record(OptionalLong.of(0), List.of(), "x")), OptionalLong.empty(),
                        Optional.empty())),
                arguments("max values", batch(List.of(record(OptionalLong.of(MAX), List.of(header("k", "v")), "body")),
                        OptionalLong.of(MAX), Optional.of("t".repeat(36)))),
                arguments("match 0 and empty token are present", batch(List.of(record(OptionalLong.empty(), List.of(), "b")),
                        OptionalLong.of(0), Optional.of(""))),
                arguments("an over-long token is the validator's business", batch(List.of(), OptionalLong.empty(),
                        Optional.of("é".repeat(100)))),
                arguments("headers: empty name, empty value, duplicates in order",
                        batch(List.of(record(OptionalLong.of(5), List.of(header("", "fence"), header("a", ""), header("a", "1"),
                                header("", "")), "tok")), OptionalLong.empty(), Optional.empty())),
                arguments("binary bytes", batch(List.of(new AppendRecord(OptionalLong.of(1),
                        List.of(new Header(new byte[] {0, (byte) 0xFF}, new byte[] {(byte) 0x80})), new byte[] {0, 1, (byte) 0xC3})),
                        OptionalLong.empty(), Optional.empty())),
                arguments("many records", batch(manyRecords(300), OptionalLong.of(123_456_789), Optional.of("fence-A"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("appendInputs")
    void appendInputRoundTrips(String name, AppendBatch batch) {
        assertEquals(batch, ProtoCodec.decodeAppendInput(ProtoCodec.encodeAppendInput(batch), ARRIVAL_MS));
    }

    @Test
    void timestampPresenceSurvivesTheWire() {
        AppendBatch decoded = ProtoCodec.decodeAppendInput(ProtoCodec.encodeAppendInput(batch(
                List.of(record(OptionalLong.of(0), List.of(), ""), record(OptionalLong.empty(), List.of(), "")),
                OptionalLong.empty(), Optional.empty())), ARRIVAL_MS);
        assertEquals(OptionalLong.of(0), decoded.records().get(0).timestamp());
        assertEquals(OptionalLong.empty(), decoded.records().get(1).timestamp());
        assertEquals(ARRIVAL_MS, decoded.arrivalMs());
    }

    static Stream<Arguments> appendAcks() {
        return Stream.of(
                arguments(new AppendAck(new Position(0, 0), new Position(0, 0), new Position(0, 0))),
                arguments(new AppendAck(new Position(1, 150), new Position(3, 150), new Position(3, 150))),
                arguments(new AppendAck(new Position(MAX - 1, MAX), new Position(MAX, MAX), new Position(MAX, 0))));
    }

    @ParameterizedTest
    @MethodSource("appendAcks")
    void appendAckRoundTrips(AppendAck ack) {
        byte[] wire = ProtoCodec.encodeAppendAck(ack.start().seqNum(), ack.start().timestamp(), ack.end().seqNum(),
                ack.end().timestamp(), ack.tail().seqNum(), ack.tail().timestamp());
        assertEquals(ack, ProtoCodec.decodeAppendAck(wire));
    }

    static Stream<Arguments> readBatches() {
        SequencedRecord empty = new SequencedRecord(0, 0, List.of(), new byte[0]);
        SequencedRecord max = new SequencedRecord(MAX, MAX, List.of(header("h", "v"), header("", "trim")), "b".getBytes(UTF_8));
        return Stream.of(
                arguments("empty", List.of(), Optional.empty()),
                arguments("heartbeat", List.of(), Optional.of(new long[] {7, 1000})),
                arguments("tail at zero", List.of(), Optional.of(new long[] {0, 0})),
                arguments("all-default record", List.of(empty), Optional.empty()),
                arguments("max values", List.of(empty, max), Optional.of(new long[] {MAX, MAX})),
                arguments("many", sequenced(500), Optional.of(new long[] {500, 42})));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("readBatches")
    void readBatchRoundTrips(String name, List<SequencedRecord> records, Optional<long[]> tail) {
        ReadBatch decoded = ProtoCodec.decodeReadBatch(ProtoCodec.encodeReadBatch(records, tail));
        assertEquals(records, decoded.records());
        assertEquals(tail.map(t -> new Position(t[0], t[1])), decoded.tail());
    }

    // ---------------------------------------------------------------- exact bytes, computed by hand

    @Test
    void appendAckBytes() {
        // StreamPosition{seq 1, ts 150} = 08 01 10 96 01 (150 = 0x96 0x01 as a varint), nested as field 1, 2, 3.
        assertArrayEquals(hex("0A 05 08 01 10 96 01  12 05 08 03 10 96 01  1A 05 08 03 10 96 01"),
                ProtoCodec.encodeAppendAck(1, 150, 3, 150, 3, 150));
        // Zeros are omitted inside the positions; the positions themselves are always written.
        assertArrayEquals(hex("0A 00 12 00 1A 00"), ProtoCodec.encodeAppendAck(0, 0, 0, 0, 0, 0));
        assertArrayEquals(hex("0A 02 10 01 12 02 08 01 1A 03 08 AC 02"), ProtoCodec.encodeAppendAck(0, 1, 1, 0, 300, 0));
    }

    @Test
    void appendInputBytes() {
        assertArrayEquals(hex(""), ProtoCodec.encodeAppendInput(batch(List.of(), OptionalLong.empty(), Optional.empty())));
        assertArrayEquals(hex("0A 04 1A 02 68 69"), ProtoCodec.encodeAppendInput(
                batch(List.of(record(OptionalLong.empty(), List.of(), "hi")), OptionalLong.empty(), Optional.empty())));
        // An optional timestamp of 0 is written (08 00); an absent one is not.
        assertArrayEquals(hex("0A 06 08 00 1A 02 68 69"), ProtoCodec.encodeAppendInput(
                batch(List.of(record(OptionalLong.of(0), List.of(), "hi")), OptionalLong.empty(), Optional.empty())));
        // An empty record is an empty message, still present: 0A 00.
        assertArrayEquals(hex("0A 00 10 00 1A 00"), ProtoCodec.encodeAppendInput(
                batch(List.of(record(OptionalLong.empty(), List.of(), "")), OptionalLong.of(0), Optional.of(""))));
        // A fence command: Header{value "fence"} (the empty name omitted), body "t".
        assertArrayEquals(hex("0A 0C 12 07 12 05 66 65 6E 63 65 1A 01 74 1A 02 66 74"), ProtoCodec.encodeAppendInput(
                batch(List.of(record(OptionalLong.empty(), List.of(header("", "fence")), "t")), OptionalLong.empty(),
                        Optional.of("ft"))));
    }

    @Test
    void readBatchBytes() {
        assertArrayEquals(hex(""), ProtoCodec.encodeReadBatch(List.of(), Optional.empty()));
        assertArrayEquals(hex("12 00"), ProtoCodec.encodeReadBatch(List.of(), Optional.of(new long[] {0, 0})));
        assertArrayEquals(hex("0A 00"), ProtoCodec.encodeReadBatch(List.of(new SequencedRecord(0, 0, List.of(), new byte[0])),
                Optional.empty()));
        // SequencedRecord{seq 1, ts 150, headers [{"k", ""}, {"", ""}], body "b"}: 2 + 3 + 5 + 2 + 3 = 15 bytes.
        assertArrayEquals(hex("0A 0F 08 01 10 96 01 1A 03 0A 01 6B 1A 00 22 01 62"),
                ProtoCodec.encodeReadBatch(List.of(new SequencedRecord(1, 150, List.of(header("k", ""), header("", "")),
                        "b".getBytes(UTF_8))), Optional.empty()));
    }

    @Test
    void decodesWhatAnotherEncoderMayWrite() {
        // Defaults written out explicitly, fields out of order, and a message field seen twice (merged).
        AppendBatch b = ProtoCodec.decodeAppendInput(hex("1A 00 0A 0A 1A 00 12 04 0A 00 12 00 08 05 10 00"), ARRIVAL_MS);
        assertEquals(batch(List.of(record(OptionalLong.of(5), List.of(header("", "")), "")), OptionalLong.of(0), Optional.of("")),
                b);
        AppendAck ack = ProtoCodec.decodeAppendAck(hex("12 02 08 02 0A 02 08 01 0A 02 10 07 12 02 10 09"));
        assertEquals(new AppendAck(new Position(1, 7), new Position(2, 9), new Position(2, 9)), ack);
        // The last value of a scalar field wins.
        assertEquals(OptionalLong.of(9), ProtoCodec.decodeAppendInput(hex("10 01 10 09"), ARRIVAL_MS).matchSeqNum());
        // A 10-byte varint of Long.MAX_VALUE is fine; a non-minimal varint too.
        assertEquals(OptionalLong.of(MAX),
                ProtoCodec.decodeAppendInput(hex("10 FF FF FF FF FF FF FF FF 7F"), ARRIVAL_MS).matchSeqNum());
        assertEquals(OptionalLong.of(1), ProtoCodec.decodeAppendInput(hex("10 81 80 80 00"), ARRIVAL_MS).matchSeqNum());
    }

    // ---------------------------------------------------------------- unknown fields

    static Stream<Arguments> unknownFields() {
        return Stream.of(
                arguments("varint", "78 96 01"), // field 15, varint 150
                arguments("10-byte varint", "78 FF FF FF FF FF FF FF FF FF 01"),
                arguments("fixed64", "79 01 02 03 04 05 06 07 08"),
                arguments("length-delimited", "7A 03 61 62 63"),
                arguments("empty length-delimited", "7A 00"),
                arguments("fixed32", "7D 01 02 03 04"),
                arguments("large field number", "F8 FF FF FF 0F 01"), // field 2^29 - 1
                arguments("field 5, unknown in every message", "28 01"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unknownFields")
    void unknownFieldsAreSkippedAtEveryLevel(String name, String unknown) {
        byte[] u = hex(unknown);
        // AppendInput{records [AppendRecord{ts 5, headers [Header{"k","v"}], body "b"}], match 1, token "t"}, with u everywhere.
        byte[] header = concat(u, hex("0A 01 6B"), u, hex("12 01 76"), u);
        byte[] record = concat(u, hex("08 05"), u, field(2, header), u, hex("1A 01 62"), u);
        byte[] input = concat(u, field(1, record), u, hex("10 01"), u, hex("1A 01 74"), u);
        assertEquals(batch(List.of(record(OptionalLong.of(5), List.of(header("k", "v")), "b")), OptionalLong.of(1), Optional.of("t")),
                ProtoCodec.decodeAppendInput(input, ARRIVAL_MS));

        byte[] position = concat(u, hex("08 01"), u, hex("10 02"), u);
        byte[] ack = concat(u, field(1, position), u, field(2, position), u, field(3, position), u);
        assertEquals(new AppendAck(new Position(1, 2), new Position(1, 2), new Position(1, 2)), ProtoCodec.decodeAppendAck(ack));

        byte[] seq = concat(u, hex("08 01"), u, hex("10 02"), u, field(3, header), u, hex("22 01 62"), u);
        byte[] batch = concat(u, field(1, seq), u, field(2, position), u);
        ReadBatch decoded = ProtoCodec.decodeReadBatch(batch);
        assertEquals(List.of(new SequencedRecord(1, 2, List.of(header("k", "v")), "b".getBytes(UTF_8))), decoded.records());
        assertEquals(Optional.of(new Position(1, 2)), decoded.tail());
    }

    // ---------------------------------------------------------------- malformed input

    static Stream<Arguments> malformed() {
        return Stream.of(
                arguments("truncated tag", "80"),
                arguments("truncated varint value", "10 80 80"),
                arguments("varint of 11 bytes", "10 80 80 80 80 80 80 80 80 80 80 01"),
                arguments("varint overflowing 64 bits", "10 FF FF FF FF FF FF FF FF FF 02"),
                arguments("uint64 above Long.MAX_VALUE", "10 FF FF FF FF FF FF FF FF FF 01"),
                arguments("uint64 of exactly 2^63", "10 80 80 80 80 80 80 80 80 80 01"),
                arguments("nested uint64 above Long.MAX_VALUE", "0A 0B 08 80 80 80 80 80 80 80 80 80 01"),
                arguments("tag above 32 bits", "80 80 80 80 10 00"),
                arguments("field number 0", "00 01"),
                arguments("field number 0, length-delimited", "02 00"),
                arguments("group start", "0B 0C"),
                arguments("group end", "0C"),
                arguments("unknown group", "7B 7C"),
                arguments("wire type 6", "0E"),
                arguments("wire type 7", "7F"),
                arguments("records as a varint", "08 01"),
                arguments("match_seq_num as bytes", "12 01 01"),
                arguments("match_seq_num as fixed64", "11 01 02 03 04 05 06 07 08"),
                arguments("fencing_token as fixed32", "1D 01 02 03 04"),
                arguments("timestamp as bytes", "0A 03 0A 01 00"),
                arguments("headers as a varint", "0A 02 10 01"),
                arguments("header name as a varint", "0A 04 12 02 08 01"),
                arguments("length beyond the buffer", "0A 05 1A 01 62"),
                arguments("bytes length beyond the buffer", "1A 02 74"),
                arguments("length above 2^31", "7A FF FF FF FF 0F"),
                arguments("length of 2^64 - 1", "7A FF FF FF FF FF FF FF FF FF 01"),
                arguments("nested length beyond its message, inside the buffer", "0A 03 1A 05 68 69 69 69 69 69"),
                arguments("truncated unknown fixed64", "79 01 02 03"),
                arguments("truncated unknown fixed32", "7D 01 02 03"),
                arguments("truncated unknown varint", "78 FF"),
                arguments("fencing token not UTF-8", "1A 02 C3 28"),
                arguments("fencing token a lone surrogate in UTF-8", "1A 03 ED A0 80"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedAppendInputIsBadProto(String name, String wire) {
        assertBadProto(() -> ProtoCodec.decodeAppendInput(hex(wire), ARRIVAL_MS));
    }

    @Test
    void malformedAcksAndBatchesAreBadProto() {
        assertBadProto(() -> ProtoCodec.decodeAppendAck(hex("")));
        assertBadProto(() -> ProtoCodec.decodeAppendAck(hex("0A 00")));
        assertBadProto(() -> ProtoCodec.decodeAppendAck(hex("12 00")));
        assertBadProto(() -> ProtoCodec.decodeAppendAck(hex("0A 00 12 00 18 01")));
        assertBadProto(() -> ProtoCodec.decodeAppendAck(hex("0A 02 08 80 12 00")));
        assertBadProto(() -> ProtoCodec.decodeReadBatch(hex("12 02 10")));
        assertBadProto(() -> ProtoCodec.decodeReadBatch(hex("0A 02 22 05")));
        assertBadProto(() -> ProtoCodec.decodeReadBatch(hex("0A 0B 08 FF FF FF FF FF FF FF FF FF 01")));
        assertBadProto(() -> ProtoCodec.decodeReadBatch(hex("0A 01 1B")));
        assertEquals(new AppendAck(new Position(1, 0), new Position(2, 0), new Position(2, 0)),
                ProtoCodec.decodeAppendAck(hex("0A 02 08 01 12 02 08 02")), "a missing tail reads as end");
    }

    @Test
    void encodersRefuseValuesBrookNeverHolds() {
        assertThrows(IllegalArgumentException.class, () -> ProtoCodec.encodeAppendAck(-1, 0, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> ProtoCodec.encodeReadBatch(List.of(), Optional.of(new long[] {1})));
        assertThrows(IllegalArgumentException.class, () -> ProtoCodec.encodeReadBatch(
                List.of(new SequencedRecord(0, -5, List.of(), new byte[0])), Optional.empty()));
    }

    // ---------------------------------------------------------------- fuzz

    static final long FUZZ_SEED = 0x5EED_B400CL;
    static final int FUZZ_RANDOM_INPUTS = 4000;
    static final int FUZZ_MUTATIONS = 6000;
    static final int FUZZ_RANDOM_BYTES_MAX = 48;

    @Test
    void fuzzedInputDecodesOrIsBadProto() {
        Random random = new Random(FUZZ_SEED);
        List<byte[]> seeds = validEncodings();
        int decoded = 0;
        int rejected = 0;
        for (int i = 0; i < FUZZ_RANDOM_INPUTS + FUZZ_MUTATIONS; i++) {
            byte[] input = i < FUZZ_RANDOM_INPUTS ? randomBytes(random)
                    : mutate(seeds.get(random.nextInt(seeds.size())), random);
            for (Function<byte[], Object> decoder : decoders()) {
                try {
                    Object result = decoder.apply(input);
                    decoded++;
                    if (result instanceof AppendBatch b) {
                        assertEquals(b, ProtoCodec.decodeAppendInput(ProtoCodec.encodeAppendInput(b), ARRIVAL_MS));
                    }
                } catch (S2Error e) {
                    assertEquals(ErrorCode.BAD_PROTO, e.code(), e.getMessage());
                    assertTrue(e.getMessage().startsWith("Invalid protobuf body: "), e.getMessage());
                    rejected++;
                }
            }
        }
        assertTrue(decoded > 1000 && rejected > 1000, "fuzz reached both outcomes: " + decoded + " decoded, " + rejected + " rejected");
    }

    static List<Function<byte[], Object>> decoders() {
        return List.of(b -> ProtoCodec.decodeAppendInput(b, ARRIVAL_MS), ProtoCodec::decodeAppendAck, ProtoCodec::decodeReadBatch);
    }

    static List<byte[]> validEncodings() {
        List<byte[]> out = new ArrayList<>();
        appendInputs().forEach(a -> out.add(ProtoCodec.encodeAppendInput((AppendBatch) a.get()[1])));
        appendAcks().forEach(a -> {
            AppendAck ack = (AppendAck) a.get()[0];
            out.add(ProtoCodec.encodeAppendAck(ack.start().seqNum(), ack.start().timestamp(), ack.end().seqNum(),
                    ack.end().timestamp(), ack.tail().seqNum(), ack.tail().timestamp()));
        });
        readBatches().forEach(a -> {
            @SuppressWarnings("unchecked")
            List<SequencedRecord> records = (List<SequencedRecord>) a.get()[1];
            @SuppressWarnings("unchecked")
            Optional<long[]> tail = (Optional<long[]>) a.get()[2];
            out.add(ProtoCodec.encodeReadBatch(records, tail));
        });
        out.removeIf(b -> b.length == 0);
        return out;
    }

    /** Mostly small bytes, so that tags of fields 1-3 and short lengths come up often. */
    static byte[] randomBytes(Random random) {
        byte[] b = new byte[random.nextInt(FUZZ_RANDOM_BYTES_MAX + 1)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (random.nextBoolean() ? random.nextInt(0x20) : random.nextInt(0x100));
        }
        return b;
    }

    static byte[] mutate(byte[] valid, Random random) {
        byte[] b = valid.clone();
        int at = random.nextInt(b.length);
        return switch (random.nextInt(6)) {
            case 0 -> {
                b[at] ^= (byte) (1 << random.nextInt(8));
                yield b;
            }
            case 1 -> {
                b[at] = (byte) random.nextInt(0x100);
                yield b;
            }
            case 2 -> Arrays.copyOf(b, at);
            case 3 -> concat(Arrays.copyOf(b, at), new byte[] {(byte) random.nextInt(0x100)},
                    Arrays.copyOfRange(b, at, b.length));
            case 4 -> concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, at + 1, b.length));
            default -> concat(b, Arrays.copyOfRange(b, at, Math.min(b.length, at + 1 + random.nextInt(8))));
        };
    }

    // ---------------------------------------------------------------- helpers

    static void assertBadProto(Runnable decode) {
        S2Error e = assertThrows(S2Error.class, decode::run);
        assertEquals(ErrorCode.BAD_PROTO, e.code(), e.getMessage());
        assertTrue(e.getMessage().startsWith("Invalid protobuf body: "), e.getMessage());
    }

    static AppendBatch batch(List<AppendRecord> records, OptionalLong match, Optional<String> token) {
        return new AppendBatch(records, match, token, ARRIVAL_MS);
    }

    static AppendRecord record(OptionalLong timestamp, List<Header> headers, String body) {
        return new AppendRecord(timestamp, headers, body.getBytes(UTF_8));
    }

    static Header header(String name, String value) {
        return new Header(name.getBytes(UTF_8), value.getBytes(UTF_8));
    }

    static List<AppendRecord> manyRecords(int n) {
        List<AppendRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(record(i % 3 == 0 ? OptionalLong.empty() : OptionalLong.of(i * 1000L), i % 2 == 0 ? List.of() : List.of(
                    header("h" + i, "v")), "body-" + "x".repeat(i)));
        }
        return out;
    }

    static List<SequencedRecord> sequenced(int n) {
        List<SequencedRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new SequencedRecord(i, 1_767_000_000_000L + i, i % 2 == 0 ? List.of() : List.of(header("h", "v" + i)),
                    ("r" + i).getBytes(UTF_8)));
        }
        return out;
    }

    static byte[] hex(String spaced) {
        return HexFormat.of().parseHex(spaced.replace(" ", ""));
    }

    /** A length-delimited field, for fields of up to 15 and bodies of up to 127 bytes. */
    static byte[] field(int number, byte[] body) {
        return concat(new byte[] {(byte) (number << 3 | 2), (byte) body.length}, body);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
