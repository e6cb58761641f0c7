package dev.brook.core;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Validators for names and tokens (spec §2). Each returns S2's message for the first rule broken,
 * checked in S2's order, or empty when the value is valid. Lengths are UTF-8 bytes, not chars.
 */
public final class Names {

    private Names() {}

    public static Optional<String> basinName(String name) {
        return basin(name, "name", false);
    }

    /** A listing's {@code prefix}: may be empty, may end with a hyphen. */
    public static Optional<String> basinPrefix(String prefix) {
        return basin(prefix, "prefix", true);
    }

    /** A listing's {@code start_after}: the same rules as a prefix. */
    public static Optional<String> basinStartAfter(String startAfter) {
        return basin(startAfter, "start-after", true);
    }

    public static Optional<String> streamName(String name) {
        if (name.isEmpty()) {
            return Optional.of("stream name must not be empty");
        }
        if (name.equals(".") || name.equals("..")) {
            return Optional.of("stream name must not be \".\" or \"..\"");
        }
        return streamLength(name, "name");
    }

    /** A listing's {@code prefix}: only its length is limited ("", "." and ".." are fine). */
    public static Optional<String> streamPrefix(String prefix) {
        return streamLength(prefix, "prefix");
    }

    public static Optional<String> streamStartAfter(String startAfter) {
        return streamLength(startAfter, "start-after");
    }

    /**
     * An access token id: like a stream name, 1 to 96 bytes, not "." or "..". S2 checks it while
     * parsing a body, so a bad id in one is a 400 like a bad basin name.
     */
    public static Optional<String> accessTokenId(String id) {
        if (id.isEmpty()) {
            return Optional.of("access token id must not be empty");
        }
        if (id.equals(".") || id.equals("..")) {
            return Optional.of("access token id must not be \".\" or \"..\"");
        }
        return accessTokenLength(id, "id");
    }

    /** A listing's {@code prefix}: only its length is limited. */
    public static Optional<String> accessTokenIdPrefix(String prefix) {
        return accessTokenLength(prefix, "prefix");
    }

    public static Optional<String> accessTokenIdStartAfter(String startAfter) {
        return accessTokenLength(startAfter, "start-after");
    }

    public static Optional<String> fencingToken(String token) {
        if (utf8Bytes(token) > Limits.FENCING_TOKEN_BYTES_MAX) {
            return Optional.of("fencing token must not exceed " + Limits.FENCING_TOKEN_BYTES_MAX + " bytes in length");
        }
        return Optional.empty();
    }

    public static Optional<String> requestToken(String token) {
        int bytes = utf8Bytes(token);
        if (bytes > Limits.REQUEST_TOKEN_BYTES_MAX) {
            return Optional.of("request token was longer than " + Limits.REQUEST_TOKEN_BYTES_MAX + " bytes in length: " + bytes);
        }
        return Optional.empty();
    }

    /**
     * S2 checks the longest length first, then the shortest (names only), then the first char, the
     * last (names only), and only then the chars in between; a prefix may be empty.
     */
    private static Optional<String> basin(String s, String field, boolean isPrefix) {
        int bytes = utf8Bytes(s);
        if (bytes > Limits.BASIN_NAME_BYTES_MAX) {
            return Optional.of("basin " + field + " must not exceed " + Limits.BASIN_NAME_BYTES_MAX + " bytes in length");
        }
        if (!isPrefix && bytes < Limits.BASIN_NAME_BYTES_MIN) {
            return Optional.of("basin " + field + " should be at least " + Limits.BASIN_NAME_BYTES_MIN + " bytes in length");
        }
        int[] cps = s.codePoints().toArray();
        if (cps.length == 0) {
            return Optional.empty();
        }
        if (!lowerOrDigit(cps[0])) {
            return Optional.of("basin " + field + " must begin with a lowercase letter or number");
        }
        int middleEnd = cps.length;
        if (!isPrefix && cps.length > 1) {
            middleEnd = cps.length - 1;
            if (!lowerOrDigit(cps[middleEnd])) {
                return Optional.of("basin " + field + " must end with a lowercase letter or number");
            }
        }
        for (int i = 1; i < middleEnd; i++) {
            if (!lowerOrDigit(cps[i]) && cps[i] != '-') {
                return Optional.of("basin " + field + " must comprise lowercase letters, numbers, and hyphens");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> streamLength(String s, String field) {
        if (utf8Bytes(s) > Limits.STREAM_NAME_BYTES_MAX) {
            return Optional.of("stream " + field + " must not exceed " + Limits.STREAM_NAME_BYTES_MAX + " bytes in length");
        }
        return Optional.empty();
    }

    private static Optional<String> accessTokenLength(String s, String field) {
        if (utf8Bytes(s) > Limits.ACCESS_TOKEN_ID_BYTES_MAX) {
            return Optional.of("access token " + field + " must not exceed " + Limits.ACCESS_TOKEN_ID_BYTES_MAX + " bytes in length");
        }
        return Optional.empty();
    }

    private static boolean lowerOrDigit(int cp) {
        return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9');
    }

    static int utf8Bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
