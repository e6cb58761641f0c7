package dev.brook.engine.crypto;

import static dev.brook.engine.crypto.BitslicedAes.BLOCK_BYTES;
import static dev.brook.engine.crypto.BitslicedAes.FIELD_MASK;
import static dev.brook.engine.crypto.BitslicedAes.PLANES;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * AEGIS-256 authenticated encryption as specified by the CFRG draft "The AEGIS Family of
 * Authenticated Encryption Algorithms" (draft-irtf-cfrg-aegis-aead-18, section 4), with its 256-bit
 * tag. Pure Java; the AES round is bitsliced ({@link BitslicedAes}) and tags are compared without an
 * early exit, so no branch or memory address depends on the key, nonce, data or tag, only on lengths.
 *
 * <p>State: six 128-bit blocks S0..S5, held bitsliced in two words per bit plane: {@code low} carries
 * S0..S3 (field i is Si), {@code high} carries S4 and S5 in its two lowest fields; its two upper
 * fields are kept zero between updates.
 */
public final class Aegis256 {

    public static final int KEY_BYTES = 32;
    public static final int NONCE_BYTES = 32;
    public static final int TAG_BYTES = 32;
    /** The draft's shorter tag, kept only so tests can check the draft's tag128 vectors too. */
    static final int TAG_BYTES_SHORT = 16;
    static final int STATE_BLOCKS = 6;

    /** Init repeats its four key and nonce updates this many times. */
    private static final int INIT_REPETITIONS = 4;
    private static final int FINALIZE_UPDATES = 7;
    private static final int FIELD_BITS = 16;
    private static final long HIGH_FIELDS_IN_USE = 0xFFFF_FFFFL;

    /** The draft's constants: C0 is the Fibonacci sequence mod 256, C1 continues it. */
    private static final byte[] C0 = HexFormat.of().parseHex("000101020305080d1522375990e97962");
    private static final byte[] C1 = HexFormat.of().parseHex("db3d18556dc22ff12011314273b528dd");

    private final BitslicedAes aes = new BitslicedAes();
    private final long[] low = new long[PLANES];
    private final long[] high = new long[PLANES];
    private final long[] roundLow = new long[PLANES];
    private final long[] roundHigh = new long[PLANES];
    private final long[] block = new long[PLANES];
    private final long[] keystream = new long[PLANES];
    private final byte[] padded = new byte[BLOCK_BYTES];

    private Aegis256() {}

    // ---------------------------------------------------------------- API

    /** Encrypts plaintext and authenticates it with ad; returns ciphertext || 32-byte tag. */
    public static byte[] seal(byte[] key, byte[] nonce, byte[] ad, byte[] plaintext) {
        return seal(key, nonce, ad, plaintext, TAG_BYTES);
    }

    /**
     * The plaintext, or empty when the tag does not authenticate the ciphertext and ad under this key
     * and nonce (including when the input is shorter than a tag).
     */
    public static Optional<byte[]> open(byte[] key, byte[] nonce, byte[] ad, byte[] ciphertextAndTag) {
        return open(key, nonce, ad, ciphertextAndTag, TAG_BYTES);
    }

    static byte[] seal(byte[] key, byte[] nonce, byte[] ad, byte[] plaintext, int tagBytes) {
        requireInputs(key, nonce, ad, plaintext, tagBytes);
        Aegis256 state = new Aegis256();
        state.init(key, nonce);
        state.absorb(ad);
        byte[] out = new byte[plaintext.length + tagBytes];
        state.encrypt(plaintext, out);
        byte[] tag = state.finish(ad.length, plaintext.length, tagBytes);
        System.arraycopy(tag, 0, out, plaintext.length, tagBytes);
        return out;
    }

