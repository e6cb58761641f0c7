package dev.brook.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.http.wire.ProtoCodec;
import dev.brook.http.wire.S2sFrames;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An S2S append session (spec §8.3) that survives a slow or restarting server without losing or
 * duplicating what it reported appended (docs/CLI.md, "Append sessions"). Batches are pipelined on
 * one full-duplex HTTP/1.1 exchange ({@link DuplexHttp}); the server acks each, in order. When the
 * connection fails, the batches sent and not acked are in doubt: each is sent again, alone, with
 * {@code match_seq_num} = the position it expected (the end of the last ack, or the stream's tail
 * before the first batch). An ack means it lands now; a {@code seq_num_mismatch} whose tail equals
 * that position plus the sizes of one or more in-doubt batches means those had landed, and they are
 * reported then; any other tail means another writer got in between, and the session stops with an
 * error rather than guess. Reconnection is bounded: {@link #ATTEMPTS} consecutive failures end it.
 *
 * <p>One coordinator thread owns all state; the caller's {@link #submit} and each connection's reader
 * thread only post events to it.
 */
final class AppendSession {

    /** Consecutive failed connections before giving up: with the backoff, about 80 s, time for a server to restart. */
    static final int ATTEMPTS = 20;
    static final long ACK_TIMEOUT_MS = 30_000;
    static final long BACKOFF_MAX_MS = 5_000;

    /** A batch as the caller formed it: at most 1000 records and 1 MiB metered (spec §5.4). */
    record Batch(List<AppendRecord> records, long meteredBytes) {
        int size() {
            return records.size();
        }
    }

    /** What the caller hears: one call per batch, in order, when it is known to be in the stream. */
    interface Listener {
        /** {@code tailTimestamp} is empty when the batch was found landed after a failure and no ack carried the tail's timestamp. */
        void acked(Batch batch, long start, long end, long tailSeq, OptionalLong tailTimestamp);
    }

    private final HttpApi api;
    private final Uri.Parsed uri;
    private final Optional<String> encryptionKey;
    private final Optional<String> fencingToken;
    private final Listener listener;
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final Thread coordinator;

    // Coordinator state.
    private Conn conn;
    private final Deque<Batch> waiting = new ArrayDeque<>();
    private final Deque<Sent> pending = new ArrayDeque<>();
    private final Deque<Batch> doubt = new ArrayDeque<>();
    private long recoveryExpected;
    /** The position the next batch lands at if nobody else writes: the last ack's end, or the tail before we began. */
    private OptionalLong expectedNext;
    /** With {@code -m}: every batch carries its position. */
    private final boolean matchEveryBatch;
    private boolean closing;
    private int failures;
    private long nextAttemptAtMs;
    private String lastError = "";
    private volatile CliException failure;
    private volatile boolean finished;

    private record Sent(Batch batch, OptionalLong match, long sentAtMs) {}

    private record Submit(Batch batch) {}

    private record Ack(Conn conn, ProtoCodec.AppendAck ack) {}

    private record Failed(Conn conn, Failure failure) {}

    private record Close() {}

    /** Why a connection ended: a response refused before the session began, a terminal frame, or the transport. */
    private record Failure(int status, JsonNode body, boolean preflight, String transport) {

        static Failure transport(String what) {
            return new Failure(0, null, false, what);
        }

        String code() {
            return body == null ? "" : body.path("code").asText("");
        }
    }

    AppendSession(HttpApi api, Uri.Parsed uri, Optional<String> encryptionKey, Optional<String> fencingToken, OptionalLong matchSeqNum,
            Listener listener) {
        this.api = api;
        this.uri = uri;
        this.encryptionKey = encryptionKey;
        this.fencingToken = fencingToken;
        this.listener = listener;
        this.matchEveryBatch = matchSeqNum.isPresent();
        this.expectedNext = matchSeqNum.isPresent() ? matchSeqNum : initialTail();
        this.coordinator = new Thread(this::loop, "append-session");
        this.coordinator.setDaemon(true);
        this.coordinator.start();
    }

    /** The stream's tail before anything is sent, when this token may check it: the position in-doubt batches are resolved from. */
    private OptionalLong initialTail() {
        try {
            HttpApi.Response r = api.exchange(HttpApi.call("check tail", "GET", HttpApi.streamPath(uri.streamName()) + "/records/tail")
                    .basin(uri.basin()));
            if (r.status() == 200) {
                return OptionalLong.of(r.body().path("tail").path("seq_num").asLong());
            }
        } catch (CliException e) {
            // Best effort: without it, a failure before the first ack cannot be resolved.
        }
        return OptionalLong.empty();
    }

    /** Queues a batch; fails fast once the session has failed. */
    void submit(Batch batch) {
        CliException f = failure;
        if (f != null) {
            throw f;
        }
        events.add(new Submit(batch));
    }

    /** No more batches: waits until every batch is acked, or the session fails. */
    void close() {
        events.add(new Close());
        try {
            coordinator.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.op("append", "interrupted");
        }
        if (failure != null) {
            throw failure;
        }
    }

    boolean failed() {
        return failure != null;
    }

    // ---------------------------------------------------------------- the coordinator

    private void loop() {
        try {
            while (!finished) {
                Object event = events.poll(100, TimeUnit.MILLISECONDS);
                if (event != null) {
                    handle(event);
                }
                if (failure == null) {
                    pump();
                }
                if (failure != null) {
                    finished = true;
                }
            }
        } catch (InterruptedException e) {
            failure = CliException.op("append", "interrupted");
        } catch (RuntimeException e) {
            failure = e instanceof CliException c ? c : CliException.op("append", String.valueOf(e));
        } finally {
            if (conn != null) {
                conn.http.close();
            }
        }
    }

    private void handle(Object event) {
        if (event instanceof Submit s) {
            waiting.add(s.batch);
        } else if (event instanceof Close) {
            closing = true;
        } else if (event instanceof Ack a && a.conn == conn) {
            acked(a.ack);
        } else if (event instanceof Failed f && f.conn == conn) {
            failed(f.failure);
        }
    }

    private void pump() {
        long now = System.currentTimeMillis();
        boolean work = !waiting.isEmpty() || !doubt.isEmpty() || !pending.isEmpty();
        if (conn == null && work && now >= nextAttemptAtMs) {
            connect();
        }
        if (conn == null) {
            if (closing && !work) {
                finished = true;
            }
            return;
        }
        if (!doubt.isEmpty()) {
            if (pending.isEmpty()) {
                send(doubt.peek(), OptionalLong.of(recoveryExpected));
            }
        } else {
            while (!waiting.isEmpty() && conn != null) {
                Batch b = waiting.poll();
                OptionalLong match = OptionalLong.empty();
                if (matchEveryBatch) {
                    match = OptionalLong.of(nextMatch());
                }
                send(b, match);
            }
        }
        if (conn != null && !pending.isEmpty() && now - pending.peek().sentAtMs > ACK_TIMEOUT_MS) {
            failed(Failure.transport("no ack within " + ACK_TIMEOUT_MS / 1000 + " s"));
            return;
        }
        if (conn != null && closing && waiting.isEmpty() && pending.isEmpty() && doubt.isEmpty()) {
            try {
                conn.http.finish();
            } catch (IOException e) {
                // everything is acked: nothing left to lose
            }
            finished = true;
        }
    }

    /** With {@code -m}, the position of the next new batch: after everything sent or acked. */
    private long nextMatch() {
        long next = expectedNext.getAsLong();
        for (Sent s : pending) {
            next = Math.max(next, s.match.orElse(next) + s.batch.size());
        }
        return next;
    }

    private void connect() {
        HttpApi.Target target = api.target(Optional.of(uri.basin()), HttpApi.streamPath(uri.streamName()) + "/records");
        Map<String, String> headers = new LinkedHashMap<>(target.headers());
        headers.put("content-type", "s2s/proto");
        headers.put("accept", "s2s/proto");
        encryptionKey.ifPresent(k -> headers.put("s2-encryption-key", k));
        try {
            DuplexHttp http = DuplexHttp.open(target.uri(), "POST", headers);
            Conn c = new Conn(http);
            conn = c;
            Thread reader = new Thread(() -> c.read(), "append-session-reader");
            reader.setDaemon(true);
            reader.start();
        } catch (IOException e) {
            lastError = "connect: " + HttpApi.describe(e, target.uri());
            retryLater();
        }
    }

    private void send(Batch batch, OptionalLong match) {
        byte[] frame = S2sFrames.regular(ProtoCodec.encodeAppendInput(new AppendBatch(batch.records, match, fencingToken, 0)),
                Optional.empty());
        pending.add(new Sent(batch, match, System.currentTimeMillis()));
        try {
            conn.http.writeChunk(frame);
        } catch (IOException e) {
            failed(Failure.transport("connection closed early: " + e.getMessage()));
        }
    }

    private void acked(ProtoCodec.AppendAck ack) {
        Sent s = pending.poll();
        if (s == null) {
            failure = CliException.op("append", "session protocol: an ack for no batch");
            return;
        }
        long start = ack.start().seqNum();
        long end = ack.end().seqNum();
        if (end - start != s.batch.size()) {
            failure = CliException.op("append", "session protocol: ack of " + (end - start) + " records for a batch of " + s.batch.size());
            return;
        }
        if (!doubt.isEmpty() && doubt.peek() == s.batch) {
            doubt.poll();
            recoveryExpected = end;
        }
        expectedNext = OptionalLong.of(end);
        failures = 0;
        listener.acked(s.batch, start, end, ack.tail().seqNum(), OptionalLong.of(ack.tail().timestamp()));
    }

    private void failed(Failure f) {
        Conn dead = conn;
        conn = null;
        if (dead != null) {
            dead.http.close();
        }
        boolean recovering = !doubt.isEmpty();
        if (f.status == 412 && f.body != null && f.body.has("seq_num_mismatch") && (recovering || matchEveryBatch)) {
            long tail = f.body.get("seq_num_mismatch").asLong();
            if (!recovering) {
                // -m and no failure before: the stream is not where the user said it is.
                throw HttpApi.error("append", f.status, f.body);
            }
            resolveDoubt(tail);
            return;
        }
        if (f.status != 0 && !retryable(f)) {
            throw HttpApi.error("append", f.status, f.body);
        }
        lastError = f.status != 0 ? HttpApi.error("append", f.status, f.body).getMessage().replaceFirst("^Failed to append: ", "")
                : f.transport;
        if (f.preflight) {
            // Refused before the session began: nothing it carried was applied.
            for (java.util.Iterator<Sent> it = pending.descendingIterator(); it.hasNext();) {
                Batch b = it.next().batch;
                if (doubt.isEmpty() || doubt.peek() != b) {
                    waiting.addFirst(b);
                }
            }
            pending.clear();
        } else if (!recovering) {
            Sent first = pending.peek();
            for (Sent s : pending) {
                doubt.add(s.batch);
            }
            pending.clear();
            if (first != null) {
                if (first.match.isPresent()) {
                    recoveryExpected = first.match.getAsLong();
                } else if (expectedNext.isPresent()) {
                    recoveryExpected = expectedNext.getAsLong();
                } else {
                    throw inDoubt("the stream's position before them is unknown (no ack yet, and this token cannot check the tail)");
                }
            }
        } else {
            pending.clear();
        }
        retryLater();
    }

    /** A {@code seq_num_mismatch} while resending in-doubt batches: which of them had landed, by the tail the server reports. */
    private void resolveDoubt(long tail) {
        long position = recoveryExpected;
        int landed = 0;
        for (Batch b : doubt) {
            position += b.size();
            landed++;
            if (position == tail) {
                long start = recoveryExpected;
                for (int i = 0; i < landed; i++) {
                    Batch done = doubt.poll();
                    listener.acked(done, start, start + done.size(), tail, OptionalLong.empty());
                    start += done.size();
                }
                recoveryExpected = tail;
                expectedNext = OptionalLong.of(tail);
                pending.clear();
                nextAttemptAtMs = 0;
                return;
            }
            if (position > tail) {
                break;
            }
        }
        throw inDoubt("the stream's tail is " + tail + ", expected " + recoveryExpected
                + " or that plus the sizes of the batches in doubt: another writer appended in between");
    }

    private CliException inDoubt(String why) {
        long records = 0;
        for (Batch b : doubt) {
            records += b.size();
        }
        for (Batch b : waiting) {
            records += b.size();
        }
        return CliException.op("append", "connection lost with " + records + " records not acknowledged, of which some may have been "
                + "appended: " + why + " (last error: " + lastError + ")");
    }

    private static boolean retryable(Failure f) {
        return switch (f.code()) {
            case "rate_limited", "transaction_conflict", "hot_server", "server_draining", "request_timeout", "other", "storage", "unavailable",
                    "upstream_timeout" -> true;
            default -> f.status >= 500 && f.code().isEmpty();
        };
    }

    private void retryLater() {
        failures++;
        if (failures >= ATTEMPTS) {
            if (doubt.isEmpty()) {
                throw CliException.op("append", lastError + " (gave up after " + ATTEMPTS + " attempts)");
            }
            throw inDoubt("gave up after " + ATTEMPTS + " attempts");
        }
        nextAttemptAtMs = System.currentTimeMillis() + Math.min(BACKOFF_MAX_MS, 100L << Math.min(failures - 1, 10));
    }

    /** One connection and its reader. */
    private final class Conn {
        final DuplexHttp http;

        Conn(DuplexHttp http) {
            this.http = http;
        }

        void read() {
            try {
                http.readHead();
                InputStream body = http.body();
                if (http.status() != 200) {
                    JsonNode json;
                    byte[] bytes = body.readAllBytes();
                    try {
                        json = HttpApi.JSON.readTree(bytes);
                    } catch (IOException e) {
                        json = null;
                    }
                    if (json == null || json.isNull() || json.isMissingNode()) {
                        json = HttpApi.JSON.createObjectNode().put("code", "other").put("message", "HTTP " + http.status());
                    }
                    events.add(new Failed(this, new Failure(http.status(), json, true, null)));
                    return;
                }
                S2sFrames.Decoder decoder = new S2sFrames.Decoder();
                byte[] buf = new byte[64 << 10];
                int n;
                while ((n = body.read(buf)) >= 0) {
                    decoder.feed(buf, 0, n, frame -> {
                        if (frame.terminal()) {
                            JsonNode json;
                            try {
                                json = HttpApi.JSON.readTree(frame.json());
                            } catch (IOException e) {
                                json = HttpApi.JSON.createObjectNode().put("code", "other").put("message", frame.json());
                            }
                            events.add(new Failed(this, new Failure(frame.status(), json, false, null)));
                        } else {
                            events.add(new Ack(this, ProtoCodec.decodeAppendAck(frame.payload())));
                        }
                    });
                }
                events.add(new Failed(this, Failure.transport("the server ended the session")));
            } catch (IOException e) {
                events.add(new Failed(this, Failure.transport("connection closed early: " + e.getMessage())));
            } catch (RuntimeException e) {
                events.add(new Failed(this, Failure.transport("session protocol: " + e.getMessage())));
            }
        }
    }
}
