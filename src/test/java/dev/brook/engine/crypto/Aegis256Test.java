package dev.brook.engine.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * AEGIS-256 against published vectors (the CFRG draft's, then Wycheproof's), the S-box against its
 * FIPS-197 definition, and the properties vectors cannot show: every length round-trips, every
 * flipped bit is rejected, and key, nonce and associated data all matter.
 */
class Aegis256Test {

    static final HexFormat HEX = HexFormat.of();

    /**
     * Source of the draft vectors below: draft-irtf-cfrg-aegis-aead-18 (F. Denis, S. Lucas, "The
     * AEGIS Family of Authenticated Encryption Algorithms"), Appendix A.1 "AESRound Test Vector" and
     * Appendix A.3 "AEGIS-256 Test Vectors"; identical to test-vectors/aesround-test-vector.json and
     * test-vectors/aegis-256-test-vectors.json in github.com/cfrg/draft-irtf-cfrg-aegis-aead (tag
     * draft-irtf-cfrg-aegis-aead-18, and unchanged at commit 35cf57df7a41fdbe0376da1217995a93fe5ef591).
     */
    static final String DRAFT = "draft-irtf-cfrg-aegis-aead-18 Appendix A.3";

    static final String DRAFT_KEY = "1001000000000000000000000000000000000000000000000000000000000000";
    static final String DRAFT_NONCE = "1000020000000000000000000000000000000000000000000000000000000000";

    record DraftVector(String name, String key, String nonce, String ad, String msg, String ct, String tag128,
                       String tag256) {

        @Override
        public String toString() {
            return DRAFT + " " + name;
        }
    }

    /** Test Vectors 1-5: these must encrypt to ct and tag, and decrypt back. */
    static Stream<DraftVector> draftVectors() {
        return Stream.of(
                new DraftVector("Test Vector 1", DRAFT_KEY, DRAFT_NONCE, "",
                        "00000000000000000000000000000000",
                        "754fc3d8c973246dcc6d741412a4b236",
                        "3fe91994768b332ed7f570a19ec5896e",
                        "1181a1d18091082bf0266f66297d167d2e68b845f61a3b0527d31fc7b7b89f13"),
                new DraftVector("Test Vector 2", DRAFT_KEY, DRAFT_NONCE, "", "", "",
                        "e3def978a0f054afd1e761d7553afba3",
                        "6a348c930adbd654896e1666aad67de989ea75ebaa2b82fb588977b1ffec864a"),
                new DraftVector("Test Vector 3", DRAFT_KEY, DRAFT_NONCE, "0001020304050607",
                        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                        "f373079ed84b2709faee373584585d60accd191db310ef5d8b11833df9dec711",
                        "8d86f91ee606e9ff26a01b64ccbdd91d",
                        "b7d28d0c3c0ebd409fd22b44160503073a547412da0854bfb9723020dab8da1a"),
                new DraftVector("Test Vector 4", DRAFT_KEY, DRAFT_NONCE, "0001020304050607",
                        "000102030405060708090a0b0c0d",
                        "f373079ed84b2709faee37358458",
                        "c60b9c2d33ceb058f96e6dd03c215652",
                        "8c1cc703c81281bee3f6d9966e14948b4a175b2efbdc31e61a98b4465235c2d9"),
                new DraftVector("Test Vector 5", DRAFT_KEY, DRAFT_NONCE,
                        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223242526272829",
                        "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637",
                        "57754a7d09963e7c787583a2e7b859bb24fa1e04d49fd550b2511a358e3bca252a9b1b8b30cc4a67",
                        "ab8a7d53fd0e98d727accca94925e128",
                        "a3aca270c006094d71c20e6910b5161c0826df233d08919a566ec2c05990f734"));
    }

