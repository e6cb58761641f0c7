package dev.brook.cli;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * S2 URIs as S2's CLI parses them ({@code s2://basin}, {@code s2://basin/stream}, the stream part
 * keeping its slashes), and the bare forms its docs use: {@code basin} and {@code basin/stream}.
 * Names are checked with S2's rules (spec §2) and messages.
 */
public final class Uri {

    /** A basin and, for stream commands, a stream (or a stream prefix for listings). */
    public record Parsed(String basin, Optional<String> stream) {

        /** The stream name of a stream URI. */
        public String streamName() {
            return stream.orElseThrow(() -> new IllegalArgumentException("Missing stream name in S2 URI"));
        }

        @Override
        public String toString() {
            return "s2://" + basin + stream.map(s -> "/" + s).orElse("");
        }
    }

    private Uri() {}

    /** {@code s2://basin} or {@code basin}. */
    public static String basin(String text) {
        Parsed p = parse(text, false);
        if (p.stream.isPresent()) {
            throw new IllegalArgumentException("Only basin name expected but found both basin and stream names");
        }
        return p.basin;
    }

    /** {@code s2://basin/stream} or {@code basin/stream}. */
    public static Parsed stream(String text) {
        Parsed p = parse(text, true);
        if (p.stream.isEmpty()) {
            throw new IllegalArgumentException("Missing stream name in S2 URI");
        }
        checkStream(p.stream.get());
        return p;
    }

    /** {@code s2://basin[/prefix]}, {@code basin} or {@code basin/prefix}. */
    public static Parsed basinAndMaybePrefix(String text) {
        return parse(text, true);
    }

    private static Parsed parse(String text, boolean bareStreamAllowed) {
        String rest;
        int scheme = text.indexOf("://");
        boolean bare = scheme < 0;
        if (!bare) {
            String s = text.substring(0, scheme);
            if (!s.equals("s2")) {
                throw new IllegalArgumentException("Invalid S2 URI scheme `" + s + "://`. Must be `s2://`");
            }
            rest = text.substring(scheme + 3);
        } else {
            rest = text;
        }
        int slash = rest.indexOf('/');
        String basin = slash < 0 ? rest : rest.substring(0, slash);
        String stream = slash < 0 ? "" : rest.substring(slash + 1);
        checkBasin(basin);
        if (bare && slash >= 0 && !bareStreamAllowed) {
            throw new IllegalArgumentException("Only basin name expected but found both basin and stream names");
        }
        return new Parsed(basin, stream.isEmpty() ? Optional.empty() : Optional.of(stream));
    }

    /** S2's basin-name rules and messages (spec §2). */
    public static void checkBasin(String name) {
        int len = name.getBytes(StandardCharsets.UTF_8).length;
        if (len < 8) {
            throw new IllegalArgumentException("basin name should be at least 8 bytes in length");
        }
        if (len > 48) {
            throw new IllegalArgumentException("basin name must not exceed 48 bytes in length");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                throw new IllegalArgumentException("basin name must comprise lowercase letters, numbers, and hyphens");
            }
        }
        if (name.charAt(0) == '-') {
            throw new IllegalArgumentException("basin name must begin with a lowercase letter or number");
        }
        if (name.charAt(name.length() - 1) == '-') {
            throw new IllegalArgumentException("basin name must end with a lowercase letter or number");
        }
    }

    static void checkStream(String name) {
        int len = name.getBytes(StandardCharsets.UTF_8).length;
        if (len == 0) {
            throw new IllegalArgumentException("stream name must not be empty");
        }
        if (len > 512) {
            throw new IllegalArgumentException("stream name must not exceed 512 bytes in length");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("stream name must not be \".\" or \"..\"");
        }
    }
}
