package dev.brook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Layers (docs/ARCHITECTURE.md): one direction of dependency, http → engine → log → core and store; core pure;
 * clock, randomness and sleeps injected in core, log and engine (STYLE.md 7). Read from the
 * sources, so a violation names its file and line.
 */
class LayeringTest {

    static final Path SOURCES = Path.of("src/main/java/dev/brook");
    static final Pattern IMPORT = Pattern.compile("^import (static )?([\\w.]+)");

    /** For each layer: the import prefixes it may not use. */
    static final Map<String, List<String>> FORBIDDEN = Map.of(
            "core", List.of("dev.brook.cli", "dev.brook.store", "dev.brook.log", "dev.brook.engine", "dev.brook.http", "dev.brook.app",
                    "io.", "jakarta.", "javax.", "org.", "com.", "software.", "java.nio.file", "java.net", "java.io.File"),
            // The S3 adapter speaks HTTP through Vert.x core's client (a library); nothing of the framework.
            "store", List.of("dev.brook.cli", "dev.brook.core", "dev.brook.log", "dev.brook.engine", "dev.brook.http", "dev.brook.app",
                    "io.quarkus", "io.vertx.ext", "io.vertx.mutiny", "jakarta.", "io.micrometer"),
            "log", List.of("dev.brook.cli", "dev.brook.engine", "dev.brook.http", "dev.brook.app", "io.quarkus", "io.vertx", "jakarta.ws",
                    "software.amazon"),
            "engine", List.of("dev.brook.cli", "dev.brook.http", "dev.brook.app", "io.vertx", "jakarta.ws", "software.amazon"),
            "http", List.of("dev.brook.app", "software.amazon", "dev.brook.cli"),
            // The CLI speaks only the public API (docs/CLI.md): the wire codecs and the record types they carry, nothing of
            // the server's layers or of the framework, so the launcher starts it without Quarkus.
            "cli", List.of("dev.brook.store", "dev.brook.log", "dev.brook.engine", "dev.brook.app", "dev.brook.http.control",
                    "dev.brook.http.records", "dev.brook.http.edge", "dev.brook.http.gate", "dev.brook.http.errors", "dev.brook.http.peer",
                    "dev.brook.http.wire.Http", "io.quarkus", "io.vertx", "jakarta.", "dev.brook.core.auth"));

    /**
     * Inside http, the packages show the functions (docs/ARCHITECTURE.md, "The API layer"): the
     * codecs ({@code wire}) and the error mapping ({@code errors}) know no endpoint; the gate knows
     * no resource; each function's package leaves the others' alone, except that the edge serves
     * records over its sessions.
     */
    static final Map<String, List<String>> HTTP_FORBIDDEN = Map.of(
            "http/wire", List.of("dev.brook.http."),
            "http/errors", List.of("dev.brook.http.gate", "dev.brook.http.control", "dev.brook.http.records", "dev.brook.http.edge"),
            "http/gate", List.of("dev.brook.http.control", "dev.brook.http.records", "dev.brook.http.edge"),
            "http/control", List.of("dev.brook.http.records", "dev.brook.http.edge"),
            "http/records", List.of("dev.brook.http.control", "dev.brook.http.edge"),
            "http/edge", List.of("dev.brook.http.control"));

    static final List<String> UNINJECTED = List.of("System.currentTimeMillis", "System.nanoTime", "Instant.now",
            "UUID.randomUUID", "Thread.sleep", "new Random(", "Math.random", "LocalDateTime.now");

    @Test
    void layersOnlyDependDownwards() throws IOException {
        assertEquals(List.of(), violations(FORBIDDEN));
    }

    @Test
    void httpPackagesOnlyDependAsTheFunctionsDo() throws IOException {
        assertEquals(List.of(), violations(HTTP_FORBIDDEN));
    }

    private static List<String> violations(Map<String, List<String>> forbidden) throws IOException {
        List<String> violations = new ArrayList<>();
        for (var layer : forbidden.entrySet()) {
            for (Path file : javaFiles(layer.getKey())) {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = IMPORT.matcher(lines.get(i));
                    if (m.find()) {
                        for (String prefix : layer.getValue()) {
                            if (m.group(2).startsWith(prefix)) {
                                violations.add(file + ":" + (i + 1) + " imports " + m.group(2));
                            }
                        }
                    }
                }
            }
        }
        return violations;
    }

    @Test
    void coreLogAndEngineTakeTimeAndRandomnessFromOutside() throws IOException {
        List<String> violations = new ArrayList<>();
        for (String layer : List.of("core", "log", "engine")) {
            for (Path file : javaFiles(layer)) {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    for (String call : UNINJECTED) {
                        if (lines.get(i).contains(call)) {
                            violations.add(file + ":" + (i + 1) + " calls " + call);
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    private static List<Path> javaFiles(String layer) throws IOException {
        Path dir = SOURCES.resolve(layer);
        if (!Files.isDirectory(dir)) {
            throw new AssertionError("layer " + layer + " is missing at " + dir);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java")).toList();
        }
    }
}
