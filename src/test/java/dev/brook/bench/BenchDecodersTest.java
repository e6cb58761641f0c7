package dev.brook.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's session decoders give the same events and frames however the bytes are split
 * into chunks, including events and frames far larger than a chunk (a reader catching up).
 */
class BenchDecodersTest {

    /** {@code bytes} cut at random points, seeded. */
    static List<Buffer> chunks(byte[] bytes, Random r, int maxChunk) {
        List<Buffer> out = new ArrayList<>();
        for (int at = 0; at < bytes.length; ) {
            int n = Math.min(bytes.length - at, 1 + r.nextInt(maxChunk));
            out.add(Buffer.buffer().appendBytes(bytes, at, n));
            at += n;
        }
        return out;
    }

    @Test
    void sseEventsSurviveEverySplit() {
        StringBuilder stream = new StringBuilder();
        List<String> expected = new ArrayList<>();
        Random r = new Random(7);
        for (int i = 0; i < 200; i++) {
            String data = i % 10 == 0 ? "x".repeat(100_000 + r.nextInt(1000)) : "{\"seq_num\":" + i + "}";
            String event = i % 3 == 0 ? "ping" : "batch";
            stream.append("event: ").append(event).append('\n').append("data: ").append(data).append('\n').append("id: ").append(i).append("\n\n");
            expected.add(event + ":" + data);
        }
        byte[] bytes = stream.toString().getBytes(StandardCharsets.UTF_8);
        for (int seed = 0; seed < 20; seed++) {
            Bench.SseDecoder decoder = new Bench.SseDecoder();
            List<String> got = new ArrayList<>();
            for (Buffer chunk : chunks(bytes, new Random(seed), seed % 2 == 0 ? 64 : 20_000)) {
                decoder.feed(chunk).forEach(e -> got.add(e.event() + ":" + e.text()));
            }
            assertEquals(expected, got, "seed " + seed);
        }
    }

    @Test
    void s2sFramesSurviveEverySplit() {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        List<byte[]> expected = new ArrayList<>();
        Random r = new Random(11);
        for (int i = 0; i < 200; i++) {
            byte[] frame = new byte[1 + (i % 10 == 0 ? 200_000 : r.nextInt(50))];
            r.nextBytes(frame);
            expected.add(frame);
            stream.write(frame.length >>> 16);
            stream.write(frame.length >>> 8);
            stream.write(frame.length);
            stream.writeBytes(frame);
        }
        byte[] bytes = stream.toByteArray();
        for (int seed = 0; seed < 20; seed++) {
            Bench.FrameDecoder decoder = new Bench.FrameDecoder();
            List<byte[]> got = new ArrayList<>();
            for (Buffer chunk : chunks(bytes, new Random(seed), seed % 2 == 0 ? 64 : 30_000)) {
                got.addAll(decoder.feed(chunk));
            }
            assertEquals(expected.size(), got.size(), "seed " + seed);
            for (int i = 0; i < expected.size(); i++) {
                assertArrayEquals(expected.get(i), got.get(i), "seed " + seed + ", frame " + i);
            }
        }
    }

    @Test
    void sseBatchesAreScannedForSequenceNumbersAndSendTimes() {
        String json = "{\"records\":[{\"seq_num\":7,\"timestamp\":1,\"body\":\"0000000000000000042xxx\"},"
                + "{\"seq_num\":8,\"timestamp\":2,\"headers\":[[\"a\",\"b\"]],\"body\":\"0000000000000000043yyy\"}],"
                + "\"tail\":{\"seq_num\":9,\"timestamp\":2}}";
        long[][] scanned = Bench.scanSseBatch(json);
        assertArrayEquals(new long[]{7, 8}, scanned[0]);
        assertArrayEquals(new long[]{42, 43}, scanned[1]);
    }
}
