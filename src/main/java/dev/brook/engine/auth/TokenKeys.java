package dev.brook.engine.auth;

import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The key pair behind access tokens: EC P-256 for ES256 (every JOSE library and SDK speaks it). A
 * verifying process holds the public key only; an issuing one holds both.
 *
 * <p>PEM forms are the ones {@code openssl} writes by default: {@code PUBLIC KEY} (X.509
 * SubjectPublicKeyInfo) and {@code PRIVATE KEY} (unencrypted PKCS#8). Malformed input, another curve
 * or a private key that does not belong to the public key throw {@link IllegalArgumentException}
 * with a one-line message.
 */
public final class TokenKeys {

    private static final String PUBLIC_LABEL = "PUBLIC KEY";
    private static final String PRIVATE_LABEL = "PRIVATE KEY";
    private static final String CURVE = "secp256r1";
    private static final int PEM_LINE_CHARS = 64;
    private static final int KEY_ID_BYTES = 8;
    private static final ECParameterSpec P256 = p256();

    private final ECPublicKey publicKey;
    private final Optional<ECPrivateKey> privateKey;
    private final String keyId;

    private TokenKeys(ECPublicKey publicKey, Optional<ECPrivateKey> privateKey) {
        this.publicKey = publicKey;
        this.privateKey = privateKey;
        this.keyId = keyIdOf(publicKey);
    }

    /** A new key pair on P-256. */
    public static TokenKeys generate(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(CURVE), random);
            KeyPair pair = generator.generateKeyPair();
            return new TokenKeys((ECPublicKey) pair.getPublic(), Optional.of((ECPrivateKey) pair.getPrivate()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot generate P-256 keys: " + e.getMessage(), e);
        }
    }

    /** Keys from PEM text; without the private key they verify but cannot sign. */
    public static TokenKeys fromPem(String publicPem, Optional<String> privatePem) {
        ECPublicKey publicKey = parsePublic(publicPem);
        Optional<ECPrivateKey> privateKey = privatePem.map(TokenKeys::parsePrivate);
        privateKey.ifPresent(p -> checkPair(publicKey, p));
        return new TokenKeys(publicKey, privateKey);
    }

    public String publicPem() {
        return pem(PUBLIC_LABEL, publicKey.getEncoded());
    }

    public Optional<String> privatePem() {
        return privateKey.map(p -> pem(PRIVATE_LABEL, p.getEncoded()));
    }

    public boolean canSign() {
        return privateKey.isPresent();
    }

    /** The JWS {@code kid}: the first 8 bytes of the SHA-256 of the public key's DER, in hex. */
    public String keyId() {
        return keyId;
    }

    PublicKey publicKey() {
        return publicKey;
    }

    PrivateKey privateKey() {
        return privateKey.orElseThrow(() -> new IllegalStateException("these token keys hold no private key: they cannot sign"));
    }

    @Override
    public String toString() {
        return "TokenKeys[kid=" + keyId + (canSign() ? ", can sign]" : ", verify only]");
    }

    // ---------------------------------------------------------------- parsing

    private static ECPublicKey parsePublic(String pem) {
        byte[] der = pemBody(pem, PUBLIC_LABEL, "public");
        try {
            PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
            return checkCurve((ECPublicKey) key, "public");
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("the public key PEM does not hold an EC P-256 SubjectPublicKeyInfo (" + oneLine(e) + ")");
        }
    }

    private static ECPrivateKey parsePrivate(String pem) {
        if (pem.contains("-----BEGIN EC PRIVATE KEY-----")) {
            throw new IllegalArgumentException("the private key PEM is in the SEC1 form (EC PRIVATE KEY); convert it to PKCS#8 with "
                    + "`openssl pkcs8 -topk8 -nocrypt -in key.pem -out brook-auth-private.pem`");
        }
        if (pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new IllegalArgumentException("the private key PEM is encrypted; Brook reads unencrypted PKCS#8 (PRIVATE KEY) only");
        }
        byte[] der = pemBody(pem, PRIVATE_LABEL, "private");
        try {
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
            return checkCurve((ECPrivateKey) key, "private");
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("the private key PEM does not hold an EC P-256 PKCS#8 key (" + oneLine(e) + ")");
        }
    }

    /** The DER inside the first {@code label} block; other blocks (EC PARAMETERS) are ignored. */
    private static byte[] pemBody(String pem, String label, String which) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = pem.indexOf(begin);
        if (from < 0) {
            throw new IllegalArgumentException("the " + which + " key PEM has no `" + begin + "` line");
        }
        int to = pem.indexOf(end, from + begin.length());
        if (to < 0) {
            throw new IllegalArgumentException("the " + which + " key PEM has no `" + end + "` line");
        }
        String base64 = pem.substring(from + begin.length(), to).replaceAll("\\s+", "");
        if (base64.isEmpty()) {
            throw new IllegalArgumentException("the " + which + " key PEM is empty between its BEGIN and END lines");
        }
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the " + which + " key PEM is not valid base64 (" + e.getMessage() + ")");
        }
    }

    private static <K extends ECKey> K checkCurve(K key, String which) {
        ECParameterSpec p256 = P256;
        ECParameterSpec params = key.getParams();
        if (!params.getOrder().equals(p256.getOrder()) || !params.getCurve().equals(p256.getCurve())
                || !params.getGenerator().equals(p256.getGenerator())) {
            throw new IllegalArgumentException("the " + which + " key is on another curve: ES256 needs P-256 (prime256v1)");
        }
        return key;
    }

    /** The pair belongs together when what the private key signs the public key verifies. */
    private static void checkPair(ECPublicKey publicKey, ECPrivateKey privateKey) {
        byte[] probe = "brook token key pair check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(privateKey);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(publicKey);
            verifier.update(probe);
            if (!verifier.verify(signature)) {
                throw new IllegalArgumentException("the private key does not belong to the public key (kid " + keyIdOf(publicKey) + ")");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the key pair could not be checked (" + oneLine(e) + ")");
        }
    }

    private static ECParameterSpec p256() {
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec(CURVE));
            return parameters.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM does not know P-256: " + e.getMessage(), e);
        }
    }

    private static String keyIdOf(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return HexFormat.of().formatHex(digest, 0, KEY_ID_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static String pem(String label, byte[] der) {
        String base64 = Base64.getEncoder().encodeToString(der);
        StringBuilder out = new StringBuilder("-----BEGIN ").append(label).append("-----\n");
        for (int i = 0; i < base64.length(); i += PEM_LINE_CHARS) {
            out.append(base64, i, Math.min(base64.length(), i + PEM_LINE_CHARS)).append('\n');
        }
        return out.append("-----END ").append(label).append("-----\n").toString();
    }

    private static String oneLine(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.replaceAll("\\s+", " ").trim();
    }
}
