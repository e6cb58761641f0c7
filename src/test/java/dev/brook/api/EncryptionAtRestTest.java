package dev.brook.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.store.ListPage;
import dev.brook.store.ObjectStore;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What an encrypted stream keeps in storage: no byte of its records' headers or bodies in clear. */
@QuarkusTest
class EncryptionAtRestTest {

    static final String SECRET = "the-plaintext-must-not-reach-storage";
    static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

    @Inject
    ObjectStore store;

    @Test
    void encryptedStreamsStoreNoPlaintextAndPlaintextStreamsDo() {
        assertFalse(storedAnywhere(append("rest-aegis-basin", "aegis-256")), "aegis-256 leaked the plaintext");
        assertFalse(storedAnywhere(append("rest-gcm-basin1", "aes-256-gcm")), "aes-256-gcm leaked the plaintext");
        assertTrue(storedAnywhere(append("rest-plain-basin", null)), "the control: a plaintext stream stores it in clear");
    }

    /** Appends SECRET (as a header value and a body) and reads it back with the key; returns the basin. */
    private static String append(String basin, String cipher) {
        String config = cipher == null ? "{}" : "{\"stream_cipher\":\"" + cipher + "\"}";
        given().contentType("application/json").body("{\"basin\":\"" + basin + "\",\"config\":" + config + "}").post("/v1/basins")
                .then().statusCode(201);
        given().header("s2-basin", basin).contentType("application/json").body("{\"stream\":\"s\"}").post("/v1/streams")
                .then().statusCode(201);
        given().header("s2-basin", basin).header("s2-encryption-key", KEY).contentType("application/json")
                .body("{\"records\":[{\"headers\":[[\"h\",\"" + SECRET + "\"]],\"body\":\"" + SECRET + "\"}]}")
                .post("/v1/streams/s/records").then().statusCode(200);
        String read = given().header("s2-basin", basin).header("s2-encryption-key", KEY).get("/v1/streams/s/records?seq_num=0")
                .then().statusCode(200).extract().asString();
        assertEquals(2, read.split(SECRET, -1).length - 1, "read back in clear, header and body: " + read);
        return basin;
    }

    /** Whether any stored object of the stream's log holds SECRET's bytes. */
    private boolean storedAnywhere(String basin) {
        byte[] secret = SECRET.getBytes(StandardCharsets.UTF_8);
        boolean found = false;
        Optional<String> next = Optional.of("");
        int objects = 0;
        while (next.isPresent()) {
            ListPage page = store.list("logs/", next.get(), 1000).toCompletableFuture().join();
            for (String key : page.keys()) {
                byte[] body = store.get(key).toCompletableFuture().join().map(o -> o.body()).orElse(new byte[0]);
                found |= contains(body, secret);
                objects++;
            }
            next = page.next();
        }
        assertTrue(objects > 0);
        return found;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
