package dev.brook.http.records;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Finds the first byte of a JSON string's content that is not plain: a quote, a backslash, a control
 * character, DEL or anything beyond ASCII. Eight bytes at a time (docs/DECISIONS.md 50): a word
 * with none of them is passed over in a handful of operations, and only a word that has one is
 * looked at byte by byte. Records' bodies are mostly plain text, and both the append reader and the
 * read encoder scan every byte of every body.
 */
final class PlainAscii {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private PlainAscii() {}

    /** The index of the first byte at or after {@code from} that is not plain, or {@code bytes.length}. */
    static int end(byte[] bytes, int from) {
        int i = from;
        for (int last = bytes.length - Long.BYTES; i <= last; i += Long.BYTES) {
            if (special((long) LONGS.get(bytes, i))) {
                break;
            }
        }
        for (; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b < 0x20 || b == '"' || b == '\\' || b == 0x7f) { // negative bytes too: beyond ASCII
                return i;
            }
        }
        return bytes.length;
    }

    /** Whether one of the eight bytes of {@code w} is a quote, a backslash, below 0x20, or 0x7f and above. */
    private static boolean special(long w) {
        long quote = zeroByte(w ^ (ONES * '"'));
        long backslash = zeroByte(w ^ (ONES * '\\'));
        long control = (w - ONES * 0x20) & ~w & HIGHS; // a byte below 0x20 (exact for a threshold of 0x80 or less)
        long delOrHigh = ((w & ~HIGHS) + ONES) | w; // 0x7f carries into its high bit; 0x80 and above have it
        return ((quote | backslash | control | delOrHigh) & HIGHS) != 0;
    }

    /** The high bit of each byte of {@code v} that is zero set, exact as to whether any is (others may be set after one that is). */
    private static long zeroByte(long v) {
        return (v - ONES) & ~v & HIGHS;
    }
}
