package dev.brook.log;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The key families of one stream incarnation, encoded in one place. Persistent: never renumber.
 *
 * <pre>
 *   logs/{sid}/c/{start:020}-{epoch:010}   a commit
 *   logs/{sid}/f/{version:020}             a deletion-floor version (1, 2, ...; none means floor 0/0)
 *   logs/{sid}/s/{cellStart:020}           a segment: the compacted commits of one cell of the sequence space
 *   logs/{sid}/hint                        a recent commit key, refreshed by writers (advisory)
 * </pre>
 *
 * Fixed-width decimal numbers make key order numeric order. Parsing is strict: anything else found
 * under a prefix (S3Proxy's in-flight names, junk) is not a key of ours.
 */
public final class LogKeys {

    public static final int SEQ_DIGITS = 20;
    public static final int EPOCH_DIGITS = 10;
    public static final long EPOCH_MAX = 9_999_999_999L;
    private static final Pattern SID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern COMMIT = Pattern.compile("(\\d{20})-(\\d{10})");
    private static final Pattern FLOOR = Pattern.compile("\\d{20}");

    private final String sid;
    private final String commits;
    private final String floors;
    private final String segments;

    public LogKeys(String sid) {
        if (!SID.matcher(sid).matches()) {
            throw new IllegalArgumentException("stream id must be 32 lower-case hex digits: " + sid);
        }
        this.sid = sid;
        this.commits = "logs/" + sid + "/c/";
        this.floors = "logs/" + sid + "/f/";
        this.segments = "logs/" + sid + "/s/";
    }

    public String sid() {
        return sid;
    }

    public String commitPrefix() {
        return commits;
    }

    public String floorPrefix() {
        return floors;
    }

    /** A commit key named recently, and its name. */
    private record Named(CommitKey key, String name) {}

    /** Slots of {@link #recent}: a power of two. */
    static final int RECENT_NAMES = 64;

    /**
     * The names of recently named commits, one per slot by start: a thousand followers of a stream name
     * the same few commits a thousand times each, and one String, built and hashed once, serves them
     * all. Racy by design: a slot holds an immutable pair or null, and a miss only builds the name again.
     */
    private final Named[] recent = new Named[RECENT_NAMES];

    public String commit(CommitKey key) {
        int slot = (int) (key.start() ^ key.epoch() * 31) & (RECENT_NAMES - 1);
        Named named = recent[slot];
        if (named != null && named.key().equals(key)) {
            return named.name();
        }
        String name = name(key);
        recent[slot] = new Named(key, name);
        return name;
    }

    private String name(CommitKey key) {
        if (key.epoch() > EPOCH_MAX) {
            throw new IllegalStateException("epoch " + key.epoch() + " does not fit its key");
        }
        // Built in one array: every read of a commit, from memory or not, names it by this key (a follower
        // looks one up per delivery), and padding by concatenation cost more than the cache lookup itself.
        int at = commits.length();
        char[] k = new char[at + SEQ_DIGITS + 1 + EPOCH_DIGITS];
        commits.getChars(0, at, k, 0);
        at = digits(key.start(), SEQ_DIGITS, k, at);
        k[at++] = '-';
        digits(key.epoch(), EPOCH_DIGITS, k, at);
        return new String(k);
    }

    /** Writes {@code n} zero-padded to {@code width} digits into {@code into} at {@code at}; returns the index after. */
    private static int digits(long n, int width, char[] into, int at) {
        if (n < 0) {
            throw new IllegalArgumentException(n + " is negative");
        }
        long v = n;
        for (int i = at + width - 1; i >= at; i--) {
            into[i] = (char) ('0' + v % 10);
            v /= 10;
        }
        if (v != 0) {
            throw new IllegalArgumentException(n + " has more than " + width + " digits");
        }
        return at + width;
    }

    /** The key just below every commit starting after {@code seq}: list after it to find them. */
    public String afterAllCommitsStartingAt(long seq) {
        return commits + pad(seq, SEQ_DIGITS) + "-" + pad(EPOCH_MAX, EPOCH_DIGITS);
    }

    /** The key just below every commit at or after {@code key}: list after it to find {@code key} itself. */
    public String justBefore(CommitKey key) {
        if (key.epoch() > 0) {
            return commit(new CommitKey(key.start(), key.epoch() - 1));
        }
        return key.start() == 0 ? commits : afterAllCommitsStartingAt(key.start() - 1);
    }

    public Optional<CommitKey> parseCommit(String key) {
        if (!key.startsWith(commits)) {
            return Optional.empty();
        }
        Matcher m = COMMIT.matcher(key.substring(commits.length()));
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new CommitKey(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
        } catch (NumberFormatException e) {
            return Optional.empty(); // 20 digits beyond Long.MAX_VALUE: not a key we write
        }
    }

    public String floor(long version) {
        return floors + pad(version, SEQ_DIGITS);
    }

    public Optional<Long> parseFloor(String key) {
        return number(floors, key);
    }

    /** The 20-digit number after {@code prefix}, strictly (junk and numbers beyond a long are not keys of ours). */
    private static Optional<Long> number(String prefix, String key) {
        if (!key.startsWith(prefix) || !FLOOR.matcher(key.substring(prefix.length())).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(key.substring(prefix.length())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public String segmentPrefix() {
        return segments;
    }

    public String segment(long cellStart) {
        return segments + pad(cellStart, SEQ_DIGITS);
    }

    public Optional<Long> parseSegment(String key) {
        return number(segments, key);
    }

    public String hint() {
        return "logs/" + sid + "/hint";
    }

    private static String pad(long n, int digits) {
        String s = Long.toString(n);
        if (s.length() > digits) {
            throw new IllegalArgumentException(n + " has more than " + digits + " digits");
        }
        return "0".repeat(digits - s.length()) + s;
    }
}
