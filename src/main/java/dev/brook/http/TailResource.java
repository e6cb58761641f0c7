package dev.brook.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.brook.engine.DataPlane;
import io.quarkus.arc.properties.IfBuildProperty;
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

    @ConfigProperty(name = "brook.basin-zones", defaultValue = "localhost")
    List<String> zones;

    @GET
    public CompletionStage<Response> tail(@HeaderParam(Http.BASIN_HEADER) String basinHeader, @HeaderParam("host") String host, @HeaderParam("s2-stream-config") String streamConfig,
                                          @PathParam("stream") String stream) {
        String basin = Http.basin(basinHeader, host, zones);
        Records.stream(stream);
        return data.checkTail(basin, stream, Http.streamConfigHeader(streamConfig), false).thenApply(state -> Http.ok(JsonNodeFactory.instance.objectNode()
                .set("tail", RecordJson.position(state.nextSeq(), state.lastTimestamp()))));
    }
}
