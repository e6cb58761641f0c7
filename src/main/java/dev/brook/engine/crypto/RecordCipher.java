package dev.brook.engine.crypto;

import dev.brook.core.Header;
import dev.brook.core.Records;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encryption of a record at rest (spec §4.3) under the 32-byte key a client sends in
 * {@code s2-encryption-key}. The envelope is internal to Brook, and persistent: never renumber.
 *
 * <pre>
 * u8  version = 1
 * u8  algorithm (1 = AEGIS-256, 2 = AES-256-GCM)
 * u32 plaintext metered bytes (spec §5.3), big-endian, in the clear so limits and read budgets
 *     can be counted without the key
 * nonce (32 bytes AEGIS-256, 12 bytes AES-256-GCM), random
 * ciphertext of: u32 header count, then per header u32 name length, name, u32 value length,
 *     value, then the body to the end
 * tag (32 bytes AEGIS-256, 16 bytes AES-256-GCM)
 * </pre>
 *
 * The AEAD's associated data is the 6 clear bytes before the nonce followed by the caller's aad, so
 * altering the version, algorithm or size fails authentication like altering the ciphertext does.
 * The caller's aad should name where the record lives (stream, seq_num) so that a stored envelope
 * cannot be moved to another place and still open.
 */
public final class RecordCipher {

    public static final int KEY_BYTES = 32;
    /** spec §1.4: the header value is at most 44 characters after trimming; 32 bytes encode to 44. */
    public static final int KEY_HEADER_CHARS_MAX = 44;
    static final int ENVELOPE_VERSION = 1;
    /** version, algorithm, metered size. */
    static final int PREFIX_BYTES = 1 + 1 + Integer.BYTES;
    private static final int METERED_OFFSET = 2;
    private static final long U32_MAX = 0xFFFF_FFFFL;
    private static final int GCM_NONCE_BYTES = 12;
    private static final int GCM_TAG_BYTES = 16;
    private static final String GCM_TRANSFORMATION = "AES/GCM/NoPadding";
    private static final String AES_KEY_ALGORITHM = "AES";
    /** The smallest encoded header: two u32 lengths; bounds a count read from the payload. */
    private static final int ENCODED_HEADER_BYTES_MIN = 2 * Integer.BYTES;

    /** The AEADs a stream may use; {@code code} is the envelope's algorithm byte. */
    public enum Algorithm {
        AEGIS_256(1, Aegis256.NONCE_BYTES, Aegis256.TAG_BYTES),
        AES_256_GCM(2, GCM_NONCE_BYTES, GCM_TAG_BYTES);

        final int code;
        final int nonceBytes;
        final int tagBytes;

        Algorithm(int code, int nonceBytes, int tagBytes) {
            this.code = code;
            this.nonceBytes = nonceBytes;
            this.tagBytes = tagBytes;
        }

        /** The algorithm of a stream's configured cipher. */
        public static Algorithm of(dev.brook.core.Cipher cipher) {
            return switch (cipher) {
                case AEGIS_256 -> AEGIS_256;
                case AES_256_GCM -> AES_256_GCM;
            };
        }

        static Optional<Algorithm> fromCode(int code) {
            for (Algorithm a : values()) {
                if (a.code == code) {
                    return Optional.of(a);
                }
            }
            return Optional.empty();
        }

        int overheadBytes() {
            return PREFIX_BYTES + nonceBytes + tagBytes;
        }
    }

    /** A record's headers and body, as they were sealed. */
    public record Opened(List<Header> headers, byte[] body) {

        public Opened {
            headers = List.copyOf(headers);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Opened r && headers.equals(r.headers) && Arrays.equals(body, r.body);
        }

        @Override
        public int hashCode() {
            return 31 * headers.hashCode() + Arrays.hashCode(body);
        }

        @Override
        public String toString() {
            return "Opened[headers=" + headers.size() + ", body=" + body.length + "B]";
        }
    }

    /**
     * An envelope that does not open: malformed, sealed with another algorithm, or not authentic
     * under this key and aad (spec §4.3: a wrong key on read is {@code 400 decryption_failed}).
     */
    public static final class DecryptionFailed extends RuntimeException {

        DecryptionFailed(String reason) {
            // No stack trace: this is bad input, not a bug, and may be thrown once per record read.
            super("record decryption failed: " + reason, null, false, false);
        }
    }

    private final Algorithm algorithm;
    private final byte[] key;
    private final SecretKeySpec aesKey;

