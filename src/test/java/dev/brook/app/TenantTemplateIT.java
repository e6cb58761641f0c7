package dev.brook.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.brook.engine.auth.TokenKeys;
import dev.brook.engine.auth.TokenRejected;
import dev.brook.engine.auth.TokenVerifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code infra/tenant/render} for two tenants on the same bucket and prefix: each tree is complete
 * and every manifest parses and says what it should; the two share no prefix, IAM resource, key,
 * token, namespace, host or app name; secrets are only where they belong; a second render over a
 * tenant's directory refuses and leaves its keys alone; names that are not DNS labels are refused.
 * Keys come from the packaged jar's {@code keygen}.
 */
class TenantTemplateIT {

    static final Path REPO = Path.of("").toAbsolutePath();
    static final List<String> FUNCTIONS = List.of("control", "append", "read", "tail", "edge");
    static final String LOCATION = "brook-tenants-test/stacks";
    static final String REGION = "eu-west-1";
    static final String REGISTRY = "registry.test/brook";

    static final ObjectMapper YAML = new YAMLMapper();
    static final ObjectMapper TOML = new TomlMapper();
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    static Path routerDir; // null: the repository's infra/router
    static Tenant acme;
    static Tenant globex;

    record Run(int exit, String stdout, String stderr) {}

    /** A rendered tenant: its name, directory and what it must not share. */
    record Tenant(String name, Path dir) {
        String prefix() {
            return "stacks/" + name;
        }

        String namespace() {
            return "brook-" + name;
        }

        Path file(String relative) {
            return dir.resolve(relative);
        }

        String read(String relative) throws IOException {
            return Files.readString(file(relative));
        }
    }

    @BeforeAll
    static void renderTwoTenants() throws Exception {
        routerDir = standInRouterIfMissing();
        // Names with a '-': PEM bodies (standard base64) cannot contain them, so "names the other
        // tenant" below cannot be tripped by chance by key material.
        acme = render("acme-corp");
        globex = render("globex-inc");
    }

    static Tenant render(String name) throws Exception {
        Path dir = tmp.resolve(name);
        Run run = run(name, LOCATION, REGION, dir.toString());
        assertEquals(0, run.exit(), "render " + name + ": " + run.stderr());
        assertTrue(run.stdout().contains("rendered tenant `" + name + "`"), run.stdout());
        return new Tenant(name, dir);
    }

