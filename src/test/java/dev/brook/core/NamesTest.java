package dev.brook.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NamesTest {

    static final String TOO_SHORT = "basin name should be at least 8 bytes in length";
    static final String TOO_LONG = "basin name must not exceed 48 bytes in length";
    static final String BAD_BEGIN = "basin name must begin with a lowercase letter or number";
    static final String BAD_END = "basin name must end with a lowercase letter or number";
    static final String BAD_CHARS = "basin name must comprise lowercase letters, numbers, and hyphens";

    static Stream<Arguments> basinNames() {
        return Stream.of(
                arguments("8 bytes", "abcdefgh", ok()),
                arguments("48 bytes", "a".repeat(48), ok()),
                arguments("digits and inner hyphens", "0-my--basin-9", ok()),
                arguments("7 bytes", "abcdefg", err(TOO_SHORT)),
                arguments("empty", "", err(TOO_SHORT)),
                arguments("49 bytes", "a".repeat(49), err(TOO_LONG)),
                arguments("7 chars in 8 bytes pass the length check", "abcdefé", err(BAD_END)),
                arguments("17 chars of 3 bytes are 51 bytes", "€".repeat(17), err(TOO_LONG)),
                arguments("leading hyphen", "-abcdefgh", err(BAD_BEGIN)),
                arguments("leading capital", "Abcdefgh", err(BAD_BEGIN)),
                arguments("trailing hyphen", "abcdefgh-", err(BAD_END)),
                arguments("trailing capital", "abcdefgH", err(BAD_END)),
                arguments("both ends bad reports the beginning", "-abcdefg-", err(BAD_BEGIN)),
                arguments("underscore inside", "abc_defgh", err(BAD_CHARS)),
                arguments("capital inside", "abcDefgh", err(BAD_CHARS)),
                arguments("dot inside", "abc.defgh", err(BAD_CHARS)),
                arguments("non-ASCII inside", "abcédefgh", err(BAD_CHARS)),
                arguments("bad end beats bad inside", "ab_cdefg-", err(BAD_END)),
                arguments("length beats everything", "-A_", err(TOO_SHORT)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("basinNames")
    void basinName(String what, String name, Optional<String> expected) {
        assertEquals(expected, Names.basinName(name));
    }

    static Stream<Arguments> listingArguments() {
        Function<String, Optional<String>> bp = Names::basinPrefix;
        Function<String, Optional<String>> bs = Names::basinStartAfter;
        Function<String, Optional<String>> sp = Names::streamPrefix;
        Function<String, Optional<String>> ss = Names::streamStartAfter;
        return Stream.of(
                arguments("basin prefix may be empty", bp, "", ok()),
                arguments("basin prefix may be short", bp, "a", ok()),
                arguments("basin prefix may end with a hyphen", bp, "my-", ok()),
                arguments("basin prefix of 48 bytes", bp, "a".repeat(48), ok()),
                arguments("basin prefix of 49 bytes", bp, "a".repeat(49), err("basin prefix must not exceed 48 bytes in length")),
                arguments("basin prefix starting with a hyphen", bp, "-a", err("basin prefix must begin with a lowercase letter or number")),
                arguments("basin prefix with a capital", bp, "aB", err("basin prefix must comprise lowercase letters, numbers, and hyphens")),
                arguments("basin start_after may be empty", bs, "", ok()),
                arguments("basin start_after may end with a hyphen", bs, "abc-", ok()),
                arguments("basin start_after of 49 bytes", bs, "a".repeat(49), err("basin start-after must not exceed 48 bytes in length")),
                arguments("basin start_after starting with a capital", bs, "Ab",
                        err("basin start-after must begin with a lowercase letter or number")),
                arguments("basin start_after with an underscore", bs, "a_",
                        err("basin start-after must comprise lowercase letters, numbers, and hyphens")),
                arguments("stream prefix may be empty", sp, "", ok()),
                arguments("stream prefix may be a dot", sp, ".", ok()),
                arguments("stream prefix may be two dots", sp, "..", ok()),
                arguments("stream prefix of 512 bytes", sp, "a".repeat(512), ok()),
                arguments("stream prefix of 513 bytes", sp, "a".repeat(513), err("stream prefix must not exceed 512 bytes in length")),
                arguments("stream start_after of 512 bytes", ss, "a".repeat(512), ok()),
                arguments("stream start_after of 513 bytes", ss, "a".repeat(513),
                        err("stream start-after must not exceed 512 bytes in length")),
                arguments("stream start_after may be two dots", ss, "..", ok()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("listingArguments")
    void listingArgument(String what, Function<String, Optional<String>> validator, String value, Optional<String> expected) {
        assertEquals(expected, validator.apply(value));
    }

    static Stream<Arguments> streamNames() {
        return Stream.of(
                arguments("one byte", "a", ok()),
                arguments("512 bytes", "a".repeat(512), ok()),
                arguments("any UTF-8", "strøm/ünïcode 🌊 with spaces", ok()),
                arguments("dots among others", "...", ok()),
                arguments("a dot inside", "a.b", ok()),
                arguments("empty", "", err("stream name must not be empty")),
                arguments("one dot", ".", err("stream name must not be \".\" or \"..\"")),
                arguments("two dots", "..", err("stream name must not be \".\" or \"..\"")),
                arguments("513 bytes", "a".repeat(513), err("stream name must not exceed 512 bytes in length")),
                arguments("170 three-byte chars are 510 bytes", "€".repeat(170), ok()),
                arguments("171 three-byte chars are 513 bytes", "€".repeat(171), err("stream name must not exceed 512 bytes in length")),
                arguments("128 four-byte chars are 512 bytes", "🌊".repeat(128), ok()),
                arguments("129 four-byte chars are 516 bytes", "🌊".repeat(129), err("stream name must not exceed 512 bytes in length")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("streamNames")
    void streamName(String what, String name, Optional<String> expected) {
        assertEquals(expected, Names.streamName(name));
    }

    static Stream<Arguments> accessTokenIds() {
        Function<String, Optional<String>> id = Names::accessTokenId;
        Function<String, Optional<String>> prefix = Names::accessTokenIdPrefix;
        Function<String, Optional<String>> startAfter = Names::accessTokenIdStartAfter;
        String idTooLong = "access token id must not exceed 96 bytes in length";
        String dots = "access token id must not be \".\" or \"..\"";
        return Stream.of(
                arguments("id of one byte", id, "a", ok()),
                arguments("id of 96 bytes", id, "a".repeat(96), ok()),
                arguments("id with slashes and spaces", id, "user/1234 x", ok()),
                arguments("id of three dots", id, "...", ok()),
                arguments("empty id", id, "", err("access token id must not be empty")),
                arguments("id of one dot", id, ".", err(dots)),
                arguments("id of two dots", id, "..", err(dots)),
                arguments("id of 97 bytes", id, "a".repeat(97), err(idTooLong)),
                arguments("id of 48 two-byte chars", id, "é".repeat(48), ok()),
                arguments("id of 33 three-byte chars", id, "€".repeat(33), err(idTooLong)),
                arguments("empty prefix", prefix, "", ok()),
                arguments("prefix of one dot", prefix, ".", ok()),
                arguments("prefix of 96 bytes", prefix, "a".repeat(96), ok()),
                arguments("prefix of 97 bytes", prefix, "a".repeat(97),
                        err("access token prefix must not exceed 96 bytes in length")),
                arguments("empty start_after", startAfter, "", ok()),
                arguments("start_after of two dots", startAfter, "..", ok()),
                arguments("start_after of 97 bytes", startAfter, "b".repeat(97),
                        err("access token start-after must not exceed 96 bytes in length")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accessTokenIds")
    void accessTokenId(String what, Function<String, Optional<String>> validator, String value, Optional<String> expected) {
        assertEquals(expected, validator.apply(value));
    }

    static Stream<Arguments> tokens() {
        Function<String, Optional<String>> fencing = Names::fencingToken;
        Function<String, Optional<String>> request = Names::requestToken;
        String fencingTooLong = "fencing token must not exceed 36 bytes in length";
        return Stream.of(
                arguments("empty fencing token", fencing, "", ok()),
                arguments("fencing token of 36 bytes", fencing, "a".repeat(36), ok()),
                arguments("fencing token of 37 bytes", fencing, "a".repeat(37), err(fencingTooLong)),
                arguments("fencing token of 12 three-byte chars", fencing, "€".repeat(12), ok()),
                arguments("fencing token of 13 three-byte chars", fencing, "€".repeat(13), err(fencingTooLong)),
                arguments("fencing token of 9 four-byte chars", fencing, "🌊".repeat(9), ok()),
                arguments("fencing token of 10 four-byte chars", fencing, "🌊".repeat(10), err(fencingTooLong)),
                arguments("empty request token", request, "", ok()),
                arguments("request token of 36 bytes", request, "a".repeat(36), ok()),
                arguments("request token of 37 bytes", request, "a".repeat(37),
                        err("request token was longer than 36 bytes in length: 37")),
                arguments("request token of 13 three-byte chars", request, "€".repeat(13),
                        err("request token was longer than 36 bytes in length: 39")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tokens")
    void token(String what, Function<String, Optional<String>> validator, String value, Optional<String> expected) {
        assertEquals(expected, validator.apply(value));
    }

    private static Optional<String> ok() {
        return Optional.empty();
    }

    private static Optional<String> err(String message) {
        return Optional.of(message);
    }
}
