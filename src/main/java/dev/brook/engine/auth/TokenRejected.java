package dev.brook.engine.auth;

/**
 * A token that must not be accepted, and why. The message never contains the token: it may be
 * logged. Every reason answers 401 to the client; the reason is for logs and tests.
 */
public final class TokenRejected extends RuntimeException {

    public enum Reason {
        /** Not a compact JWS, or its parts or claims do not decode. */
        MALFORMED,
        /** The signature does not verify with our public key, or the algorithm is not ES256 (none, HS256...). */
        BAD_SIGNATURE,
        /** Signed by our key but for another issuer, or without one. */
        WRONG_ISSUER,
        /** The expiry has passed: now is at or after {@code exp}. */
        EXPIRED,
        /** A claim the format requires (sub, jti, iat, s2_scope, s2_auto_prefix_streams) is absent. */
        MISSING_CLAIMS
    }

    private final Reason reason;

    public TokenRejected(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public String toString() {
        return "TokenRejected[" + reason + "]: " + getMessage();
    }
}
