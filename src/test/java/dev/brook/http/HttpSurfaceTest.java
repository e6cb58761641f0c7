package dev.brook.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The server as a client sees it before any API exists: health, metrics, and errors in S2's format. */
@QuarkusTest
class HttpSurfaceTest {

    @Test
    void healthIsUpWithTheFunctionAndTheStore() {
        given().when().get("/health").then().statusCode(200)
                .contentType("application/json")
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'brook' }.data.function", equalTo("all"))
                .body("checks.find { it.name == 'brook' }.data.serves", equalTo("control,append,read,tail,edge"))
                .body("checks.find { it.name == 'store' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'store' }.data.store", equalTo("memory:"));
        given().when().get("/health/ready").then().statusCode(200);
        given().when().get("/health/live").then().statusCode(200);
    }

    @Test
    void metricsArePrometheusTextAndCountStoreRequests() {
        given().when().get("/health/ready").then().statusCode(200);
        given().when().get("/metrics").then().statusCode(200)
                .body(containsString("# TYPE brook_store_requests_seconds summary"))
                .body(containsString("brook_store_requests_seconds_count{operation=\"head\",outcome=\"absent\"}"))
                .body(containsString("# TYPE brook_sessions_open gauge"))
                .body(containsString("# TYPE brook_append_inflight_bytes gauge"))
                .body(containsString("# TYPE brook_http_body_buffered_bytes gauge"));
    }

    @Test
    void anUnknownRouteIsA404InS2Format() {
        given().when().get("/v1/nothing/here").then().statusCode(404)
                .contentType("application/json")
                .body("code", equalTo("not_found"))
                .body("message", equalTo("no route for GET /v1/nothing/here"));
        given().when().put("/").then().statusCode(404).body("code", equalTo("not_found"));
    }

    @Test
    void aWrongMethodIsA405InS2Format() {
        given().when().delete("/test-only/errors/none").then().statusCode(405)
                .contentType("application/json")
                .body("code", equalTo("method_not_allowed"));
    }

    @Test
    void applicationErrorsKeepTheirCodeStatusAndMessage() {
        given().when().get("/test-only/errors/api").then().statusCode(404)
                .contentType("application/json")
                .body("code", equalTo("stream_not_found"))
                .body("message", equalTo("stream `s` in basin `b` not found"));
    }

    @Test
    void storageFailuresSayRetryableOrNotWithoutLeakingDetails() {
        given().when().get("/test-only/errors/store-transient").then().statusCode(503)
                .body("code", equalTo("unavailable"))
                .body("message", not(containsString("secret-bucket")));
        given().when().get("/test-only/errors/store-corrupt").then().statusCode(500)
                .body("code", equalTo("storage"));
    }

    @Test
    void unexpectedFailuresAreOtherWithAnIncidentReferenceAndNoInternals() {
        given().when().get("/test-only/errors/bug").then().statusCode(500)
                .contentType("application/json")
                .body("code", equalTo("other"))
                .body("message", containsString("incident"))
                .body("message", not(containsString("IllegalStateException")))
                .body("message", not(containsString("internals")));
    }

    @Test
    void malformedJsonIsBadJson() {
        given().contentType("application/json").body("{\"a\": ").when().post("/test-only/errors/json").then()
                .statusCode(400)
                .contentType("application/json")
                .body("code", equalTo("bad_json"));
        given().contentType("application/json").body("{\"a\": \"not a number\"}").when().post("/test-only/errors/json").then()
                .statusCode(400)
                .body("code", equalTo("bad_json"));
    }
}