    /** Test Vectors 6-9: each "MUST return a 'verification failed' error" (no msg is given). */
    static Stream<DraftVector> draftFailures() {
        String ct = "f373079ed84b2709faee37358458";
        String tag128 = "c60b9c2d33ceb058f96e6dd03c215652";
        String tag256 = "8c1cc703c81281bee3f6d9966e14948b4a175b2efbdc31e61a98b4465235c2d9";
        return Stream.of(
                // key and nonce swapped
                new DraftVector("Test Vector 6", DRAFT_NONCE, DRAFT_KEY, "0001020304050607", "", ct, tag128, tag256),
                // last ciphertext byte altered
                new DraftVector("Test Vector 7", DRAFT_KEY, DRAFT_NONCE, "0001020304050607", "",
                        "f373079ed84b2709faee37358459", tag128, tag256),
                // last associated data byte altered
                new DraftVector("Test Vector 8", DRAFT_KEY, DRAFT_NONCE, "0001020304050608", "", ct, tag128, tag256),
                // last tag byte altered
                new DraftVector("Test Vector 9", DRAFT_KEY, DRAFT_NONCE, "0001020304050607", "", ct,
                        "c60b9c2d33ceb058f96e6dd03c215653",
                        "8c1cc703c81281bee3f6d9966e14948b4a175b2efbdc31e61a98b4465235c2da"));
    }

    // ---------------------------------------------------------------- the draft's vectors

    @Test
    void aesRoundMatchesTheDraftsVector() {
        // draft-irtf-cfrg-aegis-aead-18 Appendix A.1
        byte[] out = BitslicedAes.aesRound(HEX.parseHex("000102030405060708090a0b0c0d0e0f"),
                HEX.parseHex("101112131415161718191a1b1c1d1e1f"));
        assertEquals("7a7b4e5638782546a8c0477a3b813f43", HEX.formatHex(out));
    }

