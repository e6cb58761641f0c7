package dev.brook.http;

import dev.brook.engine.DataPlane;
import dev.brook.log.LogEnv;
import io.quarkus.arc.properties.IfBuildProperty;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Read sessions, served by Vert.x directly (they outlive a request-response exchange): SSE when
 * {@code Accept: text/event-stream}. Everything else on the path goes on to the unary resource.
 */
@Singleton
@IfBuildProperty(name = "brook.serve.edge", stringValue = "true", enableIfMissing = true)
public class ReadSessions {

    /** Before the REST layer's route, which would answer the request itself. */
    static final int ROUTE_ORDER = -100;

    /** Both resolved per request: the store behind them is checked by BrookMain before anything uses it. */
    @Inject
    Instance<DataPlane> data;

    @Inject
    Instance<LogEnv> env;

    @ConfigProperty(name = "brook.basin-zones", defaultValue = "localhost")
    List<String> zones;

    void routes(@Observes Router router) {
        router.route(HttpMethod.GET, "/v1/streams/:stream/records").order(ROUTE_ORDER).handler(this::read);
    }

    private void read(RoutingContext ctx) {
        var request = ctx.request();
        if (!MediaTypes.isEventStream(request.getHeader("accept")) || MediaTypes.isS2s(request.getHeader("content-type"))) {
            ctx.next();
            return;
        }
        try {
            String basin = Http.basin(request.getHeader(Http.BASIN_HEADER), request.getHeader("host"), zones);
            String stream = Records.stream(ctx.pathParam("stream"));
            RecordJson.Format format = RecordJson.Format.parse(request.getHeader("s2-format"));
            var key = Http.encryptionKey(request.getHeader("s2-encryption-key"));
            SessionQuery query = SessionQuery.parse(name -> ctx.queryParams().get(name), request.getHeader("last-event-id"));
            new SseSession(data.get(), Vertx.currentContext(), ctx.response(), basin, stream, key, format, query,
                    env.get().wallClockMs(), env.get().random()).start();
        } catch (RuntimeException e) {
            Replies.answer(ctx.response(), e);
        }
    }
}
