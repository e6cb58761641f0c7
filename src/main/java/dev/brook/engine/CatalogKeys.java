package dev.brook.engine;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The catalog's key families, encoded in one place. Persistent: never renumber.
 *
 * <pre>
 *   basins/{encoded basin}/{version:020}                   a basin's versions
 *   streams/{basin}/{encoded stream}/-v/{version:020}      a stream name's versions
 * </pre>
 *
 * Names are written in lower-case base32hex (RFC 4648 §7, no padding), which keeps byte order, and
 * stream names are cut into segments of {@value #SEGMENT_CHARS} characters to fit file names. What
 * follows a name ('/' for basins, the segment {@code -v} for streams) sorts below every character
 * of the encoding, so a name sorts before every name it is a prefix of, and key order is name
 * order (raw basin names would not do: '-' sorts below '/').
 */
public final class CatalogKeys {

    static final int SEGMENT_CHARS = 200;
    /** Versions are zero-padded to 20 digits, enough for any long. */
    private static final int VERSION_DIGITS = 20;
    private static final String ALPHABET = "0123456789abcdefghijklmnopqrstuv";
    private static final Pattern VERSION = Pattern.compile("\\d{20}");

    private CatalogKeys() {}

    // ---------------------------------------------------------------- basins

    public static String basinPrefix() {
        return "basins/";
    }

    /** Where a basin's versions live. */
    public static String basinVersions(String basin) {
        return "basins/" + encode(basin) + "/";
    }

    /** The LIST prefix for basin names starting with {@code namePrefix} (whole 5-byte groups; callers filter). */
    public static String basinListPrefix(String namePrefix) {
        return "basins/" + encodePrefix(namePrefix);
    }

    public static String basinVersion(String basin, long version) {
        return basinVersions(basin) + pad(version);
    }

    /** The basin and version of a basin-version key, if it is one. */
    public static Optional<Versioned> parseBasinVersion(String key) {
        if (!key.startsWith("basins/")) {
            return Optional.empty();
        }
        String rest = key.substring("basins/".length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || !VERSION.matcher(rest.substring(slash + 1)).matches()) {
            return Optional.empty();
        }
        return decode(rest.substring(0, slash)).map(name -> new Versioned(name, Long.parseLong(rest.substring(slash + 1))));
    }

    // ---------------------------------------------------------------- streams

    public static String streamsOf(String basin) {
        return "streams/" + basin + "/";
    }

    /** Where a stream name's versions live. */
    public static String streamVersions(String basin, String stream) {
        return streamsOf(basin) + segmented(encode(stream)) + "/-v/";
    }

    public static String streamVersion(String basin, String stream, long version) {
        return streamVersions(basin, stream) + pad(version);
    }

    /**
     * The LIST prefix for stream names starting with {@code namePrefix}: its encoding cut back to whole
     * 5-byte groups (what later bytes leave unchanged); listings filter the names that do not match.
     */
    public static String streamListPrefix(String basin, String namePrefix) {
        return streamsOf(basin) + segmentedPrefix(encodePrefix(namePrefix));
    }

    /** A LIST startAfter above every version key of {@code stream} and below every later name's keys. */
    public static String afterStream(String basin, String stream) {
        return streamVersions(basin, stream) + "~";
    }

    /** The stream name and version of a stream-version key under {@code basin}, if it is one. */
    public static Optional<Named> parseStreamVersion(String basin, String key) {
        String prefix = streamsOf(basin);
        if (!key.startsWith(prefix)) {
            return Optional.empty();
        }
        String rest = key.substring(prefix.length());
        int marker = rest.lastIndexOf("/-v/");
        if (marker <= 0 || !VERSION.matcher(rest.substring(marker + 4)).matches()) {
            return Optional.empty();
        }
        Optional<String> name = decode(rest.substring(0, marker).replace("/", ""));
        return name.map(n -> new Named(n, Long.parseLong(rest.substring(marker + 4))));
    }

    // ---------------------------------------------------------------- key lengths

    /**
     * The problem with a basin name whose version keys would be longer than {@code keyCharsMax}
     * (what the store holds, {@code ObjectStore.keyCharsMax}), in S2's words for a name too long,
     * or empty when they fit. Version keys are the longest keys a name makes.
     */
    public static Optional<String> basinKeyProblem(String basin, int keyCharsMax) {
        int bytes = basin.getBytes(StandardCharsets.UTF_8).length;
        if (basinVersionKeyChars(bytes) <= keyCharsMax) {
            return Optional.empty();
        }
        int fits = bytes;
        while (fits > 0 && basinVersionKeyChars(fits) > keyCharsMax) {
            fits--;
        }
        return Optional.of("basin name must not exceed " + fits + " bytes in length (storage keys are limited to "
                + keyCharsMax + " characters)");
    }

    /** As {@link #basinKeyProblem}, for a stream name in {@code basin}: the basin's name is part of its keys. */
    public static Optional<String> streamKeyProblem(String basin, String stream, int keyCharsMax) {
        int bytes = stream.getBytes(StandardCharsets.UTF_8).length;
        if (streamVersionKeyChars(basin, bytes) <= keyCharsMax) {
            return Optional.empty();
        }
        int fits = bytes;
        while (fits > 0 && streamVersionKeyChars(basin, fits) > keyCharsMax) {
            fits--;
        }
        return Optional.of("stream name must not exceed " + fits + " bytes in length in basin `" + basin
                + "` (storage keys are limited to " + keyCharsMax + " characters)");
    }

    /** The length of {@link #basinVersion} for a name of {@code nameBytes} UTF-8 bytes. */
    static int basinVersionKeyChars(int nameBytes) {
        return "basins/".length() + encodedChars(nameBytes) + 1 + VERSION_DIGITS;
    }

    /** The length of {@link #streamVersion} in {@code basin} for a name of {@code nameBytes} UTF-8 bytes. */
    static int streamVersionKeyChars(String basin, int nameBytes) {
        int encoded = encodedChars(nameBytes);
        int segmented = encoded == 0 ? 0 : encoded + (encoded - 1) / SEGMENT_CHARS;
        return streamsOf(basin).length() + segmented + "/-v/".length() + VERSION_DIGITS;
    }

    /** Base32 without padding: 8 bits per byte, 5 per character, rounded up. */
    private static int encodedChars(int bytes) {
        return (bytes * 8 + 4) / 5;
    }

    public record Versioned(String basin, long version) {}

    public record Named(String stream, long version) {}

    // ---------------------------------------------------------------- encoding

    /** The UTF-8 bytes of {@code s} cut to whole 5-byte groups: their encoding is a prefix of every longer one's. */
    private static byte[] wholeGroups(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return java.util.Arrays.copyOf(bytes, bytes.length / 5 * 5);
    }

    /** Names compared as S2 does: by their UTF-8 bytes, unsigned. */
    public static int compareNames(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A name in the key alphabet: lower-case base32hex of its UTF-8 bytes, no padding. Persistent, and
     * shared by every key family that holds names (access token ids use it too).
     */
    public static String encode(String s) {
        return encode(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The encoding every name starting with {@code namePrefix} begins with: the prefix cut back to whole
     * 5-byte groups. Listings use it as a LIST prefix and filter the names that do not match.
     */
    public static String encodePrefix(String namePrefix) {
        return encode(wholeGroups(namePrefix));
    }

    static String encode(byte[] bytes) {
        StringBuilder out = new StringBuilder((bytes.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(ALPHABET.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(ALPHABET.charAt((buffer << (5 - bits)) & 31));
        }
        return out.toString();
    }

    /** The name behind an encoding, or empty when it is not one we wrote (or not valid UTF-8). */
    public static Optional<String> decode(String encoded) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < encoded.length(); i++) {
            int v = ALPHABET.indexOf(encoded.charAt(i));
            if (v < 0) {
                return Optional.empty();
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out.write((buffer >> (bits - 8)) & 0xff);
                bits -= 8;
            }
        }
        if ((buffer & ((1 << bits) - 1)) != 0 || bits >= 5) {
            return Optional.empty(); // leftover bits must be the zero padding of a real encoding
        }
        byte[] bytes = out.toByteArray();
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString());
        } catch (java.nio.charset.CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private static String segmented(String encoded) {
        StringBuilder out = new StringBuilder(encoded.length() + encoded.length() / SEGMENT_CHARS);
        for (int i = 0; i < encoded.length(); i += SEGMENT_CHARS) {
            if (i > 0) {
                out.append('/');
            }
            out.append(encoded, i, Math.min(encoded.length(), i + SEGMENT_CHARS));
        }
        return out.toString();
    }

    /** Like {@link #segmented}, ending with '/' when the prefix fills its last segment. */
    private static String segmentedPrefix(String encoded) {
        String s = segmented(encoded);
        return !encoded.isEmpty() && encoded.length() % SEGMENT_CHARS == 0 ? s + "/" : s;
    }

    private static String pad(long n) {
        String s = Long.toString(n);
        return "0".repeat(VERSION_DIGITS - s.length()) + s;
    }
}
