package dev.brook.http;

import dev.brook.core.ErrorCode;
import dev.brook.http.errors.Refusals;
import dev.brook.http.wire.Compression;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The first route of every request, and the failure handler of the router (docs/SECURITY.md):
 * request heads over Brook's limits and bodies declared over the body limit are refused here in
 * S2's format, before authentication and before any of the body is read; requests the router
 * itself refuses (no Host, a target that is not a path) answer in S2's format instead of Quarkus's
 * error page, which named exception classes.
 */
@Singleton
public class TransportGuard {

    private static final Logger LOG = Logger.getLogger(TransportGuard.class);
    /** Before the auth gate (-200), the sessions (-100) and everything Quarkus adds. */
    static final int ROUTE_ORDER = -1000;
    /** Per header on the wire: ": " and CRLF besides the name and the value. */
    private static final int HEADER_LINE_OVERHEAD_BYTES = 4;
    /** Besides method and target: two spaces and "HTTP/1.1". */
    private static final int REQUEST_LINE_OVERHEAD_BYTES = 10;
    private static final AtomicLong INCIDENTS = new AtomicLong();

    @Inject
    ConnectionTimeouts timeouts;

    void routes(@Observes Router router) {
        router.route().order(ROUTE_ORDER).handler(this::guard);
        router.route().order(ROUTE_ORDER).failureHandler(this::failed);
    }

    private void guard(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        timeouts.requestStarted(ctx);
        Http2Flushes.consolidate(ctx);
        long line = (long) request.method().name().length() + request.uri().length() + REQUEST_LINE_OVERHEAD_BYTES;
        if (line > timeouts.requestLineBytesMax()) {
            Refusals.refuse(request, Refusals.URI_TOO_LONG, ErrorCode.BAD_PATH,
                    "request line exceeds " + timeouts.requestLineBytesMax() + " bytes");
            return;
        }
        long headers = 0;
        for (Map.Entry<String, String> h : request.headers()) {
            headers += h.getKey().length() + h.getValue().length() + HEADER_LINE_OVERHEAD_BYTES;
        }
        if (headers > timeouts.headerBytesMax()) {
            Refusals.refuse(request, Refusals.HEADER_FIELDS_TOO_LARGE, ErrorCode.BAD_HEADER,
                    "request headers exceed " + timeouts.headerBytesMax() + " bytes");
            return;
        }
        if (RequestBodies.declaredLength(request) > Compression.REQUEST_BODY_BYTES_MAX && !RequestBodies.isSession(request)) {
            Refusals.bodyTooLarge(request); // with Expect: 100-continue, the client never sends it
            return;
        }
        ctx.next();
    }

    /** Whatever failed a routing context (the router's own refusals, or a route's bug), in S2's format. */
    private void failed(RoutingContext ctx) {
        int status = ctx.statusCode();
        Throwable failure = ctx.failure();
        HttpServerRequest request = ctx.request();
        String message = failure == null || failure.getMessage() == null ? "" : failure.getMessage();
        String route = request.method() + " " + request.path();
        switch (status) {
            case 400 -> {
                ErrorCode code = message.contains("Host") || message.contains("authority") ? ErrorCode.BAD_HEADER
                        : message.contains("query") ? ErrorCode.BAD_QUERY : ErrorCode.BAD_PATH;
                Refusals.refuse(request, code, message.isEmpty() ? "bad request" : message);
            }
            case 404 -> Refusals.refuse(request, ErrorCode.NOT_FOUND, "no route for " + route);
            case 405 -> Refusals.refuse(request, ErrorCode.METHOD_NOT_ALLOWED, "no route for " + route + " (wrong method)");
            case 413 -> Refusals.bodyTooLarge(request);
            default -> {
                long incident = INCIDENTS.incrementAndGet();
                LOG.errorf(failure, "transport incident %d: %s failed with status %d", incident, route, status);
                Refusals.refuse(request, ErrorCode.OTHER, "internal error (transport incident " + incident + " in the server log)");
            }
        }
    }
}
