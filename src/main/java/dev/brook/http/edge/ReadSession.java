package dev.brook.http.edge;

import dev.brook.core.Limits;
import dev.brook.core.S2Error;
import dev.brook.core.SequencedRecord;
import dev.brook.core.StreamConfigSpec;
import dev.brook.engine.DataPlane;
import dev.brook.engine.TailWatch;
import dev.brook.http.errors.Replies;
import dev.brook.http.records.Records;
import dev.brook.log.ReadOutcome;
import dev.brook.log.ReadRequest;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.random.RandomGenerator;
import org.jboss.logging.Logger;

/**
 * One read session (spec §7.4-§7.5, §8.4), SSE or S2S: catch up from storage in batches of at most
 * 1,000 records and 1 MiB, then follow the live tail, with a heartbeat on reaching it and after
 * 5-15 s of quiet; ends normally when a bound is reached or the wait runs out, or with an error.
 * One read is in flight at a time; while the connection's write queue is full the next batch is read
 * but not written until it drains (docs/LOG.md, "Read-ahead"), so a slow reader never makes the
 * server hold more than one batch beyond the connection's queue. The {@link Output} says how each of
 * these looks on the wire.
 */
final class ReadSession {

    private static final Logger LOG = Logger.getLogger(ReadSession.class);
    static final long HEARTBEAT_MIN_MS = 5_000;
    static final long HEARTBEAT_MAX_MS = 15_000;
    /**
     * A following session that fell behind reads in batches that end at multiples of this many sequence
     * numbers, until it reaches the tail: followers behind at different positions then read the same
     * batches after their first, and share their encodings (docs/LOG.md, "Fan-out"). Without it each one
     * read its own batch of up to a megabyte, encoded for it alone: a thousand followers set back by one
     * pause made a gigabyte of garbage per round and fell further behind.
     */
    static final int FOLLOW_BATCH_ALIGN = 32;
    /**
     * Following sessions per stream and wire form in this process. Aligned batches pay only where
     * encodings can be shared: a lone follower of a busy stream reads whole batches (up to 1,000
     * records), where 32-record pieces cost it a read, an encoding and a write each and kept it from
     * keeping up with 8 writers of 100 records (docs/DECISIONS.md 51).
     */
    private static final java.util.concurrent.ConcurrentHashMap<String, Integer> FOLLOWERS = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * How many reads a session may handle in a row on the calling stack (a follower catching up from
     * memory reads batch after batch without waiting); beyond it, the next goes through the event loop.
     */
    static final int INLINE_DEPTH_MAX = 4;

    /** How a session's events look on the wire. */
    interface Output {
        String contentType();

        /** What sessions that may share encodings have in common: their form on the wire (SessionOutputs.Shared). */
        default String form() {
            return contentType();
        }

        /** Records, with the tail after them when they came from the live tail; counters include them. */
        Buffer batch(List<SequencedRecord> records, Optional<long[]> tail, long deliveredCount, long deliveredBytes);

        Buffer heartbeat(long tailSeq, long tailTimestamp, long nowMs);

        /** The end of a session that completed normally (may be empty). */
        Buffer done();

        Buffer error(Replies.Error error);
    }

    private final DataPlane data;
    private final Output output;
    private final StreamConfigSpec autoCreateConfig;
    private final Runnable onFinish;
    /** Set once the session ended, however (volatile: a wait set up on another thread checks it). */
    private volatile boolean finished;
    private final Context context;
    private final java.util.concurrent.Executor wakeOn;
    private final HttpServerResponse response;
    private final String basin;
    private final String stream;
    private final Optional<byte[]> key;
    private final SessionQuery query;
    private final java.util.function.LongSupplier clockMs;
    private final RandomGenerator random;

