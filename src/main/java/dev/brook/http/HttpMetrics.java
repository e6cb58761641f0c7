package dev.brook.http;

import dev.brook.http.gate.AuthGate;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code http_server_requests_seconds{method,uri,status,outcome}} for every request, labelled by
 * what the access gate classified it as: a route's template ({@code /v1/streams/{stream}/records}),
 * one of the few paths outside the API, or {@code UNMATCHED}. Never the raw path: a label must not
 * echo stream names, tokens or whatever an attacker puts in a path, and the set of label values
 * must stay small (docs/SECURITY.md). The framework's own HTTP binder is off for the same reason.
 */
@Singleton
public class HttpMetrics {

    static final String UNMATCHED = "UNMATCHED";
    private static final Set<String> OUTSIDE_API = Set.of("/health", "/health/live", "/health/ready", "/health/started", "/metrics");
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");

    @Inject
    MeterRegistry registry;

    /** Starts timing a request; the sample is recorded with its labels when the response ends. */
    public void observe(RoutingContext ctx) {
        long start = System.nanoTime();
        String method = ctx.request().method().name();
        String path = ctx.request().path();
        ctx.addEndHandler(v -> {
            int status = ctx.response().getStatusCode();
            String uri = AuthGate.route(ctx).map(m -> m.route().template())
                    .orElse(OUTSIDE_API.contains(path) ? path : UNMATCHED);
            Timer.builder("http.server.requests")
                    .description("HTTP requests by route template")
                    .tag("method", METHODS.contains(method) ? method : "OTHER")
                    .tag("uri", uri)
                    .tag("status", Integer.toString(status))
                    .tag("outcome", outcome(status))
                    .register(registry)
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        });
    }

    private static String outcome(int status) {
        return status < 200 ? "INFORMATIONAL" : status < 300 ? "SUCCESS" : status < 400 ? "REDIRECTION"
                : status < 500 ? "CLIENT_ERROR" : "SERVER_ERROR";
    }
}
