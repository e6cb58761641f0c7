package dev.brook.engine.crypto;

/**
 * The AES encryption round without its key addition, MixColumns(ShiftRows(SubBytes(x))), in
 * bitsliced form, for {@link Aegis256}.
 *
 * <p>Why bitsliced: the usual software AES looks bytes of the state up in tables, and which cache
 * lines it touches depends on the key, which a co-tenant on the same core can time. Here every
 * operation is a fixed sequence of shifts, ANDs and XORs on whole words; no branch, index or memory
 * address depends on secret data. The S-box is computed, not looked up: inversion in GF(2^8) (0 maps
 * to 0, as AES requires), then the affine map.
 *
 * <p>Layout: a block's 16 bytes are 16 lanes; lane k is byte k of the block, i.e. row {@code k % 4},
 * column {@code k / 4} of the AES state. Plane j holds bit j of every lane, lane k at bit k of a
 * 16-bit field. A {@code long[8]} of planes carries four blocks, in fields 0-15, 16-31, 32-47 and
 * 48-63; every operation here stays within its field, so blocks never mix.
 *
 * <p>Not thread-safe: an instance owns scratch space so a round allocates nothing.
 */
final class BitslicedAes {

    static final int PLANES = 8;
    static final int BLOCK_BYTES = 16;
    static final long FIELD_MASK = 0xFFFFL;

    /** Repeats a 16-bit mask in all four block fields of a word. */
    private static final long PER_FIELD = 0x0001_0001_0001_0001L;

    /** ShiftRows moves row r left by r columns: within a field, rows 1-3 rotate right by 4r bits. */
    private static final long ROW0 = 0x1111L * PER_FIELD;
    private static final long ROW1_DOWN = 0x0222L * PER_FIELD;
    private static final long ROW1_WRAP = 0x2000L * PER_FIELD;
    private static final long ROW2_DOWN = 0x0044L * PER_FIELD;
    private static final long ROW2_WRAP = 0x4400L * PER_FIELD;
    private static final long ROW3_DOWN = 0x0008L * PER_FIELD;
    private static final long ROW3_WRAP = 0x8880L * PER_FIELD;

    /** Each nibble is one column: rotating a nibble by one brings row r+1 (mod 4) to row r. */
    private static final long NIBBLE_LOW3 = 0x7777_7777_7777_7777L;
    private static final long NIBBLE_HIGH1 = 0x8888_8888_8888_8888L;
    private static final long NIBBLE_LOW2 = 0x3333_3333_3333_3333L;
    private static final long NIBBLE_HIGH2 = 0xCCCC_CCCC_CCCC_CCCCL;

    /** The constant of the S-box's affine map: plane j is negated where its bit j is set. */
    private static final int AFFINE_CONSTANT = 0x63;
    private static final int NIBBLE_PLANES = 4;

    private final long[] towerLow = new long[NIBBLE_PLANES];
    private final long[] towerHigh = new long[NIBBLE_PLANES];
    private final long[] delta = new long[NIBBLE_PLANES];
    private final long[] term = new long[NIBBLE_PLANES];
    private final long[] inverse = new long[NIBBLE_PLANES];
    private final long[] pairSum = new long[PLANES];
    private final long[] rest = new long[PLANES];

    /** planes ← MixColumns(ShiftRows(SubBytes(planes))) for the four blocks in each word. */
    void roundWithoutKey(long[] planes) {
        subBytes(planes);
        for (int j = 0; j < PLANES; j++) {
            planes[j] = shiftRows(planes[j]);
        }
        mixColumns(planes);
    }

    /** The full AESRound(in, rk) of one block, for the draft's AESRound test vector. */
    static byte[] aesRound(byte[] in, byte[] roundKey) {
        long[] state = new long[PLANES];
        long[] key = new long[PLANES];
        load(in, 0, state);
        load(roundKey, 0, key);
        new BitslicedAes().roundWithoutKey(state);
        for (int j = 0; j < PLANES; j++) {
            state[j] ^= key[j];
        }
        byte[] out = new byte[BLOCK_BYTES];
        store(state, out, 0);
        return out;
    }

    // ---------------------------------------------------------------- SubBytes