    private ReadRequest.Start position;
    private boolean clamp;
    private long deliveredCount;
    private long deliveredBytes;
    private boolean following;
    /** This session's key in {@link #FOLLOWERS} once it follows, until it ends. */
    private String followerKey;
    private long followDeadlineMs = Long.MAX_VALUE;
    private boolean started;
    private volatile boolean closed;
    private int inlineDepth;
    /**
     * Following: when the last batch or heartbeat went out, and the quiet after which the next heartbeat
     * goes (5-15 s, chosen anew after each heartbeat). One Vert.x timer on the session's event loop ends
     * the wait when a heartbeat or the session's deadline is due, armed once per quiet spell, not once per
     * wait: a follower woken by every commit waits a hundred times a second (docs/DECISIONS.md 48).
     */
    private long quietSinceMs;
    private long heartbeatMs;
    private long timerId = -1;
    /** The wait at the tail in progress (set from whichever thread resolved the stream), ended by the timer. */
    private volatile CompletableFuture<Boolean> waiting;
    private volatile boolean timerFired;

    ReadSession(DataPlane data, Output output, Context context, HttpServerResponse response, String basin, String stream,
                Optional<byte[]> key, StreamConfigSpec autoCreateConfig, SessionQuery query, java.util.function.LongSupplier clockMs,
                RandomGenerator random, Runnable onFinish) {
        this.data = data;
        this.output = output;
        this.autoCreateConfig = autoCreateConfig;
        this.onFinish = onFinish;
        this.context = context;
        // The connection's event loop: followers on it are woken by one task per commit (TailWatch).
        this.wakeOn = context instanceof io.vertx.core.impl.ContextInternal internal ? internal.nettyEventLoop() : null;
        this.response = response;
        this.basin = basin;
        this.stream = stream;
        this.key = key;
        this.query = query;
        this.clockMs = clockMs;
        this.random = random;
        this.position = query.start();
        this.clamp = query.clamp();
        this.deliveredCount = query.deliveredCount();
        this.deliveredBytes = query.deliveredBytes();
        response.closeHandler(v -> {
            closed = true;
            finish();
        });
        response.endHandler(v -> finish());
    }

    /** Gives the session's slot back, once, however the session ended; a wait in progress ends too. */
    private void finish() {
        boolean first = !finished;
        finished = true;
        if (timerId >= 0) {
            context.owner().cancelTimer(timerId);
            timerId = -1;
        }
        CompletableFuture<Boolean> w = waiting;
        if (w != null) {
            w.complete(false); // the watch forgets it now, not at the next commit
        }
        if (first) {
            String k = followerKey;
            if (k != null) {
                FOLLOWERS.computeIfPresent(k, (x, n) -> n > 1 ? n - 1 : null);
            }
            onFinish.run();
        }
    }

    void start() {
        readNext(false);
    }

    /** Whether the session has ended and given its slot back. */
    boolean finished() {
        return finished;
    }

    /**
     * Ends the session from outside (its token was revoked or expired): an error answer before the
     * session started, an error event after; nothing more is read or sent. Any thread.
     */
    void terminate(S2Error why) {
        context.runOnContext(v -> {
            if (closed || response.ended()) {
                return;
            }
            fail(why);
            closed = true; // no read in flight may write after the end
        });
    }

    private long remaining(OptionalLong bound, long used) {
        return bound.isPresent() ? Math.max(0, bound.getAsLong() - used) : Long.MAX_VALUE;
    }

    private void readNext(boolean live) {
        if (closed) {
            return;
        }
        CompletableFuture<ReadOutcome> read = startRead();
        if (live && read.isDone() && inlineDepth < INLINE_DEPTH_MAX && Vertx.currentContext() == context) {
            // A follower woken on its own context whose read came from memory: handled now, not after another
            // trip through the event loop's queue (a thousand followers woken by one commit made a thousand).
            inlineDepth++;
            try {
                completed(read, live);
            } finally {
                inlineDepth--;
            }
            return;
        }
        read.whenComplete((outcome, failure) -> context.runOnContext(v -> completed(read, live)));
    }

