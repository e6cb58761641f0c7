package dev.brook.http.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brook.core.ErrorCode;
import dev.brook.core.Names;
import dev.brook.core.S2Error;
import dev.brook.core.StreamConfig;
import dev.brook.core.StreamConfigSpec;
import dev.brook.core.auth.Operation;
import dev.brook.core.auth.TokenRules;
import dev.brook.core.auth.TokenSpec;
import dev.brook.engine.Catalog;
import dev.brook.engine.ConfigJson;
import dev.brook.engine.ControlPlane;
import dev.brook.engine.Provisioned;
import dev.brook.engine.StreamRecord;
import dev.brook.http.gate.AuthGate;
import dev.brook.http.gate.Authz;
import dev.brook.http.wire.Compression;
import dev.brook.http.wire.Http;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Streams (spec §3.2), basin-scoped by the {@code s2-basin} header. */
@Path("/v1/streams")
@Consumes(MediaType.WILDCARD)
@IfBuildProperty(name = "brook.serve.control", stringValue = "true", enableIfMissing = true)
public class StreamsResource {

    @Inject
    Catalog catalog;

    @Inject
    ControlPlane control;

    @Inject
    CurrentVertxRequest request;

    @ConfigProperty(name = "brook.basin-zones", defaultValue = "localhost")
    List<String> zones;

    @GET
    public CompletionStage<Response> list(@HeaderParam(Http.BASIN_HEADER) String basinHeader, @HeaderParam("host") String host,
                                          @QueryParam("prefix") String prefix, @QueryParam("start_after") String startAfter,
                                          @QueryParam("limit") String limit, @Context UriInfo uri) {
        Http.rejectEmpty(uri, "limit");
        String basin = Http.basin(basinHeader, host, zones);
        TokenSpec who = AuthGate.principal(request.getCurrent());
        // In stored names: an auto-prefixing token lists under its prefix, and sees names without it.
        String p = TokenRules.storedPrefix(Http.query("prefix", prefix, Names::streamPrefix), who.scope(), who.autoPrefixStreams());
        String after = TokenRules.storedStartAfter(Http.query("start_after", startAfter, Names::streamStartAfter), who.scope(),
                who.autoPrefixStreams());
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode streams = body.putArray("streams");
        Optional<Authz.Listing> visible = Authz.listing(who.scope().streams(), p, Http.limit(limit));
        if (visible.isEmpty()) {
            return CompletableFuture.completedFuture(Http.ok(body.put("has_more", false)));
        }
        return control.listStreams(basin, visible.get().prefix(), after, visible.get().limit()).thenApply(page -> {
            for (Catalog.StreamRecordNamed s : page.items()) {
                Optional<String> shown = Authz.client(who, s.name());
                if (visible.get().keeps(s.name()) && shown.isPresent()) {
                    streams.add(info(shown.get(), s.record()));
                }
            }
            body.put("has_more", visible.get().hasMore(page.hasMore()));
            return Http.ok(body);
        });
    }

    @POST
    public CompletionStage<Response> create(@HeaderParam(Http.BASIN_HEADER) String basinHeader, @HeaderParam("host") String host,
                                            @HeaderParam(Http.REQUEST_TOKEN) String requestToken,
                                            @HeaderParam("content-encoding") String contentEncoding, @HeaderParam("content-type") String contentType, byte[] body) {
        String basin = Http.basin(basinHeader, host, zones);
        Optional<String> token = Http.requestToken(requestToken);
        JsonNode n = Http.requiredBody(Http.jsonBody(contentType, Compression.decodeRequest(contentEncoding, body)));
        JsonNode name = n.get("stream");
        if (name == null || !name.isTextual()) {
            throw new S2Error(ErrorCode.BAD_JSON, "missing field `stream`");
        }
        Names.streamName(name.asText()).ifPresent(problem -> {
            throw new S2Error(ErrorCode.BAD_JSON, problem);
        });
        TokenSpec who = AuthGate.principal(request.getCurrent());
        String stored = Authz.stored(who, name.asText());
        // A name S2 accepts may still make keys longer than the store holds (docs/SECURITY.md).
        catalog.streamNameProblem(basin, stored).ifPresent(problem -> {
            throw new S2Error(ErrorCode.BAD_JSON, problem);
        });
        Authz.require(who, Operation.CREATE_STREAM, basin, stored, null);
        StreamConfigSpec spec = ConfigJson.parseSpec(n.get("config"));
        return control.createStream(basin, stored, spec, token, Optional.of(Http.hash(ConfigJson.spec(spec))))
                .thenApply(p -> provisioned(201, name.asText(), p.value(), p.result()));
    }