    static Optional<byte[]> open(byte[] key, byte[] nonce, byte[] ad, byte[] ciphertextAndTag, int tagBytes) {
        requireInputs(key, nonce, ad, ciphertextAndTag, tagBytes);
        if (ciphertextAndTag.length < tagBytes) {
            return Optional.empty();
        }
        int messageBytes = ciphertextAndTag.length - tagBytes;
        Aegis256 state = new Aegis256();
        state.init(key, nonce);
        state.absorb(ad);
        byte[] plaintext = new byte[messageBytes];
        state.decrypt(ciphertextAndTag, messageBytes, plaintext);
        byte[] expected = state.finish(ad.length, messageBytes, tagBytes);
        boolean authentic = constantTimeEquals(expected, 0, ciphertextAndTag, messageBytes, tagBytes);
        Arrays.fill(expected, (byte) 0);
        if (!authentic) {
            // The draft: unverified plaintext must never be released, so it does not outlive this call.
            Arrays.fill(plaintext, (byte) 0);
            return Optional.empty();
        }
        return Optional.of(plaintext);
    }

    /** The draft's Update test vector: the six state blocks (96 bytes) after Update(m). */
    static byte[] update(byte[] state96, byte[] message16) {
        Aegis256 state = new Aegis256();
        long[] planes = new long[PLANES];
        for (int i = 0; i < STATE_BLOCKS; i++) {
            BitslicedAes.load(state96, i * BLOCK_BYTES, planes);
            state.setBlock(i, planes);
        }
        BitslicedAes.load(message16, 0, state.block);
        state.update(state.block);
        byte[] out = new byte[STATE_BLOCKS * BLOCK_BYTES];
        for (int i = 0; i < STATE_BLOCKS; i++) {
            state.getBlock(i, planes);
            BitslicedAes.store(planes, out, i * BLOCK_BYTES);
        }
        return out;
    }

    private static void requireInputs(byte[] key, byte[] nonce, byte[] ad, byte[] data, int tagBytes) {
        Objects.requireNonNull(ad, "ad");
        Objects.requireNonNull(data, "data");
        if (Objects.requireNonNull(key, "key").length != KEY_BYTES) {
            throw new IllegalArgumentException("AEGIS-256 key must be " + KEY_BYTES + " bytes, got " + key.length);
        }
        if (Objects.requireNonNull(nonce, "nonce").length != NONCE_BYTES) {
            throw new IllegalArgumentException("AEGIS-256 nonce must be " + NONCE_BYTES + " bytes, got " + nonce.length);
        }
        if (tagBytes != TAG_BYTES && tagBytes != TAG_BYTES_SHORT) {
            throw new IllegalArgumentException("AEGIS-256 tag must be 16 or 32 bytes, got " + tagBytes);
        }
    }

    /** Reads every byte whatever the first difference, so the time taken says nothing about the tag. */
    private static boolean constantTimeEquals(byte[] a, int aOff, byte[] b, int bOff, int length) {
        int difference = 0;
        for (int i = 0; i < length; i++) {
            difference |= a[aOff + i] ^ b[bOff + i];
        }
        return difference == 0;
    }

    // ---------------------------------------------------------------- the draft's functions

    private void init(byte[] key, byte[] nonce) {
        long[] k0 = loadBlock(key, 0);
        long[] k1 = loadBlock(key, BLOCK_BYTES);
        long[] n0 = loadBlock(nonce, 0);
        long[] n1 = loadBlock(nonce, BLOCK_BYTES);
        long[] c0 = loadBlock(C0, 0);
        long[] c1 = loadBlock(C1, 0);
        long[] k0n0 = new long[PLANES];
        long[] k1n1 = new long[PLANES];
        for (int j = 0; j < PLANES; j++) {
            k0n0[j] = k0[j] ^ n0[j];
            k1n1[j] = k1[j] ^ n1[j];
            // S0 = k0^n0, S1 = k1^n1, S2 = C1, S3 = C0, S4 = k0^C0, S5 = k1^C1
            low[j] = k0n0[j] | (k1n1[j] << FIELD_BITS) | (c1[j] << (2 * FIELD_BITS)) | (c0[j] << (3 * FIELD_BITS));
            high[j] = (k0[j] ^ c0[j]) | ((k1[j] ^ c1[j]) << FIELD_BITS);
        }
        for (int r = 0; r < INIT_REPETITIONS; r++) {
            update(k0);
            update(k1);
            update(k0n0);
            update(k1n1);
        }
    }