    /** Sends the read of the next batch, from the position and bounds the session has now. */
    private CompletableFuture<ReadOutcome> startRead() {
        long count = Math.min(Limits.READ_RECORDS_MAX, remaining(query.count(), deliveredCount - query.deliveredCount()));
        if (following && position instanceof ReadRequest.Start.SeqNum at && followerKey != null && FOLLOWERS.getOrDefault(followerKey, 0) > 1) {
            count = Math.min(count, FOLLOW_BATCH_ALIGN - Math.floorMod(at.seqNum(), FOLLOW_BATCH_ALIGN));
        }
        long bytes = Math.min(Limits.READ_METERED_BYTES_MAX, remaining(query.bytes(), deliveredBytes - query.deliveredBytes()));
        ReadRequest request = new ReadRequest(position, count, bytes, query.until(), clamp, query.mayFollow());
        // After the first read, each one continues the session: it may be bounded by the tail this process validated last.
        return data.read(basin, stream, request, key, autoCreateConfig, false, started).toCompletableFuture();
    }

    private void completed(CompletableFuture<ReadOutcome> read, boolean live) {
        ReadOutcome outcome;
        try {
            outcome = read.join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            fail(e);
            return;
        }
        handle(outcome, live);
    }

    private void handle(ReadOutcome outcome, boolean live) {
        if (closed) {
            return;
        }
        if (outcome instanceof ReadOutcome.RangeNotSatisfiable r) {
            if (!started) {
                Replies.answer(response, Records.rangeNotSatisfiable(r.tailSeq(), r.tailTimestamp()));
                return;
            }
            done();
            return;
        }
        ReadOutcome.Records records = (ReadOutcome.Records) outcome;
        begin();
        clamp = false;
        if (!records.records().isEmpty()) {
            List<SequencedRecord> batch = records.records();
            SequencedRecord last = batch.get(batch.size() - 1);
            deliveredCount += batch.size();
            for (SequencedRecord r : batch) {
                deliveredBytes += r.meteredBytes();
            }
            position = new ReadRequest.Start.SeqNum(last.seqNum() + 1);
            Optional<long[]> tail = live ? Optional.of(new long[]{records.tailSeq(), records.tailTimestamp()}) : Optional.empty();
            response.write(output.batch(batch, tail, deliveredCount, deliveredBytes));
            quietSinceMs = clockMs.getAsLong();
            if (following && query.waitMs().isPresent()) {
                followDeadlineMs = clockMs.getAsLong() + query.waitMs().getAsLong(); // a delivered batch resets the wait
            }
            if (exhausted()) {
                done();
                return;
            }
            if (following && live && last.seqNum() + 1 == records.tailSeq()) {
                // A follower's batch that reached the tail: wait on the watch now instead of reading
                // again to learn that nothing follows (a third of what each delivery cost).
                afterWrite(() -> follow(records.tailSeq(), records.tailTimestamp()));
            } else if (!response.writeQueueFull()) {
                readNext(following);
            } else {
                // The connection is still taking the batches written: the next one is read meanwhile (docs/LOG.md,
                // "Read-ahead") and written once it drains. One batch prepared at most, written only after the
                // drain: backpressure holds, and the session holds a batch more than the connection's queue.
                CompletableFuture<ReadOutcome> prepared = startRead();
                boolean stillFollowing = following;
                afterWrite(() -> prepared.whenComplete((o, f) -> context.runOnContext(v -> completed(prepared, stillFollowing))));
            }
            return;
        }
        if (!records.atTail() || !query.mayFollow() || exhausted()) {
            done(); // a bound stopped the read, or nothing to follow
            return;
        }
        position = new ReadRequest.Start.SeqNum(records.tailSeq());
        if (!following) {
            if (query.waitMs().isPresent() && query.waitMs().getAsLong() == 0) {
                done(); // an unbounded read with wait=0: caught up, and no time to follow (spec §12 H: one frame, no heartbeat)
                return;
            }
            following = true;
            if (!finished) {
                followerKey = basin + '/' + stream + '|' + output.form();
                FOLLOWERS.merge(followerKey, 1, Integer::sum);
            }
            followDeadlineMs = query.waitMs().isPresent() ? clockMs.getAsLong() + query.waitMs().getAsLong() : Long.MAX_VALUE;
            ping(records.tailSeq(), records.tailTimestamp());
            heartbeatMs = nextHeartbeatMs();
        }
        follow(records.tailSeq(), records.tailTimestamp());
    }

