package dev.brook.http.edge;

import dev.brook.core.AppendBatch;
import dev.brook.core.BatchRules;
import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import dev.brook.core.StreamConfigSpec;
import dev.brook.core.auth.TokenSpec;
import dev.brook.engine.Admission;
import dev.brook.engine.DataPlane;
import dev.brook.engine.StreamRecord;
import dev.brook.http.errors.Replies;
import dev.brook.http.gate.Authz;
import dev.brook.http.records.Records;
import dev.brook.http.wire.ProtoCodec;
import dev.brook.http.wire.S2sFrames;
import dev.brook.log.AppendOutcome;
import dev.brook.log.AppendSession;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * One S2S append session (spec §8.3): each inbound frame is an {@code AppendInput} batch, validated
 * as a unary append is and handed to group commit at once (pipelined: many in flight, sharing
 * commits), and answered by exactly one {@code AppendAck} frame, in input order, once durable.
 * The first failure (a rejected condition, invalid input, a bad frame, a storage failure) is
 * reported after the acks of every batch before it, as a terminal frame that ends the response;
 * no later batch is applied ({@link AppendSession} makes group commit keep that promise for batches
 * already queued). The client half-closing ends the response once everything is acknowledged.
 *
 * <p>Memory is bounded: a session holds at most {@link #INFLIGHT_BYTES_MAX} of unanswered batches
 * and the process at most {@link Admission#inflightBytesMax()}; past either, the session stops
 * reading its request (TCP / HTTP/2 flow control pushes back on the client) until acks make room.
 * Everything runs on the connection's Vert.x context.
 */
final class S2sAppendSession {

    private static final Logger LOG = Logger.getLogger(S2sAppendSession.class);

    /** Unanswered appended bytes (metered) one session may have before it stops reading. */
    static final long INFLIGHT_BYTES_MAX = 16L << 20;

    /** A decoded input, in input order: a batch to append or the error that ends the input. */
    private record Input(AppendBatch batch, RuntimeException error) {}

    /** A submitted input, in input order, waiting for its answer. */
    private record Pending(CompletableFuture<AppendOutcome> outcome, long bytes, RuntimeException error) {}

    private final DataPlane data;
    private final Admission admission;
    private final Context context;
    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final String basin;
    private final String stream;
    private final Optional<byte[]> key;
    private final StreamConfigSpec autoCreateConfig;
    private final LongSupplier clockMs;
    private final TokenSpec principal;
    private final S2sFrames.Decoder decoder = new S2sFrames.Decoder();
    private final AppendSession link = new AppendSession();
    private final ArrayDeque<Input> held = new ArrayDeque<>();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();

    private StreamRecord target;
    /** Keeps the stream's one log in this process for the session's life (DataPlane.pin). */
    private DataPlane.Pin pin;
    private long inflightBytes;
    private boolean inputEnded;
    private boolean failed;
    private boolean paused = true;
    private boolean waitingForRoom;
    private boolean closed;
    private boolean finished;
    private final long idleTimeoutMs;
    private long idleTimer = -1;
    private long lastInputNanos;
    private Runnable onFinish = () -> {};

    S2sAppendSession(DataPlane data, Admission admission, Context context, HttpServerRequest request, HttpServerResponse response,
                     String basin, String stream, Optional<byte[]> key, StreamConfigSpec autoCreateConfig, LongSupplier clockMs,
                     TokenSpec principal, long idleTimeoutMs) {
        this.principal = principal;
        this.idleTimeoutMs = idleTimeoutMs;
        this.data = data;
        this.admission = admission;
        this.context = context;
        this.request = request;
        this.response = response;
        this.basin = basin;
        this.stream = stream;
        this.key = key;
        this.autoCreateConfig = autoCreateConfig;
        this.clockMs = clockMs;
        response.closeHandler(v -> {
            closed = true;
            finish();
        });
        response.endHandler(v -> finish());
    }

    /** Runs {@code r} once the session has ended, after its slot is given back. Before {@link #start}. */
    void whenFinished(Runnable r) {
        this.onFinish = r;
    }

    /** Whether the session has ended and given its slot back. */
    boolean finished() {
        return finished;
    }

    /**
     * Ends the session from outside (its token was revoked or expired, or it sent nothing for too
     * long): no batch not yet applied will be (the link is broken first), the client gets the
     * reason as a terminal frame, and the rest of its input is read and dropped. Any thread.
     */
    void terminate(S2Error why) {
        context.runOnContext(v -> {
            if (closed || response.ended()) {
                return;
            }
            link.cancel(why.getMessage());
            failed = true;
            held.clear();
            Replies.Error e = Replies.of(why);
            if (target == null) {
                Replies.answer(response, e.status(), e.json());
            } else {
                response.end(Buffer.buffer(S2sFrames.terminal(e.status(), e.json())));
            }
            resume();
        });
    }

    /** Pre-flight (the stream, auto-created if the basin says so, and its key), then the 200 and the frames. */
    void start() {
        data.resolve(basin, stream, DataPlane.AutoCreate.ON_APPEND, autoCreateConfig).whenComplete((s, failure) -> context.runOnContext(v -> {
            if (closed) {
                return;
            }
            try {
                if (failure != null) {
                    throw failure instanceof RuntimeException r ? r : new IllegalStateException(failure);
                }
                DataPlane.cipher(s, key);
            } catch (RuntimeException e) {
                Replies.answer(response, e);
                return;
            }
            target = s;
            pin = data.pin(s);
            response.setStatusCode(200)
                    .putHeader("content-type", SessionOutputs.S2S)
                    .putHeader("cache-control", "no-cache, no-transform")
                    .putHeader("x-accel-buffering", "no")
                    .setChunked(true);
            response.writeHead();
            request.handler(this::onData);
            request.endHandler(v2 -> onEnd());
            request.exceptionHandler(e -> LOG.debugf("append session on %s/%s: request failed: %s", basin, stream, e.getMessage()));
            lastInputNanos = System.nanoTime();
            armIdleTimer(idleTimeoutMs);
            resume();
        }));
    }

    /**
     * A session that sends nothing for {@code idleTimeoutMs} while nothing of it is waiting for an
     * answer holds a slot for nobody: it is ended with {@code 408 request_timeout} (docs/SECURITY.md).
     */
    /**
     * A session that sends nothing for {@code idleTimeoutMs} while nothing of it waits for an answer
     * holds a slot for nobody: it is ended with {@code 408 request_timeout} (docs/SECURITY.md).
     */
    private void armIdleTimer(long delayMs) {
        idleTimer = context.owner().setTimer(Math.max(1, delayMs), id -> context.runOnContext(v -> {
            idleTimer = -1;
            if (finished || closed || failed || inputEnded) {
                return;
            }
            long quietMs = (System.nanoTime() - lastInputNanos) / 1_000_000;
            if (quietMs < idleTimeoutMs || !pending.isEmpty() || !held.isEmpty()) {
                // Input came meanwhile, or the session waits on acks or on room, not on its client.
                armIdleTimer(quietMs < idleTimeoutMs ? idleTimeoutMs - quietMs : idleTimeoutMs);
                return;
            }
            terminate(new S2Error(ErrorCode.REQUEST_TIMEOUT, "the append session sent no input for " + idleTimeoutMs + " ms"));
        }));
    }

    private void onData(Buffer chunk) {
        lastInputNanos = System.nanoTime();
        if (failed || inputEnded) {
            return; // after the first failure the rest of the input is read and dropped
        }
        long arrivalMs = clockMs.getAsLong();
        try {
            decoder.feed(chunk.getBytes(), frame -> {
                if (frame.terminal()) {
                    throw new S2Error(ErrorCode.BAD_FRAME, "Unexpected terminal frame as input");
                }
                AppendBatch batch = ProtoCodec.decodeAppendInput(frame.payload(), arrivalMs);
                BatchRules.check(batch).ifPresent(invalid -> {
                    throw S2Error.invalid(invalid.message());
                });
                Authz.requireRecords(principal, batch, basin, stream);
                held.add(new Input(batch, null));
            });
        } catch (RuntimeException e) {
            held.add(new Input(null, e));
            inputEnded = true; // nothing after a bad input is looked at
        }
        pump();
    }

    private void onEnd() {
        if (!inputEnded && decoder.hasPartialFrame()) {
            held.add(new Input(null, new S2Error(ErrorCode.BAD_FRAME, "the request body ended in the middle of a frame")));
        }
        inputEnded = true;
        pump();
    }

    /** Submits held inputs in order while there is room; stops reading the request while there is not. */
    private void pump() {
        if (closed) {
            held.clear(); // the client is gone: what it sent but was never submitted is never applied, nor acked
        }
        while (!held.isEmpty() && !failed) {
            Input next = held.peekFirst();
            if (next.error() != null) {
                held.pollFirst();
                pending.add(new Pending(null, 0, next.error()));
                continue;
            }
            long bytes = next.batch().meteredBytes();
            if (inflightBytes + bytes > INFLIGHT_BYTES_MAX && inflightBytes > 0) {
                pause(); // this session's own acks make room
                break;
            }
            if (!admission.reserve(bytes)) {
                pause();
                if (!waitingForRoom) {
                    waitingForRoom = true;
                    admission.whenReleased(() -> context.runOnContext(v -> {
                        waitingForRoom = false;
                        pump();
                    }));
                }
                break;
            }
            held.pollFirst();
            inflightBytes += bytes;
            CompletableFuture<AppendOutcome> outcome;
            try {
                outcome = data.append(basin, stream, target, next.batch(), key, link).toCompletableFuture();
            } catch (RuntimeException e) {
                outcome = CompletableFuture.failedFuture(e);
            }
            pending.add(new Pending(outcome, bytes, null));
            outcome.whenComplete((o, e) -> context.runOnContext(v -> onAnswered()));
        }
        if (held.isEmpty() && !inputEnded) {
            resume();
        }
        flush();
        maybeEnd();
    }

    private void onAnswered() {
        flush();
        if (!held.isEmpty() && !failed && !waitingForRoom) {
            pump(); // the answers made room
        } else {
            maybeEnd();
        }
    }

    /** Answers the finished head of the queue, in input order: acks, then at most one terminal frame. */
    private void flush() {
        while (!pending.isEmpty()) {
            Pending head = pending.peekFirst();
            if (head.outcome() != null && !head.outcome().isDone()) {
                break;
            }
            pending.pollFirst();
            if (head.outcome() != null) {
                inflightBytes -= head.bytes();
                admission.release(head.bytes());
            }
            if (failed) {
                continue;
            }
            Throwable error = head.error();
            if (error == null && head.outcome().isCompletedExceptionally()) {
                error = head.outcome().handle((o, e) -> Replies.unwrap(e)).join();
            } else if (error == null) {
                AppendOutcome outcome = head.outcome().join();
                if (outcome instanceof AppendOutcome.Acked a) {
                    write(S2sFrames.regular(ProtoCodec.encodeAppendAck(a.range().startSeq(), a.range().startTimestamp(),
                            a.range().endSeq(), a.range().endTimestamp(), a.tailSeq(), a.tailTimestamp()), Optional.empty()));
                    continue;
                }
                if (outcome instanceof AppendOutcome.Rejected r && r.rejection() instanceof dev.brook.core.Rejection.StreamSealed) {
                    data.forget(basin, stream);
                }
                error = Records.failure(basin, stream, outcome);
            }
            failed = true;
            held.clear();
            if (!closed) {
                Replies.Error e = Replies.of(error);
                response.end(Buffer.buffer(S2sFrames.terminal(e.status(), e.json())));
            }
            resume(); // keep draining the input so the connection ends cleanly
        }
    }

    /** After the client half-closed and every batch is answered: the end of the response, with no terminal frame. */
    private void maybeEnd() {
        if (inputEnded && pending.isEmpty() && held.isEmpty() && !failed && !closed && !response.ended()) {
            response.end();
        }
    }

    private void write(byte[] frame) {
        if (!closed && !response.ended()) {
            response.write(Buffer.buffer(frame));
        }
    }

    private void pause() {
        if (!paused) {
            paused = true;
            request.pause();
        }
    }

    private void resume() {
        if (paused) {
            paused = false;
            request.resume();
        }
    }

    /** Gives the session's slot back, once. Batches already submitted finish on their own and release their bytes. */
    private void finish() {
        if (!finished) {
            finished = true;
            if (idleTimer >= 0) {
                context.owner().cancelTimer(idleTimer);
                idleTimer = -1;
            }
            admission.closeSession();
            if (pin != null) {
                pin.close();
            }
            onFinish.run();
        }
    }
}
