package dev.brook.http.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.core.AppendBatch;
import dev.brook.core.S2Error;
import dev.brook.http.wire.Http;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The plain AppendInput reader never disagrees with the full one: on seeded random documents (plain
 * ones, and ones with escapes, non-ASCII, repeated and unknown keys, other number forms, nulls,
 * invalid Base64, cut short or followed by more) it either gives exactly the batch the full reader
 * gives, or steps aside; and it does read the plain form clients send.
 */
class PlainAppendJsonTest {

    private static final long ARRIVAL = 1_700_000_000_000L;

    @Test
    void agreesWithTheFullReaderOnRandomDocuments() {
        int plainRead = 0;
        int documents = 20_000;
        for (int seed = 0; seed < documents; seed++) {
            Random r = new Random(seed);
            RecordJson.Format format = r.nextBoolean() ? RecordJson.Format.RAW : RecordJson.Format.BASE64;
            byte[] doc = document(r, format).getBytes(StandardCharsets.UTF_8);
            if (r.nextInt(10) == 0) {
                doc = java.util.Arrays.copyOf(doc, r.nextInt(doc.length + 1)); // cut short
            }
            Optional<AppendBatch> plain = PlainAppendJson.read(doc, format, ARRIVAL);
            if (plain.isEmpty()) {
                continue;
            }
            plainRead++;
            AppendBatch full;
            try {
                full = RecordJson.appendInput(Http.requiredBody(doc), format, ARRIVAL);
            } catch (S2Error e) {
                throw new AssertionError("seed " + seed + ": plain reader accepted what the full one refuses (" + e.getMessage() + "): "
                        + new String(doc, StandardCharsets.UTF_8));
            }
            assertEquals(full, plain.get(), "seed " + seed + ": " + new String(doc, StandardCharsets.UTF_8));
        }
        assertTrue(plainRead > documents / 10, "the plain reader read " + plainRead + " of " + documents);
    }

    @Test
    void readsWhatClientsSend() {
        String body = "x".repeat(1024);
        String doc = "{\"records\":[{\"body\":\"" + body + "\"},{\"headers\":[[\"k\",\"v\"]],\"body\":\"" + body
                + "\",\"timestamp\":17}],\"match_seq_num\":5,\"fencing_token\":\"fence-1\"}";
        AppendBatch batch = PlainAppendJson.read(doc.getBytes(StandardCharsets.UTF_8), RecordJson.Format.RAW, ARRIVAL).orElseThrow();
        assertEquals(RecordJson.appendInput(Http.requiredBody(doc.getBytes(StandardCharsets.UTF_8)), RecordJson.Format.RAW, ARRIVAL), batch);
        String b64 = "{ \"records\" : [ { \"body\" : \"" + Base64.getEncoder().encodeToString(new byte[] {0, -1, 7}) + "\", \"headers\": [] } ] }\n";
        AppendBatch decoded = PlainAppendJson.read(b64.getBytes(StandardCharsets.UTF_8), RecordJson.Format.BASE64, ARRIVAL).orElseThrow();
        assertEquals(1, decoded.records().size());
        assertEquals(List.of((byte) 0, (byte) -1, (byte) 7), List.of(decoded.records().get(0).body()[0], decoded.records().get(0).body()[1],
                decoded.records().get(0).body()[2]));
    }

    // ------------------------------------------------------------------ random documents

    private static String document(Random r, RecordJson.Format format) {
        List<String> members = new ArrayList<>();
        if (r.nextInt(20) != 0) {
            members.add(member(r, "records", r.nextInt(15) == 0 ? "{}" : records(r, format)));
        }
        if (r.nextInt(3) == 0) {
            members.add(member(r, "match_seq_num", number(r)));
        }
        if (r.nextInt(3) == 0) {
            members.add(member(r, "fencing_token", r.nextInt(4) == 0 ? "null" : string(r, token(r))));
        }
        if (r.nextInt(15) == 0) {
            members.add(member(r, r.nextBoolean() ? "unknown" : "records", "[]"));
        }
        Collections.shuffle(members, r);
        String doc = ws(r) + "{" + String.join(",", members) + "}" + ws(r);
        return r.nextInt(25) == 0 ? doc + (r.nextBoolean() ? "x" : "{}") : doc;
    }

