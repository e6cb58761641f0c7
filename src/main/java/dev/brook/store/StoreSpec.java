package dev.brook.store;

import java.nio.file.Path;

/**
 * The value of {@code BROOK_STORE}: {@code file:<dir>}, {@code memory:} or
 * {@code s3://<bucket>[/<prefix>]}. Parsing fails with a FATAL {@link StoreException} whose
 * message names the bad value and the accepted forms.
 */
public sealed interface StoreSpec {

    String DEFAULT = "file:./brook-data";
    int S3_PREFIX_CHARS_MAX = 100;

    record File(Path directory) implements StoreSpec {}

    record Memory() implements StoreSpec {}

    record S3(String bucket, String prefix) implements StoreSpec {}

    static StoreSpec parse(String value) {
        String v = value.trim();
        if (v.equals("memory:")) {
            return new Memory();
        }
        if (v.startsWith("file:") && v.length() > "file:".length()) {
            String path = v.substring("file:".length());
            return new File(Path.of(path.startsWith("//") ? path.substring(2) : path));
        }
        if (v.startsWith("s3://")) {
            String rest = v.substring("s3://".length());
            int slash = rest.indexOf('/');
            String bucket = slash < 0 ? rest : rest.substring(0, slash);
            String prefix = slash < 0 ? "" : trimSlashes(rest.substring(slash + 1));
            if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
                throw bad(value, "`" + bucket + "` is not a valid bucket name");
            }
            if (prefix.length() > S3_PREFIX_CHARS_MAX || !prefix.matches("([A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*)?")) {
                throw bad(value, "the prefix must be up to " + S3_PREFIX_CHARS_MAX
                        + " characters of A-Z a-z 0-9 ! _ . * ' ( ) - in non-empty segments joined by /");
            }
            return new S3(bucket, prefix);
        }
        throw bad(value, "expected file:<dir>, memory: or s3://<bucket>/<prefix>");
    }

    private static String trimSlashes(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) == '/') {
            start++;
        }
        while (end > start && s.charAt(end - 1) == '/') {
            end--;
        }
        return s.substring(start, end);
    }

    private static StoreException bad(String value, String why) {
        return new StoreException(StoreException.Kind.FATAL, "BROOK_STORE `" + value + "` is not valid: " + why);
    }
}
