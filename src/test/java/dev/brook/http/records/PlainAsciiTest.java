package dev.brook.http.records;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The word-at-a-time scan finds the same first non-plain byte as a byte-by-byte one, wherever it lies. */
class PlainAsciiTest {

    private static int naive(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            if (b < 0x20 || b == '"' || b == '\\' || b >= 0x7f) {
                return i;
            }
        }
        return bytes.length;
    }

    @Test
    void everySpecialByteAtEveryOffset() {
        byte[] specials = {0, 0x1f, '"', '\\', 0x7f, (byte) 0x80, (byte) 0xc3, (byte) 0xff};
        for (int length = 0; length < 40; length++) {
            for (int at = 0; at < length; at++) {
                for (byte special : specials) {
                    byte[] bytes = new byte[length];
                    java.util.Arrays.fill(bytes, (byte) 'a');
                    bytes[at] = special;
                    for (int from = 0; from <= length; from++) {
                        assertEquals(naive(bytes, from), PlainAscii.end(bytes, from), "length " + length + ", at " + at + ", from " + from);
                    }
                }
            }
        }
    }

    @Test
    void randomTextAgreesWithTheByteScan() {
        Random r = new Random(42);
        for (int n = 0; n < 20_000; n++) {
            byte[] bytes = new byte[r.nextInt(100)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = r.nextInt(30) == 0 ? (byte) r.nextInt(256) : (byte) (0x20 + r.nextInt(0x5f));
            }
            int from = r.nextInt(bytes.length + 1);
            assertEquals(naive(bytes, from), PlainAscii.end(bytes, from), "case " + n);
        }
    }
}
