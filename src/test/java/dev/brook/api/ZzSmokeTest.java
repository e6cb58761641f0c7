package dev.brook.api;

import static io.restassured.RestAssured.given;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ZzSmokeTest {
    @Test
    void smoke() {
        print(given().contentType("application/json").header("s2-request-token", "t1").body("{\"basin\":\"smoke-basin-1\"}").post("/v1/basins"));
        print(given().contentType("application/json").header("s2-request-token", "t1").body("{\"basin\":\"smoke-basin-1\"}").post("/v1/basins"));
        print(given().get("/v1/basins"));
        print(given().get("/v1/basins/smoke-basin-1"));
        print(given().header("s2-basin", "smoke-basin-1").contentType("application/json").body("{\"stream\":\"a/b\"}").post("/v1/streams"));
        print(given().header("s2-basin", "smoke-basin-1").get("/v1/streams"));
        print(given().header("s2-basin", "smoke-basin-1").urlEncodingEnabled(false).get("/v1/streams/a%2Fb"));
        print(given().header("s2-basin", "smoke-basin-1").urlEncodingEnabled(false).contentType("application/json")
                .body("{\"records\":[{\"body\":\"hello\",\"headers\":[[\"k\",\"v\"]]},{\"body\":\"world\"}]}").post("/v1/streams/a%2Fb/records"));
        print(given().header("s2-basin", "smoke-basin-1").urlEncodingEnabled(false).get("/v1/streams/a%2Fb/records?seq_num=0"));
        print(given().header("s2-basin", "smoke-basin-1").urlEncodingEnabled(false).get("/v1/streams/a%2Fb/records/tail"));
        print(given().header("s2-basin", "smoke-basin-1").urlEncodingEnabled(false).contentType("application/json")
                .body("{\"records\":[{\"body\":\"x\"}],\"match_seq_num\":0}").post("/v1/streams/a%2Fb/records"));
        print(given().header("s2-basin", "smoke-basin-1").urlEncodingEnabled(false).get("/v1/streams/a%2Fb/records?seq_num=5"));
        print(given().header("s2-basin", "smoke-basin-1").urlEncodingEnabled(false).delete("/v1/streams/a%2Fb"));
        print(given().header("s2-basin", "smoke-basin-1").urlEncodingEnabled(false).get("/v1/streams/a%2Fb/records/tail"));
        print(given().header("s2-basin", "smoke-basin-1").get("/v1/streams"));
        print(given().get("/v1/access-tokens"));
    }

    static void print(io.restassured.response.Response r) {
        System.out.println("SMOKE " + r.statusCode() + " " + r.getHeader("s2-provision-result") + " " + r.getContentType() + " " + r.asString());
    }
}
