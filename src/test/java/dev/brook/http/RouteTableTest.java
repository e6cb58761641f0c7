package dev.brook.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import dev.brook.core.auth.Operation;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import jakarta.ws.rs.core.MultivaluedHashMap;
import org.junit.jupiter.api.Test;

/**
 * The route table is the truth about what the application serves (docs/SECURITY.md): every resource
 * method of the build is a route's handler with that route's method and template, and every route's
 * handler exists; templates never overlap; canonical targets parse, others are refused; a request
 * the gate did not admit has no permissions, and a resource the gate did not classify is refused.
 */
class RouteTableTest {

    /** Every JAX-RS resource class compiled into the application. */
    static List<Class<?>> resourceClasses() throws Exception {
        List<Class<?>> found = new java.util.ArrayList<>();
        java.nio.file.Path classes = Paths.get("target/classes");
        List<java.nio.file.Path> files;
        try (Stream<java.nio.file.Path> walk = Files.walk(classes.resolve("dev/brook"))) {
            files = walk.filter(p -> p.toString().endsWith(".class")).toList();
        }
        for (java.nio.file.Path f : files) {
            String name = classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
            Class<?> c = Class.forName(name, false, RouteTableTest.class.getClassLoader());
            if (c.getAnnotation(Path.class) != null) {
                found.add(c);
            }
        }
        return found;
    }

    /** Every JAX-RS resource method compiled into the application, as {@code METHOD /path -> Class.method}. */
    static Set<String> servedByResources() throws Exception {
        Set<String> served = new TreeSet<>();
        for (Class<?> c : resourceClasses()) {
            Path base = c.getAnnotation(Path.class);
            for (Method m : c.getDeclaredMethods()) {
                for (Annotation a : m.getAnnotations()) {
                    HttpMethod http = a.annotationType().getAnnotation(HttpMethod.class);
                    if (http != null) {
                        Path sub = m.getAnnotation(Path.class);
                        String path = base.value() + (sub == null ? "" : "/" + sub.value());
                        served.add(http.value() + " " + path + " -> " + c.getSimpleName() + "." + m.getName());
                    }
                }
            }
        }
        return served;
    }

    @Test
    void everyResourceMethodIsExactlyOneRouteAndEveryRouteIsServed() throws Exception {
        Set<String> table = new TreeSet<>();
        for (Route r : Route.values()) {
            table.add(r.method() + " " + r.template() + " -> " + r.handler());
        }
        assertEquals(table, servedByResources(), "the route table and the resources drifted apart");
    }

    @Test
    void templatesNeverOverlapForOneMethod() {
        for (Route a : Route.values()) {
            for (Route b : Route.values()) {
                if (a == b || !a.method().equals(b.method())) {
                    continue;
                }
                String[] x = a.template().split("/");
                String[] y = b.template().split("/");
                boolean overlap = x.length == y.length;
                for (int i = 0; overlap && i < x.length; i++) {
                    overlap = x[i].equals(y[i]) || x[i].startsWith("{") || y[i].startsWith("{");
                }
                assertFalse(overlap, a + " and " + b + " could match the same request");
            }
        }
    }

    @Test
    void everyRouteNamesItsOperationsAndAGroup() {
        for (Route r : Route.values()) {
            assertFalse(r.operations().isEmpty(), r.name());
            assertTrue(ServedGroups.ALL.contains(r.group()), r.name());
            assertTrue(r.template().startsWith(Route.API_PREFIX + "/"), r.name());
        }
        assertEquals(List.of(Operation.APPEND, Operation.FENCE, Operation.TRIM), Route.APPEND.operations());
    }

    @Test
    void canonicalTargetsParseToTheirRoute() {
        RequestTarget t = RequestTarget.parse("/v1/streams/a%2Fb%20c/records?seq_num=0");
        assertEquals(List.of("v1", "streams", "a/b c", "records"), t.segments());
        Route.Match m = AuthGate.classify("GET", t);
        assertEquals(Route.READ, m.route());
        assertEquals(Map.of("stream", "a/b c"), m.params());
        assertEquals(Route.CHECK_TAIL, AuthGate.classify("GET", RequestTarget.parse("/v1/streams/tail/records/tail")).route());
        assertEquals(Route.LIST_BASINS, AuthGate.classify("GET", RequestTarget.parse("/v1/%62asins")).route(),
                "an escaped letter is the same path to routing, and so to the gate");
        assertEquals("/v1/streams/a%2Fb%20c/records", Route.READ.path(Map.of("stream", "a/b c")));
    }

    @Test
    void nonCanonicalTargetsAreBadPath() {
        for (String target : List.of("http://h/v1/basins", "*", "", "v1/basins", "/v1;x/basins", "/v1/basins;", "/v1/./basins",
                "/v1/%2e/basins", "/v1/%2E%2E/v1/basins", "/v1/x/../basins", "//v1/basins", "/v1//basins", "/v1/basins/",
                "/v1/basins%", "/v1/basins%zz", "/v1/ba sins", "/v1/b\\asins", "/v1/%ff", "/v1/basins#x")) {
            S2Error e = assertThrows(S2Error.class, () -> RequestTarget.parse(target), target);
            assertEquals(ErrorCode.BAD_PATH, e.code(), target);
        }
    }

    @Test
    void unknownPathsAre404AndWrongMethods405() {
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(S2Error.class, () -> AuthGate.classify("GET", RequestTarget.parse("/v1/nope"))).code());
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(S2Error.class,
                () -> AuthGate.classify("GET", RequestTarget.parse("/v1/streams/s/records/tail/more"))).code());
        for (String method : List.of("HEAD", "OPTIONS", "TRACE", "BREW", "PUT")) {
            assertEquals(ErrorCode.METHOD_NOT_ALLOWED, assertThrows(S2Error.class,
                    () -> AuthGate.classify(method, RequestTarget.parse("/v1/streams/s/records"))).code(), method);
        }
    }

    /** The last line: were a request ever to reach a resource without the gate, it could do nothing. */
    @Test
    void aRequestTheGateDidNotAdmitHasNoPermissions() {
        for (Operation op : Operation.values()) {
            assertFalse(AuthGate.principal(null).scope().allows(op), op.wire());
            assertFalse(AuthGate.principal(null).scope().allows(op, "any-basin", "s", "t"), op.wire());
        }
    }

    @Test
    void aResourceTheGateDidNotClassifyAsItsRouteIsRefused() {
        MultivaluedHashMap<String, String> params = new MultivaluedHashMap<>();
        params.add("stream", "s");
        assertTrue(RouteCheck.problem("ReadResource.read", java.util.Optional.empty(), params).isPresent(), "not classified");
        Route.Match tail = new Route.Match(Route.CHECK_TAIL, Map.of("stream", "s"));
        assertTrue(RouteCheck.problem("ReadResource.read", java.util.Optional.of(tail), params).isPresent(), "another route's handler");
        Route.Match read = new Route.Match(Route.READ, Map.of("stream", "other"));
        assertTrue(RouteCheck.problem("ReadResource.read", java.util.Optional.of(read), params).isPresent(), "another stream");
        Route.Match same = new Route.Match(Route.READ, Map.of("stream", "s"));
        assertFalse(RouteCheck.problem("ReadResource.read", java.util.Optional.of(same), params).isPresent());
    }
}
