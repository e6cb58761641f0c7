package dev.brook.http;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;

/**
 * One socket write per HTTP/2 connection per batch of work, not one per response write (docs/LOG.md,
 * "Fan-out"). Vert.x flushes every HTTP/2 DATA frame written outside a read, so a connection carrying a
 * hundred followers of one stream made a hundred {@code writev} calls per commit (a fifth of the server's
 * CPU went to the kernel). Netty's flush consolidation, placed next to the socket, turns the flushes made
 * while the event loop runs one batch of tasks into one flush after them: a commit wakes the followers on
 * an event loop with one task (TailWatch), they write in turn, and the connection is flushed once.
 * HTTP/1.1 connections carry one response at a time and are left as they are.
 */
final class Http2Flushes {

    static final String HANDLER = "brook-flush";
    /** Flushes to hold back at most before writing anyway (Netty's default). */
    static final int EXPLICIT_FLUSH_AFTER = FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES;

    private Http2Flushes() {}

    /** On a request's HTTP/2 connection, once: consolidates its flushes. */
    static void consolidate(RoutingContext ctx) {
        if (ctx.request().version() == HttpVersion.HTTP_2 && ctx.request().connection() instanceof ConnectionBase connection) {
            install(connection.channel().pipeline());
        }
    }

    /** Puts the consolidating handler next to the socket, unless it is there. Runs on the connection's event loop. */
    static void install(ChannelPipeline pipeline) {
        if (pipeline.get(HANDLER) == null) {
            pipeline.addFirst(HANDLER, new FlushConsolidationHandler(EXPLICIT_FLUSH_AFTER, true));
        }
    }
}
