package dev.brook.api;

import static dev.brook.api.Conformance.api;
import static dev.brook.api.Conformance.assertAccepted;
import static dev.brook.api.Conformance.assertError;
import static dev.brook.api.Conformance.assertJsonEquals;
import static dev.brook.api.Conformance.basin;
import static dev.brook.api.Conformance.basinConfig;
import static dev.brook.api.Conformance.createBasin;
import static dev.brook.api.Conformance.createStream;
import static dev.brook.api.Conformance.deleteBasin;
import static dev.brook.api.Conformance.deleteStream;
import static dev.brook.api.Conformance.enc;
import static dev.brook.api.Conformance.ensureBasin;
import static dev.brook.api.Conformance.ensureStream;
import static dev.brook.api.Conformance.inBasin;
import static dev.brook.api.Conformance.j;
import static dev.brook.api.Conformance.json;
import static dev.brook.api.Conformance.listBasins;
import static dev.brook.api.Conformance.listStreams;
import static dev.brook.api.Conformance.newBasin;
import static dev.brook.api.Conformance.newStream;
import static dev.brook.api.Conformance.page;
import static dev.brook.api.Conformance.patchBasin;
import static dev.brook.api.Conformance.patchStream;
import static dev.brook.api.Conformance.provisioned;
import static dev.brook.api.Conformance.streamConfig;
import static dev.brook.api.Conformance.withJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Spec §1.8 error rows the control plane (basins and streams) can produce, with §2's validation
 * rules: exact code, status and, where the spec gives one, message. Each failed request is also
 * checked to have had no side effect where that is observable.
 */
@QuarkusTest
@TestProfile(Conformance.LongDeletionGrace.class)
class ControlPlaneErrorsTest {

    private static final String AGE_ZERO = "age must be greater than 0 seconds";

    // ---------------------------------------------------------------- 400 bad_header

    @Test
    void missingBasinHeaderIsBadHeader() {
        // §1.1/§1.8: missing header → 400 bad_header "Missing header `s2-basin`"
        String missing = "Missing header `s2-basin`";
        assertError(api().get("/v1/streams"), 400, "bad_header", missing);
        assertError(withJson(j("{'stream':'s'}")).post("/v1/streams"), 400, "bad_header", missing);
        assertError(api().get("/v1/streams/s"), 400, "bad_header", missing);
        assertError(withJson("{}").put("/v1/streams/s"), 400, "bad_header", missing);
        assertError(withJson("{}").patch("/v1/streams/s"), 400, "bad_header", missing);
        assertError(api().delete("/v1/streams/s"), 400, "bad_header", missing);
    }

    @Test
    void invalidBasinHeaderIsBadHeader() {
        // §1.4: `s2-basin` "validated with basin-name rules (invalid → `400 bad_header`)"
        for (String bad : new String[] {"short", "Upper-Case-Basin", "-leading-hyphen", "trailing-hyphen-", "under_score_basin",
                "x".repeat(49)}) {
            JsonNode e = assertError(inBasin(bad).get("/v1/streams"), 400, "bad_header");
            assertTrue(e.get("message").asText().startsWith("Invalid header `s2-basin`"), () -> bad + ": " + e);
            assertError(inBasin(bad, j("{'stream':'s'}")).post("/v1/streams"), 400, "bad_header");
        }
    }

    @Test
    void requestTokenLongerThan36BytesIsBadHeader() {
        // §1.4/§2: `s2-request-token` "max 36 bytes (longer → `400 bad_header`)"
        String b = basin("e-token");
        String tooLong = "t".repeat(37);
        JsonNode e = assertError(createBasin(b, null, tooLong), 400, "bad_header");
        assertTrue(e.get("message").asText().startsWith("Invalid header `s2-request-token`"), e::toString);
        assertError(basinConfig(b), 404, "basin_not_found"); // no side effect

        provisioned(createBasin(b, null, "t".repeat(36)), 201, "created"); // 36 bytes is fine
        assertError(createStream(b, "s", null, tooLong), 400, "bad_header");
        assertError(streamConfig(b, "s"), 404, "stream_not_found");
        provisioned(createStream(b, "s", null, "t".repeat(36)), 201, "created");
    }

