package dev.brook.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.core.Header;
import dev.brook.core.SequencedRecord;
import dev.brook.core.StreamState;
import dev.brook.core.Timestamping;
import dev.brook.core.TimestampingMode;
import dev.brook.store.StoreException;
import dev.brook.store.StoreKeys;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The commit and floor object formats: round trips, the HEAD summary, and that damage is always detected. */
class CommitCodecTest {

    /** 12 three-byte characters: exactly the 36-byte maximum of a fencing token. */
    static final String TOKEN_36_BYTES = "€".repeat(12);
    static final long LAST_MODIFIED = 1_700_000_000_123L;

    // ---------------------------------------------------------------- builders

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] filled(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static Header header(String name, String value) {
        return new Header(utf8(name), utf8(value));
    }

    private static StreamState state(long next, long lastTs, String token, long trim, long cfg, Timestamping ts, boolean sealed) {
        return new StreamState(next, lastTs, token, trim, cfg, ts, sealed);
    }

    /** Records {@code start..start+n-1}, each with its own timestamp and a body naming it. */
    private static List<SequencedRecord> plainRecords(long start, int n, long firstTs) {
        List<SequencedRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new SequencedRecord(start + i, firstTs + i, List.of(), utf8("r" + (start + i))));
        }
        return out;
    }

    private static Commit commit(CommitKey key, Optional<CommitKey> previous, StreamState state, List<Integer> sizes,
                                 List<SequencedRecord> records, long seed) {
        return new Commit(key, previous, filled(Commit.HASH_BYTES, seed), filled(Commit.NONCE_BYTES, seed + 1), state, sizes, records);
    }

    static Stream<Arguments> commits() {
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of("control commit on an empty stream", commit(CommitKey.FIRST, Optional.empty(),
                state(0, 0, "", 0, 2, Timestamping.DEFAULT, false), List.of(), List.of(), 1)));
        cases.add(Arguments.of("control commit after records", commit(new CommitKey(7, 2), Optional.of(new CommitKey(5, 2)),
                state(7, 4_000, "tok", 3, 9, new Timestamping(TimestampingMode.ARRIVAL, true), false), List.of(), List.of(), 2)));
        cases.add(Arguments.of("one record", commit(CommitKey.FIRST, Optional.empty(),
                state(1, 1_000, "", 0, 1, Timestamping.DEFAULT, false), List.of(1), plainRecords(0, 1, 1_000), 3)));
        List<SequencedRecord> mixed = List.of(
                new SequencedRecord(10, 500, List.of(header("a", ""), header("a", "dup"), header("", "")), new byte[0]),
                new SequencedRecord(11, 500, List.of(new Header(new byte[] {0, (byte) 0xff, 10}, new byte[] {(byte) 0x80, 0})),
                        new byte[] {0, 1, 2, (byte) 0xfe, (byte) 0xff}),
                new SequencedRecord(12, 501, List.of(), filled(4096, 12)),
                new SequencedRecord(13, 502, List.of(header("", "fence")), utf8("ünï-€")),
                new SequencedRecord(14, 502, List.of(header("", "trim")), ByteBuffer.allocate(8).putLong(12).array()),
                new SequencedRecord(15, 600, List.of(header("k", "v"), header("k2", "")), new byte[] {0}));
        cases.add(Arguments.of("several batches, empty header values, binary bodies", commit(new CommitKey(10, 1),
                Optional.of(new CommitKey(10, 0)), state(16, 600, "ünï-€", 12, 3, Timestamping.DEFAULT, false),
                List.of(1, 3, 2), mixed, 4)));
        cases.add(Arguments.of("36-byte non-ASCII fencing token", commit(new CommitKey(3, 0), Optional.of(new CommitKey(0, 0)),
                state(5, 77, TOKEN_36_BYTES, 0, 1, Timestamping.DEFAULT, false), List.of(2), plainRecords(3, 2, 70), 5)));
        cases.add(Arguments.of("emoji fencing token", commit(new CommitKey(3, 0), Optional.of(new CommitKey(0, 0)),
                state(4, 77, "😀x😀", 0, 1, Timestamping.DEFAULT, false), List.of(1), plainRecords(3, 1, 77), 6)));
        long seed = 10;
        for (TimestampingMode mode : TimestampingMode.values()) {
            for (boolean uncapped : new boolean[] {false, true}) {
                cases.add(Arguments.of("timestamping " + mode + " uncapped=" + uncapped, commit(new CommitKey(4, 1),
                        Optional.of(new CommitKey(4, 0)), state(6, 9, "", 0, 5, new Timestamping(mode, uncapped), false),
                        List.of(2), plainRecords(4, 2, 8), seed++)));
            }
        }
        cases.add(Arguments.of("sealed control commit", commit(new CommitKey(6, 3), Optional.of(new CommitKey(6, 2)),
                state(6, 9, "x", 6, 5, Timestamping.DEFAULT, true), List.of(), List.of(), 30)));
        long big = Long.MAX_VALUE - 3;
        cases.add(Arguments.of("large positions, trim point, epoch and numbers", commit(new CommitKey(big, LogKeys.EPOCH_MAX),
                Optional.of(new CommitKey(big - 1, LogKeys.EPOCH_MAX)),
                state(Long.MAX_VALUE - 1, Long.MAX_VALUE, "", Long.MAX_VALUE - 1, Long.MAX_VALUE,
                        new Timestamping(TimestampingMode.CLIENT_REQUIRE, true), false),
                List.of(1, 1), List.of(new SequencedRecord(big, Long.MAX_VALUE - 1, List.of(), new byte[] {1}),
                        new SequencedRecord(big + 1, Long.MAX_VALUE, List.of(), new byte[] {2})), 31)));
        return cases.stream();
    }

    private static void assertSameCommit(Commit expected, Commit actual) {
        assertEquals(expected.key(), actual.key());
        assertEquals(expected.previous(), actual.previous());
        assertArrayEquals(expected.previousHash(), actual.previousHash());
        assertArrayEquals(expected.nonce(), actual.nonce());
        assertEquals(expected.state(), actual.state());
        assertEquals(expected.batchSizes(), actual.batchSizes());
        assertEquals(expected.records(), actual.records());
    }

    private static void assertSameSummary(CommitSummary expected, CommitSummary actual) {
        assertEquals(expected.key(), actual.key(), "key");
        assertEquals(expected.previous(), actual.previous(), "previous");
        assertArrayEquals(expected.nonce(), actual.nonce(), "nonce");
        assertArrayEquals(expected.hash(), actual.hash(), "hash");
        assertEquals(expected.state(), actual.state(), "state");
        assertEquals(expected.firstTimestamp(), actual.firstTimestamp(), "first timestamp");
        assertEquals(expected.lastModifiedMs(), actual.lastModifiedMs(), "last modified");
    }

    private static StoreException corrupt(CommitKey key, byte[] body) {
        StoreException e = assertThrows(StoreException.class, () -> CommitCodec.decode(key, body));
        assertEquals(StoreException.Kind.CORRUPT, e.kind());
        // The same damage read in place amid other bytes (a segment): caught the same way, never read past its end.
        StoreException inPlace = assertThrows(StoreException.class, () -> CommitCodec.decode(key, amid(body), 7, body.length));
        assertEquals(StoreException.Kind.CORRUPT, inPlace.kind());
        assertEquals(e.getMessage(), inPlace.getMessage());
        return e;
    }

    /** The body with its trailing CRC recomputed, so structural damage gets past the checksum. */
    private static byte[] withFreshCrc(byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(body, 0, body.length - 4);
        ByteBuffer.wrap(body, body.length - 4, 4).putInt((int) crc.getValue());
        return body;
    }

    // ---------------------------------------------------------------- round trips and summaries

    @ParameterizedTest(name = "{0}")
    @MethodSource("commits")
    void encodeThenDecodeGivesTheSameCommit(String name, Commit c) {
        CommitCodec.Encoded e = CommitCodec.encode(c);
        assertSameCommit(c, CommitCodec.decode(c.key(), e.body()));
        assertSameCommit(c, CommitCodec.decode(c.key(), e.body().clone()));
        assertSameCommit(c, CommitCodec.decode(c.key(), amid(e.body()), 7, e.body().length)); // in place, as in a segment
    }

    /** {@code body} amid other bytes, at offset 7, as commits lie in a segment. */
    private static byte[] amid(byte[] body) {
        byte[] buf = new byte[body.length + 16];
        java.util.Arrays.fill(buf, (byte) 0x5a);
        System.arraycopy(body, 0, buf, 7, body.length);
        return buf;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commits")
    void encodingIsDeterministic(String name, Commit c) {
        assertArrayEquals(CommitCodec.encode(c).body(), CommitCodec.encode(c).body());
        assertEquals(CommitCodec.encode(c).metadata(), CommitCodec.encode(c).metadata());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commits")
    void summaryFromTheBodyEqualsSummaryFromTheMetadata(String name, Commit c) {
        CommitCodec.Encoded e = CommitCodec.encode(c);
        CommitSummary fromBody = CommitCodec.summarize(c.key(), e.body(), LAST_MODIFIED);
        CommitSummary fromHead = CommitCodec.summaryOf(c.key(), e.metadata(), LAST_MODIFIED).orElseThrow();
        assertSameSummary(fromBody, fromHead);

        // And both say what the commit is, independently of each other.
        assertEquals(c.key(), fromBody.key());
        assertEquals(c.previous(), fromBody.previous());
        assertArrayEquals(c.nonce(), fromBody.nonce());
        assertArrayEquals(e.hash(), fromBody.hash());
        assertEquals(c.state(), fromBody.state());
        assertEquals(c.records().isEmpty() ? OptionalLong.empty() : OptionalLong.of(c.records().get(0).timestamp()),
                fromBody.firstTimestamp());
        assertEquals(LAST_MODIFIED, fromHead.lastModifiedMs());
        assertEquals(c.end(), fromHead.end());
        assertEquals(c.hasRecords(), fromHead.hasRecords());
        assertEquals(c.successor(), fromHead.successor());
        assertTrue(fromHead.hasNonce(c.nonce().clone()));
        assertFalse(fromHead.hasNonce(new byte[Commit.NONCE_BYTES]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commits")
    void theHashIsSha256OfTheBody(String name, Commit c) throws Exception {
        CommitCodec.Encoded e = CommitCodec.encode(c);
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(e.body());
        assertArrayEquals(expected, e.hash());
        assertArrayEquals(expected, CommitCodec.sha256(e.body()));
        assertEquals(HexFormat.of().formatHex(expected), e.metadata().get("sha256"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commits")
    void metadataIsPrintableAsciiAndSmall(String name, Commit c) {
        Map<String, String> m = CommitCodec.encode(c).metadata();
        int total = 0;
        for (Map.Entry<String, String> entry : m.entrySet()) {
            for (char ch : (entry.getKey() + entry.getValue()).toCharArray()) {
                assertTrue(ch >= 0x20 && ch <= 0x7e, "printable ASCII in " + entry);
            }
            total += entry.getKey().length() + entry.getValue().length();
        }
        assertTrue(total < 2048, "metadata of " + total + " bytes");
        StoreKeys.checkMetadata(m); // every adapter accepts it
    }

    @Test
    void metadataWithTheLongestFencingTokenStaysSmall() {
        assertEquals(36, utf8(TOKEN_36_BYTES).length);
        Commit c = commit(new CommitKey(Long.MAX_VALUE - 3, LogKeys.EPOCH_MAX), Optional.of(new CommitKey(Long.MAX_VALUE - 4, LogKeys.EPOCH_MAX)),
                state(Long.MAX_VALUE - 2, Long.MAX_VALUE, TOKEN_36_BYTES, Long.MAX_VALUE - 2, Long.MAX_VALUE,
                        new Timestamping(TimestampingMode.ARRIVAL, true), true),
                List.of(1), List.of(new SequencedRecord(Long.MAX_VALUE - 3, Long.MAX_VALUE, List.of(), new byte[0])), 40);
        Map<String, String> m = CommitCodec.encode(c).metadata();
        int total = m.entrySet().stream().mapToInt(x -> x.getKey().length() + x.getValue().length()).sum();
        assertTrue(total < 2048, "metadata of " + total + " bytes");
        assertTrue(m.values().stream().allMatch(v -> v.chars().allMatch(ch -> ch >= 0x20 && ch <= 0x7e)), m.toString());
        assertEquals(TOKEN_36_BYTES, CommitCodec.summaryOf(c.key(), m, 0).orElseThrow().state().fencingToken());
    }

    @Test
    void metadataNamesTheCommitInPlainWords() {
        Commit c = commit(new CommitKey(3, 1), Optional.of(new CommitKey(3, 0)),
                state(5, 900, "ab", 2, 7, new Timestamping(TimestampingMode.ARRIVAL, true), false), List.of(2), plainRecords(3, 2, 800), 50);
        Map<String, String> m = CommitCodec.encode(c).metadata();
        assertEquals("1", m.get("format"));
        assertEquals("3/0", m.get("prev"));
        assertEquals("5", m.get("end"));
        assertEquals("800", m.get("first-ts"));
        assertEquals("900", m.get("last-ts"));
        assertEquals("6162", m.get("fence"));
        assertEquals("2", m.get("trim"));
        assertEquals("7", m.get("cfg"));
        assertEquals("1", m.get("uncapped"));
        assertEquals("0", m.get("sealed"));
        assertEquals(HexFormat.of().formatHex(c.nonce()), m.get("nonce"));

        Map<String, String> first = CommitCodec.encode(commit(CommitKey.FIRST, Optional.empty(),
                state(0, 0, "", 0, 1, Timestamping.DEFAULT, true), List.of(), List.of(), 51)).metadata();
        assertEquals("-", first.get("prev"));
        assertEquals("-", first.get("first-ts"));
        assertEquals("", first.get("fence"));
        assertEquals("1", first.get("sealed"));
    }

    @Test
    void differentNoncesGiveDifferentHashes() {
        Commit a = commit(CommitKey.FIRST, Optional.empty(), state(1, 1, "", 0, 1, Timestamping.DEFAULT, false), List.of(1),
                plainRecords(0, 1, 1), 60);
        Commit b = new Commit(a.key(), a.previous(), a.previousHash(), filled(Commit.NONCE_BYTES, 999), a.state(), a.batchSizes(), a.records());
        assertFalse(Arrays.equals(CommitCodec.encode(a).hash(), CommitCodec.encode(b).hash()));
        assertFalse(CommitCodec.summaryOf(b.key(), CommitCodec.encode(b).metadata(), 0).orElseThrow().hasNonce(a.nonce()));
    }

    // ---------------------------------------------------------------- damage

    static Commit sample() {
        List<SequencedRecord> records = List.of(
                new SequencedRecord(20, 100, List.of(header("h", "v")), utf8("first body")),
                new SequencedRecord(21, 101, List.of(), filled(300, 7)),
                new SequencedRecord(22, 102, List.of(header("x", ""), header("y", "z")), utf8("last body")));
        return commit(new CommitKey(20, 4), Optional.of(new CommitKey(18, 4)), state(23, 102, "fence-€", 21, 3, Timestamping.DEFAULT, false),
                List.of(2, 1), records, 70);
    }

    static Stream<Arguments> flippedPositions() {
        int length = CommitCodec.encode(sample()).body().length;
        List<Arguments> cases = new ArrayList<>();
        int[] positions = {0, 3, 4, 5, 6, 13, 14, 21, 30, 31, 47, 79, 95, 103, 111, 119, 120, 121, 122, 130,
                length / 2, length - 20, length - 5, length - 4, length - 2, length - 1};
        for (int p : positions) {
            for (int mask : new int[] {0x01, 0x80, 0xff}) {
                cases.add(Arguments.of(p, mask));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "byte {0} xor {1}")
    @MethodSource("flippedPositions")
    void aFlippedByteIsDetected(int position, int mask) {
        Commit c = sample();
        byte[] body = CommitCodec.encode(c).body();
        body[position] ^= (byte) mask;
        StoreException e = corrupt(c.key(), body);
        assertTrue(e.getMessage().contains(c.key().toString()), e.getMessage());
    }

    @Test
    void everySingleBitFlipIsDetected() {
        Commit c = sample();
        byte[] clean = CommitCodec.encode(c).body();
        for (int i = 0; i < clean.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] body = clean.clone();
                body[i] ^= (byte) (1 << bit);
                corrupt(c.key(), body);
            }
        }
    }

    @ParameterizedTest(name = "keep {0} bytes")
    @ValueSource(ints = {0, 1, 3, 4, 7, 8, 9, 64, 200, -1, -2, -4, -5, -30})
    void aTruncatedBodyIsDetected(int keep) {
        Commit c = sample();
        byte[] full = CommitCodec.encode(c).body();
        int n = keep >= 0 ? keep : full.length + keep;
        corrupt(c.key(), Arrays.copyOf(full, n));
    }

    @Test
    void extraBytesAreDetected() {
        Commit c = sample();
        byte[] full = CommitCodec.encode(c).body();
        corrupt(c.key(), Arrays.copyOf(full, full.length + 1));
        // With the checksum made to match, the parser still refuses the stray byte.
        byte[] stray = new byte[full.length + 1];
        System.arraycopy(full, 0, stray, 0, full.length - 4);
        StoreException e = corrupt(c.key(), withFreshCrc(stray));
        assertTrue(e.getMessage().contains("stray"), e.getMessage());
    }

    @Test
    void aBodyForAnotherKeyIsRefusedAndTheMessageNamesBothKeys() {
        Commit c = sample();
        byte[] body = CommitCodec.encode(c).body();
        for (CommitKey other : List.of(new CommitKey(20, 5), new CommitKey(20, 3), new CommitKey(21, 4), CommitKey.FIRST)) {
            StoreException e = corrupt(other, body);
            assertTrue(e.getMessage().contains(other.toString()), e.getMessage());
            assertTrue(e.getMessage().contains(c.key().toString()), e.getMessage());
            assertThrows(StoreException.class, () -> CommitCodec.summarize(other, body, 0));
        }
    }

    @ParameterizedTest(name = "format byte {0}")
    @ValueSource(ints = {0, 2, 3, 0x7f, 0xff})
    void anUnknownFormatIsRefused(int format) {
        Commit c = sample();
        byte[] body = CommitCodec.encode(c).body();
        body[4] = (byte) format;
        StoreException e = corrupt(c.key(), withFreshCrc(body));
        assertTrue(e.getMessage().contains("format " + format), e.getMessage());
    }

    @Test
    void badMagicIsRefusedEvenWithAMatchingChecksum() {
        Commit c = sample();
        byte[] body = CommitCodec.encode(c).body();
        body[3] = 'F'; // "BRKF": a floor object, not a commit
        StoreException e = corrupt(c.key(), withFreshCrc(body));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
    }

    @Test
    void structuralDamageBehindAMatchingChecksumIsRefused() {
        Commit c = sample();
        byte[] clean = CommitCodec.encode(c).body();
        int tokenLength = utf8(c.state().fencingToken()).length;
        int modeAt = 119;
        int batchesAt = 122 + tokenLength;
        // Offsets of format 1: end at 22, hasPrevious at 30, trim point at 103, timestamping mode at 119,
        // token length at 121, then the batch count, the batch sizes and the record count.
        ByteBuffer view = ByteBuffer.wrap(clean);
        assertEquals(20, view.getLong(6), "start where the layout says");
        assertEquals(23, view.getLong(22), "end where the layout says");
        assertEquals(1, clean[30], "hasPrevious where the layout says");
        assertEquals(21, view.getLong(103), "trim point where the layout says");
        assertEquals(TimestampingMode.CLIENT_PREFER.ordinal(), clean[modeAt]);
        assertEquals(tokenLength, clean[121]);
        assertEquals(2, view.getInt(batchesAt));
        assertEquals(3, view.getInt(batchesAt + 12));
        assertSameCommit(c, CommitCodec.decode(c.key(), withFreshCrc(clean.clone())));
        List<byte[]> damaged = new ArrayList<>();
        byte[] b;
        b = clean.clone(); b[modeAt] = 3; damaged.add(b); // no such timestamping mode
        b = clean.clone(); ByteBuffer.wrap(b).putInt(batchesAt, 3); damaged.add(b); // batch sizes no longer partition
        b = clean.clone(); ByteBuffer.wrap(b).putInt(batchesAt, -1); damaged.add(b); // negative count
        b = clean.clone(); ByteBuffer.wrap(b).putInt(batchesAt + 4, 0); damaged.add(b); // a zero-size batch
        b = clean.clone(); ByteBuffer.wrap(b).putInt(batchesAt + 12, 4); damaged.add(b); // more records than stored
        b = clean.clone(); ByteBuffer.wrap(b).putInt(batchesAt + 12, 2); damaged.add(b); // fewer records than stored
        b = clean.clone(); ByteBuffer.wrap(b).putLong(22, 22); damaged.add(b); // end no longer matches the records
        b = clean.clone(); ByteBuffer.wrap(b).putLong(22, 0); damaged.add(b); // end below the trim point
        b = clean.clone(); ByteBuffer.wrap(b).putLong(103, 24); damaged.add(b); // trim point beyond the end
        b = clean.clone(); ByteBuffer.wrap(b).putLong(6, -1); damaged.add(b); // negative start
        b = clean.clone(); b[30] = 0; damaged.add(b); // no predecessor, yet not the first commit
        b = clean.clone(); b[121] = (byte) 200; damaged.add(b); // token longer than what follows
        for (byte[] d : damaged) {
            corrupt(c.key(), withFreshCrc(d));
        }
    }

    // ---------------------------------------------------------------- metadata that cannot stand in for a GET

    static Map<String, String> sampleMetadata() {
        return new HashMap<>(CommitCodec.encode(sample()).metadata());
    }

    /** Keys whose absence must send the caller to GET the body. */
    @ParameterizedTest(name = "without {0}")
    @ValueSource(strings = {"format", "prev", "end", "first-ts", "last-ts", "fence", "trim", "cfg", "ts-mode", "nonce", "sha256"})
    void summaryOfIsEmptyWhenAKeyIsMissing(String missing) {
        Map<String, String> m = sampleMetadata();
        assertTrue(CommitCodec.summaryOf(sample().key(), m, 0).isPresent(), "the complete metadata is usable");
        m.remove(missing);
        assertEquals(Optional.empty(), CommitCodec.summaryOf(sample().key(), m, 0));
    }

    /** A sealed stream with uncapped timestamps: the two flags whose loss would change decisions. */
    static Commit sealedSample() {
        return commit(new CommitKey(23, 5), Optional.of(new CommitKey(20, 4)),
                state(23, 102, "", 21, 4, new Timestamping(TimestampingMode.ARRIVAL, true), true), List.of(), List.of(), 80);
    }

    @ParameterizedTest(name = "without {0}")
    @ValueSource(strings = {"sealed", "uncapped"})
    void summaryOfIsEmptyWhenAFlagIsMissing(String flag) {
        Commit c = sealedSample();
        Map<String, String> complete = CommitCodec.encode(c).metadata();
        assertEquals(c.state(), CommitCodec.summaryOf(c.key(), complete, 0).orElseThrow().state());
        Map<String, String> m = new HashMap<>(complete);
        m.remove(flag);
        // Today: a summary of an unsealed (or capped) stream, which the tail would be decided against.
        assertEquals(Optional.empty(), CommitCodec.summaryOf(c.key(), m, 0), "metadata without `" + flag + "` is incomplete");
        Map<String, String> garbled = new HashMap<>(complete);
        garbled.put(flag, "true");
        assertEquals(Optional.empty(), CommitCodec.summaryOf(c.key(), garbled, 0), "`" + flag + ": true` is not a value we write");
    }

    static Stream<Arguments> garbledMetadata() {
        return Stream.of(
                Arguments.of("format", "2"), Arguments.of("format", "01"), Arguments.of("format", " 1"), Arguments.of("format", ""),
                Arguments.of("prev", "18"), Arguments.of("prev", "a/b"), Arguments.of("prev", "18/-1"), Arguments.of("prev", ""),
                Arguments.of("end", "x"), Arguments.of("end", "-1"), Arguments.of("end", "99999999999999999999"), Arguments.of("end", "20"),
                Arguments.of("first-ts", ""), Arguments.of("first-ts", "1e3"),
                Arguments.of("last-ts", "0x10"), Arguments.of("last-ts", ""),
                Arguments.of("fence", "zz"), Arguments.of("fence", "abc"),
                Arguments.of("trim", "24"), Arguments.of("trim", "-1"), Arguments.of("trim", "one"),
                Arguments.of("cfg", "1.5"),
                Arguments.of("ts-mode", "3"), Arguments.of("ts-mode", "-1"), Arguments.of("ts-mode", "arrival"),
                Arguments.of("nonce", "0g"), Arguments.of("nonce", "abc"),
                Arguments.of("sha256", "xyz"));
    }

    @ParameterizedTest(name = "{0} = \"{1}\"")
    @MethodSource("garbledMetadata")
    void summaryOfIsEmptyWhenAValueIsGarbled(String key, String value) {
        Map<String, String> m = sampleMetadata();
        m.put(key, value);
        assertEquals(Optional.empty(), CommitCodec.summaryOf(sample().key(), m, 0));
    }

    @Test
    void summaryOfIsEmptyForNoMetadataAtAll() {
        assertEquals(Optional.empty(), CommitCodec.summaryOf(CommitKey.FIRST, Map.of(), 0));
        assertEquals(Optional.empty(), CommitCodec.summaryOf(CommitKey.FIRST, Map.of("format", "1"), 0));
    }

    // ---------------------------------------------------------------- floors

    static Stream<CommitKey> floors() {
        return Stream.of(CommitKey.FIRST, new CommitKey(0, 1), new CommitKey(5, 0), new CommitKey(123_456_789, 42),
                new CommitKey(Long.MAX_VALUE, 0), new CommitKey(Long.MAX_VALUE - 1, LogKeys.EPOCH_MAX), CommitKey.INFINITY);
    }

    @ParameterizedTest
    @MethodSource("floors")
    void floorRoundTrips(CommitKey floor) {
        byte[] body = FloorCodec.encode(floor);
        assertEquals(26, body.length);
        assertEquals(floor, FloorCodec.decode(3, body));
        assertEquals(Optional.of(floor), FloorCodec.fromMetadata(FloorCodec.metadata(floor)));
        StoreKeys.checkMetadata(FloorCodec.metadata(floor));
    }

    @Test
    void floorMetadataIsReadable() {
        assertEquals(Map.of("floor", "inf"), FloorCodec.metadata(CommitKey.INFINITY));
        assertEquals(Map.of("floor", "7/2"), FloorCodec.metadata(new CommitKey(7, 2)));
    }

    @ParameterizedTest
    @MethodSource("floors")
    void everyFlippedFloorByteIsDetected(CommitKey floor) {
        byte[] clean = FloorCodec.encode(floor);
        for (int i = 0; i < clean.length; i++) {
            for (int mask : new int[] {0x01, 0x10, 0xff}) {
                byte[] body = clean.clone();
                body[i] ^= (byte) mask;
                StoreException e = assertThrows(StoreException.class, () -> FloorCodec.decode(9, body), "byte " + i);
                assertEquals(StoreException.Kind.CORRUPT, e.kind());
                assertTrue(e.getMessage().contains("9"), e.getMessage());
            }
        }
    }

    @ParameterizedTest(name = "length {0}")
    @ValueSource(ints = {0, 1, 3, 4, 5, 6, 10, 21, 22, 25, 27, 40})
    void aFloorOfTheWrongLengthIsDetected(int length) {
        byte[] clean = FloorCodec.encode(new CommitKey(5, 1));
        byte[] body = Arrays.copyOf(clean, length);
        if (length >= 8) {
            withFreshCrc(body); // even a matching checksum does not make it a floor
        }
        StoreException e = assertThrows(StoreException.class, () -> FloorCodec.decode(1, body));
        assertEquals(StoreException.Kind.CORRUPT, e.kind());
    }

    @Test
    void aCommitIsNotAFloor() {
        byte[] commit = CommitCodec.encode(sample()).body();
        assertThrows(StoreException.class, () -> FloorCodec.decode(1, commit));
        byte[] floor = FloorCodec.encode(new CommitKey(5, 1));
        assertThrows(StoreException.class, () -> CommitCodec.decode(new CommitKey(5, 1), floor));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "INF", "infinity", "7", "7/", "/2", "a/b", "-1/0", "7/-2", "7/2/3", "99999999999999999999/0"})
    void floorFromGarbledMetadataIsEmpty(String value) {
        assertEquals(Optional.empty(), FloorCodec.fromMetadata(Map.of("floor", value)));
    }

    @Test
    void floorFromMissingMetadataIsEmpty() {
        assertEquals(Optional.empty(), FloorCodec.fromMetadata(Map.of()));
        assertEquals(Optional.empty(), FloorCodec.fromMetadata(Map.of("flor", "7/2")));
    }
}
