package dev.brook.http.records;

import dev.brook.core.AppendBatch;
import dev.brook.core.BatchRules;
import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import dev.brook.engine.Admission;
import dev.brook.engine.DataPlane;
import dev.brook.http.gate.AuthGate;
import dev.brook.http.gate.Authz;
import dev.brook.http.wire.Compression;
import dev.brook.http.wire.Http;
import dev.brook.http.wire.MediaTypes;
import dev.brook.http.wire.ProtoCodec;
import dev.brook.log.AppendOutcome;
import dev.brook.log.LogEnv;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Unary append (spec §3.3, §6). */
@Path("/v1/streams/{stream}/records")
@Consumes(MediaType.WILDCARD)
@IfBuildProperty(name = "brook.serve.append", stringValue = "true", enableIfMissing = true)
public class AppendResource {

    @Inject
    DataPlane data;

    @Inject
    LogEnv env;

    @Inject
    Admission admission;

    @Inject
    CurrentVertxRequest request;

    @ConfigProperty(name = "brook.basin-zones", defaultValue = "localhost")
    List<String> zones;

    @POST
    public CompletionStage<Response> append(@HeaderParam(Http.BASIN_HEADER) String basinHeader, @HeaderParam("host") String host,
                                            @HeaderParam("s2-stream-config") String streamConfig,
                                            @HeaderParam("content-type") String contentType, @HeaderParam("accept") String accept,
                                            @HeaderParam("content-encoding") String contentEncoding,
                                            @HeaderParam("s2-encryption-key") String encryptionKey,
                                            @HeaderParam("s2-format") String format, @PathParam("stream") String clientStream) {
        byte[] body = dev.brook.http.RequestBodies.bytes(request.getCurrent());
        String basin = Http.basin(basinHeader, host, zones);
        String stream = Authz.stored(AuthGate.principal(request.getCurrent()), Records.stream(clientStream));
        java.util.Optional<byte[]> key = Http.encryptionKey(encryptionKey);
        if (MediaTypes.isS2s(contentType)) {
            throw new S2Error(ErrorCode.NOT_IMPLEMENTED, "append sessions (s2s/proto) are served by the edge function, not this one");
        }
        long arrivalMs = env.wallClockMs().getAsLong();
        AppendBatch batch;
        if (MediaTypes.isProtobuf(contentType)) {
            batch = ProtoCodec.decodeAppendInput(Compression.decodeRequest(contentEncoding, body, ErrorCode.BAD_PROTO), arrivalMs);
        } else {
            RecordJson.Format f = RecordJson.Format.parse(format);
            if (!MediaTypes.isJson(contentType)) {
                throw new S2Error(ErrorCode.BAD_JSON, "Expected request with `Content-Type: application/json`");
            }
            byte[] json = Compression.decodeRequest(contentEncoding, body);
            batch = PlainAppendJson.read(json, f, arrivalMs).orElseGet(() -> RecordJson.appendInput(Http.requiredBody(json), f, arrivalMs));
        }
        BatchRules.check(batch).ifPresent(invalid -> {
            throw S2Error.invalid(invalid.message());
        });
        Authz.requireRecords(AuthGate.principal(request.getCurrent()), batch, basin, stream);
        boolean protobuf = MediaTypes.isProtobuf(accept);
        return admission.admitAppend(batch.meteredBytes(),
                () -> data.append(basin, stream, batch, key, Http.streamConfigHeader(streamConfig), false)).thenApply(outcome -> {
            if (outcome instanceof AppendOutcome.Acked a) {
                return protobuf ? Http.protobuf(ProtoCodec.encodeAppendAck(a.range().startSeq(), a.range().startTimestamp(),
                        a.range().endSeq(), a.range().endTimestamp(), a.tailSeq(), a.tailTimestamp())) : Http.ok(Records.ack(a));
            }
            throw Records.failure(basin, stream, outcome);
        });
    }
}
