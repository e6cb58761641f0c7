package dev.brook.http.wire;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import dev.brook.core.SequencedRecord;
import dev.brook.http.wire.S2sFrames.Decoder;
import dev.brook.http.wire.S2sFrames.Frame;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The S2S frame codec (spec §8.2), one test per "S2S:" item of §12 I, plus the codec's own rules. */
class S2sFramesTest {

    static final long SEED = 0x525F2;
    static final int MAX_LENGTH = 2 * 1024 * 1024;
    static final int MAX_PAYLOAD = MAX_LENGTH - 1;
    static final int HEADER = 4;
    static final int TERMINAL = 0x80;
    static final int ZSTD = 0x20;
    static final int GZIP = 0x40;
    static final int BOTH_COMPRESSION_BITS = 0x60;
    static final int RECONNECT_AND_RESERVED = 0x1F;
    static final String ERROR_JSON = "{\"code\":\"invalid\",\"message\":\"batch is empty\"}";
    static final Optional<String> NONE = Optional.empty();

    // ---------------------------------------------------------------- round trips

    /** Several frames, compressed and not, cut at random, 1-byte cuts included: the same frames come out. */
    @Test
    void roundTripsUnderArbitraryChunking() {
        Random random = new Random(SEED);
        byte[] noise = new byte[70_000];
        random.nextBytes(noise);
        List<byte[]> messages = List.of(new byte[0], bytes("small"), text(5_000), noise, text(300_000), bytes("x".repeat(1023)));
        List<Optional<String>> compressions = List.of(NONE, Optional.of("zstd"), Optional.of("gzip"));
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int i = 0; i < messages.size(); i++) {
            stream.writeBytes(S2sFrames.regular(messages.get(i), compressions.get(i % compressions.size())));
        }
        stream.writeBytes(S2sFrames.terminal(422, ERROR_JSON));
        byte[] wire = stream.toByteArray();

