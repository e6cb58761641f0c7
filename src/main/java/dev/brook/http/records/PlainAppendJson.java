package dev.brook.http.records;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.Header;
import dev.brook.core.Names;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The common AppendInput read straight off its bytes (docs/DECISIONS.md 50): an object of
 * {@code records} (objects of {@code body}, {@code timestamp}, {@code headers}),
 * {@code match_seq_num} and {@code fencing_token}, each key once, every string printable ASCII
 * without escapes, every number a plain unsigned integer. A body is then a copy of the bytes between
 * its quotes (or their Base64 decoding), with no tree, no String and no second encoding on the way.
 *
 * <p>Anything else (escapes, other characters, other keys, repeated keys, other number forms,
 * invalid values, malformed JSON) gives {@link Optional#empty()}, and the caller reads the document
 * with {@link RecordJson#appendInput}, which has the final word on it and its errors: this reader
 * only ever returns the batch that one would, never an error of its own.
 */
final class PlainAppendJson {

    private final byte[] in;
    private int at;

    private PlainAppendJson(byte[] in) {
        this.in = in;
    }

    /** The batch {@link RecordJson#appendInput} would read from {@code json}, when {@code json} keeps to the plain form. */
    static Optional<AppendBatch> read(byte[] json, RecordJson.Format format, long arrivalMs) {
        if (json == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(new PlainAppendJson(json).document(format, arrivalMs));
    }

    /** Not plain: leave the document to the full reader. */
    private static final class NotPlain extends RuntimeException {
        static final NotPlain INSTANCE = new NotPlain();

        private NotPlain() {
            super(null, null, false, false);
        }
    }

    private AppendBatch document(RecordJson.Format format, long arrivalMs) {
        try {
            List<AppendRecord> records = null;
            OptionalLong match = OptionalLong.empty();
            Optional<String> token = Optional.empty();
            boolean seenMatch = false;
            boolean seenToken = false;
            expect('{');
            if (peek() != '}') {
                do {
                    String key = key();
                    switch (key) {
                        case "records" -> {
                            require(records == null);
                            records = records(format);
                        }
                        case "match_seq_num" -> {
                            require(!seenMatch);
                            seenMatch = true;
                            match = nullOr() ? OptionalLong.empty() : OptionalLong.of(unsigned());
                        }
                        case "fencing_token" -> {
                            require(!seenToken);
                            seenToken = true;
                            if (!nullOr()) {
                                String t = new String(string(), StandardCharsets.US_ASCII);
                                require(Names.fencingToken(t).isEmpty());
                                token = Optional.of(t);
                            }
                        }
                        default -> throw NotPlain.INSTANCE;
                    }
                } while (comma('}'));
            }
            expect('}');
            skipWhitespace();
            require(at == in.length && records != null);
            return new AppendBatch(records, match, token, arrivalMs);
        } catch (NotPlain | ArrayIndexOutOfBoundsException e) {
            return null;
        }
    }

    private List<AppendRecord> records(RecordJson.Format format) {
        expect('[');
        List<AppendRecord> out = new ArrayList<>();
        if (peek() != ']') {
            do {
                out.add(record(format));
            } while (comma(']'));
        }
        expect(']');
        return out;
    }

    private AppendRecord record(RecordJson.Format format) {
        expect('{');
        byte[] body = null;
        OptionalLong timestamp = null;
        List<Header> headers = null;
        if (peek() != '}') {
            do {
                switch (key()) {
                    case "body" -> {
                        require(body == null);
                        body = nullOr() ? new byte[0] : bytes(format);
                    }
                    case "timestamp" -> {
                        require(timestamp == null);
                        timestamp = nullOr() ? OptionalLong.empty() : OptionalLong.of(unsigned());
                    }
                    case "headers" -> {
                        require(headers == null);
                        headers = nullOr() ? List.of() : headers(format);
                    }
                    default -> throw NotPlain.INSTANCE;
                }
            } while (comma('}'));
        }
        expect('}');
        return new AppendRecord(timestamp == null ? OptionalLong.empty() : timestamp, headers == null ? List.of() : headers,
                body == null ? new byte[0] : body);
    }

    private List<Header> headers(RecordJson.Format format) {
        expect('[');
        List<Header> out = new ArrayList<>();
        if (peek() != ']') {
            do {
                expect('[');
                byte[] name = bytes(format);
                expect(',');
                byte[] value = bytes(format);
                expect(']');
                out.add(new Header(name, value));
            } while (comma(']'));
        }
        expect(']');
        return out;
    }

    /** A string value as the format reads it: the bytes themselves, or their canonical Base64 decoding. */
    private byte[] bytes(RecordJson.Format format) {
        byte[] raw = string();
        if (format == RecordJson.Format.RAW) {
            return raw;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(raw);
        } catch (IllegalArgumentException e) {
            throw NotPlain.INSTANCE;
        }
        require(Arrays.equals(Base64.getEncoder().encode(decoded), raw)); // canonical, as the full reader requires
        return decoded;
    }

    /** A string of printable ASCII without escapes; its bytes. */
    private byte[] string() {
        expect('"');
        int start = at;
        int end = PlainAscii.end(in, start);
        require(end < in.length && in[end] == '"');
        at = end + 1;
        return Arrays.copyOfRange(in, start, end);
    }

    private String key() {
        String key = new String(string(), StandardCharsets.US_ASCII);
        expect(':');
        return key;
    }

    /** An unsigned integer of at most 19 digits without a leading zero (anything larger goes to the full reader). */
    private long unsigned() {
        skipWhitespace();
        int start = at;
        long v = 0;
        while (at < in.length && in[at] >= '0' && in[at] <= '9') {
            v = v * 10 + (in[at] - '0');
            at++;
        }
        int digits = at - start;
        require(digits > 0 && digits <= 18 && (digits == 1 || in[start] != '0'));
        byte next = at < in.length ? in[at] : (byte) ' ';
        require(next != '.' && next != 'e' && next != 'E');
        return v;
    }

    /** Consumes {@code null} if it comes next. */
    private boolean nullOr() {
        if (peek() == 'n') {
            require(in[at + 1] == 'u' && in[at + 2] == 'l' && in[at + 3] == 'l');
            at += 4;
            return true;
        }
        return false;
    }

    /** After a member or an element: true at a comma (consumed), false before {@code close}. */
    private boolean comma(char close) {
        byte b = peek();
        if (b == ',') {
            at++;
            return true;
        }
        require(b == close);
        return false;
    }

    private void expect(char c) {
        require(peek() == c);
        at++;
    }

    private byte peek() {
        skipWhitespace();
        return in[at];
    }

    private void skipWhitespace() {
        while (at < in.length && (in[at] == ' ' || in[at] == '\n' || in[at] == '\r' || in[at] == '\t')) {
            at++;
        }
    }

    private static void require(boolean condition) {
        if (!condition) {
            throw NotPlain.INSTANCE;
        }
    }
}
