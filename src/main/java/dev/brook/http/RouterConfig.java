package dev.brook.http;

import dev.brook.http.gate.Route;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The router's routing rules, generated from the route table (docs/ARCHITECTURE.md, "The split
 * deployment"): HAProxy 2.6's global settings, defaults and one frontend that serves HTTP/1.1 and h2c
 * with prior knowledge on one plaintext port and sends each request to the backend of the function
 * that serves its route over its transport ({@link Route#function}). The backends themselves (where
 * the functions run) are a second file, rendered per deployment by {@code infra/router/render-backends}.
 *
 * <p>The transport rules are the gate's ({@code gate.Transports}): S2S by the first {@code Content-Type},
 * SSE by the first {@code Accept}, long poll by a {@code wait} of digits not all zero. A request the
 * router sends astray is refused by the function's gate with S2's 404, never served wrongly.
 *
 * <p>{@code java -cp target/classes dev.brook.http.RouterConfig infra/router/routes.cfg} writes the
 * file; {@code RouterConfigTest} fails when the checked-in file differs from what the table makes.
 */
public final class RouterConfig {

    private RouterConfig() {}

    public static String routes() {
        StringBuilder b = new StringBuilder();
        b.append("""
                # GENERATED from dev.brook.http.gate.Route by dev.brook.http.RouterConfig: do not edit by hand.
                # haproxy -f routes.cfg -f backends.cfg; backends.cfg comes from infra/router/render-backends.
                global
                    log stderr format raw local0 warning
                    # Bodies and heads are bounded by the functions themselves (docs/SECURITY.md).
                    tune.bufsize 32768

                defaults
                    mode http
                    log global
                    option httplog
                    timeout connect 5s
                    timeout http-request 30s
                    # Sessions stay quiet for up to 90 s (an idle S2S append session); reads heartbeat every 5-15 s.
                    timeout client 5m
                    timeout server 5m
                    timeout tunnel 1h
                    # Retry only requests that never reached a server: an append is never sent twice.
                    retries 3
                    option redispatch

                frontend brook
                    # BROOK_ROUTER_BIND overrides the listening address (infra/split binds to loopback).
                    bind "${BROOK_ROUTER_BIND-0.0.0.0:8080}"
                    # HTTP/1.1 and h2c with prior knowledge on the same plaintext port (HAProxy detects the preface).
                    http-request set-var(txn.path) path
                    # Only instances talk to each other's /_brook/ endpoints (docs/SECURITY.md): from outside the
                    # deployment's secret never passes, and those paths go to the control function, which answers 404.
                    http-request del-header brook-peer-secret
                    acl t_s2s req.fhdr(content-type,1) -m reg -i ^[[:space:]]*s2s/proto[[:space:]]*(;|,|$)
                    acl t_sse req.fhdr(accept,1) -m reg -i ^[[:space:]]*text/event-stream[[:space:]]*(;|,|$)
                    acl t_wait urlp_reg(wait) ^[[:space:]]*[0-9]*[1-9][0-9]*[[:space:]]*$
                """);
        Set<String> methods = new LinkedHashSet<>();
        Set<String> templates = new LinkedHashSet<>();
        for (Route r : Route.values()) {
            methods.add(r.method());
            templates.add(r.template());
        }
        for (String m : methods) {
            b.append("    acl m_").append(m).append(" method ").append(m).append('\n');
        }
        List<String> templateList = new ArrayList<>(templates);
        for (int i = 0; i < templateList.size(); i++) {
            b.append("    acl p").append(i).append(" path_reg ").append(regex(templateList.get(i))).append("  # ")
                    .append(templateList.get(i)).append('\n');
        }
        for (Route r : Route.values()) {
            String on = "m_" + r.method() + " p" + templateList.indexOf(r.template());
            // Most specific transport first: HAProxy takes the first rule that matches.
            List<Route.Transport> order = new ArrayList<>(r.transports());
            order.sort((x, y) -> Integer.compare(y.ordinal(), x.ordinal()));
            for (Route.Transport t : order) {
                b.append("    use_backend ").append(r.function(t)).append(" if ").append(on).append(condition(r, t))
                        .append("  # ").append(r.name()).append(' ').append(t).append('\n');
            }
        }
        b.append("    # Anything else: the control function answers S2's 404 or 405.\n");
        b.append("    default_backend control\n");
        return b.toString();
    }

    /** A template as an anchored regex: a parameter is one non-empty segment. */
    static String regex(String template) {
        return "^" + template.replaceAll("\\{[a-z]+}", "[^/]+").replace(".", "\\.") + "$";
    }

    /** What a request on the route must carry to use the transport, as the gate's {@code gate.Transports} decides. */
    private static String condition(Route r, Route.Transport t) {
        boolean read = r.transports().contains(Route.Transport.SSE);
        boolean several = r.transports().size() > 1;
        if (!several) {
            return "";
        }
        return switch (t) {
            case S2S -> " t_s2s";
            case SSE -> " !t_s2s t_sse";
            case LONG_POLL -> " !t_s2s !t_sse t_wait";
            case UNARY -> read ? " !t_s2s !t_sse !t_wait" : " !t_s2s";
        };
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: RouterConfig <routes.cfg>");
            System.exit(2);
        }
        Files.writeString(Path.of(args[0]), routes(), StandardCharsets.UTF_8);
    }
}
