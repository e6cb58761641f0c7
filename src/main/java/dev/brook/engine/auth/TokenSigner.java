package dev.brook.engine.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.OptionalLong;

/**
 * Issues tokens in the {@link TokenFormat}. Times in JWTs are whole seconds: {@code iat} and
 * {@code exp} are rounded down, so a token never lives past the expiry it was asked for.
 *
 * <p>Signed by {@link Es256} on the JDK, not smallrye's {@code Jwt} builder: that builder adds
 * {@code exp = iat + 300 s} to every token that has none unless a global MicroProfile Config switch
 * turns default claims off, and S2 tokens may never expire (docs/DECISIONS.md 38).
 */
public final class TokenSigner {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MS_PER_SECOND = 1000;

    private final TokenKeys keys;
    private final String issuer;

    public TokenSigner(TokenKeys keys, String issuer) {
        if (!keys.canSign()) {
            throw new IllegalArgumentException("token keys " + keys.keyId() + " hold no private key: they cannot sign");
        }
        if (issuer.isEmpty()) {
            throw new IllegalArgumentException("the token issuer must not be empty");
        }
        this.keys = keys;
        this.issuer = issuer;
    }

    /**
     * A compact JWS for token {@code id}.
     *
     * @param scopeJson         S2's {@code scope} object as JSON text (embedded as an object)
     * @param expiresAtMs       when the token stops being accepted; empty for never
     * @param nowMs             the issue time
     * @throws IllegalArgumentException when {@code scopeJson} is not a JSON object or the id is not 1 to 96 bytes
     */
    public String sign(String id, String scopeJson, boolean autoPrefixStreams, OptionalLong expiresAtMs, long nowMs) {
        TokenFormat.checkId(id);
        ObjectNode claims = JSON.createObjectNode();
        claims.put("iss", issuer);
        claims.put("sub", id);
        claims.put("jti", id);
        claims.put("iat", Math.floorDiv(nowMs, MS_PER_SECOND));
        if (expiresAtMs.isPresent()) {
            claims.put("exp", Math.floorDiv(expiresAtMs.getAsLong(), MS_PER_SECOND));
        }
        claims.set(TokenFormat.CLAIM_SCOPE, scopeObject(scopeJson));
        claims.put(TokenFormat.CLAIM_AUTO_PREFIX_STREAMS, autoPrefixStreams);

        ObjectNode header = JSON.createObjectNode();
        header.put("alg", TokenFormat.ALGORITHM);
        header.put("kid", keys.keyId());
        header.put("typ", "JWT");
        return Es256.sign(text(header), text(claims), keys.privateKey());
    }

    public String issuer() {
        return issuer;
    }

    private static String text(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree failed to serialize", e);
        }
    }

    private static JsonNode scopeObject(String scopeJson) {
        JsonNode scope;
        try {
            scope = JSON.readTree(scopeJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the token scope is not JSON: " + e.getOriginalMessage());
        }
        if (scope == null || !scope.isObject()) {
            throw new IllegalArgumentException("the token scope must be a JSON object");
        }
        return scope;
    }
}
