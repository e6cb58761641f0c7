package dev.brook.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.brook.engine.auth.Keygen;
import dev.brook.engine.auth.TokenKeys;
import dev.brook.engine.auth.TokenSigner;
import dev.brook.http.gate.Route;
import dev.brook.store.ListPage;
import dev.brook.store.ObjectStore;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Nothing gets past the access gate without a valid token in scope (docs/SECURITY.md). Every route of
 * the table ({@link Route}, which {@code RouteTableTest} holds equal to what the application serves,
 * so a route added tomorrow is enumerated here without editing this test) × each of its transports
 * (unary, long-poll, SSE, S2S over HTTP/1.1 and h2c) × spellings of its path generated from the
 * template (path parameters on any segment, dot segments plain and percent-encoded, empty segments,
 * a trailing slash, absolute-form, escaped letters) × every method (HEAD, OPTIONS, TRACE and an
 * unknown one included) × {no token, a token scoped to another basin, expired, revoked, forged}: no
 * request is served, and the store holds exactly the same objects afterwards. Requests go over raw
 * sockets so that the spellings reach the server byte for byte.
 */
@QuarkusTest
@TestProfile(AccessControlTest.Required.class)
class GateEnumerationTest {

    static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "BREW");
    static final int READ_TIMEOUT_MS = 5_000;

    @TestHTTPResource("/")
    URI root;

    @Inject
    ObjectStore store;

    record Credential(String name, String authorization) {}

    String basin;

    @Test
    void noSpellingMethodOrBadCredentialIsServedOrChangesAnything() throws Exception {
        basin = "gate-victim-" + System.nanoTime() % 1_000_000;
        String admin = AccessControlTest.ADMIN;
        AccessControlTest.as(admin).body("{\"basin\":\"" + basin + "\",\"config\":{\"create_stream_on_append\":true,"
                + "\"create_stream_on_read\":true}}").post("/v1/basins").then().statusCode(201);
        AccessControlTest.as(admin).header("s2-basin", basin).body("{\"stream\":\"v/1\"}").post("/v1/streams").then().statusCode(201);
        AccessControlTest.as(admin).header("s2-basin", basin).body("{\"records\":[{\"body\":\"secret\"}]}")
                .post("/v1/streams/v%2F1/records").then().statusCode(200);
        List<Credential> credentials = credentials(admin);
        Map<String, String> before = snapshot();

        List<String> failures = new ArrayList<>();
        int sent = 0;
        for (Route route : Route.values()) {
            for (String stream : streamsFor(route)) {
                String canonical = route.path(params(route, stream));
                for (Route.Transport transport : route.transports()) {
                    List<String> targets = spellings(canonical, transport);
                    for (String target : targets) {
                        for (String method : METHODS) {
                            for (Credential c : credentials) {
                                Reply r = send(method, target, headers(transport, c), body(route, transport, method));
                                sent++;
                                check(r, route, method, target, transport, c).ifPresent(failures::add);
                            }
                        }
                    }
                }
            }
        }
        sent += h2cSessions(credentials, failures);
        assertTrue(failures.isEmpty(), failures.size() + " of " + sent + " requests were served:\n"
                + String.join("\n", failures.subList(0, Math.min(40, failures.size()))));
        assertEquals(before, snapshot(), "refused requests changed the store");
        assertTrue(sent > 10_000, "the enumeration covers the table: " + sent);
    }

    /**
     * Without a valid token: refused (4xx in S2's JSON). With a valid token scoped elsewhere: never a
     * success on this basin, and nothing of it in any answer; what the token may do on its own sets
     * (a listing narrowed to them, an account-level call such as metrics: 501) is not this test's concern.
     */
    private java.util.Optional<String> check(Reply r, Route route, String method, String target, Route.Transport transport,
                                             Credential c) {
        boolean refused = r.status() >= 400 && r.status() < 500 && (r.json() || method.equals("HEAD") && r.body().isEmpty());
        // The victim's data: its record, and in a listing its names (error messages may echo the path the client sent).
        boolean leaks = r.body().contains("secret")
                || isListing(route, method) && (r.body().contains(basin) || r.body().contains("v/1") || r.body().contains("gate-revoked"));
        boolean fine = c.name().equals("elsewhere")
                ? !leaks && (refused || r.status() >= 500 && r.json() || r.status() == 200 && isListing(route, method))
                : refused;
        if (fine) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(c.name() + " " + transport + " " + method + " " + target + " -> " + r.status() + " "
                + r.body().substring(0, Math.min(200, r.body().length())));
    }

    private static boolean isListing(Route route, String method) {
        return method.equals("GET") && !route.template().contains("{");
    }

    private List<Credential> credentials(String admin) {
        long now = System.currentTimeMillis();
        TokenKeys keys = AccessControlTest.keys();
        String scopeElsewhere = AccessControlTest.scope("{\"exact\":\"gate-elsewhere\"}", "{\"exact\":\"elsewhere\"}",
                "{\"exact\":\"elsewhere\"}", "{\"account\":{\"read\":true,\"write\":true},\"basin\":{\"read\":true,\"write\":true},"
                        + "\"stream\":{\"read\":true,\"write\":true}}", "[]");
        String elsewhere = AccessControlTest.sign("gate-elsewhere-" + now, scopeElsewhere, OptionalLong.empty());
        String expired = new TokenSigner(keys, "brook").sign("gate-expired", Keygen.ADMIN_SCOPE_JSON, false, OptionalLong.of(now - 60_000),
                now - 120_000);
        String forged = new TokenSigner(TokenKeys.generate(new SecureRandom()), "brook").sign("admin", Keygen.ADMIN_SCOPE_JSON, false,
                OptionalLong.empty(), now);
        String revokedId = "gate-revoked-" + now;
        String revoked = dev.brook.api.DataPlaneApi.parse(AccessControlTest.as(admin).body("{\"id\":\"" + revokedId + "\",\"scope\":"
                + Keygen.ADMIN_SCOPE_JSON + "}").post("/v1/access-tokens").then().statusCode(201).extract().asString())
                .get("access_token").asText();
        AccessControlTest.as(admin).delete("/v1/access-tokens/" + revokedId).then().statusCode(204);
        return List.of(new Credential("none", null), new Credential("elsewhere", "Bearer " + elsewhere),
                new Credential("expired", "Bearer " + expired), new Credential("revoked", "Bearer " + revoked),
                new Credential("forged", "Bearer " + forged));
    }

    /** Record routes also name a stream that does not exist: a create-on-read or create-on-append must not happen. */
    private static List<String> streamsFor(Route route) {
        return route.template().contains("/records") ? List.of("v/1", "v/ghost")
                : List.of("v/1");
    }

    private Map<String, String> params(Route route, String stream) {
        Map<String, String> p = new LinkedHashMap<>();
        for (String name : route.params()) {
            p.put(name, switch (name) {
                case "basin" -> basin;
                case "stream" -> stream;
                default -> "admin";
            });
        }
        return p;
    }

    /** The canonical target and the spellings of it that a server or framework could read as the same path. */
    static List<String> spellings(String canonical, Route.Transport transport) {
        String query = switch (transport) {
            case LONG_POLL -> "?seq_num=0&wait=1";
            case UNARY, SSE, S2S -> "?seq_num=0";
        };
        String[] s = canonical.substring(1).split("/");
        Set<String> out = new LinkedHashSet<>();
        out.add(canonical);
        out.add(canonical + "/");
        out.add("/" + canonical);
        out.add("http://localhost" + canonical);
        for (int i = 0; i < s.length; i++) {
            out.add(join(s, i, s[i] + ";x=1"));
            out.add(join(s, i, s[i] + ";"));
            out.add(join(s, i, "." + "/" + s[i]));
            out.add(join(s, i, "%2e/" + s[i]));
            out.add(join(s, i, "elsewhere/../" + s[i]));
            out.add(join(s, i, "elsewhere/%2E%2E/" + s[i]));
            out.add(join(s, i, "/" + s[i]));
            if (Character.isLetter(s[i].charAt(0))) {
                out.add(join(s, i, "%" + HexFormat.of().formatHex(new byte[]{(byte) s[i].charAt(0)}) + s[i].substring(1)));
            }
        }
        List<String> withQuery = new ArrayList<>();
        for (String t : out) {
            withQuery.add(t + query);
        }
        return withQuery;
    }

    private static String join(String[] segments, int replaced, String with) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < segments.length; i++) {
            b.append('/').append(i == replaced ? with : segments[i]);
        }
        return b.toString();
    }

    private Map<String, String> headers(Route.Transport transport, Credential c) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("s2-basin", basin);
        switch (transport) {
            case SSE -> h.put("accept", "text/event-stream");
            case S2S -> h.put("content-type", "s2s/proto");
            case UNARY, LONG_POLL -> h.put("content-type", "application/json");
        }
        if (c.authorization() != null) {
            h.put("authorization", c.authorization());
        }
        return h;
    }

    /** A body that would change something on the route if it were served; any route not listed gets an empty object. */
    private byte[] body(Route route, Route.Transport transport, String method) {
        if (method.equals("GET") || method.equals("HEAD") || method.equals("DELETE") || method.equals("OPTIONS") || method.equals("TRACE")) {
            return new byte[0];
        }
        if (transport == Route.Transport.S2S) {
            return S2sClient.appendInput(OptionalLong.empty(), "injected");
        }
        String json = switch (route) {
            case CREATE_BASIN -> "{\"basin\":\"gate-injected-basin\"}";
            case CREATE_STREAM -> "{\"stream\":\"v/injected\"}";
            case APPEND -> "{\"records\":[{\"body\":\"injected\"}]}";
            case ISSUE_ACCESS_TOKEN -> "{\"id\":\"gate-minted\",\"scope\":" + Keygen.ADMIN_SCOPE_JSON + "}";
            case RECONFIGURE_BASIN, ENSURE_BASIN -> "{\"default_stream_config\":{\"storage_class\":\"standard\"}}";
            case RECONFIGURE_STREAM, ENSURE_STREAM -> "{\"timestamping\":{\"mode\":\"client-require\"}}";
            default -> "{}";
        };
        return json.getBytes(StandardCharsets.UTF_8);
    }

    record Reply(int status, String contentType, String body) {
        boolean json() {
            return contentType.startsWith("application/json") && body.startsWith("{\"code\":");
        }
    }

    /** One request on its own connection, byte for byte as given; reads the answer until the server closes or goes quiet. */
    Reply send(String method, String target, Map<String, String> headers, byte[] body) throws Exception {
        try (Socket socket = new Socket(root.getHost(), root.getPort())) {
            socket.setSoTimeout(READ_TIMEOUT_MS);
            StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nhost: localhost:" + root.getPort()
                    + "\r\nconnection: close\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("content-length: ").append(body.length).append("\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    received.write(buf, 0, n);
                }
            } catch (SocketTimeoutException e) {
                // a response that never ends: a session was opened (judged by its status below)
            }
            String text = received.toString(StandardCharsets.ISO_8859_1);
            if (!text.startsWith("HTTP/1.1 ")) {
                return new Reply(0, "", text);
            }
            int status = Integer.parseInt(text.substring(9, 12));
            int bodyAt = text.indexOf("\r\n\r\n");
            String headerBlock = bodyAt < 0 ? text : text.substring(0, bodyAt).toLowerCase();
            int ct = headerBlock.indexOf("\r\ncontent-type: ");
            String contentType = ct < 0 ? "" : headerBlock.substring(ct + 16, headerBlock.indexOf("\r\n", ct + 2) < 0 ? headerBlock.length()
                    : headerBlock.indexOf("\r\n", ct + 2));
            return new Reply(status, contentType, bodyAt < 0 ? "" : text.substring(bodyAt + 4));
        }
    }

    /** S2S sessions over h2c with prior knowledge (the SDK's transport): the same spellings, the session routes' methods. */
    private int h2cSessions(List<Credential> credentials, List<String> failures) throws Exception {
        int sent = 0;
        try (S2sClient client = new S2sClient(root, HttpVersion.HTTP_2)) {
            for (Route route : new Route[]{Route.READ, Route.APPEND}) {
                String canonical = route.path(params(route, "v/1"));
                for (String target : spellings(canonical, Route.Transport.S2S)) {
                    if (target.startsWith("http:") || target.startsWith("//")) {
                        continue; // not a :path an HTTP/2 client sends
                    }
                    for (Credential c : credentials) {
                        Map<String, String> h = new LinkedHashMap<>();
                        h.put("s2-basin", basin);
                        if (c.authorization() != null) {
                            h.put("authorization", c.authorization());
                        }
                        S2sClient.Session s = client.open(HttpMethod.valueOf(route.method()), target, h);
                        sent++;
                        if (s.status() < 400 || s.status() >= 500) {
                            failures.add("h2c " + c.name() + " " + route.method() + " " + target + " -> " + s.status());
                        }
                        if (route == Route.APPEND) {
                            try {
                                s.send(S2sClient.appendInput(OptionalLong.empty(), "injected"));
                                s.finish();
                            } catch (Exception e) {
                                // a refused session's stream may be closed already: nothing was served
                            }
                        }
                        s.text();
                    }
                }
            }
        }
        return sent;
    }

    /** Every object in the store and a digest of its bytes. */
    private Map<String, String> snapshot() throws Exception {
        Map<String, String> all = new TreeMap<>();
        String after = "";
        for (int page = 0; page < 10_000; page++) {
            ListPage p = store.list("", after, 1000).toCompletableFuture().get();
            for (ListPage.Entry e : p.objects()) {
                byte[] bytes = store.get(e.key()).toCompletableFuture().get().orElseThrow().body();
                all.put(e.key(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
            }
            if (p.next().isEmpty()) {
                return all;
            }
            after = p.next().get();
        }
        fail("the store listing did not end");
        return all;
    }
}
