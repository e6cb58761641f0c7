package dev.brook.engine.auth;

import java.nio.charset.StandardCharsets;

/**
 * The token format, persistent (tokens outlive processes and releases): a compact JWS signed with
 * ES256, header {@code {"alg":"ES256","kid":<key id>,"typ":"JWT"}}, claims
 *
 * <pre>
 *   iss                     the issuer ({@value #DEFAULT_ISSUER} unless configured)
 *   sub, jti                the token id, both (revocation is per id)
 *   iat                     issue time, seconds
 *   exp                     expiry, seconds; absent when the token does not expire
 *   s2_scope                S2's scope object, as a JSON object
 *   s2_auto_prefix_streams  boolean
 * </pre>
 */
public final class TokenFormat {

    public static final String ALGORITHM = "ES256";
    public static final String DEFAULT_ISSUER = "brook";
    public static final String CLAIM_SCOPE = "s2_scope";
    public static final String CLAIM_AUTO_PREFIX_STREAMS = "s2_auto_prefix_streams";
    /** Spec §2: an access token id is 1 to 96 bytes of UTF-8. */
    public static final int TOKEN_ID_BYTES_MAX = 96;
    /** Longer strings are rejected before parsing: a real token is well under 4 KiB. */
    public static final int TOKEN_CHARS_MAX = 16_384;

    private TokenFormat() {}

    /** Programmer-error guard: ids reach the engine validated. */
    static String checkId(String id) {
        int bytes = id.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < 1 || bytes > TOKEN_ID_BYTES_MAX) {
            throw new IllegalArgumentException("access token id is " + bytes + " bytes, outside 1.." + TOKEN_ID_BYTES_MAX);
        }
        return id;
    }
}