    @GET
    @Path("{stream}")
    public CompletionStage<Response> config(@HeaderParam(Http.BASIN_HEADER) String basinHeader, @HeaderParam("host") String host,
                                            @PathParam("stream") String stream) {
        String basin = Http.basin(basinHeader, host, zones);
        String stored = stored(stream);
        return control.streamConfig(basin, stored).thenApply(s -> Http.ok(ConfigJson.streamConfig(s.config())));
    }

    @PUT
    @Path("{stream}")
    public CompletionStage<Response> ensure(@HeaderParam(Http.BASIN_HEADER) String basinHeader, @HeaderParam("host") String host,
                                            @PathParam("stream") String stream, @HeaderParam("content-encoding") String contentEncoding, @HeaderParam("content-type") String contentType,
                                            byte[] body) {
        String basin = Http.basin(basinHeader, host, zones);
        String stored = stored(stream);
        StreamConfigSpec spec = ConfigJson.parseSpec(Http.body(Http.jsonBody(contentType, Compression.decodeRequest(contentEncoding, body))).orElse(null));
        return control.ensureStream(basin, stored, spec).thenApply(changed -> provisioned(
                changed.result() == Provisioned.Result.CREATED ? 201 : 200, stream, changed.now(), changed.result()));
    }

    @PATCH
    @Path("{stream}")
    public CompletionStage<Response> reconfigure(@HeaderParam(Http.BASIN_HEADER) String basinHeader, @HeaderParam("host") String host,
                                                 @PathParam("stream") String stream, @HeaderParam("content-encoding") String contentEncoding, @HeaderParam("content-type") String contentType,
                                            byte[] body) {
        String basin = Http.basin(basinHeader, host, zones);
        String stored = stored(stream);
        JsonNode patch = Http.requiredBody(Http.jsonBody(contentType, Compression.decodeRequest(contentEncoding, body)));
        ConfigJson.reconfigure(StreamConfig.SYSTEM_DEFAULT, patch, StreamConfigSpec.EMPTY); // reject a malformed patch first
        return control.reconfigureStream(basin, stored, (current, defaults) -> ConfigJson.reconfigure(current, patch, defaults))
                .thenApply(s -> Http.ok(ConfigJson.streamConfig(s.config())));
    }

    @DELETE
    @Path("{stream}")
    public CompletionStage<Response> delete(@HeaderParam(Http.BASIN_HEADER) String basinHeader, @HeaderParam("host") String host,
                                            @PathParam("stream") String stream) {
        String basin = Http.basin(basinHeader, host, zones);
        String stored = stored(stream);
        // Marked, then sealed, then answered: no append can be acknowledged after the 202 (docs/ARCHITECTURE.md).
        return control.deleteStream(basin, stored).thenApply(x -> Response.accepted().build());
    }

    /** A stream path parameter, validated as the client wrote it, in its stored form. */
    private String stored(String stream) {
        Http.pathName(stream, Names::streamName);
        return Authz.stored(AuthGate.principal(request.getCurrent()), stream);
    }

    private static Response provisioned(int status, String name, StreamRecord s, Provisioned.Result result) {
        return Response.fromResponse(Http.json(status, info(name, s)))
                .header(Http.PROVISION_RESULT, result.name().toLowerCase(Locale.ROOT)).build();
    }

    static ObjectNode info(String name, StreamRecord s) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("name", name);
        n.put("created_at", Http.rfc3339(s.createdAtMs()));
        Http.putTime(n, "deleted_at", s.deletedAtMs());
        if (s.cipher().isPresent()) {
            n.put("cipher", s.cipher().get().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        } else {
            n.putNull("cipher");
        }
        return n;
    }
}
