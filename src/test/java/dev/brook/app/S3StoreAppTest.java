package dev.brook.app;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.brook.store.ObjectStore;
import dev.brook.store.PutOutcome;
import dev.brook.store.StoreCheck;
import dev.brook.testing.S3ProxyResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The application wired to S3 from BROOK_STORE and the AWS variables, against S3Proxy. */
@QuarkusTest
@TestProfile(S3StoreAppTest.OnS3.class)
class S3StoreAppTest {

    public static class OnS3 implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(S3ProxyResource.class));
        }
    }

    @Inject
    ObjectStore store;

    @Test
    void theStoreIsS3AndPassesTheStartupCheck() {
        StoreCheck.verify(store);
        StoreCheck.verify(store); // a second start finds the marker and passes again
        assertEquals(PutOutcome.ALREADY_EXISTS, store.putIfAbsent(StoreCheck.MARKER_KEY, new byte[]{1}, Map.of())
                .toCompletableFuture().join());
        given().when().get("/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'store' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'store' }.data.store", startsWith("s3://brook-app-"));
    }
}
