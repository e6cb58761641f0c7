package dev.brook.core.auth;

import java.util.Objects;

/**
 * The names of basins, streams or access tokens a token may act on (spec §3.4): none, one exact
 * name, or every name with a prefix. Names compare as strings; for well-formed strings a UTF-16
 * prefix is also a UTF-8 byte prefix, so this agrees with S2's byte-wise {@code starts_with}.
 *
 * <p>Resource names are never empty (basins have at least 8 bytes, streams and token ids at least
 * 1), which is why {@code {"exact": ""}} can stand for "nothing" and {@code {"prefix": ""}} for
 * "everything".
 */
public sealed interface ResourceSet {

    /** Matches nothing. */
    ResourceSet NONE = new None();

    /** Matches every name: {@code {"prefix": ""}}. */
    ResourceSet ALL = new Prefix("");

    /** Whether a request naming this resource is covered. */
    boolean matches(String name);

    /**
     * Whether every name this set matches is matched by {@code other}: the test that a token being
     * issued reaches no resource its issuer cannot. Decided from the two descriptions alone, since
     * the set of all names is infinite and cannot be enumerated.
     */
    boolean isWithin(ResourceSet other);

    /** Absent or {@code null} on the wire: matches nothing. */
    record None() implements ResourceSet {

        @Override
        public boolean matches(String name) {
            return false;
        }

        /** The empty set is a subset of every set. */
        @Override
        public boolean isWithin(ResourceSet other) {
            Objects.requireNonNull(other, "other");
            return true;
        }
    }

    /** {@code {"exact": name}}: one resource; {@code {"exact": ""}} matches nothing, like {@link None}. */
    record Exact(String name) implements ResourceSet {

        public Exact {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public boolean matches(String candidate) {
            return !name.isEmpty() && name.equals(candidate);
        }

        /** A single name is within any set that matches it; {@code Exact("")} is empty, so within all. */
        @Override
        public boolean isWithin(ResourceSet other) {
            Objects.requireNonNull(other, "other");
            return name.isEmpty() || other.matches(name);
        }
    }

    /** {@code {"prefix": p}}: every name starting with {@code p}; {@code {"prefix": ""}} matches all. */
    record Prefix(String prefix) implements ResourceSet {

        public Prefix {
            Objects.requireNonNull(prefix, "prefix");
        }

        @Override
        public boolean matches(String name) {
            return name.startsWith(prefix);
        }

        /**
         * A prefix set is infinite (p, p+"a", p+"aa", ...), so it is never within {@link None} or an
         * {@link Exact} (even {@code Exact(p)}, which misses p+"a"). Within another prefix q exactly
         * when p starts with q: then every p-name starts with q. Otherwise a non-empty name escapes:
         * p followed by any character other than q's next one when q extends p, and p itself when
         * the two diverge.
         */
        @Override
        public boolean isWithin(ResourceSet other) {
            Objects.requireNonNull(other, "other");
            return other instanceof Prefix wider && prefix.startsWith(wider.prefix());
        }
    }
}
