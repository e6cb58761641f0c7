package dev.brook.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.store.StoreKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Key encoding: fixed width, numeric order as string order, strict parsing, and the listing bounds. */
class LogKeysTest {

    static final String SID = "0123456789abcdef0123456789abcdef";
    static final LogKeys KEYS = new LogKeys(SID);
    static final String C = "logs/" + SID + "/c/";
    static final String F = "logs/" + SID + "/f/";
    static final long SEED = 20240611L;

    /** Starts and epochs near every digit boundary and at the ends of the ranges. */
    static final long[] STARTS = {0, 1, 2, 9, 10, 11, 99, 100, 101, 999_999, 1_000_000, 4_294_967_295L, 4_294_967_296L,
            999_999_999_999_999_999L, 1_000_000_000_000_000_000L, Long.MAX_VALUE - 1, Long.MAX_VALUE};
    static final long[] EPOCHS = {0, 1, 2, 9, 10, 99, 100, 1_000_000_000L, LogKeys.EPOCH_MAX - 1, LogKeys.EPOCH_MAX};

    /** The spread above plus seeded random keys, small and large. */
    static List<CommitKey> spread() {
        List<CommitKey> out = new ArrayList<>();
        for (long s : STARTS) {
            for (long e : EPOCHS) {
                out.add(new CommitKey(s, e));
            }
        }
        Random r = new Random(SEED);
        for (int i = 0; i < 300; i++) {
            long s = switch (i % 3) {
                case 0 -> r.nextInt(50);
                case 1 -> r.nextLong(1_000_000);
                default -> r.nextLong(Long.MAX_VALUE);
            };
            long e = i % 2 == 0 ? r.nextInt(4) : r.nextLong(LogKeys.EPOCH_MAX + 1);
            out.add(new CommitKey(s, e));
        }
        return out;
    }

    static Stream<CommitKey> spreadKeys() {
        return spread().stream();
    }

    // ---------------------------------------------------------------- commit keys

    @Test
    void commitKeysHaveOneWidthAndTheDocumentedShape() {
        assertEquals(C + "00000000000000000000-0000000000", KEYS.commit(CommitKey.FIRST));
        assertEquals(C + "00000000000000000042-0000000007", KEYS.commit(new CommitKey(42, 7)));
        assertEquals(C + "09223372036854775807-9999999999", KEYS.commit(new CommitKey(Long.MAX_VALUE, LogKeys.EPOCH_MAX)));
        int width = KEYS.commit(CommitKey.FIRST).length();
        for (CommitKey k : spread()) {
            String key = KEYS.commit(k);
            assertEquals(width, key.length(), key);
            assertEquals(C + String.format(java.util.Locale.ROOT, "%020d-%010d", k.start(), k.epoch()), key);
            assertTrue(key.startsWith(KEYS.commitPrefix()));
            StoreKeys.checkKey(key);
        }
    }

    @Test
    void stringOrderIsKeyOrder() {
        List<CommitKey> keys = spread();
        Random r = new Random(SEED + 1);
        for (int i = 0; i < 20_000; i++) {
            CommitKey a = keys.get(r.nextInt(keys.size()));
            CommitKey b = keys.get(r.nextInt(keys.size()));
            assertEquals(Integer.signum(a.compareTo(b)), Integer.signum(KEYS.commit(a).compareTo(KEYS.commit(b))), a + " vs " + b);
        }
        // Exhaustively over the boundary spread too.
        for (long s1 : STARTS) {
            for (long s2 : STARTS) {
                for (long e1 : EPOCHS) {
                    CommitKey a = new CommitKey(s1, e1);
                    CommitKey b = new CommitKey(s2, EPOCHS[(int) Math.floorMod(s1 + e1, (long) EPOCHS.length)]);
                    assertEquals(Integer.signum(a.compareTo(b)), Integer.signum(KEYS.commit(a).compareTo(KEYS.commit(b))), a + " vs " + b);
                }
            }
        }
    }

    @Test
    void keyOrderIsStartThenEpoch() {
        assertTrue(new CommitKey(1, 0).compareTo(new CommitKey(0, LogKeys.EPOCH_MAX)) > 0);
        assertTrue(new CommitKey(5, 1).compareTo(new CommitKey(5, 2)) < 0);
        assertTrue(new CommitKey(5, 1).isBelow(new CommitKey(5, 2)));
        assertTrue(!new CommitKey(5, 2).isBelow(new CommitKey(5, 2)));
        assertEquals(0, new CommitKey(5, 2).compareTo(new CommitKey(5, 2)));
        assertTrue(new CommitKey(Long.MAX_VALUE, LogKeys.EPOCH_MAX).isBelow(CommitKey.INFINITY));
    }

