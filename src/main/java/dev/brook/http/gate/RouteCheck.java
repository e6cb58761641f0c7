package dev.brook.http.gate;

import dev.brook.http.errors.ErrorMappers;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

/**
 * The second lock on the door (docs/SECURITY.md): before a unary resource method runs, the method
 * the framework matched must be the handler of the route the access gate classified the request
 * as, with the same path parameters. The gate refuses every target routing could read differently,
 * so this never trips in a correct build; if it does (a resource added without a {@link Route}, or
 * a framework that decodes a path another way), the request is refused loudly instead of being
 * served on a decision made about another route.
 */
public final class RouteCheck {

    static final class Mismatch extends IllegalStateException {
        Mismatch(String message) {
            super(message);
        }
    }

    @ServerRequestFilter
    public Optional<Response> check(SimpleResourceInfo info, RoutingContext ctx, ContainerRequestContext request) {
        String handler = info.getResourceClass().getSimpleName() + "." + info.getMethodName();
        Optional<String> problem = problem(handler, AuthGate.route(ctx), request.getUriInfo().getPathParameters(true));
        return problem.map(p -> ErrorMappers.response(new Mismatch(p)));
    }

    static Optional<String> problem(String handler, Optional<Route.Match> classified, MultivaluedMap<String, String> params) {
        if (classified.isEmpty()) {
            return Optional.of(handler + " is not the handler of any route the access gate knows");
        }
        Route.Match m = classified.get();
        if (!m.route().handler().equals(handler)) {
            return Optional.of("the gate classified the request as " + m.route() + " but " + handler + " was matched");
        }
        for (Map.Entry<String, String> p : m.params().entrySet()) {
            if (!p.getValue().equals(params.getFirst(p.getKey()))) {
                return Optional.of("path parameter `" + p.getKey() + "` differs between the gate and " + handler);
            }
        }
        if (params.keySet().stream().anyMatch(k -> !m.params().containsKey(k))) {
            return Optional.of(handler + " has path parameters the route does not");
        }
        return Optional.empty();
    }
}
