package dev.brook.api;

import static dev.brook.api.DataPlaneApi.assertError;
import static dev.brook.api.DataPlaneApi.bodies;
import static dev.brook.api.DataPlaneApi.bodiesOf;
import static dev.brook.api.DataPlaneApi.createStream;
import static dev.brook.api.DataPlaneApi.newBasin;
import static dev.brook.api.DataPlaneApi.raw;
import static dev.brook.api.DataPlaneApi.read;
import static dev.brook.api.DataPlaneApi.recordsOf;
import static dev.brook.api.DataPlaneApi.recordsPath;
import static dev.brook.api.DataPlaneApi.streamNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Spec §12 H (Lite's handler tests in {@code lite/src/handlers/v1/records.rs}), one test per item. */
@QuarkusTest
class RecordsHandlerTest {

    private static final String S = "handler/s";
    private static final String AEGIS = "{\"stream_cipher\":\"aegis-256\"}";

    @Test
    // "Protobuf unary append (Content-Type/Accept `application/protobuf`) with key to aegis-256 stream → 200, protobuf ack
    // `end.seq_num = 1`; data stored encrypted and readable with key."
    void protobufAppendWithKeyToEncryptedStream() {
        String basin = newBasin("h-proto-enc", AEGIS);
        createStream(basin, S, null);
        String key = key(1);
        byte[] appendInput = Proto.message(Proto.bytesField(1, Proto.message(Proto.bytesField(3, "secret".getBytes(StandardCharsets.UTF_8)))));
        DataPlaneApi.Reply r = raw("POST", recordsPath(S), Map.of("s2-basin", basin, "content-type", "application/protobuf",
                "accept", "application/protobuf", "s2-encryption-key", key), appendInput);
        assertEquals(200, r.status(), r::toString);
        assertEquals("application/protobuf", r.contentType().split(";")[0].trim());
        Map<Integer, List<Object>> ack = Proto.parse(r.body());
        Map<Integer, List<Object>> start = Proto.parse((byte[]) ack.get(1).get(0));
        Map<Integer, List<Object>> end = Proto.parse((byte[]) ack.get(2).get(0));
        assertEquals(0L, start.getOrDefault(1, List.of(0L)).get(0));
        assertEquals(1L, end.get(1).get(0));
        assertTrue(ack.containsKey(3), "tail is always set");
        // Readable with the key; the key is required.
        assertEquals(List.of("secret"), bodiesOf(recordsOf(read(basin, S, "seq_num=0", Map.of("s2-encryption-key", key)))));
        JsonNode err = assertError(read(basin, S, "seq_num=0"), 400, "bad_header", null);
        assertTrue(err.get("message").asText().contains("missing encryption key"), err::toString);
    }

    @Test
    // "`GET ...?timestamp=5&until=5` with auto-create-on-read basin → 422 `{"code":"invalid",...}`, no stream created."
    void invalidReadParamsAre422BeforeAutoCreate() {
        String basin = newBasin("h-bad-params", "{\"create_stream_on_read\":true}");
        assertError(read(basin, S, "timestamp=5&until=5"), 422, "invalid", "start `timestamp` exceeds or equal to `until`");
        assertEquals(List.of(), streamNames(basin));
        // The same basin does auto-create on a valid read: the refusal above was the parameters, not the basin.
        assertEquals(200, read(basin, S, "timestamp=5&until=6&wait=1").status());
        assertEquals(List.of(S), streamNames(basin));
    }

    @Test
    // "Unary read with wrong key → 400 `decryption_failed` ("record decryption failed")."
    void unaryReadWithWrongKeyIsDecryptionFailed() {
        String basin = newBasin("h-wrong-key", AEGIS);
        createStream(basin, S, null);
        assertEquals(200, DataPlaneApi.append(basin, S, bodies("secret"), Map.of("s2-encryption-key", key(1))).status());
        JsonNode err = assertError(read(basin, S, "seq_num=0", Map.of("s2-encryption-key", key(2))), 400, "decryption_failed", null);
        assertTrue(err.get("message").asText().contains("record decryption failed"), err::toString);
    }

    @Test
    // "SSE read (`Accept: text/event-stream`) of encrypted stream without key → 400 JSON `bad_header` containing
    // "missing encryption key" (before any stream starts)."
    void sseReadWithoutKeyIsBadHeader() {
        String basin = newBasin("h-sse-nokey", AEGIS);
        createStream(basin, S, null);
        assertEquals(200, DataPlaneApi.append(basin, S, bodies("secret"), Map.of("s2-encryption-key", key(1))).status());
        DataPlaneApi.Reply r = raw("GET", recordsPath(S) + "?seq_num=0", Map.of("s2-basin", basin, "accept", "text/event-stream"), null);
        JsonNode err = assertError(r, 400, "bad_header", null);
        assertTrue(err.get("message").asText().contains("missing encryption key"), err::toString);
    }

    @Test
    // "S2S read (`Content-Type: s2s/proto`) without key → same 400 `bad_header` JSON."
    void s2sReadWithoutKeyIsBadHeader() {
        String basin = newBasin("h-s2s-nokey", AEGIS);
        createStream(basin, S, null);
        assertEquals(200, DataPlaneApi.append(basin, S, bodies("secret"), Map.of("s2-encryption-key", key(1))).status());
        DataPlaneApi.Reply r = raw("GET", recordsPath(S) + "?seq_num=0", Map.of("s2-basin", basin, "content-type", "s2s/proto"), null);
        JsonNode err = assertError(r, 400, "bad_header", null);
        assertTrue(err.get("message").asText().contains("missing encryption key"), err::toString);
    }

    @Test
    // "S2S read `seq_num=0&wait=0` with correct key → 200, body is exactly one regular frame decoding to a ReadBatch with
    // the 1 record."
    void s2sReadWithKeyIsOneFrame() {
        String basin = newBasin("h-s2s-key", AEGIS);
        createStream(basin, S, null);
        String key = key(1);
        assertEquals(200, DataPlaneApi.append(basin, S, bodies("secret"), Map.of("s2-encryption-key", key)).status());
        DataPlaneApi.Reply r = raw("GET", recordsPath(S) + "?seq_num=0&wait=0",
                Map.of("s2-basin", basin, "content-type", "s2s/proto", "s2-encryption-key", key), null);
        assertEquals(200, r.status(), r::toString);
        assertEquals("s2s/proto", r.contentType().split(";")[0].trim());
        byte[] b = r.body();
        assertTrue(b.length >= 4, "one frame");
        int length = ((b[0] & 0xff) << 16) | ((b[1] & 0xff) << 8) | (b[2] & 0xff);
        assertEquals(b.length - 3, length, "exactly one frame");
        assertEquals(0, b[3], "a regular, uncompressed frame");
        byte[] payload = java.util.Arrays.copyOfRange(b, 4, b.length);
        Map<Integer, List<Object>> batch = Proto.parse(payload);
        assertEquals(1, batch.get(1).size(), "one record");
        Map<Integer, List<Object>> record = Proto.parse((byte[]) batch.get(1).get(0));
        assertEquals(0L, record.getOrDefault(1, List.of(0L)).get(0));
        assertEquals("secret", new String((byte[]) record.get(4).get(0), StandardCharsets.UTF_8));
    }

    private static String key(int seed) {
        byte[] k = new byte[32];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) (seed * 31 + i);
        }
        return Base64.getEncoder().encodeToString(k);
    }

    /** Just enough protobuf for the S2 messages: varint and length-delimited fields. */
    static final class Proto {

        private Proto() {}

        static byte[] message(byte[]... fields) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (byte[] f : fields) {
                out.writeBytes(f);
            }
            return out.toByteArray();
        }

        static byte[] bytesField(int number, byte[] value) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            varint(out, ((long) number << 3) | 2);
            varint(out, value.length);
            out.writeBytes(value);
            return out.toByteArray();
        }

        static byte[] varintField(int number, long value) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            varint(out, (long) number << 3);
            varint(out, value);
            return out.toByteArray();
        }

        private static void varint(ByteArrayOutputStream out, long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }

        /** Field number → values (Long for varints, byte[] for length-delimited). */
        static Map<Integer, List<Object>> parse(byte[] b) {
            Map<Integer, List<Object>> out = new HashMap<>();
            int[] at = {0};
            while (at[0] < b.length) {
                long tag = readVarint(b, at);
                int number = (int) (tag >>> 3);
                int wire = (int) (tag & 7);
                Object value;
                if (wire == 0) {
                    value = readVarint(b, at);
                } else if (wire == 2) {
                    int len = (int) readVarint(b, at);
                    value = java.util.Arrays.copyOfRange(b, at[0], at[0] + len);
                    at[0] += len;
                } else {
                    throw new AssertionError("unexpected wire type " + wire);
                }
                out.computeIfAbsent(number, k -> new ArrayList<>()).add(value);
            }
            return out;
        }

        private static long readVarint(byte[] b, int[] at) {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                byte x = b[at[0]++];
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return v;
                }
            }
        }
    }
}
