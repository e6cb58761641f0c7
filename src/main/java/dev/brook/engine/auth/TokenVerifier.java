package dev.brook.engine.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brook.engine.auth.TokenRejected.Reason;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.jose4j.jwa.AlgorithmConstraints.ConstraintType;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwt.consumer.JwtContext;
import org.jose4j.lang.InvalidAlgorithmException;

/**
 * Checks tokens in the {@link TokenFormat} with the public key alone: ES256 only (a token whose
 * header says {@code none} or {@code HS256} is refused before any key is used), our issuer, and
 * expiry against the caller's clock: a token is expired from the millisecond {@code exp * 1000}
 * on, with no grace period. Revocation is not checked here (see {@link TokenRegistry#isRevoked}).
 *
 * <p>Verified with jose4j's {@link JwtConsumer} directly rather than smallrye-jwt's
 * {@code DefaultJWTParser}: that parser always requires {@code exp} (S2 tokens may never expire)
 * and judges it against the system clock with a 60-second default grace, with no way to pass the
 * evaluation time; it also finds its principal factory through a ServiceLoader.
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
        JwtContext context;
        try {
            context = consumer(nowMs).process(compact);
        } catch (InvalidJwtException e) {
            throw rejected(e, keys.keyId());
        }
        JsonNode claims;
        try {
            claims = JSON.readTree(context.getJwtClaims().getRawJson());
        } catch (JsonProcessingException e) {
            throw new TokenRejected(Reason.MALFORMED, "the token claims are not JSON");
        }
        String id = claims.path("sub").asText();
        if (!id.equals(claims.path("jti").asText())) {
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
        OptionalLong expiresAtMs = expiry(claims.get("exp"));
        if (expiresAtMs.isPresent() && nowMs >= expiresAtMs.getAsLong()) {
            throw new TokenRejected(Reason.EXPIRED, "the token expired at " + expiresAtMs.getAsLong() + " ms");
        }
        return new Verified(id, compact(scope), autoPrefix.booleanValue(), expiresAtMs);
    }

    public String issuer() {
        return issuer;
    }

    /** A compact JWS is three base64url parts; anything else (a JWE has five) never reaches jose4j. */
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

    /**
     * A consumer evaluating time at {@code nowMs} (jose4j works in whole seconds: floor(now) >= exp is
     * expired, the same instant as nowMs >= exp * 1000), with no clock skew allowance.
     */
    private JwtConsumer consumer(long nowMs) {
        return new JwtConsumerBuilder()
                .setVerificationKey(keys.publicKey())
                .setJwsAlgorithmConstraints(ConstraintType.PERMIT, AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256)
                .setExpectedIssuer(true, issuer)
                .setRequireSubject()
                .setRequireJwtId()
                .setRequireIssuedAt()
                .setSkipDefaultAudienceValidation()
                .setEvaluationTime(NumericDate.fromMilliseconds(nowMs))
                .setAllowedClockSkewInSeconds(0)
                .build();
    }

    /** jose4j verifies the signature before it looks at claims, so claim errors come from tokens we signed. */
    private static TokenRejected rejected(InvalidJwtException e, String kid) {
        if (e.hasErrorCode(ErrorCodes.SIGNATURE_INVALID) || e.hasErrorCode(ErrorCodes.SIGNATURE_MISSING)
                || e.getCause() instanceof InvalidAlgorithmException) {
            return new TokenRejected(Reason.BAD_SIGNATURE, "the token is not signed with ES256 by key " + kid);
        }
        if (e.hasErrorCode(ErrorCodes.ISSUER_INVALID) || e.hasErrorCode(ErrorCodes.ISSUER_MISSING)) {
            return new TokenRejected(Reason.WRONG_ISSUER, "the token was issued by another issuer");
        }
        if (e.hasErrorCode(ErrorCodes.SUBJECT_MISSING) || e.hasErrorCode(ErrorCodes.JWT_ID_MISSING)
                || e.hasErrorCode(ErrorCodes.ISSUED_AT_MISSING)) {
            return new TokenRejected(Reason.MISSING_CLAIMS, "the token lacks sub, jti or iat");
        }
        if (e.hasExpired()) {
            return new TokenRejected(Reason.EXPIRED, "the token has expired");
        }
        return new TokenRejected(Reason.MALFORMED, "the token does not parse as a signed JWT");
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
