package dev.brook.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The two XML documents Brook reads from S3: a {@code ListObjectsV2} page and an error. Both are
 * flat and machine-written, so a scanner for their few elements does the job without a parser's
 * start-up cost or configuration (docs/DECISIONS.md 37). Unknown elements are skipped.
 */
final class S3Xml {

    /** Bounds what a listing may hold, whatever the server sends (a page asks for at most 1,000). */
    static final int LISTED_MAX = 10_000;

    record Listed(String key, long lastModifiedMs) {}

    record Listing(List<Listed> objects, boolean truncated) {}

    record Error(String code, String message) {}

    private S3Xml() {}

    /** @throws IllegalArgumentException when the document is not a listing */
    static Listing listing(String xml) {
        if (!xml.contains("<ListBucketResult")) {
            throw new IllegalArgumentException("no ListBucketResult");
        }
        List<Listed> objects = new ArrayList<>();
        int at = 0;
        while (true) {
            int open = xml.indexOf("<Contents>", at);
            if (open < 0) {
                break;
            }
            int close = xml.indexOf("</Contents>", open);
            if (close < 0) {
                throw new IllegalArgumentException("unterminated Contents");
            }
            if (objects.size() == LISTED_MAX) {
                throw new IllegalArgumentException("more than " + LISTED_MAX + " objects in one page");
            }
            String contents = xml.substring(open, close);
            String key = element(contents, "Key");
            String modified = element(contents, "LastModified");
            if (key == null || modified == null) {
                throw new IllegalArgumentException("Contents without Key or LastModified");
            }
            objects.add(new Listed(key, Instant.parse(modified).toEpochMilli()));
            at = close + "</Contents>".length();
        }
        // Markup inside a key arrives escaped, so no key can fake this element.
        String truncated = element(xml, "IsTruncated");
        return new Listing(objects, "true".equals(truncated));
    }

    /** The code and message of an S3 error document; both null when the body is not one (a HEAD has none). */
    static Error error(String xml) {
        if (xml == null || !xml.contains("<Error>")) {
            return new Error(null, null);
        }
        return new Error(element(xml, "Code"), element(xml, "Message"));
    }

    /** The text of the first {@code <name>} element, entities decoded; null when absent. */
    static String element(String xml, String name) {
        String open = "<" + name + ">";
        int start = xml.indexOf(open);
        if (start < 0) {
            return null;
        }
        int end = xml.indexOf("</" + name + ">", start);
        if (end < 0) {
            throw new IllegalArgumentException("unterminated " + name);
        }
        return unescape(xml.substring(start + open.length(), end));
    }

    static String unescape(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '&') {
                out.append(c);
                i++;
                continue;
            }
            int semi = text.indexOf(';', i);
            if (semi < 0) {
                throw new IllegalArgumentException("unterminated entity");
            }
            String entity = text.substring(i + 1, semi);
            switch (entity) {
                case "amp" -> out.append('&');
                case "lt" -> out.append('<');
                case "gt" -> out.append('>');
                case "quot" -> out.append('"');
                case "apos" -> out.append('\'');
                default -> {
                    if (entity.startsWith("#x") || entity.startsWith("#X")) {
                        out.appendCodePoint(Integer.parseInt(entity.substring(2), 16));
                    } else if (entity.startsWith("#")) {
                        out.appendCodePoint(Integer.parseInt(entity.substring(1)));
                    } else {
                        throw new IllegalArgumentException("unknown entity &" + entity + ";");
                    }
                }
            }
            i = semi + 1;
        }
        return out.toString();
    }
}
