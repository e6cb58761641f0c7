package dev.brook.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.quarkus.arc.Unremovable;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * How long a connection may take, and how large a request head may be (docs/SECURITY.md).
 *
 * <p>Vert.x has no deadline for reading a request head, and Quarkus gives no hook on new
 * connections, so the header timeout is Vert.x's write-idle timeout: a connection the server has
 * written nothing to for {@code brook.http.header-timeout-ms} is closed. Between requests that is
 * exactly "the next request head must arrive in time" (a client trickling header bytes keeps reads
 * going, never writes); while a request is served it would cut long polls (60 s without a byte),
 * so {@link TransportGuard} swaps Vert.x's {@code idle} handler for one that only closes after
 * {@code brook.http.idle-timeout-ms} with nothing read or written, and swaps it back when the
 * response has been written. HTTP/2 connections keep the request-time handler from their first
 * request on: streams overlap, and a multiplexed connection is rarely between requests.
 *
 * <p>Header sizes: Brook refuses heads over its limits in S2's JSON (TransportGuard); Vert.x's codec
 * is given twice those limits, so only heads beyond that get its own empty 414/431.
 */
@Singleton
@Unremovable
public class ConnectionTimeouts implements HttpServerOptionsCustomizer {

    /** Vert.x's name for the idle handler in both pipelines (HttpServerWorker). */
    static final String IDLE_HANDLER = "idle";
    /** The codec's hard bounds, as a multiple of Brook's limits: room to answer in JSON below them. */
    static final int CODEC_BOUND_FACTOR = 2;
    private static final AttributeKey<Boolean> HTTP2_SERVING = AttributeKey.valueOf("brook.http2.serving");

    @ConfigProperty(name = "brook.http.header-timeout-ms", defaultValue = "30000")
    int headerTimeoutMs;

    @ConfigProperty(name = "brook.http.idle-timeout-ms", defaultValue = "120000")
    int idleTimeoutMs;

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
        // Between requests (and before the first): no write for the header timeout closes. Before
        // Vert.x has told HTTP/1.1 from h2c only all-idle counts, so it is the header timeout too.
        options.setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        options.setReadIdleTimeout(0);
        options.setWriteIdleTimeout(Math.max(headerTimeoutMs, 0));
        options.setIdleTimeout(headerTimeoutMs > 0 ? headerTimeoutMs : Math.max(idleTimeoutMs, 0));
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

    /** A request starts: the connection gets the idle timeout until its response has been written. */
    void requestStarted(RoutingContext ctx) {
        if (!(ctx.request().connection() instanceof ConnectionBase connection)) {
            return;
        }
        Channel channel = connection.channel();
        ChannelPipeline pipeline = channel.pipeline();
        if (pipeline.get(IDLE_HANDLER) == null) {
            return; // both timeouts off
        }
        if (ctx.request().version() == HttpVersion.HTTP_2) {
            if (channel.attr(HTTP2_SERVING).setIfAbsent(Boolean.TRUE) == null) {
                swap(pipeline, serving());
            }
            return;
        }
        swap(pipeline, serving());
        ctx.addBodyEndHandler(v -> {
            if (channel.isActive()) {
                swap(pipeline, between());
            }
        });
    }

    private IdleStateHandler serving() {
        return new IdleStateHandler(0, 0, Math.max(idleTimeoutMs, 0), TimeUnit.MILLISECONDS);
    }

    private IdleStateHandler between() {
        return headerTimeoutMs > 0
                ? new IdleStateHandler(0, headerTimeoutMs, headerTimeoutMs, TimeUnit.MILLISECONDS)
                : serving();
    }

    private static void swap(ChannelPipeline pipeline, IdleStateHandler handler) {
        if (pipeline.get(IDLE_HANDLER) != null) {
            pipeline.replace(IDLE_HANDLER, IDLE_HANDLER, handler);
        }
    }
}