    /**
     * x ← S(x) in every lane. Inverting in GF(2^8) directly costs four 8-bit multiplications; in a
     * tower field GF(16)[y]/(y² + y + ν) it costs a few 4-bit ones:
     * (a1·y + a0)⁻¹ = a1·Δ⁻¹·y + (a0 + a1)·Δ⁻¹ with Δ = ν·a1² + a1·a0 + a0² in GF(16), Δ⁻¹ = Δ^14,
     * and 0 still maps to 0. GF(16) is GF(2)[w]/(w⁴ + w + 1) and ν = w³ + w. The change of basis
     * sends the AES generator x to β = (w² + 1)·y, a root of x⁸ + x⁴ + x³ + x + 1 in the tower, so
     * column i of {@link #toTower}'s matrix is β^i; {@link #fromTowerWithAffine} is the AES affine
     * matrix times the inverse of that. Of the 64 (ν, root) pairs, this one needs the fewest XORs.
     * Aegis256Test checks the result against FIPS-197's definition on all 256 inputs.
     */
    void subBytes(long[] x) {
        toTower(x);
        // Δ = ν·a1² + a1·a0 + a0²
        multiply4(towerHigh, towerLow, delta);
        squareTimesNu4(towerHigh, term);
        addInto(delta, term);
        square4(towerLow, term);
        addInto(delta, term);
        // Δ⁻¹ = Δ^14 = Δ²·Δ⁴·Δ⁸
        square4(delta, term);               // Δ²
        square4(term, inverse);             // Δ⁴
        multiply4(term, inverse, term);     // Δ⁶
        square4(inverse, inverse);          // Δ⁸
        multiply4(term, inverse, inverse);  // Δ^14
        // high ← a1·Δ⁻¹, low ← (a0 + a1)·Δ⁻¹
        addInto(towerLow, towerHigh);
        multiply4(towerHigh, inverse, towerHigh);
        multiply4(towerLow, inverse, towerLow);
        fromTowerWithAffine(x);
    }

    /** towerLow, towerHigh ← the constant and y coefficients of x in the tower basis. */
    private void toTower(long[] x) {
        towerLow[0] = x[0] ^ x[2] ^ x[5] ^ x[7];
        towerLow[1] = x[2] ^ x[5] ^ x[6] ^ x[7];
        towerLow[2] = x[2];
        towerLow[3] = x[3] ^ x[4];
        towerHigh[0] = x[1] ^ x[5] ^ x[7];
        towerHigh[1] = x[2] ^ x[3];
        towerHigh[2] = x[1] ^ x[4] ^ x[6] ^ x[7];
        towerHigh[3] = x[5] ^ x[7];
    }

    /** x ← the AES affine map of the tower element (towerLow, towerHigh), back in the AES basis. */
    private void fromTowerWithAffine(long[] x) {
        long i0 = towerLow[0];
        long i1 = towerLow[1];
        long i2 = towerLow[2];
        long i3 = towerLow[3];
        long i4 = towerHigh[0];
        long i5 = towerHigh[1];
        long i6 = towerHigh[2];
        long i7 = towerHigh[3];
        x[0] = i0 ^ i1 ^ i2 ^ i3 ^ i5 ^ i7;
        x[1] = i0 ^ i1 ^ i4;
        x[2] = i0 ^ i2 ^ i3 ^ i5 ^ i6 ^ i7;
        x[3] = i0 ^ i1 ^ i2 ^ i3 ^ i6;
        x[4] = i0 ^ i3 ^ i4;
        x[5] = i1 ^ i2 ^ i5 ^ i6;
        x[6] = i4 ^ i5 ^ i6;
        x[7] = i1 ^ i2 ^ i3;
        for (int j = 0; j < PLANES; j++) {
            // -(bit) is all ones when the constant's bit is set: a branch-free NOT.
            x[j] ^= -((AFFINE_CONSTANT >>> j) & 1L);
        }
    }

    /** out ← a·b in GF(16) = GF(2)[w]/(w⁴ + w + 1); out may be a or b. */
    private static void multiply4(long[] a, long[] b, long[] out) {
        long a0 = a[0];
        long a1 = a[1];
        long a2 = a[2];
        long a3 = a[3];
        long b0 = b[0];
        long b1 = b[1];
        long b2 = b[2];
        long b3 = b[3];
        long p4 = (a1 & b3) ^ (a2 & b2) ^ (a3 & b1);
        long p5 = (a2 & b3) ^ (a3 & b2);
        long p6 = a3 & b3;
        // w⁴ = w + 1, w⁵ = w² + w, w⁶ = w³ + w²
        out[0] = (a0 & b0) ^ p4;
        out[1] = (a0 & b1) ^ (a1 & b0) ^ p4 ^ p5;
        out[2] = (a0 & b2) ^ (a1 & b1) ^ (a2 & b0) ^ p5 ^ p6;
        out[3] = (a0 & b3) ^ (a1 & b2) ^ (a2 & b1) ^ (a3 & b0) ^ p6;
    }

    /** out ← a² in GF(16), a linear map; out may be a. */
    private static void square4(long[] a, long[] out) {
        long a0 = a[0];
        long a1 = a[1];
        long a2 = a[2];
        long a3 = a[3];
        out[0] = a0 ^ a2;
        out[1] = a2;
        out[2] = a1 ^ a3;
        out[3] = a3;
    }