    private void absorb(byte[] ad) {
        int full = ad.length - ad.length % BLOCK_BYTES;
        for (int off = 0; off < full; off += BLOCK_BYTES) {
            BitslicedAes.load(ad, off, block);
            update(block);
        }
        if (full < ad.length) {
            BitslicedAes.load(zeroPadded(ad, full, ad.length - full), 0, block);
            update(block);
        }
    }

    /** Enc of every block; the last, partial one is zero-padded and its ciphertext truncated. */
    private void encrypt(byte[] plaintext, byte[] out) {
        int full = plaintext.length - plaintext.length % BLOCK_BYTES;
        for (int off = 0; off < full; off += BLOCK_BYTES) {
            BitslicedAes.load(plaintext, off, block);
            encryptBlock();
            BitslicedAes.store(keystream, out, off);
        }
        int tail = plaintext.length - full;
        if (tail > 0) {
            BitslicedAes.load(zeroPadded(plaintext, full, tail), 0, block);
            encryptBlock();
            BitslicedAes.store(keystream, padded, 0);
            System.arraycopy(padded, 0, out, full, tail);
        }
    }

    /** keystream ← block ^ z, then Update(block): z must come from the state before the update. */
    private void encryptBlock() {
        computeZ();
        update(block);
        for (int j = 0; j < PLANES; j++) {
            keystream[j] ^= block[j];
        }
    }

    /** Dec of the full blocks of in[0..length), then DecPartial of the rest. */
    private void decrypt(byte[] in, int length, byte[] out) {
        int full = length - length % BLOCK_BYTES;
        for (int off = 0; off < full; off += BLOCK_BYTES) {
            BitslicedAes.load(in, off, block);
            computeZ();
            for (int j = 0; j < PLANES; j++) {
                block[j] ^= keystream[j];
            }
            BitslicedAes.store(block, out, off);
            update(block);
        }
        int tail = length - full;
        if (tail > 0) {
            decryptPartial(in, full, tail, out);
        }
    }

    /** DecPartial: the state absorbs the plaintext zero-padded, not the keystream past its end. */
    private void decryptPartial(byte[] in, int off, int tail, byte[] out) {
        BitslicedAes.load(zeroPadded(in, off, tail), 0, block);
        computeZ();
        for (int j = 0; j < PLANES; j++) {
            block[j] ^= keystream[j];
        }
        BitslicedAes.store(block, padded, 0);
        Arrays.fill(padded, tail, BLOCK_BYTES, (byte) 0);
        System.arraycopy(padded, 0, out, off, tail);
        BitslicedAes.load(padded, 0, block);
        update(block);
    }

    /** Finalize: seven updates with S3 ^ (LE64(ad bits) || LE64(msg bits)), then the tag. */
    private byte[] finish(long adBytes, long messageBytes, int tagBytes) {
        Arrays.fill(padded, (byte) 0);
        writeLongLE(adBytes * Byte.SIZE, padded, 0);
        writeLongLE(messageBytes * Byte.SIZE, padded, 8);
        BitslicedAes.load(padded, 0, block);
        for (int j = 0; j < PLANES; j++) {
            block[j] ^= (low[j] >>> (3 * FIELD_BITS)) & FIELD_MASK;
        }
        for (int i = 0; i < FINALIZE_UPDATES; i++) {
            update(block);
        }
        byte[] tag = new byte[tagBytes];
        for (int j = 0; j < PLANES; j++) {
            long s012 = low[j] ^ (low[j] >>> FIELD_BITS) ^ (low[j] >>> (2 * FIELD_BITS));
            long s345 = (low[j] >>> (3 * FIELD_BITS)) ^ high[j] ^ (high[j] >>> FIELD_BITS);
            if (tagBytes == TAG_BYTES) {
                block[j] = s012 & FIELD_MASK;
                keystream[j] = s345 & FIELD_MASK;
            } else {
                block[j] = (s012 ^ s345) & FIELD_MASK;
            }
        }
        BitslicedAes.store(block, tag, 0);
        if (tagBytes == TAG_BYTES) {
            BitslicedAes.store(keystream, padded, 0);
            System.arraycopy(padded, 0, tag, BLOCK_BYTES, BLOCK_BYTES);
        }
        wipe();
        return tag;
    }

