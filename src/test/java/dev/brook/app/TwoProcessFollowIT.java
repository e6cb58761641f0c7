package dev.brook.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brook.testing.S3ProxyProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Following across instances (issue 5, docs/ARCHITECTURE.md, functions): two Brook processes on the same S3Proxy
 * bucket share nothing but the store. A follower (SSE read session) on process B receives every
 * record appended through process A, in order, none missing, although B's own commits never wake
 * it: only its bounded polling of the chain can.
 */
class TwoProcessFollowIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final int RECORDS = 200;

    @Test
    void aFollowerOnOneProcessReceivesEveryRecordAppendedThroughAnother() throws Exception {
        S3ProxyProcess s3 = S3ProxyProcess.shared();
        String bucket = "brook-two-process";
        s3.createBucket(bucket);
        try (PackagedBrook a = PackagedBrook.onS3(s3, bucket, "shared"); PackagedBrook b = PackagedBrook.onS3(s3, bucket, "shared")) {
            String basin = "two-process-follow";
            assertEquals(201, send(a, "POST", "/v1/basins", null, "{\"basin\":\"" + basin + "\"}").statusCode());
            assertEquals(201, send(a, "POST", "/v1/streams", basin, "{\"stream\":\"s\"}").statusCode());

            // The follower on B, opened before anything is appended, bounded by the count it must see.
            HttpRequest follow = HttpRequest.newBuilder(URI.create(b.endpoint() + "/v1/streams/s/records?seq_num=0&wait=60&count=" + RECORDS))
                    .header("accept", "text/event-stream").header("s2-basin", basin).build();
            HttpResponse<Stream<String>> session = HTTP.send(follow, HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, session.statusCode());
            CompletableFuture<List<JsonNode>> received = CompletableFuture.supplyAsync(() -> records(session.body().iterator()));

            // Appends through A in batches of seeded sizes (1-9 records).
            Random random = new Random(5);
            int sent = 0;
            while (sent < RECORDS) {
                int n = Math.min(RECORDS - sent, 1 + random.nextInt(9));
                StringBuilder batch = new StringBuilder("{\"records\":[");
                for (int i = 0; i < n; i++) {
                    batch.append(i == 0 ? "" : ",").append("{\"body\":\"r").append(sent + i).append("\"}");
                }
                HttpResponse<String> ack = send(a, "POST", "/v1/streams/s/records", basin, batch.append("]}").toString());
                assertEquals(200, ack.statusCode(), ack.body());
                assertEquals(sent, JSON.readTree(ack.body()).get("start").get("seq_num").asLong());
                sent += n;
            }

            List<JsonNode> records = received.get(120, TimeUnit.SECONDS);
            assertEquals(RECORDS, records.size(), "every record, none missing");
            for (int i = 0; i < RECORDS; i++) {
                assertEquals(i, records.get(i).get("seq_num").asLong(), "in order");
                assertEquals("r" + i, records.get(i).get("body").asText());
            }
        }
    }

    /** The records of every {@code batch} event until the server ends the session. */
    private static List<JsonNode> records(Iterator<String> lines) {
        List<JsonNode> out = new ArrayList<>();
        String event = null;
        try {
            while (lines.hasNext()) {
                String line = lines.next();
                if (line.isEmpty()) {
                    event = null; // the end of an event
                } else if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ") && "batch".equals(event)) {
                    JSON.readTree(line.substring(6)).get("records").forEach(out::add);
                } else if (line.startsWith("data: ") && "error".equals(event)) {
                    throw new AssertionError("the session failed: " + line);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    private static HttpResponse<String> send(PackagedBrook brook, String method, String path, String basin, String json) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(brook.endpoint() + path)).timeout(Duration.ofSeconds(60))
                .header("content-type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (basin != null) {
            r.header("s2-basin", basin);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }
}