    @Test
    void aRecentlyNamedCommitKeepsItsNameAndAKeyInTheSameSlotGetsItsOwn() {
        LogKeys keys = new LogKeys(SID);
        CommitKey a = new CommitKey(5, 0);
        CommitKey sameSlot = new CommitKey(5 + LogKeys.RECENT_NAMES, 0);
        CommitKey otherEpoch = new CommitKey(5, 1);
        String named = keys.commit(a);
        org.junit.jupiter.api.Assertions.assertSame(named, keys.commit(a), "named once, served again");
        assertEquals(C + "00000000000000000069-0000000000", keys.commit(sameSlot));
        assertEquals(C + "00000000000000000005-0000000001", keys.commit(otherEpoch));
        assertEquals(C + "00000000000000000005-0000000000", keys.commit(a));
        assertEquals(C + "00000000000000000069-0000000000", keys.commit(sameSlot));
    }

    @ParameterizedTest
    @MethodSource("spreadKeys")
    void parseCommitInvertsCommit(CommitKey k) {
        assertEquals(Optional.of(k), KEYS.parseCommit(KEYS.commit(k)));
    }

    static Stream<String> notCommitKeys() {
        String ok = KEYS.commit(new CommitKey(42, 7));
        String okName = ok.substring(C.length());
        return Stream.of(
                // other prefixes and families
                "", C, C.substring(0, C.length() - 1), "logs/" + SID + "/c" + okName,
                "logs/" + "fedcba9876543210fedcba9876543210" + "/c/" + okName,
                "logs/" + SID + "/f/" + okName, "logs/" + SID + "/x/" + okName, "prefix/" + ok, ok.substring(1),
                KEYS.hint(), KEYS.floor(1),
                // S3Proxy's in-flight names and other temporary files
                ok + "-0c5d2b8e-3f0a-4b1e-9d7c-2a6f4e8b1c3d",
                ok + ".partial", ok + "-tmp", ok + ".tmp", ok + "~", ok + "/", ok + "/x", ok + "\n", " " + ok, ok + " ",
                // wrong digit counts and separators
                C + "0000000000000000042-0000000007", C + "000000000000000000042-0000000007",
                C + "00000000000000000042-000000007", C + "00000000000000000042-00000000007",
                C + "00000000000000000042_0000000007", C + "00000000000000000042--000000007",
                C + "00000000000000000042", C + "00000000000000000042-", C + "-0000000007",
                C + "0000000000000000004a-0000000007", C + "+0000000000000000042-0000000007",
                C + "-0000000000000000042-0000000007",
                // non-ASCII digits that Long.parseLong would accept
                C + "0000000000000000004\u0662-0000000007", C + "00000000000000000042-000000000\u0667",
                // numbers that do not fit a long
                C + "09223372036854775808-0000000000", C + "99999999999999999999-0000000000", C + "18446744073709551615-0000000000");
    }

    @ParameterizedTest
    @MethodSource("notCommitKeys")
    void parseCommitRejectsAnythingElse(String key) {
        assertEquals(Optional.empty(), KEYS.parseCommit(key));
    }

    @Test
    void theLargestStartParses() {
        assertEquals(Optional.of(new CommitKey(Long.MAX_VALUE, 0)), KEYS.parseCommit(C + "09223372036854775807-0000000000"));
    }

    @Test
    void epochsBeyondTheirWidthAreRefusedWhenWriting() {
        assertThrows(IllegalStateException.class, () -> KEYS.commit(new CommitKey(0, LogKeys.EPOCH_MAX + 1)));
        assertThrows(IllegalStateException.class, () -> KEYS.commit(CommitKey.INFINITY));
    }

