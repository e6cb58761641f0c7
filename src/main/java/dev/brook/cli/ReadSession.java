package dev.brook.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brook.core.Header;
import dev.brook.core.SequencedRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A read session over SSE (spec §7.4; docs/CLI.md, "Reading"): batches in order until a bound is
 * reached, the stream is caught up (when bounded), or forever (following). A connection that drops,
 * goes silent past {@link #SILENCE_MS} (the server pings every 5-15 s), or ends with a retryable error
 * is opened again from the record after the last one delivered, its count and bytes bounds reduced by
 * what was delivered; {@link #ATTEMPTS} consecutive failures end it. Records are carried base64 so
 * bytes arrive as written.
 */
final class ReadSession {

    static final int ATTEMPTS = 10;
    static final long SILENCE_MS = 20_000;
    static final long BACKOFF_MAX_MS = 5_000;

    /** Where to start and where to stop; absent fields are absent from the request. */
    static final class Params {
        OptionalLong seqNum = OptionalLong.empty();
        OptionalLong timestamp = OptionalLong.empty();
        OptionalLong tailOffset = OptionalLong.empty();
        OptionalLong count = OptionalLong.empty();
        OptionalLong bytes = OptionalLong.empty();
        OptionalLong until = OptionalLong.empty();
        boolean clamp;

        boolean bounded() {
            return count.isPresent() || bytes.isPresent() || until.isPresent();
        }
    }

    /** Thrown by a {@link Sink} to end the session early, normally. */
    static final class Stop extends RuntimeException {
        Stop() {
            super(null, null, false, false);
        }
    }

    /** One batch: its records and, for live batches, the tail after it. */
    interface Sink {
        void batch(List<SequencedRecord> records, Optional<long[]> tail) throws IOException;
    }

    private final HttpApi api;
    private final Uri.Parsed uri;
    private final Optional<String> encryptionKey;
    private final String op;

    ReadSession(HttpApi api, Uri.Parsed uri, Optional<String> encryptionKey, String op) {
        this.api = api;
        this.uri = uri;
        this.encryptionKey = encryptionKey;
        this.op = op;
    }

    /** Runs the session to its end; throws {@link CliException} on an error it cannot resume from. */
    void run(Params params, Sink sink) throws IOException {
        Params p = params;
        long delivered = 0;
        long deliveredBytes = 0;
        OptionalLong lastSeq = OptionalLong.empty();
        int failures = 0;
        String lastError = "";
        {
            while (true) {
                if (failures > 0) {
                    if (failures >= ATTEMPTS) {
                        throw CliException.op(op, lastError + " (gave up after " + ATTEMPTS + " attempts)");
                    }
                    sleep(Math.min(BACKOFF_MAX_MS, 100L << Math.min(failures - 1, 10)));
                }
                Map<String, String> query = new LinkedHashMap<>();
                if (lastSeq.isPresent()) {
                    query.put("seq_num", Long.toString(lastSeq.getAsLong() + 1));
                } else {
                    p.seqNum.ifPresent(v -> query.put("seq_num", Long.toString(v)));
                    p.timestamp.ifPresent(v -> query.put("timestamp", Long.toString(v)));
                    p.tailOffset.ifPresent(v -> query.put("tail_offset", Long.toString(v)));
                }
                long countLeft = p.count.isPresent() ? p.count.getAsLong() - delivered : -1;
                long bytesLeft = p.bytes.isPresent() ? p.bytes.getAsLong() - deliveredBytes : -1;
                if (countLeft == 0 || bytesLeft == 0) {
                    return;
                }
                if (countLeft > 0) {
                    query.put("count", Long.toString(countLeft));
                }
                if (bytesLeft > 0) {
                    query.put("bytes", Long.toString(bytesLeft));
                }
                p.until.ifPresent(v -> query.put("until", Long.toString(v)));
                if (p.clamp) {
                    query.put("clamp", "true");
                }
                HttpApi.Target target = api.target(Optional.of(uri.basin()),
                        HttpApi.streamPath(uri.streamName()) + "/records" + HttpApi.queryString(query));
                Map<String, String> headers = new LinkedHashMap<>(target.headers());
                headers.put("accept", "text/event-stream");
                headers.put("s2-format", "base64");
                encryptionKey.ifPresent(k -> headers.put("s2-encryption-key", k));
                // A read waits at most SILENCE_MS for bytes: the server pings every 5-15 s, so silence means a dead connection.
                DuplexHttp http;
                try {
                    http = DuplexHttp.open(target.uri(), "GET", headers, new byte[0], (int) SILENCE_MS);
                } catch (IOException e) {
                    lastError = "connect: " + HttpApi.describe(e, target.uri());
                    failures++;
                    continue;
                }
                InputStream body;
                try {
                    http.readHead();
                    body = http.body();
                    if (http.status() != 200) {
                        byte[] bytes = body.readAllBytes();
                        http.close();
                        JsonNode json;
                        try {
                            json = bytes.length == 0 ? HttpApi.JSON.createObjectNode() : HttpApi.JSON.readTree(bytes);
                        } catch (IOException e) {
                            json = HttpApi.JSON.createObjectNode().put("code", "other").put("message", new String(bytes, StandardCharsets.UTF_8));
                        }
                        CliException error = HttpApi.error(op, http.status(), json);
                        if (retryable(json.path("code").asText(""), http.status())) {
                            lastError = error.getMessage();
                            failures++;
                            continue;
                        }
                        throw error;
                    }
                } catch (IOException e) {
                    http.close();
                    lastError = "connection closed early: " + HttpApi.describe(e, target.uri());
                    failures++;
                    continue;
                }
                boolean done = false;
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8), 64 << 10)) {
                    String event = null;
                    StringBuilder data = new StringBuilder();
                    String line;
                    while ((line = lines.readLine()) != null) {
                        if (line.isEmpty()) {
                            if (data.length() > 0 || event != null) {
                                String d = data.toString();
                                if (event == null && d.equals("[DONE]")) {
                                    done = true;
                                    break;
                                }
                                if ("batch".equals(event)) {
                                    JsonNode batch = HttpApi.JSON.readTree(d);
                                    List<SequencedRecord> records = records(batch.path("records"));
                                    Optional<long[]> tail = batch.hasNonNull("tail")
                                            ? Optional.of(new long[] {batch.get("tail").path("seq_num").asLong(), batch.get("tail").path("timestamp").asLong()})
                                            : Optional.empty();
                                    if (!records.isEmpty()) {
                                        lastSeq = OptionalLong.of(records.get(records.size() - 1).seqNum());
                                        delivered += records.size();
                                        for (SequencedRecord r : records) {
                                            deliveredBytes += r.meteredBytes();
                                        }
                                        failures = 0;
                                    }
                                    try {
                                        sink.batch(records, tail);
                                    } catch (Stop stop) {
                                        return;
                                    }
                                } else if ("error".equals(event)) {
                                    JsonNode err = HttpApi.JSON.readTree(d);
                                    CliException error = HttpApi.error(op, 500, err);
                                    if (!retryable(err.path("code").asText(""), 500)) {
                                        throw error;
                                    }
                                    lastError = error.getMessage();
                                    break;
                                }
                            }
                            event = null;
                            data.setLength(0);
                        } else if (line.startsWith("event:")) {
                            event = line.substring(6).trim();
                        } else if (line.startsWith("data:")) {
                            if (data.length() > 0) {
                                data.append('\n');
                            }
                            data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
                        }
                    }
                } catch (IOException e) {
                    lastError = "connection closed early: " + e.getMessage();
                } finally {
                    http.close();
                }
                if (done) {
                    return;
                }
                if (lastError.isEmpty()) {
                    lastError = "the server ended the session without [DONE]";
                }
                failures++;
            }
        }
    }

    static boolean retryable(String code, int status) {
        return switch (code) {
            case "rate_limited", "transaction_conflict", "hot_server", "server_draining", "request_timeout", "other", "storage", "unavailable",
                    "upstream_timeout" -> true;
            case "" -> status >= 500 || status == 408 || status == 429;
            default -> false;
        };
    }

    static List<SequencedRecord> records(JsonNode array) {
        List<SequencedRecord> out = new ArrayList<>(array.size());
        Base64.Decoder b64 = Base64.getDecoder();
        for (JsonNode r : array) {
            List<Header> headers = new ArrayList<>();
            for (JsonNode h : r.path("headers")) {
                headers.add(new Header(b64.decode(h.get(0).asText()), b64.decode(h.get(1).asText())));
            }
            byte[] body = r.hasNonNull("body") ? b64.decode(r.get("body").asText()) : new byte[0];
            out.add(new SequencedRecord(r.path("seq_num").asLong(), r.path("timestamp").asLong(), headers, body));
        }
        return out;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.op("read", "interrupted");
        }
    }
}
