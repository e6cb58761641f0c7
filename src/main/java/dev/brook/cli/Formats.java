package dev.brook.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.brook.core.AppendRecord;
import dev.brook.core.Header;
import dev.brook.core.SequencedRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * What the CLI prints and reads, as S2's CLI does (docs/CLI.md, "Output"): record formats
 * ({@code text}, {@code json}, {@code json-base64} and S2's aliases), positions ({@code seq @ ts}),
 * the ack and batch lines, and configs as S2's nested ASCII tables.
 */
public final class Formats {

    private Formats() {}

    /** S2's record formats, with S2's aliases: {@code raw} is json, {@code base64} and {@code json-binsafe} are json-base64. */
    public enum RecordFormat {
        TEXT, JSON, JSON_BASE64;

        public static RecordFormat parse(String name) {
            return switch (name.trim()) {
                case "", "text" -> TEXT;
                case "json", "raw" -> JSON;
                case "json-base64", "base64", "json-binsafe" -> JSON_BASE64;
                default -> throw new IllegalArgumentException("invalid value '" + name
                        + "' (possible values: text, json, json-base64; aliases: raw, base64, json-binsafe)");
            };
        }
    }

    // ---------------------------------------------------------------- positions and status lines

    public static String position(long seqNum, long timestamp) {
        return seqNum + " @ " + timestamp;
    }

    /** {@code ✓ [APPENDED] start..end // tail: seq @ ts}. */
    public static String ackLine(long start, long end, long tailSeq, long tailTs) {
        return "✓ [APPENDED] " + start + ".." + end + " // tail: " + position(tailSeq, tailTs);
    }

    /** {@code ⦿ N bytes (n records in range first..=last)}. */
    public static String batchLine(long bytes, int records, long first, long last) {
        return "⦿ " + bytes + " bytes (" + records + " " + (records == 1 ? "record" : "records") + " in range " + first + "..=" + last + ")";
    }

    /** Colours as S2's CLI uses them, only on a terminal and without {@code NO_COLOR}. */
    public static final class Style {
        final boolean color;

        public Style(boolean color) {
            this.color = color;
        }

        public static Style detect(Map<String, String> env) {
            return new Style(System.console() != null && env.get("NO_COLOR") == null);
        }

        public String green(String s) {
            return color ? "\u001b[1;32m" + s + "\u001b[0m" : s;
        }

        public String blue(String s) {
            return color ? "\u001b[1;34m" + s + "\u001b[0m" : s;
        }

        public String red(String s) {
            return color ? "\u001b[1;31m" + s + "\u001b[0m" : s;
        }

        public String bold(String s) {
            return color ? "\u001b[1m" + s + "\u001b[0m" : s;
        }
    }

    // ---------------------------------------------------------------- records in

    /** A text line's bytes as a record body, as they are. */
    public static AppendRecord parseRecord(RecordFormat format, byte[] line) {
        return new AppendRecord(OptionalLong.empty(), List.of(), line);
    }

    /** One input line as a record; {@link IllegalArgumentException} with S2's wording when it cannot be. */
    public static AppendRecord parseRecord(RecordFormat format, String line) {
        if (format == RecordFormat.TEXT) {
            return new AppendRecord(OptionalLong.empty(), List.of(), line.getBytes(StandardCharsets.UTF_8));
        }
        boolean base64 = format == RecordFormat.JSON_BASE64;
        JsonNode node;
        try {
            node = HttpApi.JSON.readTree(line);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException("Error parsing: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("Error parsing: expected a JSON object");
        }
        OptionalLong ts = OptionalLong.empty();
        JsonNode t = node.get("timestamp");
        if (t != null && !t.isNull()) {
            if (!t.canConvertToExactIntegral() || t.asLong() < 0) {
                throw new IllegalArgumentException("Error parsing: timestamp must be an unsigned integer");
            }
            ts = OptionalLong.of(t.asLong());
        }
        List<Header> headers = new ArrayList<>();
        JsonNode hs = node.get("headers");
        if (hs != null && !hs.isNull()) {
            if (!hs.isArray()) {
                throw new IllegalArgumentException("Error parsing: headers must be an array of [name, value] pairs");
            }
            for (JsonNode h : hs) {
                if (!h.isArray() || h.size() != 2 || !h.get(0).isTextual() || !h.get(1).isTextual()) {
                    throw new IllegalArgumentException("Error parsing: a header is a [name, value] pair of strings");
                }
                headers.add(new Header(bytes(h.get(0).asText(), base64), bytes(h.get(1).asText(), base64)));
            }
        }
        byte[] body = new byte[0];
        JsonNode b = node.get("body");
        if (b != null && !b.isNull()) {
            if (!b.isTextual()) {
                throw new IllegalArgumentException("Error parsing: body must be a string");
            }
            body = bytes(b.asText(), base64);
        }
        return new AppendRecord(ts, headers, body);
    }

    private static byte[] bytes(String s, boolean base64) {
        if (!base64) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Error parsing: invalid base64: " + s);
        }
    }

    // ---------------------------------------------------------------- records out

    /** A record's command, if it is one (spec §5.5): one header with an empty name. */
    public static boolean isCommand(SequencedRecord r) {
        return r.headers().size() == 1 && r.headers().get(0).name().length == 0;
    }

    /** How S2's text format shows a command record on stderr: {@code new fencing token "t" // seq @ ts}. */
    public static String commandLine(SequencedRecord r) {
        byte[] value = r.headers().get(0).value();
        String desc;
        if (new String(value, StandardCharsets.UTF_8).equals("fence")) {
            desc = "new fencing token \"" + new String(r.body(), StandardCharsets.UTF_8) + "\"";
        } else if (new String(value, StandardCharsets.UTF_8).equals("trim")) {
            long point = r.body().length >= 8 ? ByteBuffer.wrap(r.body(), 0, 8).getLong() : 0;
            desc = "trim to " + Long.toUnsignedString(point);
        } else {
            desc = "unknown command";
        }
        return desc + " // " + position(r.seqNum(), r.timestamp());
    }

    /**
     * A record as written to the output, without its newline; {@code null} for a command record in
     * text format (that goes to stderr instead, as {@link #commandLine}).
     */
    public static String renderRecord(RecordFormat format, SequencedRecord r) {
        switch (format) {
            case TEXT:
                return isCommand(r) ? null : new String(r.body(), StandardCharsets.UTF_8);
            default:
                boolean base64 = format == RecordFormat.JSON_BASE64;
                StringBuilder out = new StringBuilder("{\"seq_num\":").append(r.seqNum()).append(",\"timestamp\":").append(r.timestamp());
                if (!r.headers().isEmpty()) {
                    out.append(",\"headers\":[");
                    for (int i = 0; i < r.headers().size(); i++) {
                        Header h = r.headers().get(i);
                        out.append(i == 0 ? "[" : ",[");
                        jsonString(out, text(h.name(), base64)).append(',');
                        jsonString(out, text(h.value(), base64)).append(']');
                    }
                    out.append(']');
                }
                if (r.body().length > 0) {
                    out.append(",\"body\":");
                    jsonString(out, text(r.body(), base64));
                }
                return out.append('}').toString();
        }
    }

    private static String text(byte[] b, boolean base64) {
        return base64 ? Base64.getEncoder().encodeToString(b) : new String(b, StandardCharsets.UTF_8);
    }

    /** A JSON string as serde_json writes it: only quote, backslash and control characters escaped. */
    static StringBuilder jsonString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }

    // ---------------------------------------------------------------- configs as tables

    /**
     * A JSON value as S2's CLI prints configs (the json_to_table crate, ASCII style): an object is a
     * two-column table of its keys in order and their values, nested values are tables in their cell,
     * scalars are padded by a space.
     */
    public static String table(JsonNode value) {
        return String.join("\n", block(value));
    }

    private static List<String> block(JsonNode v) {
        if (v.isObject()) {
            Map<String, JsonNode> fields = new TreeMap<>();
            for (Map.Entry<String, JsonNode> e : v.properties()) {
                fields.put(e.getKey(), e.getValue());
            }
            if (fields.isEmpty()) {
                return List.of("");
            }
            List<List<List<String>>> rows = new ArrayList<>();
            fields.forEach((k, val) -> rows.add(List.of(List.of(k), block(val))));
            return grid(rows, 2);
        }
        if (v.isArray()) {
            if (v.isEmpty()) {
                return List.of("");
            }
            List<List<List<String>>> rows = new ArrayList<>();
            for (JsonNode e : v) {
                rows.add(List.of(block(e)));
            }
            return grid(rows, 1);
        }
        String s = v.getNodeType() == JsonNodeType.STRING ? v.asText() : v.isNull() ? "" : v.toString();
        return List.of(" " + s + " ");
    }

    private static List<String> grid(List<List<List<String>>> rows, int columns) {
        int[] width = new int[columns];
        for (List<List<String>> row : rows) {
            for (int c = 0; c < columns; c++) {
                for (String line : row.get(c)) {
                    width[c] = Math.max(width[c], line.codePointCount(0, line.length()));
                }
            }
        }
        StringBuilder border = new StringBuilder("+");
        for (int w : width) {
            border.append("-".repeat(w + 2)).append('+');
        }
        List<String> out = new ArrayList<>();
        out.add(border.toString());
        for (List<List<String>> row : rows) {
            int height = 0;
            for (List<String> cell : row) {
                height = Math.max(height, cell.size());
            }
            for (int l = 0; l < height; l++) {
                StringBuilder line = new StringBuilder("|");
                for (int c = 0; c < columns; c++) {
                    String text = l < row.get(c).size() ? row.get(c).get(l) : "";
                    int pad = width[c] - text.codePointCount(0, text.length());
                    line.append(' ').append(text).append(" ".repeat(pad)).append(" |");
                }
                out.add(line.toString());
            }
            out.add(border.toString());
        }
        return out;
    }
}