    // ---------------------------------------------------------------- floor keys

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 2, 9, 10, 1234567, Long.MAX_VALUE - 1, Long.MAX_VALUE})
    void floorKeysRoundTripAndSortNumerically(long version) {
        String key = KEYS.floor(version);
        assertEquals(F.length() + LogKeys.SEQ_DIGITS, key.length());
        assertTrue(key.startsWith(KEYS.floorPrefix()));
        StoreKeys.checkKey(key);
        assertEquals(Optional.of(version), KEYS.parseFloor(key));
        if (version < Long.MAX_VALUE) {
            assertTrue(key.compareTo(KEYS.floor(version + 1)) < 0);
        }
    }

    @Test
    void floorKeysSortAsVersionsForRandomPairs() {
        Random r = new Random(SEED + 2);
        for (int i = 0; i < 5_000; i++) {
            long a = i % 2 == 0 ? r.nextInt(1000) : r.nextLong(Long.MAX_VALUE);
            long b = i % 3 == 0 ? r.nextInt(1000) : r.nextLong(Long.MAX_VALUE);
            assertEquals(Integer.signum(Long.compare(a, b)), Integer.signum(KEYS.floor(a).compareTo(KEYS.floor(b))), a + " vs " + b);
        }
    }

    static Stream<String> notFloorKeys() {
        String ok = KEYS.floor(3);
        return Stream.of("", F, ok + "-0c5d2b8e-3f0a-4b1e-9d7c-2a6f4e8b1c3d", ok + ".partial", ok + "-tmp", ok + "\n",
                F + "0000000000000000003", F + "000000000000000000003", F + "0000000000000000000x",
                F + "0000000000000000000\u0663", F + "09223372036854775808", F + "99999999999999999999",
                KEYS.commit(new CommitKey(3, 0)), C + "00000000000000000003", "logs/fedcba9876543210fedcba9876543210/f/00000000000000000003",
                KEYS.hint());
    }

    @ParameterizedTest
    @MethodSource("notFloorKeys")
    void parseFloorRejectsAnythingElse(String key) {
        assertEquals(Optional.empty(), KEYS.parseFloor(key));
    }

    // ---------------------------------------------------------------- listing bounds

    /** The largest valid key strictly below {@code k} in key order, if any. */
    private static Optional<CommitKey> predecessor(CommitKey k) {
        if (k.epoch() > 0) {
            return Optional.of(new CommitKey(k.start(), k.epoch() - 1));
        }
        return k.start() == 0 ? Optional.empty() : Optional.of(new CommitKey(k.start() - 1, LogKeys.EPOCH_MAX));
    }

    @ParameterizedTest
    @MethodSource("spreadKeys")
    void justBeforeIsBelowTheKeyWithNoCommitKeyInBetween(CommitKey k) {
        String before = KEYS.justBefore(k);
        String key = KEYS.commit(k);
        assertTrue(before.compareTo(key) < 0, before + " < " + key);
        assertTrue(before.startsWith(KEYS.commitPrefix()));
        Optional<CommitKey> p = predecessor(k);
        if (p.isPresent()) {
            assertTrue(KEYS.commit(p.get()).compareTo(before) <= 0, "the neighbour " + p.get() + " is not above " + before);
        }
        // Every key below k, by key order, is at or below the bound.
        Random r = new Random(k.start() ^ k.epoch());
        for (int i = 0; i < 50; i++) {
            long s = switch (k.start() == 0 ? 0 : i % 3) {
                case 0 -> k.start(); // same start, any epoch
                case 1 -> k.start() - 1 - r.nextLong(Math.min(k.start(), 3)); // the starts just below
                default -> r.nextLong(k.start()); // anywhere below
            };
            long e = r.nextLong(LogKeys.EPOCH_MAX + 1);
            CommitKey other = new CommitKey(s, e);
            if (other.isBelow(k)) {
                assertTrue(KEYS.commit(other).compareTo(before) <= 0, other + " below " + k);
            }
        }
    }

    @Test
    void justBeforeTheNeighbours() {
        assertEquals(KEYS.commitPrefix(), KEYS.justBefore(CommitKey.FIRST));
        assertEquals(KEYS.commit(new CommitKey(7, 2)), KEYS.justBefore(new CommitKey(7, 3)));
        assertEquals(KEYS.commit(new CommitKey(6, LogKeys.EPOCH_MAX)), KEYS.justBefore(new CommitKey(7, 0)));
        assertEquals(KEYS.commit(new CommitKey(0, 0)), KEYS.justBefore(new CommitKey(0, 1)));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 9, 10, 99, 100, 12345, 999_999_999_999_999_999L, Long.MAX_VALUE - 1})
    void afterAllCommitsStartingAtSeparatesOneStartFromTheNext(long s) {
        String bound = KEYS.afterAllCommitsStartingAt(s);
        for (long e : EPOCHS) {
            int c = KEYS.commit(new CommitKey(s, e)).compareTo(bound);
            assertTrue(e == LogKeys.EPOCH_MAX ? c == 0 : c < 0, "(" + s + ", " + e + ") sorts at or below the bound");
        }
        assertTrue(bound.compareTo(KEYS.commit(new CommitKey(s + 1, 0))) < 0, "the next start sorts above the bound");
        if (s > 0) {
            assertTrue(KEYS.commit(new CommitKey(s - 1, LogKeys.EPOCH_MAX)).compareTo(bound) < 0);
        }
        // What a listing after the bound finds first is the first commit starting after s.
        assertEquals(KEYS.justBefore(new CommitKey(s + 1, 0)), bound);
    }

    // ---------------------------------------------------------------- successor

    static Stream<Arguments> successors() {
        return Stream.of(
                Arguments.of(new CommitKey(0, 0), 3L, true, new CommitKey(3, 0)),
                Arguments.of(new CommitKey(0, 0), 0L, false, new CommitKey(0, 1)),
                Arguments.of(new CommitKey(10, 4), 11L, true, new CommitKey(11, 4)),
                Arguments.of(new CommitKey(10, 4), 10L, false, new CommitKey(10, 5)),
                Arguments.of(new CommitKey(Long.MAX_VALUE - 5, 9), Long.MAX_VALUE, true, new CommitKey(Long.MAX_VALUE, 9)));
    }

    @ParameterizedTest
    @MethodSource("successors")
    void successorRules(CommitKey key, long end, boolean hasRecords, CommitKey expected) {
        CommitKey next = key.successor(end, hasRecords);
        assertEquals(expected, next);
        assertTrue(key.isBelow(next), "a successor sorts above its predecessor");
        assertTrue(KEYS.commit(key).compareTo(KEYS.commit(next)) < 0);
    }

    static Stream<Arguments> inconsistentSuccessors() {
        return Stream.of(
                Arguments.of(new CommitKey(5, 0), 5L, true), // records but no room for them
                Arguments.of(new CommitKey(5, 0), 6L, false), // no records but the end moved
                Arguments.of(new CommitKey(5, 0), 9L, false));
    }

    @ParameterizedTest
    @MethodSource("inconsistentSuccessors")
    void inconsistentSuccessorInputThrows(CommitKey key, long end, boolean hasRecords) {
        assertThrows(IllegalArgumentException.class, () -> key.successor(end, hasRecords));
    }

    @Test
    void anEndBeforeTheStartThrows() {
        assertThrows(IllegalArgumentException.class, () -> new CommitKey(10, 0).successor(5, true));
        assertThrows(IllegalArgumentException.class, () -> new CommitKey(10, 0).successor(-1, true));
    }

    @Test
    void negativeKeysAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new CommitKey(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> new CommitKey(0, -1));
        assertThrows(IllegalArgumentException.class, () -> new CommitKey(Long.MIN_VALUE, Long.MIN_VALUE));
    }

    // ---------------------------------------------------------------- stream ids

    @ParameterizedTest
    @ValueSource(strings = {"", "0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdef0",
            "0123456789ABCDEF0123456789ABCDEF", "0123456789abcdef0123456789abcdeg", "0123456789abcdef/123456789abcdef",
            "0123456789abcdef0123456789abcde ", "0123456789abcdef-0123456789abcde", "..", "0123456789abcdef0123456789abcd\u0663f",
            "0123456789abcdef0123456789abcdef\n"})
    void invalidStreamIdsAreRefused(String sid) {
        assertThrows(IllegalArgumentException.class, () -> new LogKeys(sid));
    }

    @Test
    void aValidStreamIdNamesEveryFamily() {
        LogKeys k = new LogKeys("ffffffffffffffffffffffffffffffff");
        assertEquals("ffffffffffffffffffffffffffffffff", k.sid());
        assertEquals("logs/ffffffffffffffffffffffffffffffff/c/", k.commitPrefix());
        assertEquals("logs/ffffffffffffffffffffffffffffffff/f/", k.floorPrefix());
        assertEquals("logs/ffffffffffffffffffffffffffffffff/hint", k.hint());
        StoreKeys.checkKey(k.hint());
        // A stream's keys are not another stream's.
        assertEquals(Optional.empty(), KEYS.parseCommit(k.commit(CommitKey.FIRST)));
        assertEquals(Optional.empty(), KEYS.parseFloor(k.floor(1)));
    }
}
