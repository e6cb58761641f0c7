package dev.brook.http;

import dev.brook.core.auth.Operation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every route of the S2 API that Brook serves, in one table (docs/SECURITY.md): the access gate
 * classifies each request by it before anything else runs, the session routes dispatch on the
 * gate's classification, the unary resources must be the handlers it names (checked per request
 * by {@link RouteCheck}), {@code /metrics} labels requests by its templates, and the tests build
 * their enumeration of routes from it and check that it matches what the application serves.
 *
 * <p>A template's segments are literals or parameters ({@code {basin}}, {@code {stream}},
 * {@code {id}}); a parameter matches one non-empty path segment, percent-decoded (so a stream
 * named {@code a/b} is the segment {@code a%2Fb}).
 */
public enum Route {
    LIST_BASINS("GET", "/v1/basins", "control", "BasinsResource.list", false, Operation.LIST_BASINS),
    CREATE_BASIN("POST", "/v1/basins", "control", "BasinsResource.create", false, Operation.CREATE_BASIN),
    GET_BASIN_CONFIG("GET", "/v1/basins/{basin}", "control", "BasinsResource.config", false, Operation.GET_BASIN_CONFIG),
    ENSURE_BASIN("PUT", "/v1/basins/{basin}", "control", "BasinsResource.ensure", false, Operation.CREATE_BASIN,
            Operation.RECONFIGURE_BASIN),
    RECONFIGURE_BASIN("PATCH", "/v1/basins/{basin}", "control", "BasinsResource.reconfigure", false, Operation.RECONFIGURE_BASIN),
    DELETE_BASIN("DELETE", "/v1/basins/{basin}", "control", "BasinsResource.delete", false, Operation.DELETE_BASIN),

    LIST_STREAMS("GET", "/v1/streams", "control", "StreamsResource.list", true, Operation.LIST_STREAMS),
    CREATE_STREAM("POST", "/v1/streams", "control", "StreamsResource.create", true, Operation.CREATE_STREAM),
    GET_STREAM_CONFIG("GET", "/v1/streams/{stream}", "control", "StreamsResource.config", true, Operation.GET_STREAM_CONFIG),
    ENSURE_STREAM("PUT", "/v1/streams/{stream}", "control", "StreamsResource.ensure", true, Operation.CREATE_STREAM,
            Operation.RECONFIGURE_STREAM),
    RECONFIGURE_STREAM("PATCH", "/v1/streams/{stream}", "control", "StreamsResource.reconfigure", true, Operation.RECONFIGURE_STREAM),
    DELETE_STREAM("DELETE", "/v1/streams/{stream}", "control", "StreamsResource.delete", true, Operation.DELETE_STREAM),

    /**
     * An append needs {@code append} for ordinary records and {@code fence} / {@code trim} for those
     * commands: the gate admits a token holding any of them, and the resource checks every record.
     */
    APPEND("POST", "/v1/streams/{stream}/records", "append", "AppendResource.append", true, Operation.APPEND, Operation.FENCE,
            Operation.TRIM),
    READ("GET", "/v1/streams/{stream}/records", "read", "ReadResource.read", true, Operation.READ),
    CHECK_TAIL("GET", "/v1/streams/{stream}/records/tail", "tail", "TailResource.tail", true, Operation.CHECK_TAIL),

    LIST_ACCESS_TOKENS("GET", "/v1/access-tokens", "control", "AccessTokensResource.list", false, Operation.LIST_ACCESS_TOKENS),
    ISSUE_ACCESS_TOKEN("POST", "/v1/access-tokens", "control", "AccessTokensResource.issue", false, Operation.ISSUE_ACCESS_TOKEN),
    REVOKE_ACCESS_TOKEN("DELETE", "/v1/access-tokens/{id}", "control", "AccessTokensResource.revoke", false,
            Operation.REVOKE_ACCESS_TOKEN),

    ACCOUNT_METRICS("GET", "/v1/metrics", "control", "NotImplementedResource.accountMetrics", false, Operation.ACCOUNT_METRICS),
    BASIN_METRICS("GET", "/v1/metrics/{basin}", "control", "NotImplementedResource.basinMetrics", false, Operation.BASIN_METRICS),
    STREAM_METRICS("GET", "/v1/metrics/{basin}/{stream}", "control", "NotImplementedResource.streamMetrics", false,
            Operation.STREAM_METRICS),
    LIST_LOCATIONS("GET", "/v1/locations", "control", "NotImplementedResource.locations", false, Operation.LIST_LOCATIONS),
    GET_DEFAULT_LOCATION("GET", "/v1/locations/default", "control", "NotImplementedResource.defaultLocation", false,
            Operation.GET_DEFAULT_LOCATION),
    SET_DEFAULT_LOCATION("PUT", "/v1/locations/default", "control", "NotImplementedResource.setDefaultLocation", false,
            Operation.SET_DEFAULT_LOCATION);

