package dev.brook.http.records;

import dev.brook.core.S2Error;
import dev.brook.engine.DataPlane;
import dev.brook.http.gate.AuthGate;
import dev.brook.http.gate.Authz;
import dev.brook.http.wire.Http;
import dev.brook.http.wire.MediaTypes;
import dev.brook.http.wire.ProtoCodec;
import dev.brook.log.ReadOutcome;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Unary and long-poll reads (spec §3.3, §7.1-§7.3). The read function serves the first and the edge
 * function the second (Route#function), so both carry this resource: {@code brook.carry.read-resource}.
 */
@Path("/v1/streams/{stream}/records")
@IfBuildProperty(name = "brook.carry.read-resource", stringValue = "true", enableIfMissing = true)
public class ReadResource {

    @Inject
    DataPlane data;

    @Inject
    CurrentVertxRequest request;

    @ConfigProperty(name = "brook.basin-zones", defaultValue = "localhost")
    List<String> zones;

    @GET
    public CompletionStage<Response> read(@HeaderParam(Http.BASIN_HEADER) String basinHeader, @HeaderParam("host") String host, @HeaderParam("s2-stream-config") String streamConfig,
                                          @HeaderParam("s2-format") String format, @HeaderParam("accept") String accept,
                                          @HeaderParam("content-type") String contentType,
                                          @HeaderParam("s2-encryption-key") String encryptionKey, @PathParam("stream") String clientStream,
                                          @QueryParam("seq_num") String seqNum, @QueryParam("timestamp") String timestamp,
                                          @QueryParam("tail_offset") String tailOffset, @QueryParam("clamp") String clamp,
                                          @QueryParam("count") String count, @QueryParam("bytes") String bytes,
                                          @QueryParam("until") String until, @QueryParam("wait") String wait,
                                          @Context UriInfo uri) {
        String basin = Http.basin(basinHeader, host, zones);
        Http.rejectEmpty(uri, "seq_num", "timestamp", "tail_offset", "clamp", "count", "bytes", "until", "wait");
        String stream = Authz.stored(AuthGate.principal(request.getCurrent()), Records.stream(clientStream));
        RecordJson.Format f = RecordJson.Format.parse(format);
        Records.ReadQuery q = Records.readQuery(name -> switch (name) {
            case "seq_num" -> seqNum;
            case "timestamp" -> timestamp;
            case "tail_offset" -> tailOffset;
            case "clamp" -> clamp;
            case "count" -> count;
            case "bytes" -> bytes;
            case "until" -> until;
            case "wait" -> wait;
            default -> null;
        });
        java.util.Optional<byte[]> key = Http.encryptionKey(encryptionKey);
        if (MediaTypes.isS2s(contentType) || MediaTypes.isEventStream(accept)) {
            // Without the edge function in this build: the pre-flight checks answer as a session would, then 501.
            return data.preflight(basin, stream, DataPlane.AutoCreate.ON_READ, Http.streamConfigHeader(streamConfig), key).thenApply(s -> {
                throw new S2Error(dev.brook.core.ErrorCode.NOT_IMPLEMENTED, "read sessions (SSE, s2s/proto) are served by the edge function, not this one");
            });
        }
        boolean protobuf = MediaTypes.isProtobuf(accept);
        return data.read(basin, stream, q.request(), q.waitSecs() * 1000, key, Http.streamConfigHeader(streamConfig)).thenApply(result -> {
            ReadOutcome outcome = result.outcome();
            if (outcome instanceof ReadOutcome.RangeNotSatisfiable r) {
                throw Records.rangeNotSatisfiable(r.tailSeq(), r.tailTimestamp());
            }
            ReadOutcome.Records records = (ReadOutcome.Records) outcome;
            // The tail goes with records that came from the live tail (spec §7.3), not with catch-up.
            Optional<long[]> tail = result.live() ? Optional.of(new long[]{records.tailSeq(), records.tailTimestamp()}) : Optional.empty();
            return protobuf ? Http.protobuf(ProtoCodec.encodeReadBatch(records.records(), tail))
                    : Http.okJson(RecordJson.readBatchBytes(records.records(), tail, f));
        });
    }
}