    // ---------------------------------------------------------------- 400 bad_path

    @Test
    void streamNameLongerThan512BytesInPathIsBadPath() {
        // §1.8: "path param fails validation (basin/stream/token id) → 400 bad_path"; §2: stream name 1–512 bytes
        String b = newBasin("e-path", null);
        String tooLong = "s".repeat(513);
        assertError(inBasin(b).get("/v1/streams/" + tooLong), 400, "bad_path");
        assertError(inBasin(b, "{}").put("/v1/streams/" + tooLong), 400, "bad_path");
        assertError(inBasin(b, "{}").patch("/v1/streams/" + tooLong), 400, "bad_path");
        assertError(inBasin(b).delete("/v1/streams/" + tooLong), 400, "bad_path");
        // 512 bytes (here 256 two-byte characters) is a valid name
        String longest = "\u00e9".repeat(256);
        assertError(streamConfig(b, longest), 404, "stream_not_found");
        assertError(inBasin(b).get("/v1/streams/" + enc(longest + "x")), 400, "bad_path");
        assertJsonEquals(j("{'streams':[],'has_more':false}"), json(listStreams(b, ""), 200)); // nothing created
    }

    @Test
    void invalidBasinNameInPathIsBadPath() {
        // §1.8 bad_path; §2 basin name: 8–48 bytes, [a-z0-9-], first and last a lowercase letter or digit
        JsonNode e = assertError(api().get("/v1/basins/short"), 400, "bad_path");
        assertTrue(e.get("message").asText().contains("basin name should be at least 8 bytes in length"), e::toString);
        e = assertError(api().get("/v1/basins/" + "x".repeat(49)), 400, "bad_path");
        assertTrue(e.get("message").asText().contains("basin name must not exceed 48 bytes in length"), e::toString);
        e = assertError(ensureBasin("-leading-hyphen", null), 400, "bad_path");
        assertTrue(e.get("message").asText().contains("basin name must begin with a lowercase letter or number"), e::toString);
        e = assertError(patchBasin("trailing-hyphen-", "{}"), 400, "bad_path");
        assertTrue(e.get("message").asText().contains("must end with a lowercase letter or number"), e::toString);
        e = assertError(deleteBasin("upper-Case-basin"), 400, "bad_path");
        assertTrue(e.get("message").asText().contains("must comprise lowercase letters, numbers, and hyphens"), e::toString);
        assertError(ensureBasin("Upper-Case-Basin", null), 400, "bad_path");
    }

    // ---------------------------------------------------------------- 400 bad_query

    @Test
    void nonNumericLimitIsBadQuery() {
        // §2.1: "Negative / non-numeric → 400 `bad_query`"
        String b = newBasin("e-limit", null);
        assertError(listBasins("limit=abc"), 400, "bad_query");
        assertError(listBasins("limit=1.5"), 400, "bad_query");
        assertError(listStreams(b, "limit=abc"), 400, "bad_query");
    }

    @Test
    void negativeLimitIsBadQuery() {
        // §2.1: "Negative / non-numeric → 400 `bad_query`"
        String b = newBasin("e-neg", null);
        assertError(listBasins("limit=-1"), 400, "bad_query");
        assertError(listStreams(b, "limit=-1"), 400, "bad_query");
    }

    @Test
    void invalidBasinPrefixOrStartAfterIsBadQuery() {
        // §2: basin prefix / start_after "≤48 bytes; may be empty; if non-empty first char [a-z0-9], rest [a-z0-9-]" → 400 bad_query
        assertError(listBasins("prefix=-abc"), 400, "bad_query");
        assertError(listBasins("prefix=ABC"), 400, "bad_query");
        assertError(listBasins("prefix=ab_c"), 400, "bad_query");
        assertError(listBasins("prefix=" + "a".repeat(49)), 400, "bad_query");
        assertError(listBasins("start_after=Bad"), 400, "bad_query");
        assertError(listBasins("start_after=-x"), 400, "bad_query");
        // a trailing hyphen and an empty value are fine
        json(listBasins("prefix=abc-"), 200);
        json(listBasins("prefix=&start_after="), 200);
    }

