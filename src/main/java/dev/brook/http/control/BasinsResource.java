package dev.brook.http.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brook.core.BasinConfig;
import dev.brook.core.ErrorCode;
import dev.brook.core.Names;
import dev.brook.core.S2Error;
import dev.brook.core.auth.Operation;
import dev.brook.engine.BasinRecord;
import dev.brook.engine.Catalog;
import dev.brook.engine.ConfigJson;
import dev.brook.engine.ControlPlane;
import dev.brook.engine.Lifecycle;
import dev.brook.engine.Provisioned;
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
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Basins (spec §3.1): thin entry points over the catalog. */
@Path("/v1/basins")
@Consumes(MediaType.WILDCARD)
@IfBuildProperty(name = "brook.serve.control", stringValue = "true", enableIfMissing = true)
public class BasinsResource {

    @Inject
    Catalog catalog;

    @Inject
    ControlPlane control;

    @Inject
    CurrentVertxRequest request;

    @GET
    public CompletionStage<Response> list(@QueryParam("prefix") String prefix, @QueryParam("start_after") String startAfter,
                                          @QueryParam("limit") String limit, @Context UriInfo uri) {
        Http.rejectEmpty(uri, "limit");
        String p = Http.query("prefix", prefix, Names::basinPrefix);
        String after = Http.query("start_after", startAfter, Names::basinStartAfter);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode basins = body.putArray("basins");
        Optional<Authz.Listing> visible = Authz.listing(AuthGate.principal(request.getCurrent()).scope().basins(), p, Http.limit(limit));
        if (visible.isEmpty()) {
            return CompletableFuture.completedFuture(Http.ok(body.put("has_more", false)));
        }
        return control.listBasins(visible.get().prefix(), after, visible.get().limit()).thenApply(page -> {
            for (Catalog.BasinRecordNamed b : page.items()) {
                if (visible.get().keeps(b.name())) {
                    basins.add(info(b.name(), b.record()));
                }
            }
            body.put("has_more", visible.get().hasMore(page.hasMore()));
            return Http.ok(body);
        });
    }

    @POST
    public CompletionStage<Response> create(@HeaderParam("content-encoding") String contentEncoding, @HeaderParam("content-type") String contentType, byte[] body,
                                            @HeaderParam(Http.REQUEST_TOKEN) String requestToken) {
        JsonNode n = Http.requiredBody(Http.jsonBody(contentType, Compression.decodeRequest(contentEncoding, body)));
        JsonNode name = n.get("basin");
        if (name == null || !name.isTextual()) {
            throw new S2Error(ErrorCode.BAD_JSON, "missing field `basin`");
        }
        Names.basinName(name.asText()).or(() -> catalog.basinNameProblem(name.asText())).ifPresent(problem -> {
            throw new S2Error(ErrorCode.BAD_JSON, problem);
        });
        Authz.require(AuthGate.principal(request.getCurrent()), Operation.CREATE_BASIN, name.asText(), null, null);
        BasinConfig config = ConfigJson.parseBasinConfig(n.get("config"));
        String hash = Http.hash(ConfigJson.basinConfig(config));
        return catalog.createBasin(name.asText(), config, Http.requestToken(requestToken), hash)
                .thenApply(p -> provisioned(201, name.asText(), p));
    }

    @GET
    @Path("{basin}")
    public CompletionStage<Response> config(@PathParam("basin") String basin) {
        Http.pathName(basin, Names::basinName);
        return catalog.basinConfig(basin).thenApply(b -> Http.ok(ConfigJson.basinConfig(b.config())));
    }

    @PUT
    @Path("{basin}")
    public CompletionStage<Response> ensure(@PathParam("basin") String basin, @HeaderParam("content-encoding") String contentEncoding, @HeaderParam("content-type") String contentType,
                                            byte[] body) {
        Http.pathName(basin, Names::basinName);
        BasinConfig config = Http.body(Http.jsonBody(contentType, Compression.decodeRequest(contentEncoding, body))).map(n -> {
            if (!n.isObject()) {
                throw new S2Error(ErrorCode.BAD_JSON, "expected an object");
            }
            return ConfigJson.parseBasinConfig(n.get("config"));
        }).orElse(BasinConfig.DEFAULT);
        return catalog.ensureBasin(basin, config)
                .thenApply(p -> provisioned(p.result() == Provisioned.Result.CREATED ? 201 : 200, basin, p));
    }

    @PATCH
    @Path("{basin}")
    public CompletionStage<Response> reconfigure(@PathParam("basin") String basin,
                                                 @HeaderParam("content-encoding") String contentEncoding, @HeaderParam("content-type") String contentType, byte[] body) {
        Http.pathName(basin, Names::basinName);
        JsonNode patch = Http.requiredBody(Http.jsonBody(contentType, Compression.decodeRequest(contentEncoding, body)));
        ConfigJson.reconfigure(BasinConfig.DEFAULT, patch); // reject a malformed patch before touching anything
        return catalog.reconfigureBasin(basin, current -> ConfigJson.reconfigure(current, patch))
                .thenApply(b -> Http.ok(ConfigJson.basinConfig(b.config())));
    }

    @DELETE
    @Path("{basin}")
    public CompletionStage<Response> delete(@PathParam("basin") String basin) {
        Http.pathName(basin, Names::basinName);
        return control.deleteBasin(basin).thenApply(b -> Response.accepted().build());
    }

    private static Response provisioned(int status, String name, Provisioned<BasinRecord> p) {
        return Response.fromResponse(Http.json(status, info(name, p.value())))
                .header(Http.PROVISION_RESULT, p.result().name().toLowerCase(Locale.ROOT)).build();
    }

    static ObjectNode info(String name, BasinRecord b) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("name", name);
        n.putNull("location");
        n.put("created_at", Http.rfc3339(b.createdAtMs()));
        Http.putTime(n, "deleted_at", b.deletedAtMs());
        n.put("state", b.state() == Lifecycle.DELETING ? "deleting" : "active");
        return n;
    }
}
