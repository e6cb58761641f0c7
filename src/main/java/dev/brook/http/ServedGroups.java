package dev.brook.http;

import io.quarkus.arc.properties.IfBuildProperty;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Which groups of endpoints this build serves (docs/ARCHITECTURE.md, functions). Each function is this code base built
 * with some of the {@code brook.serve.*} build properties set to false (functions/NAME/build.properties);
 * every endpoint class carries the same {@code @IfBuildProperty} as its group here, so a function's
 * artifact holds only what it serves. The default build serves everything: the {@code all} function.
 */
public final class ServedGroups {

    /** Endpoint groups in a fixed order; each is one of the functions (docs/ARCHITECTURE.md, functions). */
    public static final List<String> ALL = List.of("control", "append", "read", "tail", "edge");

    private ServedGroups() {}

    public interface Group {
        String name();
    }

    /** The served groups, in {@link #ALL}'s order, and the function name they make. */
    public record Selection(List<String> groups) {
        public String function() {
            return groups.equals(ALL) ? "all" : String.join("+", groups);
        }
    }

    public static Selection of(Instance<Group> groups) {
        List<String> served = groups.stream().map(Group::name).toList();
        return new Selection(ALL.stream().filter(served::contains).toList());
    }

    @Singleton
    @IfBuildProperty(name = "brook.serve.control", stringValue = "true", enableIfMissing = true)
    public static class Control implements Group {
        public String name() {
            return "control";
        }
    }

    @Singleton
    @IfBuildProperty(name = "brook.serve.append", stringValue = "true", enableIfMissing = true)
    public static class Append implements Group {
        public String name() {
            return "append";
        }
    }

    @Singleton
    @IfBuildProperty(name = "brook.serve.read", stringValue = "true", enableIfMissing = true)
    public static class Read implements Group {
        public String name() {
            return "read";
        }
    }

    @Singleton
    @IfBuildProperty(name = "brook.serve.tail", stringValue = "true", enableIfMissing = true)
    public static class Tail implements Group {
        public String name() {
            return "tail";
        }
    }

    @Singleton
    @IfBuildProperty(name = "brook.serve.edge", stringValue = "true", enableIfMissing = true)
    public static class Edge implements Group {
        public String name() {
            return "edge";
        }
    }
}