        for (int round = 0; round < 20; round++) {
            Decoder decoder = new Decoder();
            List<Frame> frames = new ArrayList<>();
            int at = 0;
            while (at < wire.length) {
                int n = Math.min(wire.length - at, chunkSize(random));
                decoder.feed(wire, at, n, frames::add);
                at += n;
            }
            assertFalse(decoder.hasPartialFrame());
            assertEquals(messages.size() + 1, frames.size(), "round " + round);
            for (int i = 0; i < messages.size(); i++) {
                assertFalse(frames.get(i).terminal());
                assertArrayEquals(messages.get(i), frames.get(i).payload(), "round " + round + ", frame " + i);
            }
            Frame last = frames.get(messages.size());
            assertTrue(last.terminal());
            assertEquals(422, last.status());
            assertEquals(ERROR_JSON, last.json());
        }
        // And all of it in one chunk.
        List<Frame> frames = new ArrayList<>();
        new Decoder().feed(wire, frames::add);
        assertEquals(messages.size() + 1, frames.size());
    }

    /** Mostly 1-byte and small chunks, so frames and headers are cut everywhere, sometimes large ones. */
    static int chunkSize(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> 1;
            case 1 -> 1 + random.nextInt(16);
            default -> 1 + random.nextInt(200_000);
        };
    }

    /** A read batch framed in place is the frame of its encoding, byte for byte when uncompressed, and decodes back. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 1000})
    void aReadBatchFramedInPlaceIsTheFrameOfItsEncoding(int count) {
        Random random = new Random(SEED + count);
        List<SequencedRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] body = new byte[random.nextInt(1100)];
            random.nextBytes(body);
            records.add(new SequencedRecord(40 + i, 7_000 + i, List.of(), body));
        }
        Optional<long[]> tail = count == 3 ? Optional.empty() : Optional.of(new long[]{40 + count, 9_999});
        byte[] protobuf = ProtoCodec.encodeReadBatch(records, tail);
        assertArrayEquals(S2sFrames.regular(protobuf, NONE), S2sFrames.readBatch(records, tail, NONE));
        for (String compression : List.of("zstd", "gzip")) {
            byte[] framed = S2sFrames.readBatch(records, tail, Optional.of(compression));
            Frame frame = single(decode(framed));
            assertArrayEquals(protobuf, frame.payload(), compression);
            assertEquals(S2sFrames.regular(protobuf, Optional.of(compression))[3], framed[3], compression + ": the same flag byte");
        }
    }

    @Test
    void waitsForTheWholeFrame() {
        byte[] frame = S2sFrames.regular(text(3_000), NONE);
        Decoder decoder = new Decoder();
        List<Frame> frames = new ArrayList<>();
        assertFalse(decoder.hasPartialFrame());
        for (int i = 0; i < frame.length - 1; i++) {
            decoder.feed(new byte[] {frame[i]}, frames::add);
            assertTrue(frames.isEmpty(), "emitted after byte " + i);
            assertTrue(decoder.hasPartialFrame());
        }
        decoder.feed(new byte[] {frame[frame.length - 1]}, frames::add);
        assertEquals(1, frames.size());
        assertArrayEquals(text(3_000), frames.get(0).payload());
        assertFalse(decoder.hasPartialFrame());
    }

    @Test
    void anEmptyRegularPayloadIsValid() {
        byte[] frame = S2sFrames.regular(new byte[0], Optional.of("zstd"));
        assertArrayEquals(new byte[] {0, 0, 1, 0}, frame, "length 1 (the flag byte), no compression");
        List<Frame> frames = decode(frame);
        assertEquals(1, frames.size());
        assertFalse(frames.get(0).terminal());
        assertEquals(0, frames.get(0).payload().length);
        assertEquals(0, ProtoCodec.decodeAppendInput(frames.get(0).payload(), 0).records().size(), "an empty protobuf message");
    }

    // ---------------------------------------------------------------- compression

    @ParameterizedTest
    @ValueSource(strings = {"zstd", "gzip"})
    void compressedRoundTripOfAboutOneMegabyte(String compression) {
        byte[] message = readBatchOfAboutOneMegabyte();
        byte[] frame = S2sFrames.regular(message, Optional.of(compression));
        assertEquals(compression.equals("zstd") ? ZSTD : GZIP, frame[3] & 0xFF);
        assertTrue(frame.length < message.length / 2, "compressed: " + frame.length);
        assertEquals(frame.length - 3, length(frame));
        assertArrayEquals(message, single(decode(frame)).payload());
        assertEquals(1000, ProtoCodec.decodeReadBatch(single(decode(frame)).payload()).records().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"zstd", "gzip"})
    void messagesUnder1KiBStayUncompressed(String compression) {
        byte[] small = text(1023);
        byte[] frame = S2sFrames.regular(small, Optional.of(compression));
        assertEquals(0, frame[3], "flag byte");
        assertEquals(1 + 1023, length(frame));
        assertArrayEquals(small, Arrays.copyOfRange(frame, HEADER, frame.length));

        byte[] threshold = S2sFrames.regular(text(1024), Optional.of(compression));
        assertEquals(compression.equals("zstd") ? ZSTD : GZIP, threshold[3] & 0xFF, "1024 bytes are compressed");
        assertArrayEquals(text(1024), single(decode(threshold)).payload());
    }

    @Test
    void withoutCompressionLargeMessagesGoOutAsTheyAre() {
        byte[] message = text(100_000);
        byte[] frame = S2sFrames.regular(message, NONE);
        assertEquals(0, frame[3]);
        assertEquals(1 + message.length, length(frame));
    }

    /** zstd and gzip bombs: small frames inflating past 2 MiB - 1; exactly 2 MiB - 1 is fine. */
    static Stream<Arguments> bombs() {
        byte[] zeros = new byte[MAX_PAYLOAD + 1];
        return Stream.of(
                arguments("zstd, size declared", ZSTD, Compression.encode("zstd", zeros)),
                arguments("zstd, size not declared (zstd CLI, 8 MiB)", ZSTD, CompressionTest.base64(CompressionTest.ZSTD_CLI_ZEROS_8_MIB)),
                arguments("gzip", GZIP, Compression.encode("gzip", zeros)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bombs")
    void rejectsOversizedDecompressedPayloads(String name, int flag, byte[] bomb) {
        assertTrue(bomb.length < 10_000, "a small frame: " + bomb.length);
        assertBadFrame("decompressed S2S frame payload exceeds " + MAX_PAYLOAD + " bytes", raw(1 + bomb.length, flag, bomb));

        byte[] atTheCap = Compression.encode(flag == ZSTD ? "zstd" : "gzip", new byte[MAX_PAYLOAD]);
        assertEquals(MAX_PAYLOAD, single(decode(raw(1 + atTheCap.length, flag, atTheCap))).payload().length);
    }

    @ParameterizedTest
    @ValueSource(ints = {ZSTD, GZIP})
    void rejectsCorruptCompressedPayloads(int flag) {
        byte[] garbage = bytes("this is not compressed at all");
        assertBadFrame("invalid compressed S2S frame payload", raw(1 + garbage.length, flag, garbage));
        assertBadFrame("invalid compressed S2S frame payload", raw(1, flag, new byte[0]));
    }

    static Stream<Arguments> acceptEncodings() {
        return Stream.of(
                arguments("gzip, zstd, br", "zstd"),
                arguments("gzip;q=0.8, deflate", "gzip"),
                arguments(null, null),
                arguments("", null),
                arguments("br, deflate, identity", null),
                arguments("*", null),
                arguments("zstd", "zstd"),
                arguments("gzip", "gzip"),
                arguments("GZip ;q=1, ZSTD;q=0.1", "zstd"),
                arguments("gzip;q=1.0, zstd;q=0", "zstd"),
                arguments("gzip;q=0", "gzip"),
                arguments(" , ,gzip,, ", "gzip"),
                arguments("x-zstd, gzip2", null));
    }

    /** zstd if named anywhere, else gzip, else none; q-values are ignored (§8.1). */
    @ParameterizedTest(name = "[{0}] -> {1}")
    @MethodSource("acceptEncodings")
    void choosesFrameCompressionFromAcceptEncoding(String acceptEncoding, String expected) {
        assertEquals(Optional.ofNullable(expected), S2sFrames.chooseCompression(acceptEncoding));
    }

    // ---------------------------------------------------------------- terminal frames

    @Test
    void terminalFrameLayout() {
        String json = "{\"code\":\"stream_not_found\",\"message\":\"stream `é` in basin `b` not found\"}" + " ".repeat(2000);
        byte[] body = json.getBytes(UTF_8);
        byte[] frame = S2sFrames.terminal(404, json);
        assertEquals(1 + 2 + body.length, length(frame));
        assertEquals(0x80, frame[3] & 0xFF, "terminal, compression bits 00 even above 1 KiB");
        assertEquals(0x01, frame[4]);
        assertEquals(0x94, frame[5] & 0xFF);
        assertArrayEquals(body, Arrays.copyOfRange(frame, HEADER + 2, frame.length));

        Frame decoded = single(decode(frame));
        assertTrue(decoded.terminal());
        assertEquals(404, decoded.status());
        assertEquals(json, decoded.json());
        assertThrows(IllegalStateException.class, () -> single(decode(S2sFrames.regular(bytes("x"), NONE))).status());
    }

    @Test
    void terminalStatusAboveOneByte() {
        assertEquals(503, single(decode(S2sFrames.terminal(503, "{}"))).status());
        assertThrows(IllegalArgumentException.class, () -> S2sFrames.terminal(99, "{}"));
        assertThrows(IllegalArgumentException.class, () -> S2sFrames.terminal(600, "{}"));
    }

    @Test
    void rejectsTerminalFrameWithoutStatus() {
        assertBadFrame("S2S terminal frame has 0 payload bytes; its status code needs 2", raw(1, TERMINAL, new byte[0]));
        assertBadFrame("S2S terminal frame has 1 payload bytes; its status code needs 2", raw(2, TERMINAL, new byte[] {1}));
        Frame bare = single(decode(raw(3, TERMINAL, new byte[] {0x01, (byte) 0xF4})));
        assertEquals(500, bare.status());
        assertEquals("", bare.json());
    }

    @Test
    void rejectsCompressedTerminalFrames() {
        assertBadFrame("S2S terminal frame must not be compressed", raw(3, TERMINAL | ZSTD, new byte[] {0x01, (byte) 0xF4}));
        assertBadFrame("S2S terminal frame must not be compressed", raw(3, TERMINAL | GZIP, new byte[] {0x01, (byte) 0xF4}));
    }

    @Test
    void rejectsTerminalJsonThatIsNotUtf8() {
        assertBadFrame("S2S terminal frame's JSON is not valid UTF-8", raw(4, TERMINAL, new byte[] {0x01, (byte) 0xF4, (byte) 0xC3}));
    }

    @Test
    void rejectsDataAfterATerminalFrame() {
        byte[] wire = concat(S2sFrames.terminal(500, "{}"), S2sFrames.regular(bytes("late"), NONE));
        Decoder decoder = new Decoder();
        List<Frame> frames = new ArrayList<>();
        S2Error e = assertThrows(S2Error.class, () -> decoder.feed(wire, frames::add));
        assertEquals("S2S data after a terminal frame", e.getMessage());
        assertEquals(1, frames.size(), "the terminal frame itself was delivered");
    }

    // ---------------------------------------------------------------- malformed headers

    @Test
    void rejectsLengthAboveTwoMiB() {
        // Refused from the length prefix alone: nothing of the frame is buffered.
        assertBadFrame("S2S frame length 2097153 exceeds 2097152 bytes", new byte[] {0x20, 0x00, 0x01});
        assertBadFrame("S2S frame length 16777215 exceeds 2097152 bytes", new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
        byte[] maximal = new byte[MAX_PAYLOAD];
        maximal[MAX_PAYLOAD - 1] = 7;
        assertArrayEquals(maximal, single(decode(raw(MAX_LENGTH, 0, maximal))).payload(), "exactly 2 MiB is a valid length");
    }

    @Test
    void rejectsZeroLength() {
        assertBadFrame("S2S frame length is 0; it must count at least the flag byte", new byte[] {0, 0, 0});
    }

    @ParameterizedTest
    @ValueSource(ints = {BOTH_COMPRESSION_BITS, BOTH_COMPRESSION_BITS | TERMINAL})
    void rejectsCompressionBits11(int flags) {
        assertBadFrame("S2S frame compression bits are 11, which name no algorithm", raw(3, flags, new byte[] {0x01, (byte) 0xF4}));
    }

    /** Reconnect-advised means nothing from a client, and the reserved bits are not checked (as in Lite). */
    @Test
    void ignoresReconnectAndReservedBitsOnInput() {
        Frame frame = single(decode(raw(3, RECONNECT_AND_RESERVED, bytes("ok"))));
        assertFalse(frame.terminal());
        assertArrayEquals(bytes("ok"), frame.payload());
    }

    // ---------------------------------------------------------------- failure behaviour

    /** An append session acks the batches before a bad frame (§8.3), so those frames come out first. */
    @Test
    void framesBeforeABadOneAreDelivered() {
        byte[] wire = concat(S2sFrames.regular(bytes("one"), NONE), S2sFrames.regular(bytes("two"), NONE), new byte[] {0, 0, 0},
                S2sFrames.regular(bytes("never"), NONE));
        List<Frame> frames = new ArrayList<>();
        assertThrows(S2Error.class, () -> new Decoder().feed(wire, frames::add));
        assertEquals(2, frames.size());
        assertArrayEquals(bytes("two"), frames.get(1).payload());
    }

    @Test
    void staysFailedAfterAnError() {
        Decoder decoder = new Decoder();
        S2Error first = assertThrows(S2Error.class, () -> decoder.feed(raw(1, BOTH_COMPRESSION_BITS, new byte[0]), f -> { }));
        List<Frame> frames = new ArrayList<>();
        S2Error again = assertThrows(S2Error.class, () -> decoder.feed(S2sFrames.regular(bytes("fine"), NONE), frames::add));
        assertSame(first, again);
        assertTrue(frames.isEmpty());
        assertFalse(decoder.hasPartialFrame(), "nothing is held after a failure");
    }

    @Test
    void aBodyCutMidFrameLeavesAPartialFrame() {
        byte[] frame = S2sFrames.regular(bytes("payload"), NONE);
        Decoder decoder = new Decoder();
        List<Frame> frames = new ArrayList<>();
        decoder.feed(frame, 0, 2, frames::add);
        assertTrue(decoder.hasPartialFrame(), "inside the length prefix");
        decoder.feed(frame, 2, frame.length - 3, frames::add);
        assertTrue(decoder.hasPartialFrame(), "one payload byte missing");
        assertTrue(frames.isEmpty());
    }

    /** A callback that throws leaves the rest of its chunk unread; the decoder then refuses input. */
    @Test
    void aThrowingCallbackStopsTheDecoder() {
        byte[] wire = concat(S2sFrames.regular(bytes("a"), NONE), S2sFrames.regular(bytes("b"), NONE));
        Decoder decoder = new Decoder();
        assertThrows(ArithmeticException.class, () -> decoder.feed(wire, f -> {
            throw new ArithmeticException("the session's own failure");
        }));
        assertThrows(IllegalStateException.class, () -> decoder.feed(wire, f -> { }));
    }

    static final int FUZZ_MUTATIONS = 2000;

    /** Whatever the mutation, frames come out or the error is bad_frame: never another exception. */
    @Test
    void mutatedStreamsDecodeOrAreBadFrame() {
        Random random = new Random(SEED);
        byte[] wire = concat(S2sFrames.regular(text(3_000), Optional.of("zstd")), S2sFrames.regular(bytes("plain"), NONE),
                S2sFrames.regular(text(2_000), Optional.of("gzip")), S2sFrames.terminal(409, "{\"code\":\"x\"}"));
        int rejected = 0;
        for (int i = 0; i < FUZZ_MUTATIONS; i++) {
            byte[] mutated = ProtoCodecTest.mutate(wire, random);
            try {
                new Decoder().feed(mutated, f -> { });
            } catch (S2Error e) {
                assertEquals(ErrorCode.BAD_FRAME, e.code(), e.getMessage());
                rejected++;
            }
        }
        assertTrue(rejected > 0, "some mutations break the stream");
    }

    // ---------------------------------------------------------------- encoder guards

    @Test
    void refusesFramesAboveTwoMiB() {
        assertThrows(IllegalArgumentException.class, () -> S2sFrames.regular(new byte[MAX_PAYLOAD + 1], NONE));
        assertThrows(IllegalArgumentException.class, () -> S2sFrames.regular(new byte[MAX_PAYLOAD + 1], Optional.of("zstd")),
                "zeros compress well, but a client would refuse to inflate them");
        assertEquals(MAX_LENGTH, length(S2sFrames.regular(new byte[MAX_PAYLOAD], NONE)));
        byte[] noise = new byte[MAX_PAYLOAD];
        new Random(SEED).nextBytes(noise);
        assertThrows(IllegalArgumentException.class, () -> S2sFrames.regular(noise, Optional.of("gzip")),
                "incompressible data grows past the frame limit");
        assertThrows(IllegalArgumentException.class, () -> S2sFrames.terminal(500, "x".repeat(MAX_LENGTH)));
    }

    @Test
    void refusesUnknownCompression() {
        assertThrows(IllegalArgumentException.class, () -> S2sFrames.regular(bytes("x"), Optional.of("br")));
    }

    // ---------------------------------------------------------------- helpers

    static void assertBadFrame(String message, byte[] wire) {
        S2Error e = assertThrows(S2Error.class, () -> decode(wire));
        assertEquals(ErrorCode.BAD_FRAME, e.code());
        assertEquals(message, e.getMessage());
    }

    static List<Frame> decode(byte[] wire) {
        List<Frame> frames = new ArrayList<>();
        new Decoder().feed(wire, frames::add);
        return frames;
    }

    static Frame single(List<Frame> frames) {
        assertEquals(1, frames.size());
        return frames.get(0);
    }

    /** A frame as given, however wrong: {@code length} is written as is. */
    static byte[] raw(int length, int flags, byte[] payload) {
        byte[] out = new byte[HEADER + payload.length];
        out[0] = (byte) (length >>> 16);
        out[1] = (byte) (length >>> 8);
        out[2] = (byte) length;
        out[3] = (byte) flags;
        System.arraycopy(payload, 0, out, HEADER, payload.length);
        return out;
    }

    static int length(byte[] frame) {
        return (frame[0] & 0xFF) << 16 | (frame[1] & 0xFF) << 8 | frame[2] & 0xFF;
    }

    /** A {@code ReadBatch} of about 1 MB of compressible records, as a read session sends. */
    static byte[] readBatchOfAboutOneMegabyte() {
        List<SequencedRecord> records = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            records.add(new SequencedRecord(i, 1_767_000_000_000L + i, List.of(),
                    ("record " + i + " of a session that reads a lot; ").repeat(24).getBytes(UTF_8)));
        }
        byte[] message = ProtoCodec.encodeReadBatch(records, Optional.empty());
        assertTrue(message.length > 900_000 && message.length < 1_100_000, "about 1 MB: " + message.length);
        return message;
    }

    static byte[] text(int n) {
        byte[] phrase = bytes("the quick brown fox jumps over the lazy dog. ");
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = phrase[i % phrase.length];
        }
        return out;
    }

    static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
