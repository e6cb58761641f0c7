package dev.brook.http;

import dev.brook.core.ErrorCode;
import dev.brook.http.errors.Refusals;
import dev.brook.http.wire.Compression;
import dev.brook.http.wire.MediaTypes;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufInputStream;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Reads every unary request body before the resources see it, bounded twice
 * (docs/SECURITY.md): a body may not exceed {@link Compression#REQUEST_BODY_BYTES_MAX}
 * (declared lengths are refused by TransportGuard before anything is read; a chunked body is
 * refused with 413 as soon as it grows past the limit), and all the bodies being received at once
 * may not exceed {@code brook.http.body-buffer-bytes-max} (a body that would go over is refused with
 * 429 {@code rate_limited}, retryable, nothing done). A declared length is reserved before the body
 * is read (and before {@code 100 Continue}), a chunked body as it arrives; the reservation ends
 * when the body is complete or the request fails, so it bounds what slow uploads can pin.
 *
 * <p>S2S sessions stream their bodies frame by frame (S2sFrames bounds each frame) and are not read
 * here. The body is handed to the REST layer by {@link #handOver}: once read, the request has
 * ended, and the REST layer would otherwise read an empty body.
 */
@Singleton
public class RequestBodies {

    /** After the auth gate (-200), so unauthenticated requests buffer nothing; before the sessions (-100). */
    static final int ROUTE_ORDER = -150;
    /** Where a read body waits for the REST layer. */
    private static final String BODY = "brook.request-body";

    @ConfigProperty(name = "brook.http.body-buffer-bytes-max", defaultValue = "67108864")
    long bufferBytesMax;

    @Inject
    MeterRegistry registry;

    private final AtomicLong buffered = new AtomicLong();

    void routes(@Observes Router router) {
        router.route().order(ROUTE_ORDER).handler(this::read);
    }

    void gauge(@Observes StartupEvent start) {
        Gauge.builder("brook.http.body.buffered", buffered, AtomicLong::get).baseUnit("bytes")
                .description("Request body bytes being received (unary requests) in this process").register(registry);
    }

    /**
     * The body read for this request, as one array copied once out of the buffer (empty when there was
     * none). The REST layer's own {@code byte[]} parameter read it again through an input stream, in
     * growing chunks and a final copy: a sixth of all the server allocated at 8 writers × 100 records.
     */
    public static byte[] bytes(io.vertx.ext.web.RoutingContext ctx) {
        io.vertx.core.buffer.Buffer body = ctx.get(BODY);
        return body == null ? new byte[0] : body.getBytes();
    }

    /** Bytes of request bodies being received now. */
    long buffered() {
        return buffered.get();
    }

    /** The Content-Length, or -1 when absent or not a number (the codec has checked its framing). */
    static long declaredLength(HttpServerRequest request) {
        String length = request.getHeader("content-length");
        if (length == null) {
            return -1;
        }
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** S2S sessions read their own bodies, frame by frame (docs/DECISIONS.md 18). */
    static boolean isSession(HttpServerRequest request) {
        return MediaTypes.isS2s(request.getHeader("content-type"));
    }

    private boolean reserve(long bytes) {
        while (true) {
            long now = buffered.get();
            if (now + bytes > bufferBytesMax) {
                return false;
            }
            if (buffered.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    private void read(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        long declared = declaredLength(request);
        boolean chunked = request.version() != HttpVersion.HTTP_2 && "chunked".equalsIgnoreCase(request.getHeader("transfer-encoding"));
        // No declared length: on HTTP/1.x no body unless chunked; on HTTP/2 the body's end cannot be
        // told apart from "no body", and the REST layer cannot start on an HTTP/2 request that has
        // ended (it pauses it, which Vert.x refuses), so such a body is left to it (bounded by
        // quarkus.http.limits.max-body-size, docs/SECURITY.md).
        if (request.isEnded() || isSession(request) || declared == 0 || (declared < 0 && !chunked)) {
            ctx.next();
            return;
        }
        long reserved = Math.max(declared, 0);
        if (reserved > 0 && !reserve(reserved)) {
            overBudget(request);
            return;
        }
        new Receipt(ctx, declared, reserved).start();
    }

    private void overBudget(HttpServerRequest request) {
        Refusals.refuse(request, ErrorCode.RATE_LIMITED, "this server is already receiving its maximum of " + bufferBytesMax
                + " bytes of request bodies; retry later or on another instance");
    }

    /** One body being received. Runs on the request's event loop. */
    private final class Receipt {
        private final RoutingContext ctx;
        private final Buffer body;
        /** The Content-Length, or -1 for a chunked body. */
        private final long declared;
        private long reserved;
        private long received;
        /** Refused, or handed over: later events are not ours. */
        private boolean done;

        Receipt(RoutingContext ctx, long declared, long reserved) {
            this.ctx = ctx;
            this.declared = declared;
            this.reserved = reserved;
            this.body = Buffer.buffer((int) Math.min(reserved, Compression.REQUEST_BODY_BYTES_MAX));
        }

        void start() {
            HttpServerRequest request = ctx.request();
            request.handler(this::data);
            request.endHandler(v -> end());
            request.exceptionHandler(e -> release());
            String expect = request.getHeader("expect");
            if (expect != null && expect.equalsIgnoreCase("100-continue") && request.version() != HttpVersion.HTTP_1_0) {
                ctx.response().writeContinue(); // the reservation is made: now the client may send
            }
            request.resume();
        }

        private void data(Buffer chunk) {
            if (done) {
                return; // refused: the rest is dropped until the connection or stream is gone
            }
            received += chunk.length();
            if (received > Compression.REQUEST_BODY_BYTES_MAX) {
                done = true;
                release();
                Refusals.bodyTooLarge(ctx.request());
                return;
            }
            if (received > reserved) {
                long more = received - reserved;
                if (!reserve(more)) {
                    done = true;
                    release();
                    overBudget(ctx.request());
                    return;
                }
                reserved += more;
            }
            body.appendBuffer(chunk);
            if (received == declared) {
                // The whole declared body: hand it over before the request's end is consumed, so the
                // request has not ended when the REST layer starts (it pauses it; on HTTP/2 Vert.x
                // refuses to pause an ended request). The end is read after the response.
                ctx.request().pause();
                handOver();
            }
        }

        private void end() {
            if (!done) {
                handOver(); // a chunked body
            }
        }

        private void handOver() {
            done = true;
            release();
            ctx.setBody(body);
            ctx.put(BODY, body);
            ctx.next();
        }

        private void release() {
            buffered.addAndGet(-reserved);
            reserved = 0;
        }
    }

    /** Gives the REST layer the body read above, so that it does not try to read the ended request. */
    @ServerRequestFilter
    public void handOver(ContainerRequestContext request, RoutingContext ctx) {
        Buffer body = ctx == null ? null : ctx.get(BODY);
        if (body != null) {
            request.setEntityStream(new ByteBufInputStream(body.getByteBuf()));
        }
    }
}