    // ---------------------------------------------------------------- the state update

    /** keystream ← z = S1 ^ S4 ^ S5 ^ (S2 & S3). */
    private void computeZ() {
        for (int j = 0; j < PLANES; j++) {
            long s2AndS3 = (low[j] >>> (2 * FIELD_BITS)) & (low[j] >>> (3 * FIELD_BITS));
            keystream[j] = ((low[j] >>> FIELD_BITS) ^ high[j] ^ (high[j] >>> FIELD_BITS) ^ s2AndS3) & FIELD_MASK;
        }
    }

    /**
     * Update(M): S'i = AESRound(S(i-1), Si) for i = 1..5 and S'0 = AESRound(S5, S0 ^ M). The six
     * keyless rounds run on a copy of the state, two words per plane; moving each result one field
     * up (S5's wrapping to S0) lines it up with the block it is keyed with.
     */
    private void update(long[] message) {
        System.arraycopy(low, 0, roundLow, 0, PLANES);
        System.arraycopy(high, 0, roundHigh, 0, PLANES);
        aes.roundWithoutKey(roundLow);
        aes.roundWithoutKey(roundHigh);
        for (int j = 0; j < PLANES; j++) {
            long r = roundLow[j];
            long h = roundHigh[j];
            long intoLow = (r << FIELD_BITS) | ((h >>> FIELD_BITS) & FIELD_MASK);
            long intoHigh = ((h << FIELD_BITS) | (r >>> (3 * FIELD_BITS))) & HIGH_FIELDS_IN_USE;
            low[j] ^= intoLow ^ (message[j] & FIELD_MASK);
            high[j] ^= intoHigh;
        }
    }

    private void setBlock(int index, long[] planes) {
        long[] word = index < 4 ? low : high;
        int shift = (index % 4) * FIELD_BITS;
        for (int j = 0; j < PLANES; j++) {
            word[j] = (word[j] & ~(FIELD_MASK << shift)) | ((planes[j] & FIELD_MASK) << shift);
        }
    }

    private void getBlock(int index, long[] planes) {
        long[] word = index < 4 ? low : high;
        int shift = (index % 4) * FIELD_BITS;
        for (int j = 0; j < PLANES; j++) {
            planes[j] = (word[j] >>> shift) & FIELD_MASK;
        }
    }

    // ---------------------------------------------------------------- helpers

    private static long[] loadBlock(byte[] src, int off) {
        long[] planes = new long[PLANES];
        BitslicedAes.load(src, off, planes);
        return planes;
    }

    /** src[off..off+length) followed by zeros, in the reusable 16-byte buffer. */
    private byte[] zeroPadded(byte[] src, int off, int length) {
        Arrays.fill(padded, (byte) 0);
        System.arraycopy(src, off, padded, 0, length);
        return padded;
    }

    private static void writeLongLE(long v, byte[] dst, int off) {
        for (int i = 0; i < Long.BYTES; i++) {
            dst[off + i] = (byte) (v >>> (8 * i));
        }
    }

    /** Best effort: the JVM may have copied these, but the state should not linger in this object. */
    private void wipe() {
        Arrays.fill(low, 0L);
        Arrays.fill(high, 0L);
        Arrays.fill(roundLow, 0L);
        Arrays.fill(roundHigh, 0L);
        Arrays.fill(block, 0L);
        Arrays.fill(keystream, 0L);
        Arrays.fill(padded, (byte) 0);
    }
}
