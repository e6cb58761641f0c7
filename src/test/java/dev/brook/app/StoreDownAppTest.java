package dev.brook.app;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.brook.testing.S3ProxyProcess;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ready only when the store answers: an S3 endpoint nobody listens on keeps the server live but not ready. */
@QuarkusTest
@TestProfile(StoreDownAppTest.Unreachable.class)
class StoreDownAppTest {

    public static class Unreachable implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                return Map.of("brook.store", "s3://unreachable/p",
                        "AWS_ENDPOINT_URL_S3", "http://127.0.0.1:" + S3ProxyProcess.freePort(),
                        "AWS_ACCESS_KEY_ID", "k", "AWS_SECRET_ACCESS_KEY", "s", "AWS_REGION", "us-east-1");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void liveButNotReady() {
        given().when().get("/health/live").then().statusCode(200);
        given().when().get("/health/ready").then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'store' }.data.problem", containsString("Connection refused"));
    }
}
