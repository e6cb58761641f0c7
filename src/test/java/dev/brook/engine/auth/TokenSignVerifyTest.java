package dev.brook.engine.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brook.engine.auth.TokenRejected.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.OptionalLong;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.Test;

class TokenSignVerifyTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final TokenKeys KEYS = TokenKeysTest.KEYS;
    static final TokenSigner SIGNER = new TokenSigner(KEYS, TokenFormat.DEFAULT_ISSUER);
    static final TokenVerifier VERIFIER = new TokenVerifier(TokenKeys.fromPem(KEYS.publicPem(), java.util.Optional.empty()),
            TokenFormat.DEFAULT_ISSUER);
    static final String SCOPE = "{\"basins\":{\"exact\":\"my-basin\"},\"streams\":{\"prefix\":\"users/1234/\"},"
            + "\"access_tokens\":null,\"op_groups\":{\"stream\":{\"read\":true,\"write\":false}},\"ops\":[\"append\",\"read\"],"
            + "\"note\":\"é \\\"quoted\\\" ✓\"}";
    /** 2001-09-09T01:46:40Z: far from the system clock, so only the injected one can make these pass. */
    static final long NOW_MS = 1_000_000_000_000L;

    @Test
    void signThenVerifyKeepsEveryClaim() throws Exception {
        String token = SIGNER.sign("user/1234", SCOPE, true, OptionalLong.of(NOW_MS + 60_000), NOW_MS);
        TokenVerifier.Verified v = VERIFIER.verify(token, NOW_MS);
        assertEquals("user/1234", v.id());
        assertEquals(JSON.readTree(SCOPE), JSON.readTree(v.scopeJson()));
        assertTrue(v.autoPrefixStreams());
        assertEquals(OptionalLong.of(NOW_MS + 60_000), v.expiresAtMs());

        JsonNode header = part(token, 0);
        assertEquals("ES256", header.get("alg").asText());
        assertEquals(KEYS.keyId(), header.get("kid").asText());
        JsonNode claims = part(token, 1);
        assertEquals("brook", claims.get("iss").asText());
        assertEquals("user/1234", claims.get("sub").asText());
        assertEquals("user/1234", claims.get("jti").asText());
        assertEquals(NOW_MS / 1000, claims.get("iat").asLong());
        assertEquals(NOW_MS / 1000 + 60, claims.get("exp").asLong());
        assertTrue(claims.get(TokenFormat.CLAIM_SCOPE).isObject(), "scope is an object, not a string");
        assertTrue(claims.get(TokenFormat.CLAIM_AUTO_PREFIX_STREAMS).isBoolean());
    }

    @Test
    void aTokenWithoutExpiryHasNoExpClaimAndNeverExpires() throws Exception {
        String token = SIGNER.sign("forever", "{}", false, OptionalLong.empty(), NOW_MS);
        assertFalse(part(token, 1).has("exp"));
        TokenVerifier.Verified v = VERIFIER.verify(token, Long.MAX_VALUE / 2);
        assertEquals(OptionalLong.empty(), v.expiresAtMs());
        assertFalse(v.autoPrefixStreams());
        assertEquals("{}", v.scopeJson());
    }

    @Test
    void expiryIsJudgedByTheInjectedClockToTheMillisecond() {
        long expiresAtMs = NOW_MS + 10_000;
        String token = SIGNER.sign("t", "{}", false, OptionalLong.of(expiresAtMs), NOW_MS);
        assertEquals("t", VERIFIER.verify(token, expiresAtMs - 1).id());
        assertRejected(Reason.EXPIRED, token, expiresAtMs);
        assertRejected(Reason.EXPIRED, token, expiresAtMs + 1);
        // a verifier whose clock is behind the issuer's still accepts (iat in its future)
        assertEquals("t", VERIFIER.verify(token, NOW_MS - 3_600_000).id());
    }

    @Test
    void expiryBetweenSecondsIsRoundedDownNeverExtended() {
        String token = SIGNER.sign("t", "{}", false, OptionalLong.of(NOW_MS + 1_999), NOW_MS);
        assertEquals(OptionalLong.of(NOW_MS + 1_000), VERIFIER.verify(token, NOW_MS + 999).expiresAtMs());
        assertRejected(Reason.EXPIRED, token, NOW_MS + 1_000);
    }

    @Test
    void aTokenThatExpiredByTheSystemClockIsValidByTheInjectedOne() {
        long longAgo = 1_000_000; // 1970
        String token = SIGNER.sign("t", "{}", false, OptionalLong.of(longAgo + 5_000), longAgo);
        assertEquals("t", VERIFIER.verify(token, longAgo + 4_999).id());
        assertRejected(Reason.EXPIRED, token, longAgo + 5_000);
    }

    @Test
    void tamperedPayloadIsABadSignature() {
        String token = SIGNER.sign("reader", SCOPE, false, OptionalLong.empty(), NOW_MS);
        String[] parts = token.split("\\.");
        parts[1] = flip(parts[1], parts[1].length() / 2);
        assertRejected(Reason.BAD_SIGNATURE, String.join(".", parts), NOW_MS);

        // a valid JSON payload of our own choosing, with the original signature
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8)
                        .replace("\"reader\"", "\"admin0\"").getBytes(StandardCharsets.UTF_8));
        assertRejected(Reason.BAD_SIGNATURE, parts[0] + "." + forged + "." + token.split("\\.")[2], NOW_MS);
    }

    @Test
    void tamperedSignatureIsABadSignature() {
        String token = SIGNER.sign("t", "{}", false, OptionalLong.empty(), NOW_MS);
        String[] parts = token.split("\\.");
        parts[2] = flip(parts[2], 10);
        assertRejected(Reason.BAD_SIGNATURE, String.join(".", parts), NOW_MS);
        parts[2] = "";
        assertRejected(Reason.BAD_SIGNATURE, String.join(".", parts), NOW_MS);
    }

    @Test
    void aTokenSignedByAnotherKeyIsABadSignature() {
        TokenKeys other = TokenKeys.generate(TokenKeysTest.seeded(7));
        String token = new TokenSigner(other, "brook").sign("t", "{}", false, OptionalLong.empty(), NOW_MS);
        assertRejected(Reason.BAD_SIGNATURE, token, NOW_MS);
    }

    @Test
    void aTokenOfAnotherIssuerIsRefused() {
        String token = new TokenSigner(KEYS, "elsewhere").sign("t", "{}", false, OptionalLong.empty(), NOW_MS);
        assertRejected(Reason.WRONG_ISSUER, token, NOW_MS);
        assertEquals("t", new TokenVerifier(KEYS, "elsewhere").verify(token, NOW_MS).id());
    }

    @Test
    void anUnsignedAlgNoneTokenIsRefused() {
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        String claims = b64(claimsJson());
        assertRejected(Reason.BAD_SIGNATURE, header + "." + claims + ".", NOW_MS);
        // with a copied signature too
        String real = SIGNER.sign("t", "{}", false, OptionalLong.empty(), NOW_MS);
        assertRejected(Reason.BAD_SIGNATURE, header + "." + claims + "." + real.split("\\.")[2], NOW_MS);
    }

    @Test
    void anHs256TokenKeyedWithThePublicKeyIsRefused() throws Exception {
        for (byte[] secret : new byte[][] {KEYS.publicPem().getBytes(StandardCharsets.US_ASCII), KEYS.publicKey().getEncoded()}) {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
            jws.setKeyIdHeaderValue(KEYS.keyId());
            jws.setPayload(claimsJson());
            jws.setKey(new HmacKey(secret));
            assertRejected(Reason.BAD_SIGNATURE, jws.getCompactSerialization(), NOW_MS);
        }
    }

    @Test
    void aTokenWeSignedWithoutOurClaimsIsRefused() throws Exception {
        // only a holder of the private key can make these: they prove the claim checks run after the signature
        assertRejected(Reason.MISSING_CLAIMS, signRaw("{\"iss\":\"brook\",\"sub\":\"t\",\"jti\":\"t\",\"iat\":1}"), NOW_MS);
        assertRejected(Reason.MISSING_CLAIMS, signRaw("{\"iss\":\"brook\",\"jti\":\"t\",\"iat\":1,\"s2_scope\":{},"
                + "\"s2_auto_prefix_streams\":false}"), NOW_MS);
        assertRejected(Reason.MISSING_CLAIMS, signRaw("{\"iss\":\"brook\",\"sub\":\"t\",\"jti\":\"t\",\"s2_scope\":{},"
                + "\"s2_auto_prefix_streams\":false}"), NOW_MS);
        assertRejected(Reason.WRONG_ISSUER, signRaw("{\"sub\":\"t\",\"jti\":\"t\",\"iat\":1,\"s2_scope\":{},"
                + "\"s2_auto_prefix_streams\":false}"), NOW_MS);
        assertRejected(Reason.MALFORMED, signRaw("{\"iss\":\"brook\",\"sub\":\"t\",\"jti\":\"u\",\"iat\":1,\"s2_scope\":{},"
                + "\"s2_auto_prefix_streams\":false}"), NOW_MS);
        assertRejected(Reason.MALFORMED, signRaw("{\"iss\":\"brook\",\"sub\":\"t\",\"jti\":\"t\",\"iat\":1,\"s2_scope\":\"{}\","
                + "\"s2_auto_prefix_streams\":false}"), NOW_MS);
        assertEquals("t", VERIFIER.verify(signRaw(claimsJson()), NOW_MS).id());
    }

    @Test
    void anIndependentJoseImplementationAcceptsOurTokensAndWeAcceptItsSignatures() throws Exception {
        String token = SIGNER.sign("t", SCOPE, true, OptionalLong.of(NOW_MS + 60_000), NOW_MS);
        JsonWebSignature theirs = new JsonWebSignature();
        theirs.setAlgorithmConstraints(new org.jose4j.jwa.AlgorithmConstraints(
                org.jose4j.jwa.AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256));
        theirs.setCompactSerialization(token);
        theirs.setKey(KEYS.publicKey());
        assertTrue(theirs.verifySignature(), "jose4j verifies Brook's ES256 signature");
        assertEquals(KEYS.keyId(), theirs.getKeyIdHeaderValue());
        assertEquals("JWT", theirs.getHeader("typ"));
        assertEquals("t", JSON.readTree(theirs.getPayload()).path("jti").asText());
        // and the other way: a token jose4j signed with our key is ours
        assertEquals("t", VERIFIER.verify(signRaw(claimsJson()), NOW_MS).id());
    }

    @Test
    void aSignatureInDerFormOrOfAnotherLengthIsABadSignature() throws Exception {
        String token = SIGNER.sign("t", "{}", false, OptionalLong.empty(), NOW_MS);
        String[] parts = token.split("\\.");
        java.security.Signature der = java.security.Signature.getInstance("SHA256withECDSA");
        der.initSign(KEYS.privateKey());
        der.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        String derSignature = Base64.getUrlEncoder().withoutPadding().encodeToString(der.sign());
        assertRejected(Reason.BAD_SIGNATURE, parts[0] + "." + parts[1] + "." + derSignature, NOW_MS);
        assertRejected(Reason.BAD_SIGNATURE, parts[0] + "." + parts[1] + "." + parts[2].substring(0, 40), NOW_MS);
        assertRejected(Reason.BAD_SIGNATURE, parts[0] + "." + parts[1] + "." + b64("\0".repeat(64)), NOW_MS);
    }

    @Test
    void criticalHeadersAndFutureNotBeforeAreRefusedAfterTheSignature() throws Exception {
        JsonWebSignature crit = new JsonWebSignature();
        crit.setAlgorithmHeaderValue(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
        crit.setCriticalHeaderNames("x-brook-unknown");
        crit.setHeader("x-brook-unknown", "1");
        crit.setPayload(claimsJson());
        crit.setKey(KEYS.privateKey());
        assertRejected(Reason.MALFORMED, crit.getCompactSerialization(), NOW_MS);
        String later = claimsJson().replace("\"iat\":", "\"nbf\":" + (NOW_MS / 1000 + 1) + ",\"iat\":");
        assertRejected(Reason.MALFORMED, signRaw(later), NOW_MS);
        assertEquals("t", VERIFIER.verify(signRaw(later), NOW_MS + 1_000).id(), "valid from nbf on");
        assertRejected(Reason.MALFORMED, signRaw(claimsJson().replace("\"sub\":\"t\"", "\"sub\":7")), NOW_MS);
    }

    @Test
    void malformedStringsAreRefused() {
        String real = SIGNER.sign("t", "{}", false, OptionalLong.empty(), NOW_MS);
        for (String s : new String[] {"", "abc", "a.b", "a.b.c.d", real + "." + "x", "a.b.c.d.e", "!!!.x.y", "a b.c.d",
                real.replace('.', ','), "aaaa.bbbb.cccc",
                "x".repeat(TokenFormat.TOKEN_CHARS_MAX + 1)}) {
            TokenRejected e = assertThrows(TokenRejected.class, () -> VERIFIER.verify(s, NOW_MS), s);
            assertEquals(Reason.MALFORMED, e.reason(), s + ": " + e.getMessage());
        }
    }

    @Test
    void claimsAreParsedOnlyOnceTheSignatureHolds() throws Exception {
        String real = SIGNER.sign("t", "{}", false, OptionalLong.empty(), NOW_MS);
        // not JSON, under someone else's signature: refused for the signature, the payload never parsed
        assertRejected(Reason.BAD_SIGNATURE, b64("{\"alg\":\"ES256\"}") + ".bm90IGpzb24." + real.split("\\.")[2], NOW_MS);
        // not JSON, signed by our key: malformed
        assertRejected(Reason.MALFORMED, signRaw("not json"), NOW_MS);
        assertRejected(Reason.MALFORMED, signRaw("[1,2]"), NOW_MS);
    }

    @Test
    void rejectionMessagesDoNotCarryTheToken() {
        String token = SIGNER.sign("t", "{}", false, OptionalLong.of(NOW_MS), NOW_MS);
        TokenRejected e = assertThrows(TokenRejected.class, () -> VERIFIER.verify(token, NOW_MS));
        assertFalse(e.getMessage().contains(token.split("\\.")[1]), e.getMessage());
    }

    @Test
    void signingRefusesWhatIsNotAToken() {
        assertThrows(IllegalArgumentException.class, () -> SIGNER.sign("", "{}", false, OptionalLong.empty(), NOW_MS));
        assertThrows(IllegalArgumentException.class, () -> SIGNER.sign("x".repeat(97), "{}", false, OptionalLong.empty(), NOW_MS));
        assertThrows(IllegalArgumentException.class, () -> SIGNER.sign("t", "[]", false, OptionalLong.empty(), NOW_MS));
        assertThrows(IllegalArgumentException.class, () -> SIGNER.sign("t", "{", false, OptionalLong.empty(), NOW_MS));
        assertEquals("é".repeat(48), VERIFIER.verify(SIGNER.sign("é".repeat(48), "{}", false, OptionalLong.empty(), NOW_MS), NOW_MS).id());
    }

    // ---------------------------------------------------------------- helpers

    private static void assertRejected(Reason reason, String token, long nowMs) {
        TokenRejected e = assertThrows(TokenRejected.class, () -> VERIFIER.verify(token, nowMs));
        assertEquals(reason, e.reason(), e.getMessage());
    }

    private static String claimsJson() {
        return "{\"iss\":\"brook\",\"sub\":\"t\",\"jti\":\"t\",\"iat\":" + NOW_MS / 1000
                + ",\"s2_scope\":{\"basins\":{\"prefix\":\"\"}},\"s2_auto_prefix_streams\":false}";
    }

    private static String signRaw(String claims) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
        jws.setPayload(claims);
        jws.setKey(KEYS.privateKey());
        return jws.getCompactSerialization();
    }

    private static JsonNode part(String token, int index) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[index]));
    }

    private static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String flip(String s, int at) {
        char c = s.charAt(at);
        return s.substring(0, at) + (c == 'A' ? 'B' : 'A') + s.substring(at + 1);
    }
}