    static Run run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", REPO.resolve("infra/tenant/render").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("BROOK_"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("BROOK_JAR", BrookProcessIT.RUNNER.toString());
        pb.environment().put("BROOK_IMAGE_REGISTRY", REGISTRY);
        if (routerDir != null) {
            pb.environment().put("BROOK_ROUTER_DIR", routerDir.toString());
        }
        Path stdout = Files.createTempFile(tmp, "render-", ".out");
        Path stderr = Files.createTempFile(tmp, "render-", ".err");
        Process p = pb.redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "render finishes");
        return new Run(p.exitValue(), Files.readString(stdout), Files.readString(stderr));
    }

    /**
     * The router's generated rules and render-backends come from the router work; where this tree
     * does not have them yet, a stand-in with the same contract (BROOK_CONTROL ... BROOK_EDGE, each a
     * list of host:port; backends named after the functions on stdout) takes their place.
     */
    static Path standInRouterIfMissing() throws IOException {
        Path real = REPO.resolve("infra/router");
        if (Files.isExecutable(real.resolve("render-backends")) && Files.exists(real.resolve("routes.cfg"))) {
            return null;
        }
        Path dir = Files.createDirectories(tmp.resolve("router-stand-in"));
        StringBuilder routes = new StringBuilder("""
                global
                    log stderr format raw local0 warning
                defaults
                    mode http
                    timeout connect 5s
                    timeout client 5m
                    timeout server 5m
                frontend brook
                    bind "${BROOK_ROUTER_BIND-0.0.0.0:8080}"
                """);
        for (String fn : FUNCTIONS) {
            routes.append("    use_backend ").append(fn).append(" if { path_beg /").append(fn).append(" }\n");
        }
        routes.append("    default_backend control\n");
        Files.writeString(dir.resolve("routes.cfg"), routes);
        Path script = dir.resolve("render-backends");
        Files.writeString(script, """
                #!/usr/bin/env bash
                set -euo pipefail
                for fn in control append read tail edge; do
                  var="BROOK_${fn^^}"; echo "backend $fn"; i=0
                  for hp in ${!var:?$var is not set}; do i=$((i+1)); echo "    server $fn$i $hp proto h2"; done
                done
                """);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    // ---------------------------------------------------------------------------------------------

    static List<String> expectedFiles() {
        List<String> files = new ArrayList<>(List.of("README.md", ".gitignore", "iam-policy.json",
                "keys/brook-auth-public.pem", "keys/brook-auth-private.pem", "keys/admin-token",
                "knative/base/kustomization.yaml", "knative/base/router.yaml", "knative/base/janitor.yaml",
                "knative/overlay/kustomization.yaml", "knative/overlay/namespace.yaml", "knative/overlay/config.yaml",
                "knative/overlay/secret-auth.yaml", "knative/overlay/secret-s3.yaml", "knative/overlay/secret-peer.yaml",
                "fly/peer-secrets.env",
                "knative/overlay/routes.cfg", "knative/overlay/backends.cfg", "knative/overlay/hosts.cfg",
                "fly/control/secrets.env", "fly/router/fly.toml", "fly/router/Dockerfile", "fly/router/routes.cfg",
                "fly/router/backends.cfg"));
        for (String fn : FUNCTIONS) {
            files.add("knative/base/" + fn + ".yaml");
            files.add("fly/" + fn + "/fly.toml");
        }
        return files;
    }

    @Test
    void eachTreeIsCompleteAndNothingElse() throws IOException {
        for (Tenant t : List.of(acme, globex)) {
            Set<String> present = new TreeSet<>();
            for (Path f : files(t.dir())) {
                present.add(t.dir().relativize(f).toString());
                assertTrue(Files.size(f) > 0, "not empty: " + f);
            }
            assertEquals(new TreeSet<>(expectedFiles()), present, t.name());
        }
    }

    @Test
    void kustomizationsNameOnlyWhatIsThere() throws IOException {
        for (Tenant t : List.of(acme, globex)) {
            JsonNode base = yaml(t.file("knative/base/kustomization.yaml")).get(0);
            List<String> resources = texts(base.get("resources"));
            assertEquals(new TreeSet<>(List.of("control.yaml", "append.yaml", "read.yaml", "tail.yaml", "edge.yaml", "janitor.yaml",
                    "router.yaml")), new TreeSet<>(resources));
            // the janitor runs the tenant's control image as `brook janitor`, every minute, one at a time
            JsonNode janitor = yaml(t.file("knative/base/janitor.yaml")).get(0);
            assertEquals("CronJob", janitor.get("kind").asText());
            assertEquals("* * * * *", janitor.at("/spec/schedule").asText());
            assertEquals("Forbid", janitor.at("/spec/concurrencyPolicy").asText());
            JsonNode container = janitor.at("/spec/jobTemplate/spec/template/spec/containers/0");
            assertEquals(REGISTRY + "/brook-control:latest", container.get("image").asText());
            assertEquals("[\"janitor\"]", container.get("args").toString());
            assertEquals(List.of("brook", "brook-s3"), List.of(container.at("/envFrom/0/configMapRef/name").asText(),
                    container.at("/envFrom/1/secretRef/name").asText()));
            JsonNode overlay = yaml(t.file("knative/overlay/kustomization.yaml")).get(0);
            assertEquals(t.namespace(), overlay.get("namespace").asText());
            for (String r : texts(overlay.get("resources"))) {
                Path p = t.file("knative/overlay").resolve(r).normalize();
                assertTrue(Files.isRegularFile(p) || Files.isRegularFile(p.resolve("kustomization.yaml")), "resource " + r);
            }
            assertTrue(texts(overlay.get("resources")).contains("../base"));
            JsonNode generator = overlay.get("configMapGenerator").get(0);
            assertEquals("brook-router", generator.get("name").asText());
            for (String f : texts(generator.get("files"))) {
                assertTrue(Files.isRegularFile(t.file("knative/overlay/" + f)), f);
            }
            JsonNode ns = yaml(t.file("knative/overlay/namespace.yaml")).get(0);
            assertEquals("Namespace", ns.get("kind").asText());
            assertEquals(t.namespace(), ns.at("/metadata/name").asText());
        }
    }

    @Test
    void knativeFunctionsAreWhatEachNeeds() throws IOException {
        for (Tenant t : List.of(acme, globex)) {
            for (String fn : FUNCTIONS) {
                JsonNode svc = yaml(t.file("knative/base/" + fn + ".yaml")).get(0);
                assertEquals("serving.knative.dev/v1", svc.get("apiVersion").asText());
                assertEquals("Service", svc.get("kind").asText());
                assertEquals("brook-" + fn, svc.at("/metadata/name").asText());
                JsonNode spec = svc.at("/spec/template/spec");
                JsonNode container = spec.at("/containers/0");
                assertEquals(REGISTRY + "/brook-" + fn + ":latest", container.get("image").asText());
                assertEquals("/health/ready", container.at("/readinessProbe/httpGet/path").asText());
                assertEquals("/health/live", container.at("/livenessProbe/httpGet/path").asText());
                assertEquals(8080, container.at("/ports/0/containerPort").asInt());
                Set<String> refs = new HashSet<>();
                container.get("envFrom").forEach(e -> refs.add(e.has("configMapRef")
                        ? "cm:" + e.at("/configMapRef/name").asText() : "secret:" + e.at("/secretRef/name").asText()));
                Set<String> expected = new HashSet<>(Set.of("cm:brook", "secret:brook-s3"));
                if (fn.equals("control")) {
                    expected.add("secret:brook-auth-private"); // only control issues tokens
                }
                if (fn.equals("append") || fn.equals("edge")) {
                    expected.add("secret:brook-peer"); // instances that commit appends hand each other batches
                }
                assertEquals(expected, refs, fn);
                assertTrue(container.at("/resources/limits/memory").isTextual(), fn + " has a memory limit");
                String minScale = svc.at("/spec/template/metadata/annotations").get("autoscaling.knative.dev/min-scale").asText();
                if (fn.equals("edge")) {
                    assertEquals("1", minScale, "edge stays warm");
                    assertEquals("h2c", container.at("/ports/0/name").asText());
                    assertTrue(spec.get("timeoutSeconds").asInt() >= 3600, "sessions last an hour");
                } else {
                    assertEquals("0", minScale, fn + " scales to zero");
                    assertTrue(spec.get("timeoutSeconds").asInt() <= 600, "within Knative's default maximum");
                }
            }
            List<JsonNode> router = yaml(t.file("knative/base/router.yaml"));
            JsonNode deployment = router.get(0);
            assertEquals("Deployment", deployment.get("kind").asText());
            assertEquals("haproxy:2.6", deployment.at("/spec/template/spec/containers/0/image").asText());
            assertEquals("brook-router", deployment.at("/spec/template/spec/volumes/0/configMap/name").asText());
            String args = deployment.at("/spec/template/spec/containers/0/args").toString();
            for (String cfg : List.of("routes.cfg", "backends.cfg", "hosts.cfg")) {
                assertTrue(args.contains(cfg), args);
            }
            assertEquals("Service", router.get(1).get("kind").asText());

            String hosts = t.read("knative/overlay/hosts.cfg");
            for (String fn : FUNCTIONS) {
                String host = "brook-" + fn + "." + t.namespace() + ".svc.cluster.local";
                assertTrue(hosts.contains("http-request set-header host " + host + "\n"), fn);
                assertTrue(hosts.contains("server " + fn + " " + host + ":80 proto h2 "), fn);
            }
        }
    }

    @Test
    void configAndSecretsCarryTheTenantsOwnValues() throws IOException {
        for (Tenant t : List.of(acme, globex)) {
            JsonNode config = yaml(t.file("knative/overlay/config.yaml")).get(0);
            assertEquals("ConfigMap", config.get("kind").asText());
            JsonNode data = config.get("data");
            assertEquals("s3://brook-tenants-test/" + t.prefix(), data.get("BROOK_STORE").asText());
            assertEquals(REGION, data.get("AWS_REGION").asText());
            assertEquals("required", data.get("BROOK_AUTH").asText());
            assertEquals("brook-" + t.name(), data.get("BROOK_AUTH_ISSUER").asText());
            assertEquals(t.read("keys/brook-auth-public.pem"), data.get("BROOK_AUTH_PUBLIC_KEY").asText());

            JsonNode secret = yaml(t.file("knative/overlay/secret-auth.yaml")).get(0);
            assertEquals("Secret", secret.get("kind").asText());
            assertEquals("brook-auth-private", secret.at("/metadata/name").asText());
            assertEquals(t.read("keys/brook-auth-private.pem"), secret.at("/stringData/BROOK_AUTH_PRIVATE_KEY").asText());
            JsonNode peer = yaml(t.file("knative/overlay/secret-peer.yaml")).get(0);
            assertEquals("brook-peer", peer.at("/metadata/name").asText());
            String peerSecret = peer.at("/stringData/BROOK_PEER_SECRET").asText();
            assertTrue(peerSecret.matches("[0-9a-f]{64}"), peerSecret);
            assertEquals("BROOK_PEER_SECRET=" + peerSecret + "\n", t.read("fly/peer-secrets.env"), "Knative and Fly share one secret");
            JsonNode s3 = yaml(t.file("knative/overlay/secret-s3.yaml")).get(0);
            assertEquals("Secret", s3.get("kind").asText());
            assertEquals("brook-s3", s3.at("/metadata/name").asText());

            // The Fly secrets file: one line, the private key of the same pair (fromPem checks the pair).
            String env = t.read("fly/control/secrets.env");
            assertTrue(env.startsWith("BROOK_AUTH_PRIVATE_KEY=-----BEGIN PRIVATE KEY-----") && env.indexOf('\n') == env.length() - 1, env);
            String flyPublic = toml(t.file("fly/control/fly.toml")).at("/env/BROOK_AUTH_PUBLIC_KEY").asText();
            TokenKeys pair = TokenKeys.fromPem(flyPublic, Optional.of(env.substring(env.indexOf('=') + 1).strip()));
            assertEquals(TokenKeys.fromPem(t.read("keys/brook-auth-public.pem"), Optional.empty()).keyId(), pair.keyId());

            JsonNode policy = JSON.readTree(t.file("iam-policy.json").toFile());
            assertEquals("arn:aws:s3:::brook-tenants-test/" + t.prefix() + "/*", policy.at("/Statement/0/Resource").asText());
            assertEquals("arn:aws:s3:::brook-tenants-test", policy.at("/Statement/1/Resource").asText());
            assertEquals(List.of(t.prefix() + "/*"), texts(policy.at("/Statement/1/Condition/StringLike/s3:prefix")));
        }
    }

    @Test
    void flyAppsAreWhatEachNeeds() throws IOException {
        for (Tenant t : List.of(acme, globex)) {
            String publicPem = t.read("keys/brook-auth-public.pem");
            for (String fn : FUNCTIONS) {
                JsonNode app = toml(t.file("fly/" + fn + "/fly.toml"));
                assertEquals("brook-" + t.name() + "-" + fn, app.get("app").asText());
                assertEquals(REGISTRY + "/brook-" + fn + ":latest", app.at("/build/image").asText());
                assertFalse(app.get("build").has("dockerfile"), "tenants deploy built images");
                assertEquals("s3://brook-tenants-test/" + t.prefix(), app.at("/env/BROOK_STORE").asText());
                assertEquals(REGION, app.at("/env/AWS_REGION").asText());
                assertEquals("required", app.at("/env/BROOK_AUTH").asText());
                assertEquals("brook-" + t.name(), app.at("/env/BROOK_AUTH_ISSUER").asText());
                assertEquals(TokenKeys.fromPem(publicPem, Optional.empty()).keyId(),
                        TokenKeys.fromPem(app.at("/env/BROOK_AUTH_PUBLIC_KEY").asText(), Optional.empty()).keyId());
                assertFalse(app.get("env").has("BROOK_AUTH_PRIVATE_KEY"));
                JsonNode http = app.get("http_service");
                assertEquals(8080, http.get("internal_port").asInt());
                assertTrue(http.at("/http_options/h2_backend").asBoolean(), fn);
                assertEquals("/health/ready", http.at("/checks/0/path").asText());
                assertTrue(http.at("/concurrency/hard_limit").asInt() > 0);
                if (fn.equals("edge")) {
                    assertTrue(http.get("min_machines_running").asInt() >= 1, "edge stays warm");
                    assertEquals("off", http.get("auto_stop_machines").asText(), "no Machine holding sessions is stopped");
                } else {
                    assertEquals(0, http.get("min_machines_running").asInt(), fn);
                    assertEquals("stop", http.get("auto_stop_machines").asText(), fn);
                }
            }
            JsonNode router = toml(t.file("fly/router/fly.toml"));
            assertEquals("brook-" + t.name() + "-router", router.get("app").asText());
            assertEquals("Dockerfile", router.at("/build/dockerfile").asText());
            assertTrue(router.at("/http_service/http_options/h2_backend").asBoolean());
            String backends = t.read("fly/router/backends.cfg");
            for (String fn : FUNCTIONS) {
                assertTrue(backends.contains(" brook-" + t.name() + "-" + fn + ".flycast:80 "), fn + " in " + backends);
            }
        }
    }

    @Test
    void eachAdminTokenVerifiesWithItsOwnKeyOnly() throws IOException {
        for (Tenant[] pair : new Tenant[][] {{acme, globex}, {globex, acme}}) {
            Tenant own = pair[0];
            Tenant other = pair[1];
            String token = own.read("keys/admin-token").strip();
            long now = System.currentTimeMillis();
            TokenVerifier.Verified admin = verifier(own, own).verify(token, now);
            assertEquals("admin", admin.id());
            assertTrue(admin.expiresAtMs().isEmpty());
            assertThrows(TokenRejected.class, () -> verifier(other, other).verify(token, now), "another tenant's key and issuer");
            assertThrows(TokenRejected.class, () -> verifier(other, own).verify(token, now), "another tenant's key");
            assertThrows(TokenRejected.class, () -> verifier(own, other).verify(token, now), "another tenant's issuer");
        }
    }

    static TokenVerifier verifier(Tenant keysOf, Tenant issuerOf) throws IOException {
        return new TokenVerifier(TokenKeys.fromPem(keysOf.read("keys/brook-auth-public.pem"), Optional.empty()), "brook-" + issuerOf.name());
    }

    @Test
    void secretsAreOnlyWhereTheyBelongAndIgnored() throws IOException {
        for (Tenant t : List.of(acme, globex)) {
            String privateBody = pemBody(t.read("keys/brook-auth-private.pem"));
            String token = t.read("keys/admin-token").strip();
            Set<String> withPrivate = new TreeSet<>();
            Set<String> withToken = new TreeSet<>();
            for (Path f : files(t.dir())) {
                String text = Files.readString(f).replaceAll("\\s+", "");
                String name = t.dir().relativize(f).toString();
                if (text.contains(privateBody)) {
                    withPrivate.add(name);
                }
                if (text.contains(token)) {
                    withToken.add(name);
                }
            }
            assertEquals(Set.of("keys/brook-auth-private.pem", "knative/overlay/secret-auth.yaml", "fly/control/secrets.env"), withPrivate);
            assertEquals(Set.of("keys/admin-token"), withToken);
            for (String secret : withPrivate.stream().map(s -> t.dir().resolve(s)).map(Path::toString).toList()) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(secret))), secret);
            }
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(t.file("keys/admin-token"))));
            List<String> ignored = Files.readAllLines(t.file(".gitignore"));
            assertTrue(ignored.containsAll(List.of("keys/", "knative/overlay/secret-*.yaml", "fly/control/secrets.env",
                    "fly/peer-secrets.env")), ignored.toString());
        }
    }

    @Test
    void theTwoTenantsShareNothing() throws IOException {
        Map<String, Set<String>> a = identities(acme);
        Map<String, Set<String>> b = identities(globex);
        for (String kind : a.keySet()) {
            assertFalse(a.get(kind).isEmpty(), kind);
            Set<String> common = new HashSet<>(a.get(kind));
            common.retainAll(b.get(kind));
            assertEquals(Set.of(), common, kind + " shared");
        }
        // Prefixes do not nest: neither tenant's IAM grant reaches the other's objects.
        assertFalse((acme.prefix() + "/").startsWith(globex.prefix() + "/") || (globex.prefix() + "/").startsWith(acme.prefix() + "/"));
        // And nothing in one tree so much as names the other tenant.
        for (Tenant[] pair : new Tenant[][] {{acme, globex}, {globex, acme}}) {
            for (Path f : files(pair[0].dir())) {
                assertFalse(Files.readString(f).contains(pair[1].name()), f + " names " + pair[1].name());
            }
        }
    }

    /** What must differ between tenants, by kind, as the rendered files state it. */
    static Map<String, Set<String>> identities(Tenant t) throws IOException {
        Map<String, Set<String>> ids = new LinkedHashMap<>();
        Set<String> stores = new TreeSet<>(Set.of(yaml(t.file("knative/overlay/config.yaml")).get(0).at("/data/BROOK_STORE").asText()));
        for (String fn : FUNCTIONS) {
            stores.add(toml(t.file("fly/" + fn + "/fly.toml")).at("/env/BROOK_STORE").asText());
        }
        assertEquals(1, stores.size(), "one store for the whole stack: " + stores);
        ids.put("store", stores);
        Set<String> iam = new HashSet<>();
        JsonNode policy = JSON.readTree(t.file("iam-policy.json").toFile());
        iam.add(policy.at("/Statement/0/Resource").asText());
        iam.addAll(texts(policy.at("/Statement/1/Condition/StringLike/s3:prefix")));
        ids.put("iam", iam);
        ids.put("public key", Set.of(pemBody(t.read("keys/brook-auth-public.pem"))));
        ids.put("private key", Set.of(pemBody(t.read("keys/brook-auth-private.pem"))));
        ids.put("admin token", Set.of(t.read("keys/admin-token").strip()));
        ids.put("issuer", Set.of(yaml(t.file("knative/overlay/config.yaml")).get(0).at("/data/BROOK_AUTH_ISSUER").asText()));
        ids.put("namespace", Set.of(yaml(t.file("knative/overlay/kustomization.yaml")).get(0).get("namespace").asText()));
        Set<String> hosts = new TreeSet<>();
        hosts.addAll(matches(t.read("knative/overlay/hosts.cfg"), "server \\S+ ([^\\s:]+):"));
        hosts.addAll(matches(t.read("fly/router/backends.cfg"), "server \\S+ ([^\\s:]+):"));
        ids.put("hosts", hosts);
        Set<String> apps = new TreeSet<>();
        for (String app : Stream.concat(FUNCTIONS.stream(), Stream.of("router")).toList()) {
            apps.add(toml(t.file("fly/" + app + "/fly.toml")).get("app").asText());
        }
        assertEquals(6, apps.size());
        ids.put("fly apps", apps);
        return ids;
    }

    @Test
    void renderingOverATenantRefusesAndKeepsItsKeys() throws Exception {
        Map<String, byte[]> before = contents(acme.dir());
        Run again = run(acme.name(), LOCATION, REGION, acme.dir().toString());
        assertEquals(2, again.exit(), again.stdout());
        assertTrue(again.stderr().contains("refusing to render over it"), again.stderr());
        Map<String, byte[]> after = contents(acme.dir());
        assertEquals(before.keySet(), after.keySet());
        for (String f : before.keySet()) {
            assertArrayEquals(before.get(f), after.get(f), f);
        }
    }

    @Test
    void namesThatAreNotDnsLabelsAreRefused() throws Exception {
        for (String bad : List.of("Acme", "-acme", "acme-", "ac_me", "ac.me", "9acme", "a".repeat(31), "")) {
            Path out = tmp.resolve("refused");
            Run run = run(bad, LOCATION, REGION, out.toString());
            assertEquals(2, run.exit(), "tenant `" + bad + "`");
            assertFalse(Files.exists(out), "nothing written for `" + bad + "`");
        }
        for (String[] bad : List.of(new String[] {"Bucket", REGION}, new String[] {"bkt/../x", REGION}, new String[] {"bkt/a//b", REGION},
                new String[] {"bkt", "eu west"})) {
            Run run = run("ok", bad[0], bad[1], tmp.resolve("refused").toString());
            assertEquals(2, run.exit(), String.join(" ", bad));
        }
    }

    @Test
    void theKnativeRouterConfigLoadsInHaproxy() throws Exception {
        Assumptions.assumeTrue(Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, "haproxy"))),
                "haproxy is installed (infra/split and CI install it)");
        Path dir = acme.file("knative/overlay");
        Process p = new ProcessBuilder("haproxy", "-c", "-f", "routes.cfg", "-f", "backends.cfg", "-f", "hosts.cfg")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);
    }

    // ---------------------------------------------------------------------------------------------

    static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
    }

    static Map<String, byte[]> contents(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        for (Path f : files(dir)) {
            out.put(dir.relativize(f).toString(), Files.readAllBytes(f));
        }
        return out;
    }

    static List<JsonNode> yaml(Path file) throws IOException {
        try (var parser = new YAMLFactory().createParser(file.toFile())) {
            List<JsonNode> docs = new ArrayList<>();
            YAML.readValues(parser, JsonNode.class).forEachRemaining(d -> {
                if (d != null && !d.isMissingNode() && !d.isNull()) {
                    docs.add(d);
                }
            });
            assertFalse(docs.isEmpty(), "a YAML document in " + file);
            return docs;
        }
    }

    static JsonNode toml(Path file) throws IOException {
        return TOML.readTree(file.toFile());
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return Collections.unmodifiableList(out);
    }

    static String pemBody(String pem) {
        return pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s+", "");
    }

    static List<String> matches(String text, String regex) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
