package dev.brook.engine.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.core.Cipher;
import dev.brook.core.Header;
import dev.brook.core.Records;
import dev.brook.engine.crypto.RecordCipher.Algorithm;
import dev.brook.engine.crypto.RecordCipher.DecryptionFailed;
import dev.brook.engine.crypto.RecordCipher.Opened;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The at-rest envelope: round trips, its persistent layout, and that any damage is DecryptionFailed. */
class RecordCipherTest {

    static final HexFormat HEX = HexFormat.of();
    static final byte[] AAD = utf8("basin/stream#42");
    static final int SIZES_MAX = 1000;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] key(long seed) {
        return bytes(new Random(seed), RecordCipher.KEY_BYTES);
    }

    private static List<Header> headers(Random random, int count) {
        List<Header> headers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            headers.add(new Header(bytes(random, random.nextInt(12)), bytes(random, random.nextInt(30))));
        }
        return headers;
    }

    private static final List<Header> SMALL_HEADERS = List.of(new Header(utf8("k"), utf8("v")));
    private static final byte[] SMALL_BODY = utf8("hello");

    private static byte[] smallEnvelope(RecordCipher cipher) {
        return cipher.seal(AAD, SMALL_HEADERS, SMALL_BODY, new Random(5));
    }

    // ---------------------------------------------------------------- round trips

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void roundTripsEveryBodySizeUpTo1000(Algorithm algorithm) {
        Random random = new Random(11);
        RecordCipher cipher = RecordCipher.of(algorithm, key(1));
        for (int size = 0; size <= SIZES_MAX; size++) {
            List<Header> headers = headers(random, random.nextInt(4));
            byte[] body = bytes(random, size);
            byte[] envelope = cipher.seal(AAD, headers, body, random);
            assertEquals(algorithm.overheadBytes() + payloadBytes(headers, body), envelope.length);
            assertEquals(new Opened(headers, body), cipher.open(AAD, envelope), "size " + size);
            assertEquals(Records.meteredBytes(headers, body), RecordCipher.plaintextMeteredBytes(envelope));
        }
    }

    /** u32 count, then u32 length + bytes per name and value, then the body. */
    private static int payloadBytes(List<Header> headers, byte[] body) {
        int size = 4 + body.length;
        for (Header h : headers) {
            size += 8 + h.name().length + h.value().length;
        }
        return size;
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void emptyHeadersNamesValuesAndBodyRoundTrip(Algorithm algorithm) {
        RecordCipher cipher = RecordCipher.of(algorithm, key(2));
        List<Header> headers = List.of(new Header(new byte[0], new byte[0]), new Header(new byte[0], utf8("v")),
                new Header(utf8("n"), new byte[0]));
        for (List<Header> h : List.of(List.<Header>of(), headers)) {
            byte[] envelope = cipher.seal(new byte[0], h, new byte[0], new Random(3));
            assertEquals(new Opened(h, new byte[0]), cipher.open(new byte[0], envelope));
            assertEquals(Records.meteredBytes(h, new byte[0]), RecordCipher.plaintextMeteredBytes(envelope));
        }
    }

    @Test
    void plaintextMeteredBytesIsTheSpecsSize() {
        // spec §5.3: 8 + 2 per header + name and value bytes + body: 8 + 2*2 + (3+5) + (1+0) + 11 = 32
        List<Header> headers = List.of(new Header(utf8("abc"), utf8("12345")), new Header(utf8("x"), new byte[0]));
        byte[] body = utf8("hello world");
        assertEquals(32, Records.meteredBytes(headers, body));
        for (Algorithm algorithm : Algorithm.values()) {
            byte[] envelope = RecordCipher.of(algorithm, key(4)).seal(AAD, headers, body, new Random(1));
            assertEquals(32, RecordCipher.plaintextMeteredBytes(envelope));
        }
    }

    // ---------------------------------------------------------------- the persistent layout

    /** A generator whose output is known in advance: 0x0101010101010101, then one more each call. */
    private static RandomGenerator counting() {
        return new RandomGenerator() {
            private long next = 0x0101010101010101L;

            @Override
            public long nextLong() {
                return next++;
            }
        };
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void envelopeLayoutIsVersionAlgorithmSizeNonceCiphertextTag(Algorithm algorithm) {
        byte[] envelope = RecordCipher.of(algorithm, key(5)).seal(AAD, SMALL_HEADERS, SMALL_BODY, counting());
        byte[] expectedNonce = new byte[algorithm.nonceBytes];
        counting().nextBytes(expectedNonce);
        assertEquals(1, envelope[0]);
        assertEquals(algorithm == Algorithm.AEGIS_256 ? 1 : 2, envelope[1]);
        assertEquals("00000011", HEX.formatHex(envelope, 2, 6)); // 8 + 2·1 + 1 + 1 + 5 = 17
        assertArrayEquals(expectedNonce, Arrays.copyOfRange(envelope, 6, 6 + algorithm.nonceBytes));
        assertEquals(RecordCipher.PREFIX_BYTES + algorithm.nonceBytes + 4 + 8 + 2 + 5 + algorithm.tagBytes,
                envelope.length);
    }

    /**
     * Stored envelopes must open forever, so the format is pinned: key bytes 0..31, a nonce of zero
     * bytes, aad "basin/stream#42", the record {k: v} "hello" (metered 17). Not only this code's
     * output: both were also computed outside Java from the layout in RecordCipher's Javadoc, AEGIS-256
     * with the CFRG draft's Python reference implementation
     * (reference-implementations/python/aegis.py in github.com/cfrg/draft-irtf-cfrg-aegis-aead) and
     * AES-256-GCM with pyca/cryptography's AESGCM.
     */
    static Stream<Arguments> pinnedEnvelopes() {
        return Stream.of(
                Arguments.of(Algorithm.AEGIS_256, PINNED_AEGIS),
                Arguments.of(Algorithm.AES_256_GCM, PINNED_GCM));
    }

    static final String PINNED_AEGIS = "0101" + "00000011"
            + "0000000000000000000000000000000000000000000000000000000000000000"
            + "73535c8349d4bffae4d8348fd343ca842f259c" // ciphertext of the 19-byte payload
            + "a7d2c34248ee09798b432b8d7a0819578760b5726c8fa66934a68944674e1def"; // tag
    static final String PINNED_GCM = "0102" + "00000011"
            + "000000000000000000000000"
            + "0ebcb5dfb52c83bc63a8a935195af9fcbe2f39"
            + "9d6166e07f677990bc276c2dea6b578e";

    private static byte[] countingKey() {
        byte[] key = new byte[RecordCipher.KEY_BYTES];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) i;
        }
        return key;
    }

    @ParameterizedTest
    @MethodSource("pinnedEnvelopes")
    void pinnedEnvelopesStillSealAndOpen(Algorithm algorithm, String envelopeHex) {
        RecordCipher cipher = RecordCipher.of(algorithm, countingKey());
        RandomGenerator zeros = () -> 0L;
        assertEquals(envelopeHex, HEX.formatHex(cipher.seal(AAD, SMALL_HEADERS, SMALL_BODY, zeros)));
        assertEquals(new Opened(SMALL_HEADERS, SMALL_BODY), cipher.open(AAD, HEX.parseHex(envelopeHex)));
    }

    // ---------------------------------------------------------------- damage

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void everyAlteredByteOfASmallEnvelopeFails(Algorithm algorithm) {
        RecordCipher cipher = RecordCipher.of(algorithm, key(6));
        byte[] envelope = smallEnvelope(cipher);
        for (int i = 0; i < envelope.length; i++) {
            for (int flip : new int[] {0x01, 0x80, 0xFF}) {
                byte[] damaged = envelope.clone();
                damaged[i] ^= (byte) flip;
                assertThrows(DecryptionFailed.class, () -> cipher.open(AAD, damaged), "byte " + i + " ^ " + flip);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void everyTruncationAndAnExtensionFail(Algorithm algorithm) {
        RecordCipher cipher = RecordCipher.of(algorithm, key(7));
        byte[] envelope = smallEnvelope(cipher);
        for (int length = 0; length < envelope.length; length++) {
            byte[] truncated = Arrays.copyOf(envelope, length);
            assertThrows(DecryptionFailed.class, () -> cipher.open(AAD, truncated), "length " + length);
        }
        assertThrows(DecryptionFailed.class, () -> cipher.open(AAD, Arrays.copyOf(envelope, envelope.length + 1)));
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void wrongKeyFails(Algorithm algorithm) {
        byte[] envelope = smallEnvelope(RecordCipher.of(algorithm, key(8)));
        DecryptionFailed e = assertThrows(DecryptionFailed.class,
                () -> RecordCipher.of(algorithm, key(9)).open(AAD, envelope));
        assertTrue(e.getMessage().contains("record decryption failed"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void wrongAadFails(Algorithm algorithm) {
        RecordCipher cipher = RecordCipher.of(algorithm, key(10));
        byte[] envelope = smallEnvelope(cipher);
        assertThrows(DecryptionFailed.class, () -> cipher.open(utf8("basin/stream#43"), envelope));
        assertThrows(DecryptionFailed.class, () -> cipher.open(new byte[0], envelope));
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void wrongAlgorithmFails(Algorithm algorithm) {
        byte[] key = key(11);
        RecordCipher cipher = RecordCipher.of(algorithm, key);
        Algorithm other = algorithm == Algorithm.AEGIS_256 ? Algorithm.AES_256_GCM : Algorithm.AEGIS_256;
        byte[] envelope = smallEnvelope(cipher);
        // opened by the other algorithm, same key
        assertThrows(DecryptionFailed.class, () -> RecordCipher.of(other, key).open(AAD, envelope));
        // the algorithm byte rewritten, to the other algorithm or to codes that name none
        for (int code : new int[] {other.code, 0, 3, 0xFF}) {
            byte[] relabelled = envelope.clone();
            relabelled[1] = (byte) code;
            assertThrows(DecryptionFailed.class, () -> cipher.open(AAD, relabelled), "code " + code);
            assertThrows(DecryptionFailed.class, () -> RecordCipher.of(other, key).open(AAD, relabelled), "code " + code);
        }
    }

    static Stream<Arguments> malformedEnvelopes() {
        byte[] aegisPrefix = HEX.parseHex("010100000010");
        return Stream.of(
                Arguments.of("empty", new byte[0]),
                Arguments.of("version only", new byte[] {1}),
                Arguments.of("prefix without size", HEX.parseHex("0101000000")),
                Arguments.of("prefix only", aegisPrefix),
                Arguments.of("prefix and a short nonce", Arrays.copyOf(aegisPrefix, 6 + 31)),
                Arguments.of("nonce but a short tag", Arrays.copyOf(aegisPrefix, 6 + 32 + 31)),
                Arguments.of("version 0", HEX.parseHex("00" + "01" + "00".repeat(80))),
                Arguments.of("version 2", HEX.parseHex("02" + "01" + "00".repeat(80))),
                Arguments.of("algorithm 0", HEX.parseHex("01" + "00" + "00".repeat(80))),
                Arguments.of("algorithm 9", HEX.parseHex("01" + "09" + "00".repeat(80))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedEnvelopes")
    void malformedEnvelopesFailToOpenAndToSize(String name, byte[] envelope) {
        assertThrows(DecryptionFailed.class, () -> RecordCipher.plaintextMeteredBytes(envelope));
        for (Algorithm algorithm : Algorithm.values()) {
            assertThrows(DecryptionFailed.class, () -> RecordCipher.of(algorithm, key(12)).open(AAD, envelope));
        }
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void randomGarbageOnlyEverFailsWithDecryptionFailed(Algorithm algorithm) {
        Random random = new Random(13);
        RecordCipher cipher = RecordCipher.of(algorithm, key(13));
        for (int n = 0; n < 2000; n++) {
            byte[] garbage = bytes(random, random.nextInt(120));
            if (garbage.length > 1) {
                garbage[0] = 1; // get past the version check most of the time
                garbage[1] = (byte) (random.nextBoolean() ? algorithm.code : random.nextInt(4));
            }
            assertThrows(DecryptionFailed.class, () -> cipher.open(AAD, garbage));
        }
    }

    // ---------------------------------------------------------------- nonces

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void noncesAreFreshAndComeFromTheInjectedGenerator(Algorithm algorithm) {
        RecordCipher cipher = RecordCipher.of(algorithm, key(14));
        Random random = new Random(15);
        Set<String> nonces = new HashSet<>();
        Set<String> envelopes = new HashSet<>();
        int seals = 1000;
        for (int n = 0; n < seals; n++) {
            byte[] envelope = cipher.seal(AAD, SMALL_HEADERS, SMALL_BODY, random);
            nonces.add(HEX.formatHex(envelope, RecordCipher.PREFIX_BYTES, RecordCipher.PREFIX_BYTES + algorithm.nonceBytes));
            envelopes.add(HEX.formatHex(envelope));
        }
        assertEquals(seals, nonces.size());
        assertEquals(seals, envelopes.size());
        // the same seed gives the same envelope: the generator is the only source of randomness
        assertArrayEquals(cipher.seal(AAD, SMALL_HEADERS, SMALL_BODY, new Random(16)),
                cipher.seal(AAD, SMALL_HEADERS, SMALL_BODY, new Random(16)));
    }

    // ---------------------------------------------------------------- keys

    @Test
    void keysMustBe32Bytes() {
        assertThrows(IllegalArgumentException.class, () -> RecordCipher.of(Algorithm.AEGIS_256, new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> RecordCipher.of(Algorithm.AES_256_GCM, new byte[33]));
    }

    @Test
    void theKeyIsCopied() {
        byte[] key = key(17);
        RecordCipher cipher = RecordCipher.of(Algorithm.AEGIS_256, key);
        byte[] envelope = smallEnvelope(cipher);
        Arrays.fill(key, (byte) 0);
        assertEquals(new Opened(SMALL_HEADERS, SMALL_BODY), cipher.open(AAD, envelope));
    }

    @Test
    void algorithmsFollowTheStreamCipher() {
        assertEquals(Algorithm.AEGIS_256, Algorithm.of(Cipher.AEGIS_256));
        assertEquals(Algorithm.AES_256_GCM, Algorithm.of(Cipher.AES_256_GCM));
    }

    static final byte[] KEY_32 = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    static final String KEY_32_BASE64 = Base64.getEncoder().encodeToString(KEY_32);

    static Stream<Arguments> validKeyHeaders() {
        return Stream.of(
                Arguments.of("canonical", KEY_32_BASE64),
                Arguments.of("spaces around", "  " + KEY_32_BASE64 + " "),
                Arguments.of("tab and newline around", "\t" + KEY_32_BASE64 + "\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validKeyHeaders")
    void parseKeyAcceptsPaddedBase64Of32Bytes(String name, String header) {
        assertEquals("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", KEY_32_BASE64);
        assertArrayEquals(KEY_32, RecordCipher.parseKey(header));
    }

    static Stream<Arguments> invalidKeyHeaders() {
        String base64Of31 = Base64.getEncoder().encodeToString(new byte[31]);
        String base64Of33 = Base64.getEncoder().encodeToString(new byte[33]);
        return Stream.of(
                Arguments.of("empty", "", "empty"),
                Arguments.of("only whitespace", "   ", "empty"),
                Arguments.of("45 characters", KEY_32_BASE64 + "A", "longer than 44"),
                Arguments.of("far too long", "A".repeat(100), "longer than 44"),
                Arguments.of("not base64", "*".repeat(44), "not valid base64"),
                Arguments.of("url-safe alphabet", "-_" + KEY_32_BASE64.substring(2), "not valid base64"),
                Arguments.of("inner space", KEY_32_BASE64.substring(0, 20) + " " + KEY_32_BASE64.substring(21),
                        "not valid base64"),
                Arguments.of("padding missing", KEY_32_BASE64.substring(0, 43), "not canonical"),
                Arguments.of("stray low bits", KEY_32_BASE64.substring(0, 42) + "9=", "not canonical"),
                Arguments.of("31 bytes (" + base64Of31.length() + " chars)", base64Of31, "got 31"),
                Arguments.of("33 bytes (" + base64Of33.length() + " chars)", base64Of33, "got 33"),
                Arguments.of("16 bytes", Base64.getEncoder().encodeToString(new byte[16]), "got 16"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidKeyHeaders")
    void parseKeyRejectsWithAShortReason(String name, String header, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RecordCipher.parseKey(header));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}