    /** out ← ν·a² with ν = w³ + w, also linear; out is not a. */
    private static void squareTimesNu4(long[] a, long[] out) {
        out[0] = a[2] ^ a[3];
        out[1] = a[0] ^ a[1];
        out[2] = a[1] ^ a[2];
        out[3] = a[0] ^ a[1] ^ a[2];
    }

    private static void addInto(long[] sum, long[] addend) {
        for (int i = 0; i < NIBBLE_PLANES; i++) {
            sum[i] ^= addend[i];
        }
    }

    // ---------------------------------------------------------------- ShiftRows, MixColumns

    /** Row r of each column takes the byte of column c + r: lane 4c+r ← lane 4(c+r)+r, mod 16. */
    private static long shiftRows(long x) {
        return (x & ROW0)
                | ((x >>> 4) & ROW1_DOWN) | ((x << 12) & ROW1_WRAP)
                | ((x >>> 8) & ROW2_DOWN) | ((x << 8) & ROW2_WRAP)
                | ((x >>> 12) & ROW3_DOWN) | ((x << 4) & ROW3_WRAP);
    }

    /**
     * Row r of a column becomes 2·(a_r + a_(r+1)) + a_(r+1) + a_(r+2) + a_(r+3), which is
     * 2·a_r + 3·a_(r+1) + a_(r+2) + a_(r+3) (FIPS-197 5.1.3) with one doubling instead of two.
     */
    private void mixColumns(long[] planes) {
        for (int j = 0; j < PLANES; j++) {
            long next = rotateRows1(planes[j]);
            long sum = planes[j] ^ next;
            pairSum[j] = sum;
            rest[j] = next ^ rotateRows2(sum);
        }
        // Doubling a field element: shift up one plane, and fold the carry back as 0x1b (bits 0, 1, 3, 4).
        long carry = pairSum[7];
        planes[0] = carry ^ rest[0];
        planes[1] = pairSum[0] ^ carry ^ rest[1];
        planes[2] = pairSum[1] ^ rest[2];
        planes[3] = pairSum[2] ^ carry ^ rest[3];
        planes[4] = pairSum[3] ^ carry ^ rest[4];
        planes[5] = pairSum[4] ^ rest[5];
        planes[6] = pairSum[5] ^ rest[6];
        planes[7] = pairSum[6] ^ rest[7];
    }

    /** Lane 4c+r ← lane 4c+(r+1 mod 4): every column's rows move up by one. */
    private static long rotateRows1(long x) {
        return ((x >>> 1) & NIBBLE_LOW3) | ((x << 3) & NIBBLE_HIGH1);
    }

    /** Lane 4c+r ← lane 4c+(r+2 mod 4). */
    private static long rotateRows2(long x) {
        return ((x >>> 2) & NIBBLE_LOW2) | ((x << 2) & NIBBLE_HIGH2);
    }

    // ---------------------------------------------------------------- bytes ↔ planes

    /** planes[j] ← bit j of each of the 16 bytes at src[off..], in the low field; the rest is zero. */
    static void load(byte[] src, int off, long[] planes) {
        long low = transpose8x8(readLongLE(src, off));
        long high = transpose8x8(readLongLE(src, off + 8));
        for (int j = 0; j < PLANES; j++) {
            planes[j] = ((low >>> (8 * j)) & 0xFF) | (((high >>> (8 * j)) & 0xFF) << 8);
        }
    }

    /** The inverse of {@link #load}: writes the block in the low field of planes to dst[off..off+16). */
    static void store(long[] planes, byte[] dst, int off) {
        long low = 0;
        long high = 0;
        for (int j = 0; j < PLANES; j++) {
            low |= (planes[j] & 0xFF) << (8 * j);
            high |= ((planes[j] >>> 8) & 0xFF) << (8 * j);
        }
        writeLongLE(transpose8x8(low), dst, off);
        writeLongLE(transpose8x8(high), dst, off + 8);
    }

    /**
     * Transposes the 8x8 bit matrix whose element (i, j) is bit 8i+j: byte i's bit j becomes byte
     * j's bit i. Three rounds of swapping 1x1, 2x2 and 4x4 sub-blocks (Hacker's Delight 7-3).
     */
    static long transpose8x8(long x) {
        long t = (x ^ (x >>> 7)) & 0x00AA_00AA_00AA_00AAL;
        x ^= t ^ (t << 7);
        t = (x ^ (x >>> 14)) & 0x0000_CCCC_0000_CCCCL;
        x ^= t ^ (t << 14);
        t = (x ^ (x >>> 28)) & 0x0000_0000_F0F0_F0F0L;
        x ^= t ^ (t << 28);
        return x;
    }

    private static long readLongLE(byte[] src, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (src[off + i] & 0xFF);
        }
        return v;
    }

    private static void writeLongLE(long v, byte[] dst, int off) {
        for (int i = 0; i < 8; i++) {
            dst[off + i] = (byte) (v >>> (8 * i));
        }
    }
}