    private RecordCipher(Algorithm algorithm, byte[] key) {
        this.algorithm = algorithm;
        this.key = key.clone();
        this.aesKey = new SecretKeySpec(this.key, AES_KEY_ALGORITHM);
    }

    public static RecordCipher of(Algorithm algorithm, byte[] key32) {
        Objects.requireNonNull(algorithm, "algorithm");
        if (Objects.requireNonNull(key32, "key").length != KEY_BYTES) {
            throw new IllegalArgumentException("record key must be " + KEY_BYTES + " bytes, got " + key32.length);
        }
        return new RecordCipher(algorithm, key32);
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    // ---------------------------------------------------------------- the key header

    /**
     * The key in an {@code s2-encryption-key} value: trimmed, 1 to 44 characters, canonical standard
     * base64 with padding, 32 bytes. Throws IllegalArgumentException with a short reason otherwise.
     */
    public static byte[] parseKey(String headerValue) {
        String value = Objects.requireNonNull(headerValue, "headerValue").trim();
        if (value.isEmpty()) {
            throw new IllegalArgumentException("encryption key is empty");
        }
        if (value.length() > KEY_HEADER_CHARS_MAX) {
            throw new IllegalArgumentException("encryption key is longer than " + KEY_HEADER_CHARS_MAX + " characters");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("encryption key is not valid base64");
        }
        // The JDK decoder accepts missing padding and stray low bits; re-encoding rejects both, as
        // the standard (padded, canonical) base64 of other S2 implementations does.
        if (!Base64.getEncoder().encodeToString(key).equals(value)) {
            throw new IllegalArgumentException("encryption key is not canonical padded base64");
        }
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("encryption key must decode to " + KEY_BYTES + " bytes, got " + key.length);
        }
        return key;
    }

    // ---------------------------------------------------------------- seal

    /** The envelope of one record, with a fresh nonce drawn from random. */
    public byte[] seal(byte[] aad, List<Header> headers, byte[] body, RandomGenerator random) {
        Objects.requireNonNull(aad, "aad");
        Objects.requireNonNull(random, "random");
        long metered = Records.meteredBytes(headers, body);
        if (metered > U32_MAX) {
            throw new IllegalArgumentException("record of " + metered + " metered bytes exceeds the envelope's u32 size");
        }
        byte[] prefix = ByteBuffer.allocate(PREFIX_BYTES)
                .put((byte) ENVELOPE_VERSION)
                .put((byte) algorithm.code)
                .putInt((int) metered)
                .array();
        byte[] nonce = new byte[algorithm.nonceBytes];
        random.nextBytes(nonce);
        byte[] payload = encodePayload(headers, body);
        byte[] sealed = sealPayload(nonce, associatedData(prefix, aad), payload);
        Arrays.fill(payload, (byte) 0);
        return ByteBuffer.allocate(PREFIX_BYTES + nonce.length + sealed.length).put(prefix).put(nonce).put(sealed).array();
    }

    private byte[] sealPayload(byte[] nonce, byte[] ad, byte[] payload) {
        return switch (algorithm) {
            case AEGIS_256 -> Aegis256.seal(key, nonce, ad, payload);
            case AES_256_GCM -> {
                try {
                    yield gcm(Cipher.ENCRYPT_MODE, nonce, ad, payload);
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("AES-256-GCM encryption is unavailable", e);
                }
            }
        };
    }

