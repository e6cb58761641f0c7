package dev.brook.core;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A command record's meaning (spec §5.5). A command record is one whose header list is exactly one
 * header with an empty name; that header's value names the command and the body is its payload.
 */
public sealed interface Command {

    /** Sets the stream's fencing token once sequenced; {@code ""} removes fencing. */
    record Fence(String token) implements Command {}

    /** Asks for every record below {@code point} to be deleted (saturated to {@link Long#MAX_VALUE}). */
    record Trim(long point) implements Command {}

    /** What {@link #parse} found: bad input is a value, never an exception. */
    sealed interface Parsed {}

    /** An ordinary record: no header has an empty name. */
    record NotACommand() implements Parsed {}

    record IsCommand(Command command) implements Parsed {}

    /** The record breaks the command or header rules; {@code message} is S2's 422 text. */
    record Malformed(String message) implements Parsed {}

    /**
     * Exactly one header with an empty name makes a command; an empty name anywhere else is an
     * error, so an ordinary record never carries one.
     */
    static Parsed parse(AppendRecord r) {
        List<Header> headers = r.headers();
        if (headers.size() == 1 && headers.get(0).name().length == 0) {
            return parseCommand(headers.get(0).value(), r.body());
        }
        for (Header h : headers) {
            if (h.name().length == 0) {
                return new Malformed("invalid header: empty name");
            }
        }
        return new NotACommand();
    }

    /** The command names are matched as raw bytes: any other value, even "Fence", is unknown. */
    private static Parsed parseCommand(byte[] name, byte[] body) {
        if (Arrays.equals(name, "fence".getBytes(StandardCharsets.US_ASCII))) {
            return parseFence(body);
        }
        if (Arrays.equals(name, "trim".getBytes(StandardCharsets.US_ASCII))) {
            return parseTrim(body);
        }
        return new Malformed("unknown command");
    }

    /** UTF-8 is checked before length, as S2 does, so an over-long garbled token reports the UTF-8. */
    private static Parsed parseFence(byte[] body) {
        String token;
        try {
            token = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString();
        } catch (CharacterCodingException e) {
            return new Malformed("invalid `fence` command: invalid UTF-8");
        }
        if (body.length > Limits.FENCING_TOKEN_BYTES_MAX) {
            return new Malformed("invalid `fence` command: fencing token must not exceed "
                    + Limits.FENCING_TOKEN_BYTES_MAX + " bytes in length");
        }
        return new IsCommand(new Fence(token));
    }

    private static Parsed parseTrim(byte[] body) {
        if (body.length != Limits.TRIM_COMMAND_BODY_BYTES) {
            return new Malformed("invalid `trim` command: earliest sequence number to trim to was " + body.length
                    + " bytes, must be " + Limits.TRIM_COMMAND_BODY_BYTES);
        }
        long point = ByteBuffer.wrap(body).getLong();
        // The wire value is a u64; above Long.MAX_VALUE it reads negative here. No stream reaches
        // that far, so "trim everything" is what the client meant either way.
        return new IsCommand(new Trim(point < 0 ? Long.MAX_VALUE : point));
    }
}
