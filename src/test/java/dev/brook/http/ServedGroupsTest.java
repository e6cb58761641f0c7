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

    /** A request for a function this build is not answers S2's 404, before authentication or anything else. */
    @Test
    void anotherFunctionsRequestIsA404InS2Format() {
        given().when().get("/v1/basins").then().statusCode(404)
                .body("code", equalTo("not_found"))
                .body("message", equalTo("this server is the `append+read+tail` function; GET /v1/basins (unary) is served by the "
                        + "`control` function"));
        given().header("s2-basin", "some-basin").header("accept", "text/event-stream").when().get("/v1/streams/s/records")
                .then().statusCode(404).body("code", equalTo("not_found"));
        given().header("s2-basin", "some-basin").when().get("/v1/streams/s/records?wait=5")
                .then().statusCode(404).body("message", org.hamcrest.Matchers.endsWith("is served by the `edge` function"));
    }
}
