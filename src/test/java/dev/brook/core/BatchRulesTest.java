package dev.brook.core;

import static dev.brook.core.Fixtures.batch;
import static dev.brook.core.Fixtures.command;
import static dev.brook.core.Fixtures.copies;
import static dev.brook.core.Fixtures.fence;
import static dev.brook.core.Fixtures.header;
import static dev.brook.core.Fixtures.ofMeteredSize;
import static dev.brook.core.Fixtures.rec;
import static dev.brook.core.Fixtures.withHeaders;
import static dev.brook.core.Fixtures.withToken;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BatchRulesTest {

    static final long MIB = 1_048_576;

    static Stream<Arguments> batches() {
        return Stream.of(
                arguments("one ordinary record", batch(rec("x")), ok()),
                arguments("empty batch", batch(List.of()), invalid("record batch must not be empty")),
                arguments("1000 records", batch(copies(1000, rec("x"))), ok()),
                arguments("1001 records", batch(copies(1001, rec("x"))), invalid("record batch must not exceed 1000 records")),
                arguments("a record of exactly 1 MiB", batch(ofMeteredSize(MIB)), ok()),
                arguments("a record of 1 MiB + 1", batch(ofMeteredSize(MIB + 1)),
                        invalid("record must have metered size less than 1 MiB")),
                arguments("headers count towards a record's size", batch(withHeaders(new byte[(int) MIB - 8 - 2 - 2], header("a", "b"))),
                        ok()),
                arguments("headers count towards a record's size, one byte over",
                        batch(withHeaders(new byte[(int) MIB - 8 - 2 - 2 + 1], header("a", "b"))),
                        invalid("record must have metered size less than 1 MiB")),
                arguments("a batch of exactly 1 MiB", batch(ofMeteredSize(MIB / 2), ofMeteredSize(MIB / 2)), ok()),
                arguments("a batch of 1 MiB + 1", batch(ofMeteredSize(MIB / 2), ofMeteredSize(MIB / 2 + 1)),
                        invalid("record batch must not exceed a metered size of 1 MiB")),
                arguments("fence and trim records are fine", batch(fence("t"), Fixtures.trim(3), rec("x")), ok()),
                arguments("unknown command", batch(rec("x"), command("nope", new byte[0])), invalid("unknown command")),
                arguments("empty header name beside others", batch(withHeaders(new byte[0], header("", "fence"), header("a", ""))),
                        invalid("invalid header: empty name")),
                arguments("fence token too long", batch(fence("a".repeat(37))),
                        invalid("invalid `fence` command: fencing token must not exceed 36 bytes in length")),
                arguments("fence token not UTF-8", batch(command("fence", new byte[] {(byte) 0xc3})),
                        invalid("invalid `fence` command: invalid UTF-8")),
                arguments("trim body of 4 bytes", batch(command("trim", new byte[4])),
                        invalid("invalid `trim` command: earliest sequence number to trim to was 4 bytes, must be 8")),
                arguments("batch fencing token of 36 bytes", withToken(batch(rec("x")), "a".repeat(36)), ok()),
                arguments("batch fencing token of 37 bytes", withToken(batch(rec("x")), "a".repeat(37)),
                        invalid("fencing token must not exceed 36 bytes in length")),
                arguments("batch fencing token of 12 three-byte chars", withToken(batch(rec("x")), "€".repeat(12)), ok()),
                arguments("batch fencing token of 13 three-byte chars", withToken(batch(rec("x")), "€".repeat(13)),
                        invalid("fencing token must not exceed 36 bytes in length")),
                arguments("empty batch fencing token", withToken(batch(rec("x")), ""), ok()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("batches")
    void checkEnforcesLimitsAndCommandRules(String what, AppendBatch batch, Optional<Rejection.Invalid> expected) {
        assertEquals(expected, BatchRules.check(batch));
    }

    /** S2 validates each record as it decodes it, then the batch as a whole, then its fencing token. */
    static Stream<Arguments> severalFaults() {
        List<AppendRecord> manyWithBadCommand = new ArrayList<>(copies(1001, rec("x")));
        manyWithBadCommand.set(500, command("nope", new byte[0]));
        List<AppendRecord> manyBig = copies(1001, ofMeteredSize(1100));
        return Stream.of(
                arguments("a bad record beats too many records", batch(manyWithBadCommand), invalid("unknown command")),
                arguments("a bad command beats a later oversized record", batch(command("nope", new byte[0]), ofMeteredSize(MIB + 1)),
                        invalid("unknown command")),
                arguments("an oversized record beats a later bad command", batch(ofMeteredSize(MIB + 1), command("nope", new byte[0])),
                        invalid("record must have metered size less than 1 MiB")),
                arguments("too many records beats too many bytes", batch(manyBig), invalid("record batch must not exceed 1000 records")),
                arguments("an empty batch beats a long token", withToken(batch(List.of()), "a".repeat(40)),
                        invalid("record batch must not be empty")),
                arguments("too many bytes beats a long token", withToken(batch(ofMeteredSize(MIB), rec("")), "a".repeat(40)),
                        invalid("record batch must not exceed a metered size of 1 MiB")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("severalFaults")
    void checkReportsTheFaultS2Reports(String what, AppendBatch batch, Optional<Rejection.Invalid> expected) {
        assertEquals(expected, BatchRules.check(batch));
    }

    @Test
    void fixturesBuildTheSizesTheTablesClaim() {
        assertEquals(MIB, ofMeteredSize(MIB).meteredBytes());
        assertEquals(MIB, withHeaders(new byte[(int) MIB - 12], header("a", "b")).meteredBytes());
        assertEquals(MIB + 1, batch(ofMeteredSize(MIB / 2), ofMeteredSize(MIB / 2 + 1)).meteredBytes());
        assertEquals(1001 * 1100L, batch(copies(1001, ofMeteredSize(1100))).meteredBytes());
    }

    private static Optional<Rejection.Invalid> ok() {
        return Optional.empty();
    }

    private static Optional<Rejection.Invalid> invalid(String message) {
        return Optional.of(new Rejection.Invalid(message));
    }
}
