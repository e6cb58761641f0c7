package dev.brook.store;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 for S3, header form (docs/STORE.md, the S3 adapter): the canonical
 * request, the string to sign, the day's signing key, the {@code Authorization} header. Pure: the
 * time and the credentials come in, so a published example checks it byte for byte.
 */
final class SigV4 {

    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    static final String SERVICE = "s3";
    static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final String region;
    /** The last day's signing key; days change rarely, so one entry is enough. */
    private volatile DayKey dayKey;

    private record DayKey(String secret, String day, byte[] key) {}

    SigV4(String region) {
        this.region = region;
    }

    /**
     * Adds {@code x-amz-date}, {@code x-amz-content-sha256}, the session token when there is one and
     * {@code authorization} to {@code headers}, which must already hold {@code host} and every other
     * header to be signed (names in lower case). Signs every header given.
     *
     * @param canonicalPath the request path, already URI-encoded as sent
     * @param query the query parameters, not encoded
     */
    void sign(String method, String canonicalPath, Map<String, String> query, SortedMap<String, String> headers,
              String payloadSha256, S3ObjectStore.Credentials credentials, Instant now) {
        String amzDate = AMZ_DATE.format(now);
        String day = amzDate.substring(0, 8);
        headers.put("x-amz-date", amzDate);
        headers.put("x-amz-content-sha256", payloadSha256);
        if (credentials.sessionToken() != null && !credentials.sessionToken().isBlank()) {
            headers.put("x-amz-security-token", credentials.sessionToken());
        }
        StringBuilder canonical = new StringBuilder(256).append(method).append('\n').append(canonicalPath).append('\n');
        canonical.append(canonicalQuery(query)).append('\n');
        StringBuilder signed = new StringBuilder();
        for (Map.Entry<String, String> h : headers.entrySet()) {
            canonical.append(h.getKey()).append(':').append(h.getValue().trim()).append('\n');
            if (signed.length() > 0) {
                signed.append(';');
            }
            signed.append(h.getKey());
        }
        canonical.append('\n').append(signed).append('\n').append(payloadSha256);
        String scope = day + "/" + region + "/" + SERVICE + "/aws4_request";
        String toSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
                + hex(sha256(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        String signature = hex(hmac(signingKey(credentials.secretAccessKey(), day), toSign));
        headers.put("authorization", ALGORITHM + " Credential=" + credentials.accessKeyId() + "/" + scope
                + ", SignedHeaders=" + signed + ", Signature=" + signature);
    }

    /** The query as SigV4 wants it, which is also how it is sent: sorted, each name and value encoded. */
    static String canonicalQuery(Map<String, String> query) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> q : new TreeMap<>(query).entrySet()) {
            if (out.length() > 0) {
                out.append('&');
            }
            out.append(encode(q.getKey(), true)).append('=').append(encode(q.getValue(), true));
        }
        return out.toString();
    }

    /** RFC 3986 percent-encoding of everything but the unreserved characters (and '/', unless {@code slash}). */
    static String encode(String s, boolean slash) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !slash)) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(HEX[c >> 4])).append(Character.toUpperCase(HEX[c & 15]));
            }
        }
        return out.toString();
    }

    private byte[] signingKey(String secret, String day) {
        DayKey k = dayKey;
        if (k != null && k.day().equals(day) && k.secret().equals(secret)) {
            return k.key();
        }
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), day);
        key = hmac(key, region);
        key = hmac(key, SERVICE);
        key = hmac(key, "aws4_request");
        dayKey = new DayKey(secret, day, key);
        return key;
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX[(bytes[i] >> 4) & 15];
            out[2 * i + 1] = HEX[bytes[i] & 15];
        }
        return new String(out);
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
