package dev.brook.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** SSE read sessions (spec §7.4-§7.5), read event by event as a client would. */
@QuarkusTest
class SseSessionTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static int basins;

    @TestHTTPResource("/")
    URI root;

    record Event(String event, String id, String data) {}

    private String basinWithStream() {
        String basin = "sse-session-" + (++basins) + "-" + System.nanoTime() % 100000;
        given().contentType("application/json").body("{\"basin\":\"" + basin + "\"}").post("/v1/basins").then().statusCode(201);
        given().header("s2-basin", basin).contentType("application/json").body("{\"stream\":\"s\"}").post("/v1/streams").then().statusCode(201);
        return basin;
    }

    private static void append(String basin, String... bodies) {
        StringBuilder records = new StringBuilder();
        for (String b : bodies) {
            records.append(records.length() == 0 ? "" : ",").append("{\"body\":\"").append(b).append("\"}");
        }
        given().header("s2-basin", basin).contentType("application/json").body("{\"records\":[" + records + "]}")
                .post("/v1/streams/s/records").then().statusCode(200);
    }

    private HttpResponse<Stream<String>> open(String basin, String query, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(root.resolve("v1/streams/s/records?" + query))
                .header("accept", "text/event-stream").header("s2-basin", basin);
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofLines());
    }

    /** Parses events until {@code stop} says enough (or the stream ends). */
    private static List<Event> events(Iterator<String> lines, java.util.function.Predicate<List<Event>> stop) {
        List<Event> events = new ArrayList<>();
        String event = null;
        String id = null;
        StringBuilder data = new StringBuilder();
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.isEmpty()) {
                events.add(new Event(event, id, data.toString()));
                event = null;
                id = null;
                data.setLength(0);
                if (stop.test(events)) {
                    break;
                }
            } else if (line.startsWith("event: ")) {
                event = line.substring(7);
            } else if (line.startsWith("id: ")) {
                id = line.substring(4);
            } else if (line.startsWith("data: ")) {
                data.append(line.substring(6));
            }
        }
        return events;
    }

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void aBoundedSessionCatchesUpAndEndsWithDone() throws Exception {
        String basin = basinWithStream();
        append(basin, "a", "b", "c", "d", "e");
        HttpResponse<Stream<String>> r = open(basin, "seq_num=0&count=3");
        assertEquals(200, r.statusCode());
        assertEquals("text/event-stream", r.headers().firstValue("content-type").orElse(""));
        assertEquals("no-cache, no-transform", r.headers().firstValue("cache-control").orElse(""));
        List<Event> events = events(r.body().iterator(), e -> false);
        assertEquals(2, events.size(), events.toString());
        assertEquals("batch", events.get(0).event());
        JsonNode batch = json(events.get(0).data());
        assertEquals(3, batch.get("records").size());
        assertTrue(batch.get("tail") == null, "catch-up batches carry no tail");
        long bytes = 3 * (8 + 1);
        assertEquals("2,3," + bytes, events.get(0).id(), "id = last seq, count, metered bytes delivered");
        assertEquals(null, events.get(1).event());
        assertEquals("[DONE]", events.get(1).data());
    }

    @Test
    // As Lite answers `seq_num=0&wait=0` with exactly one frame (spec §12 H): wait=0 leaves no time to follow.
    void anUnboundedSessionWithWaitZeroEndsAtTheTailWithoutFollowing() throws Exception {
        String basin = basinWithStream();
        List<Event> events = events(open(basin, "tail_offset=0&wait=0").body().iterator(), e -> false);
        assertEquals(1, events.size(), events.toString());
        assertEquals("[DONE]", events.get(0).data());
    }

    @Test
    void aFollowingSessionPingsOnReachingTheTailThenDeliversLiveBatchesWithTheTail() throws Exception {
        String basin = basinWithStream();
        append(basin, "stored");
        HttpResponse<Stream<String>> r = open(basin, "seq_num=0&count=2&wait=60");
        Iterator<String> lines = r.body().iterator();
        List<Event> first = events(lines, e -> e.stream().anyMatch(x -> "ping".equals(x.event())));
        assertEquals("batch", first.get(0).event(), "catch-up first");
        assertEquals("ping", first.get(first.size() - 1).event(), "then a ping on reaching the tail");
        append(basin, "live");
        List<Event> rest = events(lines, e -> false);
        Event live = rest.stream().filter(e -> "batch".equals(e.event())).findFirst().orElseThrow();
        JsonNode batch = json(live.data());
        assertEquals("live", batch.get("records").get(0).get("body").asText());
        assertEquals(2, batch.get("tail").get("seq_num").asLong(), "live batches carry the tail");
        assertEquals("[DONE]", rest.get(rest.size() - 1).data(), "count 2 reached: the session ends itself");
    }

    @Test
    void lastEventIdResumesAfterWhatWasDeliveredAndTakesItOffTheBounds() throws Exception {
        String basin = basinWithStream();
        append(basin, "a", "b", "c", "d", "e");
        List<Event> events = events(open(basin, "seq_num=0&count=4", "last-event-id", "1,2,18").body().iterator(), e -> false);
        JsonNode batch = json(events.get(0).data());
        assertEquals(2, batch.get("records").size(), "4 - 2 already delivered");
        assertEquals(2, batch.get("records").get(0).get("seq_num").asLong(), "resumed after seq 1");
        assertEquals("3,4,36", events.get(0).id(), "counters continue from the last event id");
    }

    @Test
    void preFlightErrorsAreOrdinaryJsonResponses() throws Exception {
        String basin = basinWithStream();
        append(basin, "only");
        HttpResponse<Stream<String>> beyond = open(basin, "seq_num=10");
        assertEquals(416, beyond.statusCode());
        assertEquals(1, json(String.join("", beyond.body().toList())).get("tail").get("seq_num").asLong());
        HttpResponse<Stream<String>> badId = open(basin, "seq_num=0", "last-event-id", "not-an-id");
        assertEquals(400, badId.statusCode());
        assertEquals("bad_header", json(String.join("", badId.body().toList())).get("code").asText());
        HttpResponse<Stream<String>> missing = HttpClient.newHttpClient().send(HttpRequest.newBuilder(root.resolve("v1/streams/none/records"))
                .header("accept", "text/event-stream").header("s2-basin", basin).build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(404, missing.statusCode());
        assertEquals("stream_not_found", json(String.join("", missing.body().toList())).get("code").asText());
    }
}
