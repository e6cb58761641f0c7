package dev.brook.http;

import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import dev.brook.core.StreamConfigSpec;
import dev.brook.engine.Admission;
import dev.brook.engine.DataPlane;
import dev.brook.log.LogEnv;
import io.quarkus.arc.properties.IfBuildProperty;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The session routes (the {@code edge} function, DESIGN.md §1), on Vert.x directly so that
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
    static final String RECORDS = "/v1/streams/:stream/records";

    /** All resolved per request: the store behind them is checked by BrookMain before anything uses it. */
    @Inject
    Instance<DataPlane> data;

    @Inject
    Instance<LogEnv> env;

    @Inject
    Instance<Admission> admission;

    @ConfigProperty(name = "brook.basin-zones", defaultValue = "localhost")
    List<String> zones;

    void routes(@Observes Router router) {
        router.route(HttpMethod.GET, RECORDS).order(ROUTE_ORDER).handler(this::read);
        router.route(HttpMethod.POST, RECORDS).order(ROUTE_ORDER).handler(this::append);
    }

    private void read(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        boolean s2s = MediaTypes.isS2s(request.getHeader("content-type"));
        if (!s2s && !MediaTypes.isEventStream(request.getHeader("accept"))) {
            ctx.next();
            return;
        }
        try {
            Target target = target(ctx);
            ReadSession.Output output = s2s ? SessionOutputs.s2s(S2sFrames.chooseCompression(request.getHeader("accept-encoding")))
                    : SessionOutputs.sse(RecordJson.Format.parse(request.getHeader("s2-format")));
            // S2S clients resume by rewriting the query; last-event-id is SSE's.
            SessionQuery query = SessionQuery.parse(name -> ctx.queryParams().get(name), s2s ? null : request.getHeader("last-event-id"));
            Admission limits = openSession();
            LogEnv e = env.get();
            new ReadSession(data.get(), output, Vertx.currentContext(), ctx.response(), target.basin, target.stream, target.key,
                    target.autoCreateConfig, query, e.wallClockMs(), e.random(), limits::closeSession).start();
        } catch (RuntimeException e) {
            Replies.answer(ctx.response(), e);
        }
    }

    private void append(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (!MediaTypes.isS2s(request.getHeader("content-type"))) {
            ctx.next();
            return;
        }
        request.pause(); // nothing is read before the pre-flight checks pass
        try {
            Target target = target(ctx);
            Admission limits = openSession();
            new S2sAppendSession(data.get(), limits, Vertx.currentContext(), request, ctx.response(), target.basin, target.stream,
                    target.key, target.autoCreateConfig, env.get().wallClockMs(), AuthGate.principal(ctx)).start();
        } catch (RuntimeException e) {
            Replies.answer(ctx.response(), e);
        }
    }

    /** The stream a session is on, from the request's headers and path, validated. */
    private record Target(String basin, String stream, Optional<byte[]> key, StreamConfigSpec autoCreateConfig) {}

    private Target target(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String basin = Http.basin(request.getHeader(Http.BASIN_HEADER), request.getHeader("host"), zones);
        String stream = Authz.stored(AuthGate.principal(ctx), Records.stream(ctx.pathParam("stream")));
        return new Target(basin, stream, Http.encryptionKey(request.getHeader("s2-encryption-key")),
                Http.streamConfigHeader(request.getHeader("s2-stream-config")));
    }

    private Admission openSession() {
        Admission limits = admission.get();
        if (!limits.openSession()) {
            throw new S2Error(ErrorCode.RATE_LIMITED, "this server already serves its maximum of " + limits.sessionsMax()
                    + " sessions; retry later or on another instance");
        }
        return limits;
    }
}