    @Test
    void updateMatchesTheDraftsVector() {
        // draft-irtf-cfrg-aegis-aead-18 Appendix A.3, "Update Test Vector": S0..S5, then M
        byte[] before = HEX.parseHex("1fa1207ed76c86f2c4bb40e8b395b43e" + "b44c375e6c1e1978db64bcd12e9e332f"
                + "0dab84bfa9f0226432ff630f233d4e5b" + "d7ef65c9b93e8ee60c75161407b066e7"
                + "a760bb3da073fbd92bdc24734b1f56fb" + "a828a18d6a964497ac6e7e53c5f55c73");
        byte[] message = HEX.parseHex("b165617ed04ab738afb2612c6d18a1ec");
        String after = "e6bc643bae82dfa3d991b1b323839dcd" + "648578232ba0f2f0a3677f617dc052c3"
                + "ea788e0e572044a46059212dd007a789" + "2f1498ae19b80da13fba698f088a8590"
                + "a54c2ee95e8c2a2c3dae2ec743ae6b86" + "a3240fceb68e32d5d114df1b5363ab67";
        assertEquals(after, HEX.formatHex(Aegis256.update(before, message)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("draftVectors")
    void draftVectorsSealAndOpenWithTheir256BitTag(DraftVector v) {
        byte[] expected = HEX.parseHex(v.ct() + v.tag256());
        byte[] sealed = Aegis256.seal(HEX.parseHex(v.key()), HEX.parseHex(v.nonce()), HEX.parseHex(v.ad()),
                HEX.parseHex(v.msg()));
        assertEquals(HEX.formatHex(expected), HEX.formatHex(sealed));
        Optional<byte[]> opened = Aegis256.open(HEX.parseHex(v.key()), HEX.parseHex(v.nonce()), HEX.parseHex(v.ad()),
                expected);
        assertEquals(v.msg(), HEX.formatHex(opened.orElseThrow()));
    }

    /** The 128-bit tag is not used by Brook, but its vectors check the same state a second way. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("draftVectors")
    void draftVectorsSealAndOpenWithTheir128BitTag(DraftVector v) {
        byte[] expected = HEX.parseHex(v.ct() + v.tag128());
        byte[] sealed = Aegis256.seal(HEX.parseHex(v.key()), HEX.parseHex(v.nonce()), HEX.parseHex(v.ad()),
                HEX.parseHex(v.msg()), Aegis256.TAG_BYTES_SHORT);
        assertEquals(HEX.formatHex(expected), HEX.formatHex(sealed));
        Optional<byte[]> opened = Aegis256.open(HEX.parseHex(v.key()), HEX.parseHex(v.nonce()), HEX.parseHex(v.ad()),
                expected, Aegis256.TAG_BYTES_SHORT);
        assertEquals(v.msg(), HEX.formatHex(opened.orElseThrow()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("draftFailures")
    void draftFailureVectorsDoNotOpen(DraftVector v) {
        byte[] key = HEX.parseHex(v.key());
        byte[] nonce = HEX.parseHex(v.nonce());
        byte[] ad = HEX.parseHex(v.ad());
        assertTrue(Aegis256.open(key, nonce, ad, HEX.parseHex(v.ct() + v.tag256())).isEmpty());
        assertTrue(Aegis256.open(key, nonce, ad, HEX.parseHex(v.ct() + v.tag128()), Aegis256.TAG_BYTES_SHORT).isEmpty());
    }

    // ---------------------------------------------------------------- Wycheproof

    static List<Aegis256WycheproofVectors.Vector> wycheproof() {
        return Aegis256WycheproofVectors.VECTORS;
    }

    @ParameterizedTest(name = "Wycheproof aegis256_test.json {0}")
    @MethodSource("wycheproof")
    void wycheproofVectors(Aegis256WycheproofVectors.Vector v) {
        byte[] key = HEX.parseHex(v.key());
        byte[] nonce = HEX.parseHex(v.nonce());
        byte[] ad = HEX.parseHex(v.ad());
        byte[] ctAndTag = HEX.parseHex(v.ct() + v.tag());
        Optional<byte[]> opened = Aegis256.open(key, nonce, ad, ctAndTag, Aegis256.TAG_BYTES_SHORT);
        if (v.valid()) {
            assertEquals(v.msg(), HEX.formatHex(opened.orElseThrow()));
            byte[] sealed = Aegis256.seal(key, nonce, ad, HEX.parseHex(v.msg()), Aegis256.TAG_BYTES_SHORT);
            assertEquals(HEX.formatHex(ctAndTag), HEX.formatHex(sealed));
        } else {
            assertTrue(opened.isEmpty());
        }
    }

    // ---------------------------------------------------------------- the S-box

    /** FIPS-197 5.1.1 straight from the definition: the inverse by search, then the affine map. */
    private static int referenceSBox(int x) {
        int inverse = 0;
        for (int candidate = 1; candidate < 256 && x != 0; candidate++) {
            if (gfMultiply(x, candidate) == 1) {
                inverse = candidate;
            }
        }
        int out = 0;
        for (int i = 0; i < 8; i++) {
            int bit = (inverse >>> i) ^ (inverse >>> ((i + 4) % 8)) ^ (inverse >>> ((i + 5) % 8))
                    ^ (inverse >>> ((i + 6) % 8)) ^ (inverse >>> ((i + 7) % 8));
            out |= (bit & 1) << i;
        }
        return out ^ 0x63;
    }

    private static int gfMultiply(int a, int b) {
        int product = 0;
        for (int i = 0; i < 8; i++) {
            if (((b >>> i) & 1) != 0) {
                product ^= a;
            }
            a = (a << 1) ^ (((a >>> 7) & 1) * 0x11b);
        }
        return product;
    }

    @Test
    void bitslicedSBoxMatchesFips197OnAll256Inputs() {
        assertEquals(0x63, referenceSBox(0x00));
        assertEquals(0xed, referenceSBox(0x53)); // FIPS-197 5.1.1's worked example
        BitslicedAes aes = new BitslicedAes();
        long[] planes = new long[BitslicedAes.PLANES];
        byte[] block = new byte[BitslicedAes.BLOCK_BYTES];
        for (int first = 0; first < 256; first += BitslicedAes.BLOCK_BYTES) {
            for (int i = 0; i < block.length; i++) {
                block[i] = (byte) (first + i);
            }
            BitslicedAes.load(block, 0, planes);
            aes.subBytes(planes);
            BitslicedAes.store(planes, block, 0);
            for (int i = 0; i < block.length; i++) {
                assertEquals(referenceSBox(first + i), block[i] & 0xFF, "S(" + (first + i) + ")");
            }
        }
    }

    @Test
    void loadAndStoreAreInverse() {
        Random random = new Random(7);
        byte[] block = new byte[BitslicedAes.BLOCK_BYTES];
        byte[] back = new byte[BitslicedAes.BLOCK_BYTES];
        long[] planes = new long[BitslicedAes.PLANES];
        for (int n = 0; n < 100; n++) {
            random.nextBytes(block);
            BitslicedAes.load(block, 0, planes);
            BitslicedAes.store(planes, back, 0);
            assertArrayEquals(block, back);
        }
    }

    // ---------------------------------------------------------------- properties

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    @Test
    void everyMessageAndAdLengthRoundTrips() {
        Random random = new Random(1);
        for (int length = 0; length <= 300; length++) {
            byte[] key = bytes(random, Aegis256.KEY_BYTES);
            byte[] nonce = bytes(random, Aegis256.NONCE_BYTES);
            byte[] ad = bytes(random, (length * 7) % 50);
            byte[] msg = bytes(random, length);
            byte[] sealed = Aegis256.seal(key, nonce, ad, msg);
            assertEquals(length + Aegis256.TAG_BYTES, sealed.length);
            assertArrayEquals(msg, Aegis256.open(key, nonce, ad, sealed).orElseThrow(), "length " + length);
        }
    }

    @Test
    void everyFlippedBitOfCiphertextOrTagIsRejected() {
        Random random = new Random(2);
        byte[] key = bytes(random, Aegis256.KEY_BYTES);
        byte[] nonce = bytes(random, Aegis256.NONCE_BYTES);
        byte[] ad = bytes(random, 5);
        byte[] sealed = Aegis256.seal(key, nonce, ad, bytes(random, 21));
        for (int bit = 0; bit < sealed.length * 8; bit++) {
            byte[] damaged = sealed.clone();
            damaged[bit / 8] ^= (byte) (1 << (bit % 8));
            assertTrue(Aegis256.open(key, nonce, ad, damaged).isEmpty(), "bit " + bit);
        }
    }

    @Test
    void keyNonceAndAdAllMatter() {
        Random random = new Random(3);
        byte[] key = bytes(random, Aegis256.KEY_BYTES);
        byte[] nonce = bytes(random, Aegis256.NONCE_BYTES);
        byte[] ad = bytes(random, 20);
        byte[] msg = bytes(random, 40);
        byte[] sealed = Aegis256.seal(key, nonce, ad, msg);
        for (int i = 0; i < Aegis256.KEY_BYTES; i++) {
            byte[] otherKey = key.clone();
            otherKey[i] ^= 1;
            assertTrue(Aegis256.open(otherKey, nonce, ad, sealed).isEmpty(), "key byte " + i);
            assertNotEquals(HEX.formatHex(sealed), HEX.formatHex(Aegis256.seal(otherKey, nonce, ad, msg)));
        }
        for (int i = 0; i < Aegis256.NONCE_BYTES; i++) {
            byte[] otherNonce = nonce.clone();
            otherNonce[i] ^= 1;
            assertTrue(Aegis256.open(key, otherNonce, ad, sealed).isEmpty(), "nonce byte " + i);
        }
        for (int i = 0; i < ad.length; i++) {
            byte[] otherAd = ad.clone();
            otherAd[i] ^= 1;
            assertTrue(Aegis256.open(key, nonce, otherAd, sealed).isEmpty(), "ad byte " + i);
        }
        // A zero byte appended to the ad pads to the same blocks, but the ad length is authenticated.
        assertTrue(Aegis256.open(key, nonce, Arrays.copyOf(ad, ad.length + 1), sealed).isEmpty());
    }

    @Test
    void truncatedOrExtendedInputIsRejected() {
        byte[] key = new byte[Aegis256.KEY_BYTES];
        byte[] nonce = new byte[Aegis256.NONCE_BYTES];
        byte[] sealed = Aegis256.seal(key, nonce, new byte[0], new byte[10]);
        for (int length = 0; length < sealed.length; length++) {
            assertTrue(Aegis256.open(key, nonce, new byte[0], Arrays.copyOf(sealed, length)).isEmpty(), "length " + length);
        }
        assertTrue(Aegis256.open(key, nonce, new byte[0], Arrays.copyOf(sealed, sealed.length + 1)).isEmpty());
    }

    @Test
    void wrongKeyOrNonceSizeIsAProgrammerError() {
        byte[] ok = new byte[32];
        assertThrows(IllegalArgumentException.class, () -> Aegis256.seal(new byte[16], ok, new byte[0], new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> Aegis256.seal(ok, new byte[16], new byte[0], new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> Aegis256.open(new byte[31], ok, new byte[0], new byte[32]));
        assertThrows(IllegalArgumentException.class, () -> Aegis256.open(ok, new byte[33], new byte[0], new byte[32]));
    }
}
