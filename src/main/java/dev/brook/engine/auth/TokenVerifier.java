package dev.brook.engine.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brook.engine.auth.TokenRejected.Reason;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.util.OptionalLong;

/**
 * Checks tokens in the {@link TokenFormat} with the public key alone: ES256 only (a token whose
 * header says {@code none} or {@code HS256} is refused before any key is used), our issuer, and
 * expiry against the caller's clock: a token is expired from the millisecond {@code exp * 1000}
 * on, with no grace period. Revocation is not checked here (see {@link TokenRegistry#isRevoked}).
 *
 * <p>The order is fixed and tested: the shape and the header ({@code MALFORMED}), the algorithm and
 * the signature ({@code BAD_SIGNATURE}); only then are the claims parsed and judged, so no claim byte
 * is read before it is authenticated and a claim error always comes from a token our key signed. Among claim errors the
 * issuer comes first, then missing claims, then expiry. Not smallrye-jwt's parser: it always requires
 * {@code exp} (S2 tokens may never expire) and judges it by the system clock with a 60-second grace;
 * not jose4j any more either (docs/DECISIONS.md 38).
 */
public final class TokenVerifier {

    /** What a valid token says. {@code scopeJson} is the {@code s2_scope} object as compact JSON text. */
    public record Verified(String id, String scopeJson, boolean autoPrefixStreams, OptionalLong expiresAtMs) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MS_PER_SECOND = 1000;

    private final TokenKeys keys;
    private final String issuer;

    public TokenVerifier(TokenKeys keys, String issuer) {
        if (issuer.isEmpty()) {
            throw new IllegalArgumentException("the token issuer must not be empty");
        }
        this.keys = keys;
        this.issuer = issuer;
    }

    /**
     * The claims of {@code compact} if it is a valid token at {@code nowMs}.
     *
     * @throws TokenRejected otherwise
     */
    public Verified verify(String compact, long nowMs) {
        checkShape(compact);
        Es256.Parts parts;
        JsonNode header;
        try {
            parts = Es256.parts(compact);
            header = JSON.readTree(new String(parts.header(), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | IOException e) {
            throw new TokenRejected(Reason.MALFORMED, "the token does not parse as a signed JWT");
        }
        if (header == null || !header.isObject()) {
            throw new TokenRejected(Reason.MALFORMED, "the token's header is not a JSON object");
        }
        if (!TokenFormat.ALGORITHM.equals(header.path("alg").textValue()) || !Es256.verifies(parts, keys.publicKey())) {
            throw new TokenRejected(Reason.BAD_SIGNATURE, "the token is not signed with ES256 by key " + keys.keyId());
        }
        JsonNode claims;
        try {
            claims = JSON.readTree(parts.payload());
        } catch (IOException e) {
            claims = null;
        }
        if (claims == null || !claims.isObject()) {
            throw new TokenRejected(Reason.MALFORMED, "the token's claims are not a JSON object");
        }
        if (header.has("crit")) {
            throw new TokenRejected(Reason.MALFORMED, "the token names critical header parameters Brook does not know");
        }
        if (!issuer.equals(claims.path("iss").textValue())) {
            throw new TokenRejected(Reason.WRONG_ISSUER, "the token was issued by another issuer");
        }
        if (!claims.hasNonNull("sub") || !claims.hasNonNull("jti") || !claims.hasNonNull("iat")) {
            throw new TokenRejected(Reason.MISSING_CLAIMS, "the token lacks sub, jti or iat");
        }
        if (!claims.get("sub").isTextual() || !claims.get("jti").isTextual() || !claims.get("iat").isNumber()) {
            throw new TokenRejected(Reason.MALFORMED, "the token's sub, jti or iat has the wrong type");
        }
        OptionalLong expiresAtMs = expiry(claims.get("exp"));
        if (expiresAtMs.isPresent() && nowMs >= expiresAtMs.getAsLong()) {
            throw new TokenRejected(Reason.EXPIRED, "the token expired at " + expiresAtMs.getAsLong() + " ms");
        }
        JsonNode notBefore = claims.get("nbf");
        if (notBefore != null && !notBefore.isNull()
                && (!notBefore.isNumber() || Math.floorDiv(nowMs, MS_PER_SECOND) < notBefore.asLong())) {
            throw new TokenRejected(Reason.MALFORMED, "the token is not valid yet");
        }
        String id = claims.get("sub").textValue();
        if (!id.equals(claims.get("jti").textValue())) {
            throw new TokenRejected(Reason.MALFORMED, "the token's sub and jti differ");
        }
        int idBytes = id.getBytes(StandardCharsets.UTF_8).length;
        if (idBytes < 1 || idBytes > TokenFormat.TOKEN_ID_BYTES_MAX) {
            throw new TokenRejected(Reason.MALFORMED, "the token id is " + idBytes + " bytes");
        }
        JsonNode scope = claims.get(TokenFormat.CLAIM_SCOPE);
        JsonNode autoPrefix = claims.get(TokenFormat.CLAIM_AUTO_PREFIX_STREAMS);
        if (scope == null || autoPrefix == null) {
            throw new TokenRejected(Reason.MISSING_CLAIMS, "the token lacks " + (scope == null ? TokenFormat.CLAIM_SCOPE
                    : TokenFormat.CLAIM_AUTO_PREFIX_STREAMS));
        }
        if (!scope.isObject() || !autoPrefix.isBoolean()) {
            throw new TokenRejected(Reason.MALFORMED, "the token's " + TokenFormat.CLAIM_SCOPE + " is not an object or its "
                    + TokenFormat.CLAIM_AUTO_PREFIX_STREAMS + " not a boolean");
        }
        return new Verified(id, compact(scope), autoPrefix.booleanValue(), expiresAtMs);
    }

    public String issuer() {
        return issuer;
    }

    /** A compact JWS is three base64url parts; anything else (a JWE has five) is refused before decoding. */
    private static void checkShape(String compact) {
        if (compact.isEmpty() || compact.length() > TokenFormat.TOKEN_CHARS_MAX) {
            throw new TokenRejected(Reason.MALFORMED, "the token is " + compact.length() + " characters long");
        }
        int dots = 0;
        for (int i = 0; i < compact.length(); i++) {
            char c = compact.charAt(i);
            if (c == '.') {
                dots++;
            } else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                throw new TokenRejected(Reason.MALFORMED, "the token has a character outside base64url at " + i);
            }
        }
        if (dots != 2) {
            throw new TokenRejected(Reason.MALFORMED, "the token has " + (dots + 1) + " parts, not 3");
        }
    }

    private static String compact(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree failed to serialize", e);
        }
    }

    private static OptionalLong expiry(JsonNode exp) {
        if (exp == null || exp.isNull()) {
            return OptionalLong.empty();
        }
        if (!exp.canConvertToLong()) {
            throw new TokenRejected(Reason.MALFORMED, "the token's exp is not a number of seconds");
        }
        long seconds = exp.asLong();
        if (seconds < 0 || seconds > Long.MAX_VALUE / MS_PER_SECOND) {
            throw new TokenRejected(Reason.MALFORMED, "the token's exp is out of range");
        }
        return OptionalLong.of(seconds * MS_PER_SECOND);
    }
}
