package dev.brook.http.gate;

import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A request target as Brook accepts it (docs/SECURITY.md): origin-form ({@code /path?query}) and
 * canonical, so that the path the access gate classifies is exactly the path routing serves. Every
 * spelling that a server or framework could read as another path is refused with {@code 400
 * bad_path} before anything routes it: absolute-form and other non-path targets, path parameters
 * ({@code ;}), dot segments (plain or percent-encoded), empty segments ({@code //}, a trailing
 * slash), characters outside RFC 3986's path characters, malformed escapes and escapes that are
 * not UTF-8. What is left has one meaning: its segments, each percent-decoded once.
 *
 * @param path     the raw path (before {@code ?})
 * @param segments the path's segments, percent-decoded (empty for {@code /})
 */
record RequestTarget(String path, List<String> segments) {

    /** The longest request target considered at all; the HTTP server's own request-line limit is lower. */
    static final int TARGET_CHARS_MAX = 16_384;

    /** Whether the path is under the API's root ({@code /v1/...}), where every request must be classified. */
    boolean underApi() {
        return !segments.isEmpty() && segments.get(0).equals(Route.API_PREFIX.substring(1));
    }

    static RequestTarget parse(String rawTarget) {
        if (rawTarget == null || rawTarget.isEmpty() || rawTarget.charAt(0) != '/') {
            throw refused("the request target must be a path starting with `/`");
        }
        if (rawTarget.length() > TARGET_CHARS_MAX) {
            throw refused("the request target is longer than " + TARGET_CHARS_MAX + " characters");
        }
        int q = rawTarget.indexOf('?');
        String path = q < 0 ? rawTarget : rawTarget.substring(0, q);
        if (path.equals("/")) {
            return new RequestTarget(path, List.of());
        }
        if (path.endsWith("/")) {
            throw refused("the path must not end with `/`");
        }
        List<String> segments = new ArrayList<>();
        for (String raw : path.substring(1).split("/", -1)) {
            if (raw.isEmpty()) {
                throw refused("the path must not contain empty segments (`//`)");
            }
            String decoded = decode(raw);
            if (decoded.equals(".") || decoded.equals("..")) {
                throw refused("the path must not contain dot segments (`.`, `..`)");
            }
            segments.add(decoded);
        }
        return new RequestTarget(path, List.copyOf(segments));
    }

    /** One raw segment, checked character by character and percent-decoded as UTF-8. */
    private static String decode(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length() || hex(raw.charAt(i + 1)) < 0 || hex(raw.charAt(i + 2)) < 0) {
                    throw refused("malformed percent-escape in the path");
                }
                bytes.write(hex(raw.charAt(i + 1)) << 4 | hex(raw.charAt(i + 2)));
                i += 2;
            } else if (pathChar(c)) {
                bytes.write(c);
            } else if (c == ';') {
                throw refused("the path must not carry parameters (`;`)");
            } else {
                throw refused("the path holds a character that must be percent-encoded");
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw refused("a percent-encoded path segment is not UTF-8");
        }
    }

    /** RFC 3986 pchar without {@code ;} and {@code %}: unreserved, the other sub-delims, {@code :} and {@code @}. */
    private static boolean pathChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~!$&'()*+,=:@".indexOf(c) >= 0;
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }

    /** One path segment percent-encoded: every byte outside the unreserved characters is escaped. */
    static String encodeSegment(String value) {
        StringBuilder b = new StringBuilder();
        for (byte x : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "-_~".indexOf(c) >= 0 || c == '.' && !value.matches("\\.{1,2}"))) {
                b.append(c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return b.toString();
    }

    private static S2Error refused(String why) {
        return new S2Error(ErrorCode.BAD_PATH, "non-canonical request target: " + why);
    }
}
