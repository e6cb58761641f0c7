package dev.brook.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The signer against the worked examples of AWS's S3 documentation ("Signature Calculations for the
 * Authorization Header: Transferring Payload in a Single Chunk"): same inputs, same signature, byte for
 * byte. S3Proxy checks every signature of the contract tests as well; these pin the corner cases
 * (encoded path, query order, extra signed headers) to AWS's own answers.
 */
class SigV4Test {

    static final S3ObjectStore.Credentials EXAMPLE = new S3ObjectStore.Credentials(
            "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", null);
    static final Instant WHEN = Instant.parse("2013-05-24T00:00:00Z");

    private static String signature(String method, String path, Map<String, String> query, Map<String, String> headers, String payloadSha256) {
        TreeMap<String, String> h = new TreeMap<>(headers);
        new SigV4("us-east-1").sign(method, path, query, h, payloadSha256, EXAMPLE, WHEN);
        String auth = h.get("authorization");
        assertTrue(auth.startsWith("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders="), auth);
        assertEquals("20130524T000000Z", h.get("x-amz-date"));
        return auth.substring(auth.indexOf("Signature=") + "Signature=".length());
    }

    @Test
    void getObjectWithARange() {
        assertEquals("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
                signature("GET", "/test.txt", Map.of(),
                        Map.of("host", "examplebucket.s3.amazonaws.com", "range", "bytes=0-9"), SigV4.EMPTY_SHA256));
    }

    @Test
    void putObjectWithAnEncodedKeyAndAPayload() {
        byte[] body = "Welcome to Amazon S3.".getBytes(StandardCharsets.UTF_8);
        assertEquals("/test%24file.text", "/" + SigV4.encode("test$file.text", false));
        assertEquals("98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
                signature("PUT", "/test%24file.text", Map.of(), Map.of("host", "examplebucket.s3.amazonaws.com",
                        "date", "Fri, 24 May 2013 00:00:00 GMT", "x-amz-storage-class", "REDUCED_REDUNDANCY"),
                        SigV4.hex(SigV4.sha256(body))));
    }

    @Test
    void listObjectsWithTheQuerySorted() {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("prefix", "J");
        query.put("max-keys", "2");
        assertEquals("max-keys=2&prefix=J", SigV4.canonicalQuery(query));
        assertEquals("34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
                signature("GET", "/", query, Map.of("host", "examplebucket.s3.amazonaws.com"), SigV4.EMPTY_SHA256));
    }

    @Test
    void aSessionTokenIsSentAndSigned() {
        TreeMap<String, String> h = new TreeMap<>(Map.of("host", "h"));
        new SigV4("eu-west-3").sign("HEAD", "/k", Map.of(), h, SigV4.EMPTY_SHA256,
                new S3ObjectStore.Credentials("AKID", "secret", "the-token"), WHEN);
        assertEquals("the-token", h.get("x-amz-security-token"));
        assertTrue(h.get("authorization").contains("/20130524/eu-west-3/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, "),
                h.get("authorization"));
    }

    @Test
    void encodingKeepsOnlyTheUnreservedCharacters() {
        assertEquals("a-b_c.d~e/f", SigV4.encode("a-b_c.d~e/f", false));
        assertEquals("a-b_c.d~e%2Ff", SigV4.encode("a-b_c.d~e/f", true));
        assertEquals("%20%2B%2A%3D%C3%A9", SigV4.encode(" +*=é", true));
    }
}
