package dev.brook.http.edge;

import dev.brook.core.S2Error;
import dev.brook.core.StreamConfigSpec;
import dev.brook.engine.Admission;
import dev.brook.engine.DataPlane;
import dev.brook.http.errors.Replies;
import dev.brook.http.gate.AuthGate;
import dev.brook.http.gate.Authz;
import dev.brook.http.gate.Route;
import dev.brook.http.records.RecordJson;
import dev.brook.http.records.Records;
import dev.brook.http.wire.Http;
import dev.brook.http.wire.S2sFrames;
import dev.brook.log.LogEnv;
import io.quarkus.arc.properties.IfBuildProperty;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The session routes (the {@code edge} function, docs/ARCHITECTURE.md, functions), on Vert.x directly so that
 * responses stream and request bodies are read frame by frame: SSE reads ({@code Accept:
 * text/event-stream}), S2S read sessions ({@code GET} with {@code Content-Type: s2s/proto}) and S2S
 * append sessions ({@code POST} with it), over HTTP/1.1 (full duplex) and h2c on the same port.
 * Every other request on the path goes on to the unary resources.
 */
@Singleton
@IfBuildProperty(name = "brook.serve.edge", stringValue = "true", enableIfMissing = true)
public class Sessions {

    /** Before the REST layer's route, which would answer the request itself. */
    static final int ROUTE_ORDER = -100;

    /** All resolved per request: the store behind them is checked by BrookMain before anything uses it. */
    @Inject
    Instance<DataPlane> data;

    @Inject
    Instance<LogEnv> env;

    @Inject
    Instance<Admission> admission;

    @Inject
    Instance<SessionTokens> tokens;

    @ConfigProperty(name = "brook.basin-zones", defaultValue = "localhost")
    List<String> zones;

    /** An S2S append session that sends nothing for this long, with nothing unanswered, is ended (408). */
    @ConfigProperty(name = "brook.sessions.append-idle-timeout-ms", defaultValue = "90000")
    long appendIdleTimeoutMs;

    /**
     * One route on every path, after the access gate: it serves what the gate classified as a read or
     * an append on a session transport, and passes everything else on. It has no path pattern of its
     * own, so it cannot disagree with the gate about which stream a request names.
     */
    void routes(@Observes Router router) {
        router.route().order(ROUTE_ORDER).handler(this::dispatch);
    }

    private void dispatch(RoutingContext ctx) {
        Optional<Route.Match> match = AuthGate.route(ctx);
        Route.Transport transport = AuthGate.transport(ctx);
        if (match.isPresent() && match.get().route() == Route.READ && (transport == Route.Transport.SSE || transport == Route.Transport.S2S)) {
            read(ctx, match.get(), transport == Route.Transport.S2S);
        } else if (match.isPresent() && match.get().route() == Route.APPEND && transport == Route.Transport.S2S) {
            append(ctx, match.get());
        } else {
            ctx.next();
        }
    }

    private void read(RoutingContext ctx, Route.Match match, boolean s2s) {
        HttpServerRequest request = ctx.request();
        try {
            Target target = target(ctx, match);
            ReadSession.Output output = s2s ? SessionOutputs.s2s(S2sFrames.chooseCompression(request.getHeader("accept-encoding")))
                    : SessionOutputs.sse(RecordJson.Format.parse(request.getHeader("s2-format")));
            // S2S clients resume by rewriting the query; last-event-id is SSE's.
            SessionQuery query = SessionQuery.parse(name -> ctx.queryParams().get(name), s2s ? null : request.getHeader("last-event-id"));
            Admission limits = openSession();
            LogEnv e = env.get();
            AtomicReference<Runnable> unwatch = new AtomicReference<>(() -> {});
            // Heartbeat jitter needs no secure random (the log's is shared and synchronized): one draw seeds the session's own.
            java.util.SplittableRandom jitter = new java.util.SplittableRandom(e.random().nextLong());
            ReadSession session = new ReadSession(data.get(), output, Vertx.currentContext(), ctx.response(), target.basin, target.stream,
                    target.key, target.autoCreateConfig, query, e.wallClockMs(), jitter, () -> {
                        limits.closeSession();
                        unwatch.get().run();
                    });
            watchToken(ctx, unwatch, session::terminate, session::finished);
            session.start();
        } catch (RuntimeException e) {
            Replies.answer(ctx.response(), e);
        }
    }

    private void append(RoutingContext ctx, Route.Match match) {
        HttpServerRequest request = ctx.request();
        request.pause(); // nothing is read before the pre-flight checks pass
        try {
            Target target = target(ctx, match);
            Admission limits = openSession();
            S2sAppendSession session = new S2sAppendSession(data.get(), limits, Vertx.currentContext(), request, ctx.response(),
                    target.basin, target.stream, target.key, target.autoCreateConfig, env.get().wallClockMs(), AuthGate.principal(ctx),
                    appendIdleTimeoutMs);
            AtomicReference<Runnable> unwatch = new AtomicReference<>(() -> {});
            session.whenFinished(() -> unwatch.get().run());
            watchToken(ctx, unwatch, session::terminate, session::finished);
            session.start();
        } catch (RuntimeException e) {
            Replies.answer(ctx.response(), e);
        }
    }

    /**
     * Ends the session when its token is revoked or expires (docs/SECURITY.md). Registered after the
     * session exists and before it starts; a session that already finished is let go at once.
     */
    private void watchToken(RoutingContext ctx, AtomicReference<Runnable> unwatch, Consumer<S2Error> terminate,
                            BooleanSupplier finished) {
        unwatch.set(tokens.get().watch(AuthGate.principal(ctx), terminate));
        if (finished.getAsBoolean()) {
            unwatch.get().run();
        }
    }

    /** The stream a session is on, from the request's headers and path, validated. */
    private record Target(String basin, String stream, Optional<byte[]> key, StreamConfigSpec autoCreateConfig) {}

    private Target target(RoutingContext ctx, Route.Match match) {
        HttpServerRequest request = ctx.request();
        String basin = Http.basin(request.getHeader(Http.BASIN_HEADER), request.getHeader("host"), zones);
        String stream = Authz.stored(AuthGate.principal(ctx), Records.stream(match.param("stream").orElseThrow()));
        return new Target(basin, stream, Http.encryptionKey(request.getHeader("s2-encryption-key")),
                Http.streamConfigHeader(request.getHeader("s2-stream-config")));
    }

    /** A session slot from the engine's admission, or its refusal. */
    private Admission openSession() {
        Admission limits = admission.get();
        limits.admitSession();
        return limits;
    }
}