    /** Waits for the tail to move, pinging when it stays quiet, until the wait runs out. */
    private void follow(long tailSeq, long tailTimestamp) {
        long now = clockMs.getAsLong();
        if (now >= followDeadlineMs) {
            done();
            return;
        }
        long pingAt = quietSinceMs + heartbeatMs;
        if (now >= pingAt) {
            // Quiet for a heartbeat interval: ping with the tail the watch still holds, without reading
            // storage. The watch's own polling (docs/LOG.md, "Wake-ups across processes") is what finds
            // commits whose wake-up was missed, once per stream for all its followers; a read per
            // heartbeat per session would cost far more.
            ping(tailSeq, tailTimestamp);
            heartbeatMs = nextHeartbeatMs();
            afterWrite(() -> follow(tailSeq, tailTimestamp));
            return;
        }
        if (timerId < 0) {
            // Armed for the earliest moment something is due. Both moments only move later while it is
            // armed (a batch resets the quiet and the deadline; the interval changes only after a ping,
            // when no timer is armed), so one that fires early is simply armed again for the rest.
            timerFired = false;
            timerId = context.owner().setTimer(Math.max(1, Math.min(pingAt, followDeadlineMs) - now), id -> {
                timerId = -1;
                timerFired = true;
                CompletableFuture<Boolean> w = waiting;
                if (w != null) {
                    w.complete(false);
                }
            });
        }
        data.resolve(basin, stream, DataPlane.AutoCreate.NEVER)
                .thenCompose(s -> {
                    CompletableFuture<Boolean> w = data.awaitBeyond(s, tailSeq, TailWatch.UNTIL_CALLER_ENDS, wakeOn).toCompletableFuture();
                    waiting = w;
                    if (timerFired || finished) {
                        w.complete(false); // the timer fired, or the session ended, before the wait was set
                    }
                    return w;
                })
                .whenComplete((woken, failure) -> context.runOnContext(v -> {
                    waiting = null;
                    if (closed) {
                        return;
                    }
                    if (failure != null) {
                        fail(failure);
                    } else if (woken) {
                        readNext(true);
                    } else {
                        follow(tailSeq, tailTimestamp); // the timer: a heartbeat or the deadline is due, or soon
                    }
                }));
    }

    private long nextHeartbeatMs() {
        return HEARTBEAT_MIN_MS + random.nextLong(HEARTBEAT_MAX_MS - HEARTBEAT_MIN_MS + 1);
    }

    private boolean exhausted() {
        return remaining(query.count(), deliveredCount - query.deliveredCount()) == 0
                || remaining(query.bytes(), deliveredBytes - query.deliveredBytes()) == 0;
    }

    private void begin() {
        if (started) {
            return;
        }
        started = true;
        response.setStatusCode(200)
                .putHeader("content-type", output.contentType())
                .putHeader("cache-control", "no-cache, no-transform")
                .putHeader("x-accel-buffering", "no")
                .setChunked(true);
        response.writeHead();
    }

    private void ping(long tailSeq, long tailTimestamp) {
        quietSinceMs = clockMs.getAsLong();
        response.write(output.heartbeat(tailSeq, tailTimestamp, quietSinceMs));
    }

    /**
     * Runs {@code next} once the connection can take more: backpressure from the reader. Once: the
     * drain handler stays installed after it fires, and a later drain (after a heartbeat filled the
     * queue) must not start a second read chain, which would send records again.
     */
    private void afterWrite(Runnable next) {
        if (!response.writeQueueFull()) {
            next.run();
            return;
        }
        boolean[] ran = {false};
        response.drainHandler(v -> {
            response.drainHandler(null);
            if (!ran[0]) {
                ran[0] = true;
                context.runOnContext(x -> next.run());
            }
        });
    }

    private void done() {
        if (closed) {
            return;
        }
        begin();
        response.end(output.done());
    }

    private void fail(Throwable failure) {
        Throwable t = Replies.unwrap(failure);
        if (!started) {
            Replies.answer(response, t);
            return;
        }
        if (!(t instanceof S2Error)) {
            LOG.warnf(t, "read session on %s/%s failed", basin, stream);
        }
        response.end(output.error(Replies.of(t)));
    }
}
