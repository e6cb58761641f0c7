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
                .body(containsString("# TYPE brook_http_body_buffered_bytes gauge"))
                .body(containsString("# TYPE brook_commit_cache_bytes gauge"))
                .body(containsString("brook_commit_reads_total{source=\"store\"}"))
                .body(containsString("brook_commit_reads_total{source=\"shared-fetch\"}"))
                .body(containsString("brook_commit_reads_total{source=\"memory\"}"));
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
    void aWrongMethodIsA405InS2FormatAndNothingIsServedImplicitly() {
        given().when().delete("/v1/basins").then().statusCode(405)
                .contentType("application/json")
                .body("code", equalTo("method_not_allowed"));
        given().when().head("/v1/basins").then().statusCode(405);
        given().when().options("/v1/basins").then().statusCode(405);
    }

    @Test
    void malformedJsonIsBadJson() {
        given().contentType("application/json").body("{\"basin\": ").when().post("/v1/basins").then()
                .statusCode(400)
                .contentType("application/json")
                .body("code", equalTo("bad_json"));
        given().contentType("application/json").body("{\"basin\": \"metrics-test-basin\", \"config\": {\"create_stream_on_append\": 7}}")
                .when().post("/v1/basins").then()
                .statusCode(400)
                .body("code", equalTo("bad_json"));
    }

    /** Labels are route templates: a stream's name, or whatever a refused path carries, never reaches /metrics. */
    @Test
    void requestMetricsAreLabelledByRouteTemplateNeverByRawPath() {
        given().header("s2-basin", "metrics-nowhere").when().get("/v1/streams/secret-stream-name/records/tail").then().statusCode(404);
        given().urlEncodingEnabled(false).when().get("/v1;secret-refused-path/basins").then().statusCode(400)
                .body("code", equalTo("bad_path"));
        given().when().get("/v1/secret-unknown-route").then().statusCode(404);
        String metrics = given().when().get("/metrics").then().statusCode(200).extract().asString();
        org.junit.jupiter.api.Assertions.assertTrue(metrics.contains("uri=\"/v1/streams/{stream}/records/tail\""), metrics);
        org.junit.jupiter.api.Assertions.assertTrue(metrics.contains("uri=\"UNMATCHED\""), metrics);
        for (String secret : new String[]{"secret-stream-name", "secret-refused-path", "secret-unknown-route"}) {
            org.junit.jupiter.api.Assertions.assertFalse(metrics.contains(secret), secret + " leaked into /metrics");
        }
    }
}