    private static byte[] encodePayload(List<Header> headers, byte[] body) {
        long size = Integer.BYTES + (long) body.length;
        for (Header h : headers) {
            size += ENCODED_HEADER_BYTES_MIN + (long) h.name().length + h.value().length;
        }
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("record of " + size + " encoded bytes does not fit an array");
        }
        ByteBuffer out = ByteBuffer.allocate((int) size).putInt(headers.size());
        for (Header h : headers) {
            out.putInt(h.name().length).put(h.name()).putInt(h.value().length).put(h.value());
        }
        return out.put(body).array();
    }

    // ---------------------------------------------------------------- open

    /** The record sealed in envelope under this key and aad; DecryptionFailed for anything else. */
    public Opened open(byte[] aad, byte[] envelope) {
        Objects.requireNonNull(aad, "aad");
        long metered = plaintextMeteredBytes(envelope);
        Algorithm sealedWith = algorithmOf(envelope);
        if (sealedWith != algorithm) {
            throw new DecryptionFailed("sealed with " + sealedWith + ", opened with " + algorithm);
        }
        byte[] prefix = Arrays.copyOfRange(envelope, 0, PREFIX_BYTES);
        byte[] nonce = Arrays.copyOfRange(envelope, PREFIX_BYTES, PREFIX_BYTES + algorithm.nonceBytes);
        byte[] sealed = Arrays.copyOfRange(envelope, PREFIX_BYTES + algorithm.nonceBytes, envelope.length);
        byte[] payload = openPayload(nonce, associatedData(prefix, aad), sealed)
                .orElseThrow(() -> new DecryptionFailed("authentication failed (wrong key, or damaged or moved data)"));
        Opened opened = decodePayload(payload);
        if (Records.meteredBytes(opened.headers(), opened.body()) != metered) {
            // Authenticated, so only a sealing bug gets here; still refuse to serve it.
            throw new DecryptionFailed("metered size does not match the sealed record");
        }
        return opened;
    }

    private Optional<byte[]> openPayload(byte[] nonce, byte[] ad, byte[] sealed) {
        return switch (algorithm) {
            case AEGIS_256 -> Aegis256.open(key, nonce, ad, sealed);
            case AES_256_GCM -> {
                try {
                    yield Optional.of(gcm(Cipher.DECRYPT_MODE, nonce, ad, sealed));
                } catch (AEADBadTagException e) {
                    yield Optional.empty();
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("AES-256-GCM decryption is unavailable", e);
                }
            }
        };
    }

    /** A new JCA Cipher per call: they are stateful, not thread-safe, and cheap next to the work. */
    private byte[] gcm(int mode, byte[] nonce, byte[] ad, byte[] input) throws GeneralSecurityException {
        Cipher gcm = Cipher.getInstance(GCM_TRANSFORMATION);
        gcm.init(mode, aesKey, new GCMParameterSpec(GCM_TAG_BYTES * Byte.SIZE, nonce));
        gcm.updateAAD(ad);
        return gcm.doFinal(input);
    }

    /** Authenticated, but still parsed defensively: every length is checked against what remains. */
    private static Opened decodePayload(byte[] payload) {
        try {
            ByteBuffer in = ByteBuffer.wrap(payload);
            long count = Integer.toUnsignedLong(in.getInt());
            if (count > in.remaining() / ENCODED_HEADER_BYTES_MIN) {
                throw new DecryptionFailed("header count " + count + " exceeds the payload");
            }
            List<Header> headers = new ArrayList<>((int) count);
            for (long i = 0; i < count; i++) {
                byte[] name = readField(in);
                byte[] value = readField(in);
                headers.add(new Header(name, value));
            }
            byte[] body = new byte[in.remaining()];
            in.get(body);
            return new Opened(headers, body);
        } catch (BufferUnderflowException e) {
            throw new DecryptionFailed("payload is truncated");
        }
    }

    private static byte[] readField(ByteBuffer in) {
        long length = Integer.toUnsignedLong(in.getInt());
        if (length > in.remaining()) {
            throw new DecryptionFailed("field of " + length + " bytes exceeds the payload");
        }
        byte[] field = new byte[(int) length];
        in.get(field);
        return field;
    }

    // ---------------------------------------------------------------- the clear prefix

    /** The metered size of the sealed record (spec §5.3), read without the key. */
    public static long plaintextMeteredBytes(byte[] envelope) {
        Algorithm algorithm = algorithmOf(envelope);
        if (envelope.length < algorithm.overheadBytes()) {
            throw new DecryptionFailed("envelope of " + envelope.length + " bytes is shorter than its "
                    + algorithm + " nonce and tag");
        }
        return Integer.toUnsignedLong(ByteBuffer.wrap(envelope, METERED_OFFSET, Integer.BYTES).getInt());
    }

    private static Algorithm algorithmOf(byte[] envelope) {
        Objects.requireNonNull(envelope, "envelope");
        if (envelope.length < PREFIX_BYTES) {
            throw new DecryptionFailed("envelope of " + envelope.length + " bytes is too short");
        }
        int version = envelope[0] & 0xFF;
        if (version != ENVELOPE_VERSION) {
            throw new DecryptionFailed("unknown envelope version " + version);
        }
        int code = envelope[1] & 0xFF;
        return Algorithm.fromCode(code).orElseThrow(() -> new DecryptionFailed("unknown algorithm " + code));
    }

    private static byte[] associatedData(byte[] prefix, byte[] aad) {
        return ByteBuffer.allocate(prefix.length + aad.length).put(prefix).put(aad).array();
    }

    @Override
    public String toString() {
        return "RecordCipher[" + algorithm + "]";
    }
}
