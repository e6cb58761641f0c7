package dev.brook.http.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import dev.brook.core.auth.Operation;
import dev.brook.core.auth.Scope;
import dev.brook.core.auth.TokenRules;
import dev.brook.core.auth.TokenSpec;
import dev.brook.engine.auth.Keygen;
import dev.brook.engine.auth.TokenRegistry;
import dev.brook.http.gate.AuthGate;
import dev.brook.http.gate.Authenticator;
import dev.brook.http.gate.Authz;
import dev.brook.http.gate.ScopeJson;
import dev.brook.http.wire.Compression;
import dev.brook.http.wire.Http;
import dev.brook.log.LogEnv;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Access tokens (spec §3.4): issue, list, revoke. A token is issued only within the power of the
 * token that asks (its scope, its expiry), signed with this process's private key, and recorded
 * without its secret so it can be listed; revoking writes a revocation every process honours
 * within {@link TokenRegistry#REVOCATION_BOUND_MS} ms.
 */
@Path("/v1/access-tokens")
@Consumes(MediaType.WILDCARD)
@IfBuildProperty(name = "brook.serve.control", stringValue = "true", enableIfMissing = true)
public class AccessTokensResource {

    private static final Set<String> ISSUE_FIELDS = Set.of("id", "scope", "auto_prefix_streams", "expires_at");

    @Inject
    Instance<TokenRegistry> registry;

    @Inject
    Instance<Authenticator> authenticator;

    @Inject
    LogEnv env;

    @Inject
    CurrentVertxRequest request;

    @POST
    public CompletionStage<Response> issue(@HeaderParam("content-encoding") String contentEncoding, @HeaderParam("content-type") String contentType,
                                           byte[] body) {
        JsonNode n = Http.requiredBody(Http.jsonBody(contentType, Compression.decodeRequest(contentEncoding, body)));
        if (!n.isObject()) {
            throw new S2Error(ErrorCode.BAD_JSON, "expected a JSON object");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!ISSUE_FIELDS.contains(f)) {
                throw new S2Error(ErrorCode.BAD_JSON, "unknown field `" + f + "`");
            }
        }
        JsonNode id = n.get("id");
        if (id == null || !id.isTextual()) {
            throw new S2Error(ErrorCode.BAD_JSON, "missing field `id`");
        }
        JsonNode autoPrefix = n.get("auto_prefix_streams");
        if (autoPrefix != null && !autoPrefix.isNull() && !autoPrefix.isBoolean()) {
            throw new S2Error(ErrorCode.BAD_JSON, "`auto_prefix_streams` must be a boolean");
        }
        Scope scope = ScopeJson.parse(n.get("scope"));
        TokenSpec requested = new TokenSpec(id.asText(), scope, autoPrefix != null && autoPrefix.asBoolean(), expiresAt(n.get("expires_at")));
        long now = env.wallClockMs().getAsLong();
        TokenRules.invalid(requested, now).ifPresent(problem -> {
            throw S2Error.invalid(problem);
        });
        if (requested.id().equals(Keygen.ADMIN_TOKEN_ID)) {
            throw new S2Error(ErrorCode.RESOURCE_ALREADY_EXISTS, "access token `" + Keygen.ADMIN_TOKEN_ID
                    + "` already exists: it is the bootstrap token keygen signs");
        }
        TokenSpec requester = AuthGate.principal(request.getCurrent());
        Authz.require(requester, Operation.ISSUE_ACCESS_TOKEN, null, null, requested.id());
        TokenSpec token = TokenRules.withDefaults(requested, requester);
        TokenRules.escalation(token, requester, now).ifPresent(reason -> {
            throw new S2Error(ErrorCode.PERMISSION_DENIED, "the new token would have more power than the one issuing it: " + reason);
        });
        String secret = authenticator.get().sign(token).orElseThrow(() -> new S2Error(ErrorCode.NOT_IMPLEMENTED,
                "this server holds no signing key: issue tokens where BROOK_AUTH_PRIVATE_KEY is set"));
        return registry.get().record(token.id(), Http.write(info(token))).thenApply(recorded -> {
            if (!recorded) {
                throw new S2Error(ErrorCode.RESOURCE_ALREADY_EXISTS, "access token `" + token.id() + "` already exists");
            }
            return Http.json(201, JsonNodeFactory.instance.objectNode().put("access_token", secret));
        });
    }

    private static OptionalLong expiresAt(JsonNode n) {
        if (n == null || n.isNull()) {
            return OptionalLong.empty();
        }
        if (!n.isTextual()) {
            throw new S2Error(ErrorCode.BAD_JSON, "`expires_at` must be an RFC 3339 time");
        }
        try {
            return OptionalLong.of(Instant.parse(n.asText()).toEpochMilli());
        } catch (DateTimeParseException e) {
            throw new S2Error(ErrorCode.BAD_JSON, "`expires_at` must be an RFC 3339 time: " + n.asText());
        }
    }

    /** What a listing shows of a token: never its secret. */
    static ObjectNode info(TokenSpec token) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("id", token.id());
        n.set("scope", ScopeJson.render(token.scope()));
        n.put("auto_prefix_streams", token.autoPrefixStreams());
        if (token.expiresAtMs().isPresent()) {
            n.put("expires_at", Http.rfc3339(token.expiresAtMs().getAsLong()));
        } else {
            n.putNull("expires_at");
        }
        return n;
    }

    @GET
    public CompletionStage<Response> list(@QueryParam("prefix") String prefix, @QueryParam("start_after") String startAfter,
                                          @QueryParam("limit") String limit, @Context UriInfo uri) {
        Http.rejectEmpty(uri, "limit");
        String p = prefix == null ? "" : prefix;
        String after = startAfter == null ? "" : startAfter;
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode tokens = body.putArray("access_tokens");
        Optional<Authz.Listing> visible = Authz.listing(AuthGate.principal(request.getCurrent()).scope().accessTokens(), p, Http.limit(limit));
        if (visible.isEmpty()) {
            return CompletableFuture.completedFuture(Http.ok(body.put("has_more", false)));
        }
        return registry.get().list(visible.get().prefix(), after, visible.get().limit()).thenApply(page -> {
            for (TokenRegistry.IssuedToken t : page.items()) {
                if (visible.get().keeps(t.id())) {
                    tokens.add(parse(t.infoJson()));
                }
            }
            body.put("has_more", visible.get().hasMore(page.hasMore()));
            return Http.ok(body);
        });
    }

    private static JsonNode parse(String json) {
        try {
            return Http.JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("a recorded token's info is not JSON", e);
        }
    }

    /**
     * Revokes a recorded token, or the bootstrap admin token (never recorded: keygen signs it
     * before any store exists). Any other unknown id is 404, as S2 answers.
     */
    @DELETE
    @Path("{id}")
    public CompletionStage<Response> revoke(@PathParam("id") String id) {
        TokenRules.invalid(new TokenSpec(id, Scope.ADMIN, false, OptionalLong.empty())).ifPresent(problem -> {
            throw new S2Error(ErrorCode.BAD_PATH, problem);
        });
        return registry.get().revoke(id, id.equals(Keygen.ADMIN_TOKEN_ID)).thenApply(revoked -> {
            if (!revoked) {
                throw new S2Error(ErrorCode.ACCESS_TOKEN_NOT_FOUND, "access token `" + id + "` not found");
            }
            return Response.noContent().build();
        });
    }
}
