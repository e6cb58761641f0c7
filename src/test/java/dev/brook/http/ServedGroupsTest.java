package dev.brook.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A build without the control group (as the data functions are built) leaves its beans out. */
@QuarkusTest
@TestProfile(ServedGroupsTest.WithoutControl.class)
class ServedGroupsTest {

    public static class WithoutControl implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("brook.serve.control", "false", "brook.serve.edge", "false");
        }
    }

    @Test
    void theBuildSelectionDecidesWhatIsServed() {
        given().when().get("/health/live").then().statusCode(200)
                .body("checks.find { it.name == 'brook' }.data.serves", equalTo("append,read,tail"))
                .body("checks.find { it.name == 'brook' }.data.function", equalTo("append+read+tail"));
    }
}
