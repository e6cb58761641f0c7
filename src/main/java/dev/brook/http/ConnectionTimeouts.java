package dev.brook.http;

import io.quarkus.arc.Unremovable;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * How large a request head may be (docs/SECURITY-LIMITS.md): Brook refuses heads over its limits
 * in S2's JSON (TransportGuard); Vert.x's codec is given twice those limits, so only heads beyond
 * that get its own empty 414/431.
 */
@Singleton
@Unremovable
public class ConnectionTimeouts implements HttpServerOptionsCustomizer {

    /** The codec's hard bounds, as a multiple of Brook's limits: room to answer in JSON below them. */
    static final int CODEC_BOUND_FACTOR = 2;

    @ConfigProperty(name = "brook.http.header-bytes-max", defaultValue = "16384")
    int headerBytesMax;

    @ConfigProperty(name = "brook.http.request-line-bytes-max", defaultValue = "4096")
    int requestLineBytesMax;

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        apply(options);
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        apply(options);
    }

    private void apply(HttpServerOptions options) {
        options.setMaxInitialLineLength(CODEC_BOUND_FACTOR * requestLineBytesMax);
        options.setMaxHeaderSize(CODEC_BOUND_FACTOR * headerBytesMax);
        options.getInitialSettings().setMaxHeaderListSize(CODEC_BOUND_FACTOR * (long) headerBytesMax);
    }

    int headerBytesMax() {
        return headerBytesMax;
    }

    int requestLineBytesMax() {
        return requestLineBytesMax;
    }

    /** A request starts (the connection's timeouts arrive in a later change). */
    void requestStarted(RoutingContext ctx) {
    }
}
