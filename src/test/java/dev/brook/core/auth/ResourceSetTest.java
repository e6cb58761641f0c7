package dev.brook.core.auth;

import static dev.brook.core.auth.AuthFixtures.exact;
import static dev.brook.core.auth.AuthFixtures.prefix;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ResourceSetTest {

    static Stream<Arguments> matching() {
        return Stream.of(
                arguments(ResourceSet.NONE, "a", false),
                arguments(ResourceSet.NONE, "my-basin", false),
                arguments(exact(""), "a", false),
                arguments(exact(""), "", false),
                arguments(exact("my-basin"), "my-basin", true),
                arguments(exact("my-basin"), "my-basin-2", false),
                arguments(exact("my-basin"), "my-basi", false),
                arguments(exact("my-basin"), "MY-BASIN", false),
                arguments(prefix(""), "a", true),
                arguments(prefix(""), "any/stream/é", true),
                arguments(prefix("logs/"), "logs/", true),
                arguments(prefix("logs/"), "logs/a", true),
                arguments(prefix("logs/"), "logs", false),
                arguments(prefix("logs/"), "Logs/a", false),
                arguments(prefix("logs/"), "x/logs/a", false),
                arguments(prefix("é"), "éa", true),
                arguments(prefix("é"), "e", false));
    }

    @ParameterizedTest(name = "{0} matches \"{1}\": {2}")
    @MethodSource("matching")
    void matches(ResourceSet set, String name, boolean expected) {
        assertEquals(expected, set.matches(name));
    }

    static Stream<Arguments> within() {
        return Stream.of(
                arguments(ResourceSet.NONE, ResourceSet.NONE, true),
                arguments(ResourceSet.NONE, exact(""), true),
                arguments(ResourceSet.NONE, exact("a"), true),
                arguments(ResourceSet.NONE, prefix("a"), true),
                arguments(exact(""), ResourceSet.NONE, true),
                arguments(exact(""), exact("b"), true),
                arguments(exact("a"), ResourceSet.NONE, false),
                arguments(exact("a"), exact(""), false),
                arguments(exact("a"), exact("a"), true),
                arguments(exact("a"), exact("b"), false),
                arguments(exact("ab"), prefix("a"), true),
                arguments(exact("ab"), prefix("ab"), true),
                arguments(exact("a"), prefix("ab"), false),
                arguments(exact("a"), prefix(""), true),
                arguments(prefix(""), prefix(""), true),
                arguments(prefix(""), prefix("a"), false),
                arguments(prefix("ab"), prefix("a"), true),
                arguments(prefix("a"), prefix("ab"), false),
                arguments(prefix("a"), prefix("b"), false),
                arguments(prefix("a"), exact("a"), false),
                arguments(prefix("a"), exact(""), false),
                arguments(prefix("a"), ResourceSet.NONE, false),
                arguments(prefix(""), ResourceSet.NONE, false));
    }

    @ParameterizedTest(name = "{0} within {1}: {2}")
    @MethodSource("within")
    void isWithin(ResourceSet set, ResourceSet other, boolean expected) {
        assertEquals(expected, set.isWithin(other));
    }

    /** Names are never empty; the alphabet has a multi-byte letter so byte and char lengths differ. */
    static final List<String> ALPHABET = List.of("a", "b", "é");

    /**
     * Over every name of up to three letters, {@code isWithin} must agree with its definition. Sets
     * use at most two letters, so each prefix set still matches names the universe can tell apart
     * from any finite set (p plus one letter).
     */
    @Test
    void isWithinAgreesWithSubsetOfMatchedNamesByBruteForce() {
        List<String> names = words(3);
        List<ResourceSet> sets = new ArrayList<>();
        sets.add(ResourceSet.NONE);
        sets.add(exact(""));
        sets.add(prefix(""));
        for (String w : words(2)) {
            sets.add(exact(w));
            sets.add(prefix(w));
        }
        List<String> disagreements = new ArrayList<>();
        for (ResourceSet set : sets) {
            for (ResourceSet other : sets) {
                boolean subset = names.stream().filter(set::matches).allMatch(other::matches);
                if (subset != set.isWithin(other)) {
                    disagreements.add(set + " within " + other + ": subset " + subset);
                }
            }
        }
        assertEquals(List.of(), disagreements);
        assertEquals(1 + 1 + 1 + 2 * (3 + 9), sets.size());
    }

    /** Every non-empty word over the alphabet of at most {@code maxLength} letters. */
    static List<String> words(int maxLength) {
        List<String> all = new ArrayList<>();
        List<String> previous = List.of("");
        for (int length = 1; length <= maxLength; length++) {
            List<String> next = new ArrayList<>();
            for (String w : previous) {
                for (String letter : ALPHABET) {
                    next.add(w + letter);
                }
            }
            all.addAll(next);
            previous = next;
        }
        return all;
    }
}
