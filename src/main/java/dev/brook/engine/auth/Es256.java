package dev.brook.engine.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/**
 * Compact JWS with ES256 (RFC 7515, RFC 7518 §3.4) on the JDK alone: the signing input is
 * {@code base64url(header) "." base64url(payload)}, the signature the 64-byte {@code R || S} of
 * ECDSA P-256 over SHA-256. Written here rather than taken from a JOSE library: Brook needs one
 * algorithm, and a function's cold start paid ~130 classes and a provider scan for the general
 * one (docs/DECISIONS.md 38).
 */
final class Es256 {

    /** JCA's name for ECDSA whose signature is R || S (JWS's form), not DER. */
    static final String JCA_ALGORITHM = "SHA256withECDSAinP1363Format";
    static final int SIGNATURE_BYTES = 64;

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    /** The three parts of a compact JWS, decoded, and the text that was signed. */
    record Parts(byte[] header, byte[] payload, byte[] signature, String signingInput) {}

    private Es256() {}

    static String sign(String headerJson, String payloadJson, PrivateKey key) {
        String input = encode(headerJson.getBytes(StandardCharsets.UTF_8)) + "." + encode(payloadJson.getBytes(StandardCharsets.UTF_8));
        try {
            Signature signer = Signature.getInstance(JCA_ALGORITHM);
            signer.initSign(key);
            signer.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + encode(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ES256 signing failed: " + e.getMessage(), e);
        }
    }

    /**
     * Splits and decodes {@code compact}, whose shape (three base64url parts) the caller checked.
     *
     * @throws IllegalArgumentException when a part is not base64url
     */
    static Parts parts(String compact) {
        int first = compact.indexOf('.');
        int second = compact.indexOf('.', first + 1);
        return new Parts(DECODER.decode(compact.substring(0, first)), DECODER.decode(compact.substring(first + 1, second)),
                DECODER.decode(compact.substring(second + 1)), compact.substring(0, second));
    }

    /** Whether {@code parts} carry a valid ES256 signature by {@code key}; any other signature length is not one. */
    static boolean verifies(Parts parts, PublicKey key) {
        if (parts.signature().length != SIGNATURE_BYTES) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance(JCA_ALGORITHM);
            verifier.initVerify(key);
            verifier.update(parts.signingInput().getBytes(StandardCharsets.US_ASCII));
            return verifier.verify(parts.signature());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String encode(byte[] bytes) {
        return ENCODER.encodeToString(bytes);
    }
}