    @Test
    void streamPrefixOrStartAfterLongerThan512BytesIsBadQuery() {
        // §2: stream prefix / start_after "≤512 bytes (may be empty, `.`/`..` allowed)" → 400 bad_query
        String b = newBasin("e-spfx", null);
        assertError(listStreams(b, "prefix=" + "p".repeat(513)), 400, "bad_query");
        assertError(listStreams(b, "start_after=" + "p".repeat(513)), 400, "bad_query");
        json(listStreams(b, "prefix=" + "p".repeat(512) + "&start_after=.."), 200);
    }

    @Test
    void limitZeroAndAboveMaximumAreTreatedAs1000() {
        // §2.1: "`limit=0` or `limit>1000` → silently treated as 1000 (not an error)"
        String b = newBasin("e-limit1000", null);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            names.add(String.format("s%04d", i));
        }
        for (String s : names) {
            newStream(b, s, null);
        }
        for (String q : new String[] {"limit=0", "limit=1001", "limit=1500", ""}) {
            List<String> listed = page(json(listStreams(b, q), 200), "streams", true);
            assertEquals(names.subList(0, 1000), listed, q);
        }
        assertEquals(List.of("s1000"), page(json(listStreams(b, "limit=0&start_after=s0999"), 200), "streams", false));
        // basins: limit 0 and 5000 are not errors and do not cut a short listing
        String p = Conformance.basinPrefix("e-lim");
        provisioned(createBasin(p + "a", null, null), 201, "created");
        provisioned(createBasin(p + "b", null, null), 201, "created");
        assertEquals(List.of(p + "a", p + "b"), page(json(listBasins("prefix=" + p + "&limit=0"), 200), "basins", false));
        assertEquals(List.of(p + "a", p + "b"), page(json(listBasins("prefix=" + p + "&limit=5000"), 200), "basins", false));
    }

    // ---------------------------------------------------------------- 400 bad_json

    @Test
    void jsonSyntaxErrorIsBadJson() {
        // §1.8: "JSON syntax error ... → 400 bad_json (message is the parser message)"
        String b = basin("e-syntax");
        assertError(withJson("{\"basin\":").post("/v1/basins"), 400, "bad_json");
        assertError(withJson("{\"basin\":\"" + b + "\"").post("/v1/basins"), 400, "bad_json");
        assertError(withJson("").post("/v1/basins"), 400, "bad_json");
        assertError(basinConfig(b), 404, "basin_not_found");
        assertError(withJson("{\"config\":").put("/v1/basins/" + b), 400, "bad_json");
        assertError(basinConfig(b), 404, "basin_not_found");

        String existing = newBasin("e-syntax", null);
        assertError(withJson("{").patch("/v1/basins/" + existing), 400, "bad_json");
        assertError(inBasin(existing, "{\"stream\":").post("/v1/streams"), 400, "bad_json");
        newStream(existing, "s", null);
        assertError(inBasin(existing, "{\"storage_class\":").put("/v1/streams/s"), 400, "bad_json");
        assertError(inBasin(existing, "not json").patch("/v1/streams/s"), 400, "bad_json");
    }

    @Test
    void wrongJsonTypesAreBadJson() {
        // §1.8: "wrong types ... → 400 bad_json"
        String b = basin("e-types");
        assertError(withJson(j("{'basin':42}")).post("/v1/basins"), 400, "bad_json");
        assertError(withJson("[]").post("/v1/basins"), 400, "bad_json");
        assertError(createBasin(b, j("{'create_stream_on_append':'yes'}"), null), 400, "bad_json");
        assertError(createBasin(b, j("{'default_stream_config':{'storage_class':5}}"), null), 400, "bad_json");
        assertError(createBasin(b, j("{'default_stream_config':{'storage_class':'turbo'}}"), null), 400, "bad_json");
        assertError(createBasin(b, j("{'stream_cipher':'rot13'}"), null), 400, "bad_json");
        assertError(createBasin(b, j("{'default_stream_config':{'retention_policy':'forever'}}"), null), 400, "bad_json");
        assertError(basinConfig(b), 404, "basin_not_found");

        String existing = newBasin("e-types", null);
        // §3.1 PATCH: create_stream_on_append "must be a boolean (null rejected by Lite)"
        assertError(patchBasin(existing, j("{'create_stream_on_append':null}")), 400, "bad_json");
        assertError(patchBasin(existing, j("{'create_stream_on_read':'true'}")), 400, "bad_json");
        assertError(createStream(existing, "s", j("{'timestamping':{'mode':'sometimes'}}"), null), 400, "bad_json");
        assertError(createStream(existing, "s", j("{'delete_on_empty':{'min_age_secs':-1}}"), null), 400, "bad_json");
        assertError(inBasin(existing, j("{'stream':['s']}")).post("/v1/streams"), 400, "bad_json");
        assertError(streamConfig(existing, "s"), 404, "stream_not_found");
        newStream(existing, "s", null);
        assertError(patchStream(existing, "s", j("{'timestamping':{'uncapped':'yes'}}")), 400, "bad_json");
        assertError(ensureStream(existing, "s", j("{'storage_class':true}")), 400, "bad_json");
        assertJsonEquals(j("{'default_stream_config':null,'stream_cipher':null,'create_stream_on_append':false,"
                + "'create_stream_on_read':false}"), json(basinConfig(existing), 200));
    }

    @Test
    void invalidBasinNameInJsonIsBadJson() {
        // §1.8: "invalid names inside JSON → 400 bad_json"
        for (String bad : new String[] {"short", "Upper-Case-Basin", "-leading-hyphen", "trailing-hyphen-", "x".repeat(49)}) {
            assertError(createBasin(bad, null, null), 400, "bad_json");
        }
        JsonNode e = assertError(createBasin("short", null, null), 400, "bad_json");
        assertTrue(e.get("message").asText().contains("basin name should be at least 8 bytes in length"), e::toString);
    }

    @Test
    void invalidStreamNameInJsonIsBadJson() {
        // §1.8: "invalid names inside JSON → 400 bad_json"; §2 stream name: 1–512 bytes, not `.` or `..`
        String b = newBasin("e-sname", null);
        JsonNode e = assertError(createStream(b, "", null, null), 400, "bad_json");
        assertTrue(e.get("message").asText().contains("stream name must not be empty"), e::toString);
        e = assertError(createStream(b, ".", null, null), 400, "bad_json");
        assertTrue(e.get("message").asText().contains("stream name must not be \".\" or \"..\""), e::toString);
        assertError(createStream(b, "..", null, null), 400, "bad_json");
        assertError(createStream(b, "s".repeat(513), null, null), 400, "bad_json");
        assertJsonEquals(j("{'streams':[],'has_more':false}"), json(listStreams(b, ""), 200));
    }

    @Test
    void missingBasinFieldIsBadJson() {
        // §1.8 bad_json: POST /basins without the required `basin`
        assertError(withJson("{}").post("/v1/basins"), 400, "bad_json");
        assertError(withJson(j("{'config':null}")).post("/v1/basins"), 400, "bad_json");
        assertError(withJson(j("{'basin':null}")).post("/v1/basins"), 400, "bad_json");
    }

    @Test
    void missingStreamFieldIsBadJson() {
        // §1.8 bad_json: POST /streams without the required `stream`
        String b = newBasin("e-nostream", null);
        assertError(inBasin(b, "{}").post("/v1/streams"), 400, "bad_json");
        assertError(inBasin(b, j("{'config':{}}")).post("/v1/streams"), 400, "bad_json");
        assertJsonEquals(j("{'streams':[],'has_more':false}"), json(listStreams(b, ""), 200));
    }

    @Test
    void nonJsonContentTypeIsBadJson() {
        // §1.8: "missing JSON content-type → 400 bad_json"; §1.5: "Expected request with `Content-Type: application/json`"
        String b = basin("e-ctype");
        String expected = "Expected request with `Content-Type: application/json`";
        assertError(api().contentType("text/plain").body("{\"basin\":\"" + b + "\"}").post("/v1/basins"), 400, "bad_json", expected);
        assertError(basinConfig(b), 404, "basin_not_found");
        assertError(api().contentType("text/plain").body("{}").put("/v1/basins/" + b), 400, "bad_json", expected);
        assertError(basinConfig(b), 404, "basin_not_found");
        String existing = newBasin("e-ctype", null);
        assertError(api().contentType("text/plain").body(j("{'create_stream_on_read':true}")).patch("/v1/basins/" + existing), 400,
                "bad_json", expected);
        assertError(inBasin(existing).contentType("text/plain").body(j("{'stream':'s'}")).post("/v1/streams"), 400, "bad_json", expected);
        assertError(streamConfig(existing, "s"), 404, "stream_not_found");
    }

    @Test
    void literalNullBodyOnEnsureBasinIsBadJson() {
        // §3.1 PUT: "Lite rejects a literal `null` document as bad JSON [inferred from code]"
        String b = basin("e-nullput");
        assertError(withJson("null").put("/v1/basins/" + b), 400, "bad_json");
        assertError(basinConfig(b), 404, "basin_not_found");
    }

    // ---------------------------------------------------------------- 422 invalid

    @Test
    void retentionAgeZeroOnCreateStreamIsInvalid() {
        // §4.1: "`retention_policy.age == 0` → `422 invalid` ("age must be greater than 0 seconds")"; §3.2 create: invalid config → 422
        String b = newBasin("e-age0s", null);
        assertError(createStream(b, "s", j("{'retention_policy':{'age':0}}"), null), 422, "invalid", AGE_ZERO);
        assertError(streamConfig(b, "s"), 404, "stream_not_found");
        assertError(ensureStream(b, "s", j("{'retention_policy':{'age':0}}")), 422, "invalid", AGE_ZERO);
        assertError(streamConfig(b, "s"), 404, "stream_not_found");
    }

    @Test
    void retentionAgeZeroInBasinDefaultIsInvalid() {
        // §3.1 create: "Config invalid (e.g. retention age 0) → `422 invalid` ("age must be greater than 0 seconds")"; ensure: "Invalid config → `422`"
        String b = basin("e-age0b");
        String config = j("{'default_stream_config':{'retention_policy':{'age':0}}}");
        assertError(createBasin(b, config, null), 422, "invalid", AGE_ZERO);
        assertError(basinConfig(b), 404, "basin_not_found");
        assertError(ensureBasin(b, "{\"config\":" + config + "}"), 422, "invalid", AGE_ZERO);
        assertError(basinConfig(b), 404, "basin_not_found");
    }

    @Test
    void retentionAgeZeroOnPatchIsInvalid() {
        // §3.2 PATCH: "invalid (age 0) → 422"; §4.4 applies the same rules to a basin's default_stream_config
        String b = newBasin("e-age0p", j("{'default_stream_config':{'retention_policy':{'age':3600}}}"));
        assertError(patchBasin(b, j("{'default_stream_config':{'retention_policy':{'age':0}}}")), 422, "invalid", AGE_ZERO);
        assertEquals(3600, json(basinConfig(b), 200).at("/default_stream_config/retention_policy/age").asInt());

        newStream(b, "s", null);
        assertError(patchStream(b, "s", j("{'retention_policy':{'age':0}}")), 422, "invalid", AGE_ZERO);
        assertEquals(3600, json(streamConfig(b, "s"), 200).at("/retention_policy/age").asInt());
    }

    // ---------------------------------------------------------------- 404

    @Test
    void unknownBasinIsBasinNotFoundOnBasinRoutes() {
        // §3.1: GET/PATCH/DELETE of an unknown basin → 404 basin_not_found ("basin `x` not found")
        String b = basin("e-nobasin");
        String message = "basin `" + b + "` not found";
        assertError(basinConfig(b), 404, "basin_not_found", message);
        assertError(patchBasin(b, j("{'create_stream_on_read':true}")), 404, "basin_not_found", message);
        assertError(deleteBasin(b), 404, "basin_not_found", message);
        assertError(basinConfig(b), 404, "basin_not_found", message); // PATCH did not create it
    }

    @Test
    void streamWritesInUnknownBasinAreBasinNotFound() {
        // §3.2: create/ensure/reconfigure stream: "Basin missing → `404 basin_not_found`"
        String b = basin("e-nobasin");
        String message = "basin `" + b + "` not found";
        assertError(createStream(b, "s", null, null), 404, "basin_not_found", message);
        assertError(ensureStream(b, "s", null), 404, "basin_not_found", message);
        assertError(patchStream(b, "s", "{}"), 404, "basin_not_found", message);
        assertError(basinConfig(b), 404, "basin_not_found", message);
    }

    @Test
    void getStreamInUnknownBasinIsStreamNotFound() {
        // §3.2 GET: "Missing → `404 stream_not_found` (also when the basin doesn't exist)"
        String b = basin("e-nobasin");
        assertError(streamConfig(b, "s"), 404, "stream_not_found", "stream `s` in basin `" + b + "` not found");
    }

    @Test
    void listStreamsInUnknownBasinIsEmpty() {
        // §2.1: "Lite `GET /streams` for a basin that does not exist returns `200` with an empty list"
        assertJsonEquals(j("{'streams':[],'has_more':false}"), json(listStreams(basin("e-nobasin"), ""), 200));
    }

    @Test
    void unknownStreamIsStreamNotFound() {
        // §1.8 example: {"code": "stream_not_found", "message": "stream `s` in basin `b` not found"}
        String b = newBasin("e-nostream", null);
        String s = "no/such stream";
        String message = "stream `" + s + "` in basin `" + b + "` not found";
        assertError(streamConfig(b, s), 404, "stream_not_found", message);
        assertError(patchStream(b, s, j("{'storage_class':'standard'}")), 404, "stream_not_found", message);
        assertError(deleteStream(b, s), 404, "stream_not_found", message);
        assertError(streamConfig(b, s), 404, "stream_not_found", message);
    }

    // ---------------------------------------------------------------- 409

    @Test
    void existingBasinOrStreamIsResourceAlreadyExists() {
        // §3.1: "409 resource_already_exists ("basin `x` already exists")"; §3.2: "("stream `s` in basin `b` already exists")"
        String b = newBasin("e-exists", null);
        assertError(createBasin(b, null, null), 409, "resource_already_exists", "basin `" + b + "` already exists");
        newStream(b, "a/b", null);
        assertError(createStream(b, "a/b", null, null), 409, "resource_already_exists", "stream `a/b` in basin `" + b + "` already exists");
    }

    @Test
    void operationsOnDeletingBasinAreBasinDeletionPending() {
        // §3.1 DELETE: "While pending: create/ensure/reconfigure basin and create stream → `409 basin_deletion_pending`"; §3.2 ensure/PATCH: "deletion pending → 409"
        String b = newBasin("e-basindel", null);
        newStream(b, "s", null);
        assertAccepted(deleteBasin(b));
        String message = "basin `" + b + "` is being deleted";
        assertError(createBasin(b, null, null), 409, "basin_deletion_pending", message);
        assertError(ensureBasin(b, null), 409, "basin_deletion_pending", message);
        assertError(patchBasin(b, j("{'create_stream_on_read':true}")), 409, "basin_deletion_pending", message);
        assertError(createStream(b, "t", null, null), 409, "basin_deletion_pending", message);
        assertError(ensureStream(b, "t", null), 409, "basin_deletion_pending", message);
        assertError(patchStream(b, "s", j("{'storage_class':'standard'}")), 409, "basin_deletion_pending", message);
    }

    @Test
    void operationsOnDeletingStreamAreStreamDeletionPending() {
        // §3.2: "Stream deletion pending → `409 stream_deletion_pending`" on create, GET, ensure and PATCH
        String b = newBasin("e-streamdel", null);
        String s = "a/b";
        newStream(b, s, null);
        assertAccepted(deleteStream(b, s));
        String message = "stream `" + s + "` in basin `" + b + "` is being deleted";
        assertError(createStream(b, s, null, null), 409, "stream_deletion_pending", message);
        assertError(streamConfig(b, s), 409, "stream_deletion_pending", message);
        assertError(ensureStream(b, s, null), 409, "stream_deletion_pending", message);
        assertError(patchStream(b, s, j("{'storage_class':'standard'}")), 409, "stream_deletion_pending", message);
    }
}
