package dev.brook.http.wire;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CompressionTest {

    static final int CAP = Compression.REQUEST_BODY_BYTES_MAX;
    static final long SEED = 0xC0DEC;

    // Produced by the zstd 1.5.4 and gzip command-line tools, embedded so the test needs neither.
    /** {@code zstd -c file} of "hello, zstd": single segment, content size 11, XXH64 checksum. */
    static final String ZSTD_CLI_FILE = "KLUv/SQLWQAAaGVsbG8sIHpzdGR4liE8";
    /** {@code printf 'hello, zstd' | zstd -c}: from a pipe, so no content size in the frame. */
    static final String ZSTD_CLI_PIPE = "KLUv/QRYWQAAaGVsbG8sIHpzdGR4liE8";
    /** The same with {@code --no-check}: no checksum either. */
    static final String ZSTD_CLI_PIPE_NO_CHECK = "KLUv/QBYWQAAaGVsbG8sIHpzdGQ=";
    /** {@code printf '' | zstd -c}: an empty frame. */
    static final String ZSTD_CLI_EMPTY = "KLUv/SQAAQAAmenYUQ==";
    /** {@code head -c 9437184 /dev/zero | zstd -c}: 9 MiB of zeros (over the cap) in 314 bytes, size not declared. */
    static final String ZSTD_CLI_ZEROS_9_MIB = "KLUv/QRYVAAAEAAAAQD7/znAAgIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEA"
            + "ACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIA"
            + "EAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAA"
            + "IAEAACABAAAgAQAAIAEAACABAAAgAQAEQAAAABAP3/zQsQAgAQAAIAEAACABAAAgAQAAIAEAACABAAAwAQAG5wlzQ=";
    /** {@code head -c 8388608 /dev/zero | zstd -c}: exactly the cap, size not declared. */
    static final String ZSTD_CLI_ZEROS_8_MIB = "KLUv/QRYVAAAEAAAAQD7/znAAgIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEA"
            + "ACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIA"
            + "EAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAA"
            + "IAEAACABAAAgAQAAIAEAACABAAAgAQAAEAAA/f9mE=";
    /** {@code printf 'hello, gzip' | gzip -c -n}. */
    static final String GZIP_CLI = "H4sIAAAAAAAAA8tIzcnJ11FIr8osAABKm7FcCwAAAA==";

    // ---------------------------------------------------------------- round trips

    static Stream<Arguments> payloads() {
        Random random = new Random(SEED);
        byte[] noise = new byte[100_000];
        random.nextBytes(noise);
        byte[] text = "the quick brown fox jumps over the lazy dog. ".repeat(25_000).getBytes(UTF_8);
        return Stream.of(Compression.ZSTD, Compression.GZIP).flatMap(encoding -> Stream.of(
                arguments(encoding, "empty", new byte[0]),
                arguments(encoding, "one byte", new byte[] {42}),
                arguments(encoding, "short text", "hello".getBytes(UTF_8)),
                arguments(encoding, "100 KB of noise", noise),
                arguments(encoding, "1.1 MB of text", text),
                arguments(encoding, "exactly the cap", new byte[CAP])));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("payloads")
    void roundTrips(String encoding, String name, byte[] payload) {
        byte[] compressed = Compression.encode(encoding, payload);
        assertArrayEquals(payload, Compression.decodeRequest(encoding, compressed));
    }

    @Test
    void compressesCompressibleData() {
        byte[] text = "{\"records\":[{\"body\":\"abc\"}]}".repeat(1000).getBytes(UTF_8);
        assertTrue(Compression.encode(Compression.ZSTD, text).length < text.length / 10);
        assertTrue(Compression.encode(Compression.GZIP, text).length < text.length / 10);
    }

    @Test
    void identityAndAbsentPassTheBodyThrough() {
        byte[] body = "{}".getBytes(UTF_8);
        assertSame(body, Compression.decodeRequest(null, body));
        assertSame(body, Compression.decodeRequest("", body));
        assertSame(body, Compression.decodeRequest("identity", body));
        assertSame(body, Compression.decodeRequest(" Identity ", body));
        assertSame(body, Compression.encode(Compression.IDENTITY, body));
    }

    @Test
    void encodingNamesAreCaseInsensitiveAndTrimmed() {
        assertArrayEquals(bytes("hello, zstd"), Compression.decodeRequest(" ZSTD ", base64(ZSTD_CLI_FILE)));
        assertArrayEquals(bytes("hello, gzip"), Compression.decodeRequest("GZip", base64(GZIP_CLI)));
        assertArrayEquals(bytes("hello, gzip"), Compression.decodeRequest("x-gzip", base64(GZIP_CLI)));
    }

    // ---------------------------------------------------------------- data from the real tools

    @Test
    void decodesFramesTheZstdToolWrites() {
        assertArrayEquals(bytes("hello, zstd"), Compression.decodeRequest("zstd", base64(ZSTD_CLI_FILE)));
        assertArrayEquals(bytes("hello, zstd"), Compression.decodeRequest("zstd", base64(ZSTD_CLI_PIPE)));
        assertArrayEquals(bytes("hello, zstd"), Compression.decodeRequest("zstd", base64(ZSTD_CLI_PIPE_NO_CHECK)));
        assertArrayEquals(new byte[0], Compression.decodeRequest("zstd", base64(ZSTD_CLI_EMPTY)));
        assertArrayEquals(new byte[CAP], Compression.decodeRequest("zstd", base64(ZSTD_CLI_ZEROS_8_MIB)));
    }

    @Test
    void concatenatedFramesAndMembersDecodeToTheirConcatenation() {
        assertArrayEquals(bytes("hello, zstdhello, zstd"),
                Compression.decodeRequest("zstd", concat(base64(ZSTD_CLI_FILE), base64(ZSTD_CLI_PIPE))));
        assertArrayEquals(bytes("hello, gziphello, gzip"), Compression.decodeRequest("gzip", concat(base64(GZIP_CLI), base64(GZIP_CLI))));
    }

    @Test
    void decodesTheGzipToolsOutput() {
        assertArrayEquals(bytes("hello, gzip"), Compression.decodeRequest("gzip", base64(GZIP_CLI)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"zstd", "gzip"})
    void interoperatesWithTheInstalledTool(String tool, @TempDir Path dir) throws Exception {
        assumeTrue(onPath(tool), tool + " is not installed");
        byte[] payload = ("record " + "x".repeat(50) + "\n").repeat(20_000).getBytes(UTF_8);
        Random random = new Random(SEED);
        for (int i = 0; i < payload.length; i += 97) {
            payload[i] = (byte) random.nextInt(256);
        }
        // Theirs to ours: from a pipe, so the zstd frame carries no content size.
        byte[] theirs = run(dir, payload, tool, "-c");
        assertArrayEquals(payload, Compression.decodeRequest(tool, theirs));
        // Ours to theirs.
        assertArrayEquals(payload, run(dir, Compression.encode(tool, payload), tool, "-d", "-c"));
    }

    // ---------------------------------------------------------------- caps

    @Test
    void aZstdBombWithoutADeclaredSizeStopsAtTheCap() {
        assertTooLarge(ErrorCode.BAD_JSON, () -> Compression.decodeRequest("zstd", base64(ZSTD_CLI_ZEROS_9_MIB)));
    }

    @Test
    void aZstdFrameDeclaringMoreThanTheCapIsRefusedUpFront() {
        byte[] frame = Compression.encode(Compression.ZSTD, new byte[CAP + 1]);
        assertTrue(frame.length < 1000, "zeros compress well: " + frame.length);
        assertTooLarge(ErrorCode.BAD_JSON, () -> Compression.decodeRequest("zstd", frame));
    }

    @Test
    void aGzipBombStopsAtTheCap() {
        byte[] bomb = Compression.encode(Compression.GZIP, new byte[CAP + 1]);
        assertTooLarge(ErrorCode.BAD_JSON, () -> Compression.decodeRequest("gzip", bomb));
        // A lying ISIZE trailer changes nothing: it is only a hint.
        byte[] lying = bomb.clone();
        lying[lying.length - 4] = 10;
        lying[lying.length - 3] = 0;
        lying[lying.length - 2] = 0;
        lying[lying.length - 1] = 0;
        S2Error e = assertThrows(S2Error.class, () -> Compression.decodeRequest("gzip", lying));
        assertEquals(ErrorCode.BAD_JSON, e.code());
    }

    @Test
    void theCallerChoosesTheCodeForBadBodies() {
        assertTooLarge(ErrorCode.BAD_PROTO, () -> Compression.decodeRequest("zstd", base64(ZSTD_CLI_ZEROS_9_MIB), ErrorCode.BAD_PROTO));
        S2Error e = assertThrows(S2Error.class, () -> Compression.decodeRequest("gzip", bytes("nope"), ErrorCode.BAD_PROTO));
        assertEquals(ErrorCode.BAD_PROTO, e.code());
        assertEquals("invalid compressed body", e.getMessage());
    }

    /** The explicit-cap variant (S2S frames): its cap, its wording, and only the two real codings. */
    @ParameterizedTest
    @ValueSource(strings = {"zstd", "gzip"})
    void decompressHonoursAnExplicitCap(String encoding) {
        int cap = 1000;
        byte[] atCap = Compression.encode(encoding, new byte[cap]);
        assertEquals(cap, Compression.decompress(encoding, atCap, cap, ErrorCode.BAD_FRAME, "frame").length);
        byte[] over = Compression.encode(encoding, new byte[cap + 1]);
        S2Error e = assertThrows(S2Error.class, () -> Compression.decompress(encoding, over, cap, ErrorCode.BAD_FRAME, "frame"));
        assertEquals(ErrorCode.BAD_FRAME, e.code());
        assertEquals("decompressed frame exceeds 1000 bytes", e.getMessage());
        e = assertThrows(S2Error.class, () -> Compression.decompress(encoding, bytes("nope"), cap, ErrorCode.BAD_FRAME, "frame"));
        assertEquals("invalid compressed frame", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Compression.decompress(encoding, atCap, 0, ErrorCode.BAD_FRAME, "frame"));
    }

    @Test
    void decompressKnowsOnlyZstdAndGzip() {
        for (String encoding : List.of("identity", "x-gzip", "br", "")) {
            assertThrows(IllegalArgumentException.class, () -> Compression.decompress(encoding, bytes("x"), CAP, ErrorCode.BAD_JSON, "body"));
        }
    }

    // ---------------------------------------------------------------- bad input

    @ParameterizedTest
    @ValueSource(strings = {"br", "deflate", "compress", "gzip, zstd", "zstd;q=1", "*"})
    void unsupportedEncodingsAreBadHeader(String encoding) {
        S2Error e = assertThrows(S2Error.class, () -> Compression.decodeRequest(encoding, bytes("x")));
        assertEquals(ErrorCode.BAD_HEADER, e.code());
        assertEquals("Unsupported content-encoding: " + encoding, e.getMessage());
    }

    static Stream<Arguments> corrupt() {
        byte[] zstd = base64(ZSTD_CLI_FILE);
        byte[] gzip = base64(GZIP_CLI);
        byte[] badZstdChecksum = zstd.clone();
        badZstdChecksum[badZstdChecksum.length - 1] ^= 1;
        byte[] badGzipCrc = gzip.clone();
        badGzipCrc[badGzipCrc.length - 5] ^= 1;
        byte[] badGzipLength = gzip.clone();
        badGzipLength[badGzipLength.length - 4] ^= 1;
        return Stream.of(
                arguments("zstd", "empty", new byte[0]),
                arguments("zstd", "not zstd", bytes("{\"records\":[]}")),
                arguments("zstd", "gzip data", gzip),
                arguments("zstd", "truncated", Arrays.copyOf(zstd, zstd.length - 5)),
                arguments("zstd", "magic only", Arrays.copyOf(zstd, 4)),
                arguments("zstd", "bad checksum", badZstdChecksum),
                arguments("zstd", "trailing garbage", concat(zstd, bytes("xyzw"))),
                arguments("gzip", "empty", new byte[0]),
                arguments("gzip", "not gzip", bytes("{\"records\":[]}")),
                arguments("gzip", "zstd data", zstd),
                arguments("gzip", "truncated", Arrays.copyOf(gzip, gzip.length - 9)),
                arguments("gzip", "header only", Arrays.copyOf(gzip, 10)),
                arguments("gzip", "bad CRC", badGzipCrc),
                arguments("gzip", "bad length", badGzipLength));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("corrupt")
    void corruptBodiesAreBadJson(String encoding, String name, byte[] body) {
        S2Error e = assertThrows(S2Error.class, () -> Compression.decodeRequest(encoding, body));
        assertEquals(ErrorCode.BAD_JSON, e.code());
        assertEquals("invalid compressed body", e.getMessage());
    }

    /**
     * Known leniency of the decoders underneath, kept because the frames before it are whole and
     * checked: aircompressor ignores fewer than 4 bytes (less than a frame magic) after the last zstd
     * frame, and java.util.zip ignores anything after a gzip member that is not another member.
     */
    @Test
    void shortTrailingGarbageIsIgnored() {
        assertArrayEquals(bytes("hello, zstd"), Compression.decodeRequest("zstd", concat(base64(ZSTD_CLI_FILE), bytes("xyz"))));
        assertArrayEquals(bytes("hello, gzip"), Compression.decodeRequest("gzip", concat(base64(GZIP_CLI), bytes("trailing garbage"))));
    }

    static final int FUZZ_MUTATIONS = 3000;

    /** Whatever the mutation, the outcome is a body or a 400: never another exception, never a crash. */
    @Test
    void mutatedFramesDecodeOrAreBadJson() {
        Random random = new Random(SEED);
        byte[] text = "a fairly compressible body, a fairly compressible body ".repeat(100).getBytes(UTF_8);
        List<String[]> seeds = List.of(
                new String[] {"zstd", ZSTD_CLI_FILE}, new String[] {"zstd", ZSTD_CLI_PIPE}, new String[] {"gzip", GZIP_CLI},
                new String[] {"zstd", Base64.getEncoder().encodeToString(Compression.encode("zstd", text))},
                new String[] {"gzip", Base64.getEncoder().encodeToString(Compression.encode("gzip", text))});
        int rejected = 0;
        for (int i = 0; i < FUZZ_MUTATIONS; i++) {
            String[] seed = seeds.get(random.nextInt(seeds.size()));
            byte[] body = ProtoCodecTest.mutate(base64(seed[1]), random);
            try {
                Compression.decodeRequest(seed[0], body);
            } catch (S2Error e) {
                assertEquals(ErrorCode.BAD_JSON, e.code(), e.getMessage());
                rejected++;
            }
        }
        assertTrue(rejected > FUZZ_MUTATIONS / 2, "most mutations break the data: " + rejected);
    }

    // ---------------------------------------------------------------- Accept-Encoding

    static Stream<Arguments> acceptEncodings() {
        return Stream.of(
                arguments(null, null),
                arguments("", null),
                arguments("identity", null),
                arguments("br", null),
                arguments("deflate", null),
                arguments("zstd", "zstd"),
                arguments("gzip", "gzip"),
                arguments("x-gzip", "gzip"),
                arguments("zstd, gzip", "zstd"),
                arguments("gzip, zstd", "zstd"),
                arguments("gzip, zstd, br", "zstd"),
                arguments("gzip;q=0.8, deflate", "gzip"),
                arguments("GZIP ; Q=0.5", "gzip"),
                arguments("br;q=1.0, gzip;q=0.8, *;q=0.1", "gzip"),
                arguments("gzip;q=1.0, zstd;q=0.5", "gzip"),
                arguments("gzip;q=0.5, zstd;q=0.5", "zstd"),
                arguments("zstd;q=0, gzip", "gzip"),
                arguments("zstd;q=0.000, gzip;q=0", null),
                arguments("*", "zstd"),
                arguments("*;q=0", null),
                arguments("zstd;q=0, *", "gzip"),
                arguments("gzip;q=0, *", "zstd"),
                arguments("*;q=0.3, gzip", "gzip"),
                arguments("*;q=0, gzip;q=0.1", "gzip"),
                arguments("identity;q=1, *;q=0", null),
                arguments("zstd;q=bogus, gzip", "gzip"),
                arguments("zstd;q=1.5", null),
                arguments("zstd;level=3", "zstd"),
                arguments(" , ,zstd,, ", "zstd"));
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @MethodSource("acceptEncodings")
    void choosesTheResponseEncoding(String acceptEncoding, String expected) {
        assertEquals(Optional.ofNullable(expected), Compression.chooseResponseEncoding(acceptEncoding));
    }

    @Test
    void encodesOnlyWhatItKnows() {
        assertThrows(IllegalArgumentException.class, () -> Compression.encode("br", bytes("x")));
        assertEquals(1024, Compression.RESPONSE_COMPRESSION_MIN_BYTES);
    }

    // ---------------------------------------------------------------- helpers

    static void assertTooLarge(ErrorCode code, Runnable decode) {
        S2Error e = assertThrows(S2Error.class, decode::run);
        assertEquals(code, e.code());
        assertEquals("decompressed body exceeds " + CAP + " bytes", e.getMessage());
    }

    static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(File.pathSeparator)).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    /** Runs {@code command} with {@code input} on stdin (from a file, so no pipe can fill up) and returns stdout. */
    static byte[] run(Path dir, byte[] input, String... command) throws IOException, InterruptedException {
        Path in = Files.write(dir.resolve("in"), input);
        Path out = dir.resolve("out");
        Process p = new ProcessBuilder(command).redirectInput(in.toFile()).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed");
        return Files.readAllBytes(out);
    }

    static byte[] base64(String s) {
        return Base64.getDecoder().decode(s);
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
