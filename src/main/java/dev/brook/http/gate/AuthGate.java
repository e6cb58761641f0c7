package dev.brook.http.gate;

import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import dev.brook.core.auth.Operation;
import dev.brook.core.auth.Scope;
import dev.brook.core.auth.TokenSpec;
import dev.brook.http.HttpMetrics;
import dev.brook.http.ServedGroups;
import dev.brook.http.errors.Replies;
import dev.brook.http.wire.Http;
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
 * The only door to the API (docs/SECURITY.md). One Vert.x route, ahead of every other route on every
 * path, decides each request before anything reads it or acts on it:
 * <ol>
 *   <li>the request target must be canonical ({@link RequestTarget}), or {@code 400 bad_path}: so
 *       the path decided on here is the path routing serves;</li>
 *   <li>a path under {@code /v1} must be a {@link Route} with that method, or {@code 404
 *       not_found} / {@code 405 method_not_allowed} (HEAD and OPTIONS included: nothing is served
 *       implicitly);</li>
 *   <li>with auth on, the bearer token must be valid and not revoked ({@code 401 authn}) and permit
 *       the route's operations on the names its path and headers carry ({@code 403
 *       permission_denied}).</li>
 * </ol>
 * The classification ({@link #ROUTE}, {@link #TRANSPORT}) and the token ({@link #principal}) travel
 * on with the request: session routes dispatch on them, resources check names from bodies and the
 * records of appends against the token, and {@link RouteCheck} refuses a resource that is not the
 * route's handler. A request the gate did not admit has no permissions at all.
 *
 * <p>Messages never say whether a resource exists: a denied request is denied the same way for a
 * name that exists and one that does not.
 */
@Singleton
public class AuthGate {

    /** Before everything: the sessions' route (-100), the REST layer, health and metrics. */
    static final int ROUTE_ORDER = -200;
    static final String PRINCIPAL = "brook.principal";
    static final String ROUTE = "brook.route";
    static final String TRANSPORT = "brook.transport";

    /** The principal when auth is off: every permission (Brook warned at start). */
    public static final TokenSpec UNAUTHENTICATED = new TokenSpec("(auth off)", Scope.ADMIN, false, OptionalLong.empty());

    /** The principal of a request the gate did not admit: nothing is permitted. */
    static final TokenSpec NOBODY = new TokenSpec("(not admitted)", Scope.NOTHING, false, OptionalLong.empty());

    @Inject
    Instance<Authenticator> authenticator;

    @Inject
    HttpMetrics metrics;

    @Inject
    Instance<ServedGroups.Group> groups;

    private volatile List<String> served;

    @ConfigProperty(name = "brook.basin-zones", defaultValue = "localhost")
    List<String> zones;

    void routes(@Observes Router router) {
        router.route().order(ROUTE_ORDER).handler(this::handle);
    }

    /**
     * The token a request was admitted with: every permission when auth is off, none when the gate
     * did not admit the request (which no served request can be; this is the last line).
     */
    public static TokenSpec principal(RoutingContext ctx) {
        TokenSpec p = ctx == null ? null : ctx.get(PRINCIPAL);
        return p == null ? NOBODY : p;
    }

    /** The route the gate classified the request as, if it did. */
    public static Optional<Route.Match> route(RoutingContext ctx) {
        return ctx == null ? Optional.empty() : Optional.ofNullable(ctx.get(ROUTE));
    }

    public static Route.Transport transport(RoutingContext ctx) {
        Route.Transport t = ctx == null ? null : ctx.get(TRANSPORT);
        return t == null ? Route.Transport.UNARY : t;
    }

    private void handle(RoutingContext ctx) {
        metrics.observe(ctx);
        Route.Match match;
        try {
            RequestTarget target = RequestTarget.parse(ctx.request().uri());
            if (!target.underApi()) {
                ctx.next(); // health and metrics: outside the API, nothing to protect
                return;
            }
            match = classify(ctx.request().method().name(), target);
        } catch (RuntimeException e) {
            Replies.answer(ctx.response(), e);
            return;
        }
        Route.Transport transport = Transports.of(match.route(), ctx.request());
        ctx.put(ROUTE, match);
        ctx.put(TRANSPORT, transport);
        String function = match.route().function(transport);
        if (!served().contains(function)) {
            // Another function's request (a router sent it astray, or a client skipped the router).
            Replies.answer(ctx.response(), new S2Error(ErrorCode.NOT_FOUND, "this server is the `" + ServedGroups.of(groups).function()
                    + "` function; " + match.route().method() + " " + match.route().template() + " (" + transport.name().toLowerCase(
                    java.util.Locale.ROOT) + ") is served by the `" + function + "` function"));
            return;
        }
        Authenticator auth = authenticator.get();
        if (!auth.enabled()) {
            ctx.put(PRINCIPAL, UNAUTHENTICATED);
            ctx.next();
            return;
        }
        TokenSpec token;
        try {
            token = auth.authenticate(ctx.request().getHeader("authorization"));
        } catch (RuntimeException e) {
            Replies.answer(ctx.response(), e);
            return;
        }
        CompletableFuture<Boolean> revoked = auth.revoked(token.id()).toCompletableFuture();
        if (revoked.isDone()) {
            admit(ctx, token, match, revoked);
            return;
        }
        // A revocation cache miss reads the store: hold the request's body until the answer. Resume
        // before handing over, never after: the next handler may pause the request for work of its
        // own (a session's pre-flight), and a resume after it would let the body flow to no handler.
        // Vert.x delivers what a resume releases in a later task, after the handover below.
        ctx.request().pause();
        var context = Vertx.currentContext();
        revoked.whenComplete((r, e) -> context.runOnContext(v -> {
            ctx.request().resume();
            admit(ctx, token, match, revoked);
        }));
    }

    private List<String> served() {
        List<String> s = served;
        if (s == null) {
            s = ServedGroups.of(groups).groups();
            served = s;
        }
        return s;
    }

    /** The route of a canonical API path, or the refusal: 404 when no template matches, 405 when the method does not. */
    static Route.Match classify(String method, RequestTarget target) {
        return Route.match(method, target.segments()).orElseThrow(() -> Route.ofPath(target.segments()).isEmpty()
                ? new S2Error(ErrorCode.NOT_FOUND, "no route for " + method + " " + target.path())
                : new S2Error(ErrorCode.METHOD_NOT_ALLOWED, "no route for " + method + " " + target.path() + " (wrong method)"));
    }

    private void admit(RoutingContext ctx, TokenSpec token, Route.Match match, CompletableFuture<Boolean> revoked) {
        try {
            if (revoked.join()) {
                throw new S2Error(ErrorCode.AUTHN, "access token has been revoked");
            }
            authorize(token, match, ctx);
        } catch (RuntimeException e) {
            Replies.answer(ctx.response(), e);
            return;
        }
        ctx.put(PRINCIPAL, token);
        ctx.next();
    }

    private void authorize(TokenSpec token, Route.Match match, RoutingContext ctx) {
        Scope scope = token.scope();
        Route route = match.route();
        String basin = match.param("basin").orElse(null);
        if (route.basinScoped()) {
            try {
                basin = Http.basin(ctx.request().getHeader(Http.BASIN_HEADER), ctx.request().getHeader("host"), zones);
            } catch (S2Error e) {
                basin = null; // no basin: the resource answers 400 bad_header before touching anything
            }
        }
        String stream = match.param("stream").map(s -> Authz.stored(token, s)).orElse(null);
        String tokenId = match.param("id").orElse(null);
        boolean any = false;
        for (Operation op : route.operations()) {
            boolean named = switch (op.target()) {
                case NONE -> true;
                case BASIN -> basin != null;
                case BASIN_AND_STREAM -> basin != null && stream != null;
                case ACCESS_TOKEN -> tokenId != null;
            };
            // A name the path does not carry is in the body: its resource checks it (Authz.require).
            boolean allowed = named ? scope.allows(op, basin, stream, tokenId) : scope.allows(op);
            if (!route.anyOf()) {
                require(allowed, op);
            }
            any |= allowed;
        }
        if (route.anyOf()) {
            require(any, route.operations().get(0));
        }
    }

    static void require(boolean allowed, Operation op) {
        if (!allowed) {
            throw Authz.denied(op);
        }
    }
}
