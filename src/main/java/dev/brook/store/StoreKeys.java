package dev.brook.store;

import java.util.Map;

/**
 * The key and metadata grammar every adapter accepts. It is narrower than S3's so that the file
 * adapter can map keys to paths one to one, on case-insensitive file systems too, and so that a
 * listing can tell our keys from anything else stored beside them.
 *
 * <p>A key is one or more segments joined by {@code /}; a segment is 1 to
 * {@value #KEY_SEGMENT_CHARS_MAX} characters of {@code [a-z0-9._-]} and is not {@code .} or
 * {@code ..}. Violations are programmer errors and throw {@link IllegalArgumentException}.
 *
 * <p>A key's last segment may not end in {@code -} and a UUID: S3Proxy writes each object under
 * {@code <key>-<uuid>} first and lists those in-flight names, so listings drop them.
 *
 * <p>Layouts must also never make one key the directory of another ({@code a} and {@code a/b}):
 * S3 allows it, but file-backed S3 servers cannot hold both, and S3Proxy answers the second create
 * with a 412 as if the key were taken. Key families end in fixed-depth leaves to stay clear of it.
 */
public final class StoreKeys {

    /** Leaves room for an S3 prefix within S3's 1,024-byte key limit. */
    public static final int KEY_CHARS_MAX = 900;
    /** Leaves room for the file adapter's suffix within a 255-byte file name. */
    public static final int KEY_SEGMENT_CHARS_MAX = 200;
    /** S3 allows 2 KiB of user metadata per object, names and values together. */
    public static final int METADATA_BYTES_MAX = 2048;
    public static final int METADATA_ENTRIES_MAX = 32;
    /** The most objects one list call returns (S3's page size). */
    public static final int LIST_LIMIT_MAX = 1000;

    /** The name S3Proxy gives an object while it is being written: its key, a dash and a UUID. */
    private static final java.util.regex.Pattern IN_FLIGHT_SUFFIX =
            java.util.regex.Pattern.compile("-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    private StoreKeys() {}

    public static boolean isValidKey(String key) {
        return problemWithKey(key) == null;
    }

    public static String checkKey(String key) {
        String problem = problemWithKey(key);
        if (problem != null) {
            throw new IllegalArgumentException("invalid object key `" + key + "`: " + problem);
        }
        return key;
    }

    /** A list prefix is any leading part of a valid key: an empty prefix lists everything. */
    public static String checkPrefix(String prefix) {
        if (prefix.isEmpty()) {
            return prefix;
        }
        String probe = prefix.endsWith("/") ? prefix + "x" : prefix;
        String problem = problemWithKey(probe);
        if (problem != null) {
            throw new IllegalArgumentException("invalid list prefix `" + prefix + "`: " + problem);
        }
        return prefix;
    }

    public static int checkLimit(int limit) {
        if (limit < 1 || limit > LIST_LIMIT_MAX) {
            throw new IllegalArgumentException("list limit " + limit + " is outside 1.." + LIST_LIMIT_MAX);
        }
        return limit;
    }

    /** Metadata names are {@code [a-z0-9-]+}, values printable ASCII: S3 user metadata survives them. */
    public static Map<String, String> checkMetadata(Map<String, String> metadata) {
        if (metadata.size() > METADATA_ENTRIES_MAX) {
            throw new IllegalArgumentException("too many metadata entries: " + metadata.size());
        }
        int bytes = 0;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            String name = e.getKey();
            String value = e.getValue();
            if (name.isEmpty() || !name.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                throw new IllegalArgumentException("invalid metadata name `" + name + "`");
            }
            if (!value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("metadata `" + name + "` is not printable ASCII");
            }
            bytes += name.length() + value.length();
        }
        if (bytes > METADATA_BYTES_MAX) {
            throw new IllegalArgumentException("metadata is " + bytes + " bytes, over " + METADATA_BYTES_MAX);
        }
        return metadata;
    }

    private static String problemWithKey(String key) {
        if (key == null || key.isEmpty()) {
            return "empty";
        }
        if (key.length() > KEY_CHARS_MAX) {
            return "longer than " + KEY_CHARS_MAX + " characters";
        }
        int segmentStart = 0;
        for (int i = 0; i <= key.length(); i++) {
            char c = i < key.length() ? key.charAt(i) : '/';
            if (c == '/') {
                int length = i - segmentStart;
                if (length == 0) {
                    return "empty segment";
                }
                if (length > KEY_SEGMENT_CHARS_MAX) {
                    return "segment longer than " + KEY_SEGMENT_CHARS_MAX + " characters";
                }
                if (key.startsWith(".", segmentStart) && (length == 1 || (length == 2 && key.charAt(segmentStart + 1) == '.'))) {
                    return "segment `.` or `..`";
                }
                if (i == key.length() && IN_FLIGHT_SUFFIX.matcher(key.substring(segmentStart)).find()) {
                    return "last segment ends in -<uuid>, the form of a write in flight on S3Proxy";
                }
                segmentStart = i + 1;
            } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
                return "character `" + c + "` outside [a-z0-9._-/]";
            }
        }
        return null;
    }
}
