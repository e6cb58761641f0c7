package dev.brook.core;

import static dev.brook.core.Fixtures.bytes;
import static dev.brook.core.Fixtures.command;
import static dev.brook.core.Fixtures.fence;
import static dev.brook.core.Fixtures.header;
import static dev.brook.core.Fixtures.trim;
import static dev.brook.core.Fixtures.utf8;
import static dev.brook.core.Fixtures.withHeaders;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CommandTest {

    static final String EURO_12 = "€".repeat(12); // 36 bytes in 12 chars
    static final String EURO_13 = "€".repeat(13); // 39 bytes in 13 chars

    static Stream<Arguments> records() {
        return Stream.of(
                arguments("no headers is an ordinary record", withHeaders(utf8("x")), new Command.NotACommand()),
                arguments("named headers are an ordinary record", withHeaders(utf8("x"), header("a", "b"), header("c", "")),
                        new Command.NotACommand()),
                arguments("a header named fence is not a command", withHeaders(utf8("t"), header("fence", "")),
                        new Command.NotACommand()),
                arguments("fence with a token", fence("tok"), isCommand(new Command.Fence("tok"))),
                arguments("fence with an empty body sets the empty token", fence(""), isCommand(new Command.Fence(""))),
                arguments("fence token of 36 bytes", fence("a".repeat(36)), isCommand(new Command.Fence("a".repeat(36)))),
                arguments("fence token of 37 bytes", fence("a".repeat(37)),
                        malformed("invalid `fence` command: fencing token must not exceed 36 bytes in length")),
                arguments("fence token of 36 bytes in 12 multi-byte chars", fence(EURO_12), isCommand(new Command.Fence(EURO_12))),
                arguments("fence token of 39 bytes in 13 multi-byte chars", fence(EURO_13),
                        malformed("invalid `fence` command: fencing token must not exceed 36 bytes in length")),
                arguments("fence body not UTF-8", command("fence", bytes(0xff)),
                        malformed("invalid `fence` command: invalid UTF-8")),
                arguments("fence body an encoded surrogate", command("fence", bytes(0xed, 0xa0, 0x80)),
                        malformed("invalid `fence` command: invalid UTF-8")),
                arguments("fence body both too long and not UTF-8 reports the UTF-8", command("fence", tooLongAndGarbled()),
                        malformed("invalid `fence` command: invalid UTF-8")),
                arguments("trim to 5", trim(5), isCommand(new Command.Trim(5))),
                arguments("trim to 0", trim(0), isCommand(new Command.Trim(0))),
                arguments("trim to Long.MAX_VALUE", trim(Long.MAX_VALUE), isCommand(new Command.Trim(Long.MAX_VALUE))),
                arguments("trim to 2^63 saturates", command("trim", bytes(0x80, 0, 0, 0, 0, 0, 0, 0)),
                        isCommand(new Command.Trim(Long.MAX_VALUE))),
                arguments("trim to u64 max saturates", trim(-1), isCommand(new Command.Trim(Long.MAX_VALUE))),
                arguments("trim body is big-endian", command("trim", bytes(0, 0, 0, 0, 0, 0, 1, 2)), isCommand(new Command.Trim(258))),
                arguments("trim body of 7 bytes", command("trim", new byte[7]),
                        malformed("invalid `trim` command: earliest sequence number to trim to was 7 bytes, must be 8")),
                arguments("trim body of 9 bytes", command("trim", new byte[9]),
                        malformed("invalid `trim` command: earliest sequence number to trim to was 9 bytes, must be 8")),
                arguments("trim body empty", command("trim", new byte[0]),
                        malformed("invalid `trim` command: earliest sequence number to trim to was 0 bytes, must be 8")),
                arguments("unknown command name", command("delete", new byte[0]), malformed("unknown command")),
                arguments("command names are case-sensitive", command("FENCE", new byte[0]), malformed("unknown command")),
                arguments("empty command name", command("", new byte[0]), malformed("unknown command")),
                arguments("empty name next to a named header", withHeaders(new byte[0], header("", "fence"), header("a", "b")),
                        malformed("invalid header: empty name")),
                arguments("empty name after a named header", withHeaders(new byte[0], header("a", "b"), header("", "trim")),
                        malformed("invalid header: empty name")),
                arguments("two empty-name headers", withHeaders(new byte[0], header("", "fence"), header("", "fence")),
                        malformed("invalid header: empty name")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("records")
    void parseClassifiesRecords(String what, AppendRecord record, Command.Parsed expected) {
        assertEquals(expected, Command.parse(record));
    }

    @Test
    void commandRecordsAreMeteredLikeAnyRecord() {
        // spec §5.3: fence with token t = 8 + 2 + 5 + len(t); trim = 8 + 2 + 4 + 8.
        assertEquals(15, fence("").meteredBytes());
        assertEquals(18, fence("abc").meteredBytes());
        assertEquals(15 + 36, fence("a".repeat(36)).meteredBytes());
        assertEquals(15 + 36, fence(EURO_12).meteredBytes());
        assertEquals(22, trim(0).meteredBytes());
        assertEquals(22, trim(Long.MAX_VALUE).meteredBytes());
    }

    private static byte[] tooLongAndGarbled() {
        byte[] b = utf8("a".repeat(40));
        b[39] = (byte) 0xff;
        return b;
    }

    private static Command.Parsed isCommand(Command c) {
        return new Command.IsCommand(c);
    }

    private static Command.Parsed malformed(String message) {
        return new Command.Malformed(message);
    }
}