    /** The API's root: every request under it is classified by this table or refused. */
    public static final String API_PREFIX = "/v1";

    /**
     * How a request on a route travels. Only {@link #READ} and {@link #APPEND} have more than
     * {@link #UNARY}; which one a request uses is read from its headers and query.
     */
    public enum Transport { UNARY, LONG_POLL, SSE, S2S }

    /** A request matched to its route, with its path parameters percent-decoded. */
    public record Match(Route route, Map<String, String> params) {
        public Optional<String> param(String name) {
            return Optional.ofNullable(params.get(name));
        }
    }

    private final String method;
    private final String template;
    private final String group;
    private final String handler;
    private final boolean basinScoped;
    private final List<Operation> operations;
    private final String[] segments;

    Route(String method, String template, String group, String handler, boolean basinScoped, Operation... operations) {
        this.method = method;
        this.template = template;
        this.group = group;
        this.handler = handler;
        this.basinScoped = basinScoped;
        this.operations = List.of(operations);
        this.segments = template.substring(1).split("/");
    }

    public String method() {
        return method;
    }

    /** The path with its parameters in braces, as JAX-RS writes it: the label {@code /metrics} uses. */
    public String template() {
        return template;
    }

    /** The endpoint group (function) that serves the route's unary transport (docs/ARCHITECTURE.md, Functions). */
    public String group() {
        return group;
    }

    /**
     * The function that serves the route over a transport: long-lived exchanges (long-poll reads,
     * SSE and S2S sessions) are the edge function's, everything else the route's own group. The
     * router sends requests by this (infra/router/routes.cfg is generated from it), and each
     * function's gate refuses with 404 what it is not the function for.
     */
    public String function(Transport transport) {
        return transport == Transport.UNARY ? group : "edge";
    }

    /** The unary resource method that must serve the route: {@code SimpleClassName.method}. */
    public String handler() {
        return handler;
    }

    /** The basin comes from the {@code s2-basin} header (or the Host), not from the path. */
    public boolean basinScoped() {
        return basinScoped;
    }

    /** The operations the route needs: all of them, or for {@link #APPEND} any one (its records decide). */
    public List<Operation> operations() {
        return operations;
    }

    public boolean anyOf() {
        return this == APPEND;
    }

    /** The transports a request on this route can use. */
    public List<Transport> transports() {
        return switch (this) {
            case READ -> List.of(Transport.UNARY, Transport.LONG_POLL, Transport.SSE, Transport.S2S);
            case APPEND -> List.of(Transport.UNARY, Transport.S2S);
            default -> List.of(Transport.UNARY);
        };
    }

    /** The parameter names of the template, in order. */
    public List<String> params() {
        List<String> names = new ArrayList<>();
        for (String s : segments) {
            if (s.startsWith("{")) {
                names.add(s.substring(1, s.length() - 1));
            }
        }
        return names;
    }

    /** The template with its parameters filled in, each percent-encoded as one segment. */
    public String path(Map<String, String> values) {
        StringBuilder b = new StringBuilder();
        for (String s : segments) {
            b.append('/');
            b.append(s.startsWith("{") ? RequestTarget.encodeSegment(values.get(s.substring(1, s.length() - 1))) : s);
        }
        return b.toString();
    }

    /**
     * The route of a canonical path's decoded segments ({@link RequestTarget}), whatever the method:
     * routes sharing a template differ only by method. Empty when no template matches.
     */
    static List<Route> ofPath(List<String> decodedSegments) {
        List<Route> found = new ArrayList<>();
        for (Route r : values()) {
            if (r.matches(decodedSegments)) {
                found.add(r);
            }
        }
        return found;
    }

    /** The route for a method and a canonical path, or empty (the caller refuses: 404 or 405). */
    static Optional<Match> match(String method, List<String> decodedSegments) {
        for (Route r : ofPath(decodedSegments)) {
            if (r.method.equals(method)) {
                Map<String, String> params = new LinkedHashMap<>();
                for (int i = 0; i < r.segments.length; i++) {
                    if (r.segments[i].startsWith("{")) {
                        params.put(r.segments[i].substring(1, r.segments[i].length() - 1), decodedSegments.get(i));
                    }
                }
                return Optional.of(new Match(r, Map.copyOf(params)));
            }
        }
        return Optional.empty();
    }

    private boolean matches(List<String> decoded) {
        if (decoded.size() != segments.length) {
            return false;
        }
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            if (!s.startsWith("{") && !s.equals(decoded.get(i))) {
                return false;
            }
        }
        // A literal beats a parameter: /v1/locations/default is not /v1/metrics/{basin}-like, and
        // `tail` after records is the check-tail route, never a stream. Templates are unambiguous
        // today; RouteTableTest keeps them so.
        return true;
    }

    /** The templates with their methods, for messages and documentation. */
    static String describe() {
        return String.join(", ", Arrays.stream(values()).map(r -> r.method + " " + r.template).toList());
    }
}
