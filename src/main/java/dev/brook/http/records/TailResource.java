package dev.brook.http.records;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.brook.engine.DataPlane;
import dev.brook.http.gate.AuthGate;
import dev.brook.http.gate.Authz;
import dev.brook.http.wire.Http;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Check-tail (spec §3.3): from storage, so it reflects every acknowledged append. */
@Path("/v1/streams/{stream}/records/tail")
@IfBuildProperty(name = "brook.serve.tail", stringValue = "true", enableIfMissing = true)
public class TailResource {

    @Inject
    DataPlane data;

    @Inject
    CurrentVertxRequest request;

    @ConfigProperty(name = "brook.basin-zones", defaultValue = "localhost")
    List<String> zones;

    @GET
    public CompletionStage<Response> tail(@HeaderParam(Http.BASIN_HEADER) String basinHeader, @HeaderParam("host") String host, @HeaderParam("s2-stream-config") String streamConfig,
                                          @PathParam("stream") String clientStream) {
        String basin = Http.basin(basinHeader, host, zones);
        String stream = Authz.stored(AuthGate.principal(request.getCurrent()), Records.stream(clientStream));
        return data.checkTail(basin, stream, Http.streamConfigHeader(streamConfig), false).thenApply(state -> Http.ok(JsonNodeFactory.instance.objectNode()
                .set("tail", RecordJson.position(state.nextSeq(), state.lastTimestamp()))));
    }
}