    private static String records(Random r, RecordJson.Format format) {
        List<String> records = new ArrayList<>();
        for (int i = r.nextInt(5); i > 0; i--) {
            List<String> members = new ArrayList<>();
            if (r.nextInt(6) != 0) {
                members.add(member(r, "body", value(r, format)));
            }
            if (r.nextInt(3) == 0) {
                members.add(member(r, "timestamp", number(r)));
            }
            if (r.nextInt(3) == 0) {
                List<String> pairs = new ArrayList<>();
                for (int h = r.nextInt(3); h > 0; h--) {
                    pairs.add(r.nextInt(20) == 0 ? "[" + value(r, format) + "]" : "[" + value(r, format) + "," + ws(r) + value(r, format) + "]");
                }
                members.add(member(r, "headers", r.nextInt(8) == 0 ? "null" : "[" + String.join(",", pairs) + "]"));
            }
            if (r.nextInt(25) == 0) {
                members.add(member(r, r.nextBoolean() ? "body" : "other", value(r, format)));
            }
            Collections.shuffle(members, r);
            records.add(r.nextInt(40) == 0 ? "7" : "{" + String.join(",", members) + ws(r) + "}");
        }
        return "[" + ws(r) + String.join("," + ws(r), records) + "]";
    }

    private static String member(Random r, String key, String value) {
        return ws(r) + "\"" + key + "\"" + ws(r) + ":" + ws(r) + value + ws(r);
    }

    private static String value(Random r, RecordJson.Format format) {
        return switch (r.nextInt(12)) {
            case 0 -> "null";
            case 1 -> number(r);
            default -> string(r, format == RecordJson.Format.BASE64 && r.nextInt(6) != 0 ? base64(r) : text(r));
        };
    }

    private static String string(Random r, String content) {
        return "\"" + content + "\"";
    }

    private static String base64(Random r) {
        byte[] bytes = new byte[r.nextInt(12)];
        r.nextBytes(bytes);
        String s = Base64.getEncoder().encodeToString(bytes);
        return switch (r.nextInt(8)) {
            case 0 -> s.replace("=", ""); // unpadded: not canonical
            case 1 -> s + "!";
            default -> s;
        };
    }

    /** Mostly printable ASCII; now and then an escape, a raw control character, or non-ASCII. */
    private static String text(Random r) {
        StringBuilder b = new StringBuilder();
        for (int i = r.nextInt(40); i > 0; i--) {
            switch (r.nextInt(60)) {
                case 0 -> b.append("\\n");
                case 1 -> b.append("\\\"");
                case 2 -> b.append("\\u00e9");
                case 3 -> b.append("é");
                case 4 -> b.append('\t');
                case 5 -> b.append('\u007f');
                case 6 -> b.append("\\\\");
                default -> {
                    char c = (char) (' ' + r.nextInt(95));
                    b.append(c == '"' || c == '\\' ? 'q' : c);
                }
            }
        }
        return b.toString();
    }

    private static String token(Random r) {
        return r.nextInt(10) == 0 ? "x".repeat(40) : "fence-" + r.nextInt(1000);
    }

    private static String number(Random r) {
        return switch (r.nextInt(9)) {
            case 0 -> "null";
            case 1 -> "-" + r.nextInt(100);
            case 2 -> r.nextInt(100) + ".5";
            case 3 -> "1e3";
            case 4 -> "18446744073709551615";
            case 5 -> "18446744073709551616";
            case 6 -> "007";
            case 7 -> "\"12\"";
            default -> Long.toString(r.nextLong() & Long.MAX_VALUE >>> r.nextInt(63));
        };
    }

    private static String ws(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> " ";
            case 1 -> "\n\t ";
            case 2 -> "\r\n";
            default -> "";
        };
    }
}
