package dev.brook.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.arc.properties.IfBuildProperty;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One source of truth for who serves what (docs/ARCHITECTURE.md, "The split deployment"): the route
 * table decides the function of every route and transport; each function's build selection
 * ({@code functions/<name>/build.properties}) must carry that route's handler and serve that
 * function's group, and no other function may; the router's checked-in rules must be the ones the
 * table makes. A route no function serves, or two do, or a router that drifted, fails here.
 */
class RouterConfigTest {

    static final List<String> SPLIT = List.of("control", "append", "read", "tail", "edge");

    @Test
    void theCheckedInRouterRulesAreTheOnesTheRouteTableMakes() throws Exception {
        assertEquals(RouterConfig.routes(), Files.readString(Path.of("infra/router/routes.cfg")),
                "infra/router/routes.cfg drifted from the route table: run "
                        + "`java -cp target/classes dev.brook.http.RouterConfig infra/router/routes.cfg`");
    }

    /** A function's build selection, read as functions/build hands it to Maven. */
    static Properties selection(String function) throws Exception {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of("functions", function, "build.properties"))) {
            p.load(r);
        }
        return p;
    }

    /** Whether a class's {@code @IfBuildProperty} keeps it in a build with these properties. */
    static boolean carried(Class<?> c, Properties build) {
        IfBuildProperty condition = c.getAnnotation(IfBuildProperty.class);
        if (condition == null) {
            return true;
        }
        String value = build.getProperty(condition.name());
        return value == null ? condition.enableIfMissing() : value.equals(condition.stringValue());
    }

    static boolean servesGroup(String group, Properties build) {
        String value = build.getProperty("brook.serve." + group);
        return value == null || value.equals("true");
    }

    @Test
    void everyRouteAndTransportIsServedByExactlyOneFunctionTheOneTheTableNames() throws Exception {
        Map<String, Class<?>> handlers = new TreeMap<>();
        for (Class<?> c : RouteTableTest.resourceClasses()) {
            handlers.put(c.getSimpleName(), c);
        }
        Map<String, Properties> builds = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(Path.of("functions"))) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                builds.put(d.getFileName().toString(), selection(d.getFileName().toString()));
            }
        }
        assertEquals(new java.util.TreeSet<>(List.of("all", "control", "append", "read", "tail", "edge")), builds.keySet());
        List<String> problems = new ArrayList<>();
        for (Route r : Route.values()) {
            for (Route.Transport t : r.transports()) {
                Class<?> handler = t == Route.Transport.SSE || t == Route.Transport.S2S ? Sessions.class
                        : handlers.get(r.handler().substring(0, r.handler().indexOf('.')));
                List<String> serving = new ArrayList<>();
                for (String f : SPLIT) {
                    if (carried(handler, builds.get(f)) && servesGroup(r.function(t), builds.get(f))) {
                        serving.add(f);
                    }
                }
                if (!serving.equals(List.of(r.function(t)))) {
                    problems.add(r + " " + t + ": served by " + serving + ", the table says " + r.function(t));
                }
                if (!carried(handler, builds.get("all")) || !servesGroup(r.function(t), builds.get("all"))) {
                    problems.add(r + " " + t + ": not served by `all`");
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void eachSplitFunctionServesExactlyItsOwnGroup() throws Exception {
        for (String f : SPLIT) {
            Properties build = selection(f);
            for (String g : ServedGroups.ALL) {
                assertEquals(g.equals(f), servesGroup(g, build), f + " serving " + g);
            }
        }
    }
}
