package dev.brook.http;

import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import dev.brook.core.auth.Operation;
import dev.brook.core.auth.Scope;
import dev.brook.core.auth.TokenSpec;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Access control for every {@code /v1} request, whatever serves it next (REST resources, long-poll,
 * SSE and S2S sessions): one Vert.x route ahead of all others authenticates the bearer token (401
 * {@code authn}), checks it is not revoked, and checks the operation and the names in the path
 * against its scope (403 {@code permission_denied}), before the request is read or anything is
 * touched. The verified token travels on with the request ({@link #principal}) for the checks
 * only a resource can make: names in bodies, commands in appends, narrowed listings.
 *
 * <p>Messages never say whether a resource exists: a denied request is denied the same way for a
 * name that exists and one that does not.
 */
@Singleton
public class AuthGate {

    /** Before the sessions' routes (-100) and the REST layer. */
    static final int ROUTE_ORDER = -200;
    static final String PRINCIPAL = "brook.principal";

    /** The principal when auth is off: every permission (Brook warned at start). */
    static final TokenSpec UNAUTHENTICATED = new TokenSpec("(auth off)", Scope.ADMIN, false, OptionalLong.empty());

    @Inject
    Instance<Authenticator> authenticator;

    @ConfigProperty(name = "brook.basin-zones", defaultValue = "localhost")
    List<String> zones;

    void routes(@Observes Router router) {
        router.route("/v1/*").order(ROUTE_ORDER).handler(this::handle);
    }

    /** The token a request was admitted with (every permission when auth is off). */
    static TokenSpec principal(RoutingContext ctx) {
        TokenSpec p = ctx == null ? null : ctx.get(PRINCIPAL);
        return p == null ? UNAUTHENTICATED : p;
    }

    private void handle(RoutingContext ctx) {
        Authenticator auth = authenticator.get();
        if (!auth.enabled()) {
            ctx.put(PRINCIPAL, UNAUTHENTICATED);
            ctx.next();
            return;
        }
        Optional<Access> access = Access.of(ctx.request().method(), ctx.request().uri());
        TokenSpec token;
        try {
            token = auth.authenticate(ctx.request().getHeader("authorization"));
        } catch (RuntimeException e) {
            Replies.answer(ctx.response(), e);
            return;
        }
        CompletableFuture<Boolean> revoked = auth.revoked(token.id()).toCompletableFuture();
        if (revoked.isDone()) {
            admit(ctx, token, access, revoked);
            return;
        }
        // A revocation cache miss reads the store: hold the request's body until the answer.
        ctx.request().pause();
        var context = Vertx.currentContext();
        revoked.whenComplete((r, e) -> context.runOnContext(v -> {
            admit(ctx, token, access, revoked);
            ctx.request().resume();
        }));
    }

    private void admit(RoutingContext ctx, TokenSpec token, Optional<Access> access, CompletableFuture<Boolean> revoked) {
        try {
            if (revoked.join()) {
                throw new S2Error(ErrorCode.AUTHN, "access token has been revoked");
            }
            access.ifPresent(a -> authorize(token, a, ctx));
        } catch (RuntimeException e) {
            Replies.answer(ctx.response(), e);
            return;
        }
        ctx.put(PRINCIPAL, token);
        ctx.next();
    }

    private void authorize(TokenSpec token, Access a, RoutingContext ctx) {
        Scope scope = token.scope();
        String basin = a.basin().orElse(null);
        if (a.basinScoped()) {
            try {
                basin = Http.basin(ctx.request().getHeader(Http.BASIN_HEADER), ctx.request().getHeader("host"), zones);
            } catch (S2Error e) {
                basin = null; // no basin: the resource answers 400 bad_header before touching anything
            }
        }
        String stream = a.stream().map(s -> Authz.stored(token, s)).orElse(null);
        String tokenId = a.tokenId().orElse(null);
        boolean any = false;
        for (Operation op : a.operations()) {
            boolean named = switch (op.target()) {
                case NONE -> true;
                case BASIN -> basin != null;
                case BASIN_AND_STREAM -> basin != null && stream != null;
                case ACCESS_TOKEN -> tokenId != null;
            };
            // A name the path does not carry is in the body: its resource checks it (Authz.require).
            boolean allowed = named ? scope.allows(op, basin, stream, tokenId) : scope.allows(op);
            if (!a.anyOf()) {
                require(allowed, op);
            }
            any |= allowed;
        }
        if (a.anyOf()) {
            require(any, a.operations().get(0));
        }
    }

    static void require(boolean allowed, Operation op) {
        if (!allowed) {
            throw Authz.denied(op);
        }
    }
}
