package dev.brook.engine.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class TokenKeysTest {

    static SecureRandom seeded(long seed) {
        try {
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(seed);
            return random;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static final TokenKeys KEYS = TokenKeys.generate(seeded(1));

    @Test
    void pemRoundTripKeepsTheKeysAndTheirId() {
        TokenKeys loaded = TokenKeys.fromPem(KEYS.publicPem(), KEYS.privatePem());
        assertTrue(loaded.canSign());
        assertEquals(KEYS.keyId(), loaded.keyId());
        assertEquals(KEYS.publicPem(), loaded.publicPem());
        assertEquals(KEYS.privatePem(), loaded.privatePem());
        assertTrue(KEYS.publicPem().startsWith("-----BEGIN PUBLIC KEY-----\n"));
        assertTrue(KEYS.privatePem().orElseThrow().startsWith("-----BEGIN PRIVATE KEY-----\n"));
        assertEquals(16, KEYS.keyId().length());

        // what the reloaded pair signs the original verifies, and the other way round
        String token = new TokenSigner(loaded, "brook").sign("t", "{}", false, OptionalLong.empty(), 0);
        assertEquals("t", new TokenVerifier(KEYS, "brook").verify(token, 0).id());
    }

    @Test
    void pemWithCrlfAndSurroundingTextParses() {
        String crlf = "comment line\r\n" + KEYS.publicPem().replace("\n", "\r\n") + "trailer\r\n";
        assertEquals(KEYS.keyId(), TokenKeys.fromPem(crlf, Optional.empty()).keyId());
    }

    @Test
    void publicKeyAloneVerifiesButCannotSign() {
        TokenKeys verifyOnly = TokenKeys.fromPem(KEYS.publicPem(), Optional.empty());
        assertFalse(verifyOnly.canSign());
        assertEquals(Optional.empty(), verifyOnly.privatePem());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TokenSigner(verifyOnly, "brook"));
        assertTrue(e.getMessage().contains("no private key"), e.getMessage());
        assertFalse(KEYS.toString().contains("PRIVATE"), KEYS.toString());
    }

    @Test
    void generatedPairsDiffer() {
        assertNotEquals(KEYS.keyId(), TokenKeys.generate(seeded(2)).keyId());
    }

    @Test
    void malformedPemIsRefusedWithAOneLineMessage() {
        String body = KEYS.publicPem().lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
        assertMessage("has no `-----BEGIN PUBLIC KEY-----` line", "not a pem", Optional.empty());
        assertMessage("has no `-----END PUBLIC KEY-----` line", "-----BEGIN PUBLIC KEY-----\n" + body + "\n", Optional.empty());
        assertMessage("is empty", "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n", Optional.empty());
        assertMessage("not valid base64", "-----BEGIN PUBLIC KEY-----\n" + body.substring(0, 10) + "*" + body.substring(11)
                + "\n-----END PUBLIC KEY-----\n", Optional.empty());
        assertMessage("does not hold an EC P-256 SubjectPublicKeyInfo", "-----BEGIN PUBLIC KEY-----\n" + body.substring(0, 40)
                + "\n-----END PUBLIC KEY-----\n", Optional.empty());
        assertMessage("has no `-----BEGIN PRIVATE KEY-----` line", KEYS.publicPem(), Optional.of(KEYS.publicPem()));
        assertMessage("SEC1", KEYS.publicPem(), Optional.of("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n"));
        assertMessage("encrypted", KEYS.publicPem(),
                Optional.of("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"));
    }

    @Test
    void mismatchedPairIsRefused() {
        TokenKeys other = TokenKeys.generate(seeded(3));
        assertMessage("does not belong to the public key", KEYS.publicPem(), other.privatePem());
    }

    @Test
    void otherCurvesAndRsaAreRefused() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp384r1"));
        var p384 = ec.generateKeyPair();
        assertMessage("another curve", pem("PUBLIC KEY", p384.getPublic().getEncoded()), Optional.empty());
        assertMessage("another curve", KEYS.publicPem(), Optional.of(pem("PRIVATE KEY", p384.getPrivate().getEncoded())));

        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        var rsaPair = rsa.generateKeyPair();
        assertMessage("does not hold an EC P-256", pem("PUBLIC KEY", rsaPair.getPublic().getEncoded()), Optional.empty());
    }

    private static void assertMessage(String expected, String publicPem, Optional<String> privatePem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenKeys.fromPem(publicPem, privatePem));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }
}
