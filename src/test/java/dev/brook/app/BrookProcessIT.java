package dev.brook.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brook.engine.auth.Keygen;
import dev.brook.engine.auth.TokenKeys;
import dev.brook.engine.auth.TokenVerifier;
import dev.brook.testing.S3ProxyProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged server started the way the README starts it, with nothing but the environment:
 * the embedded default answers /health, every unusable store or access-control setting stops it
 * with one line, {@code keygen} writes keys and prints an admin token without serving, and with
 * those keys every {@code /v1} request needs a token.
 */
class BrookProcessIT {

    static final Path RUNNER = Path.of(System.getProperty("brook.runner.jar", "target/quarkus-app/quarkus-run.jar")).toAbsolutePath();
    static final long START_TIMEOUT_S = 60;

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ProcessBuilder brook(Path workDir, Map<String, String> env, String... args) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-jar", RUNNER.toString()));
        command.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("BROOK_") || k.startsWith("AWS_") || k.startsWith("QUARKUS_"));
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(S3ProxyProcess.freePort()));
        pb.environment().putAll(env);
        return pb;
    }

    /** A started server: its port and its output (stdout and stderr) so far. */
    private record Running(Process process, String port, List<String> output) implements AutoCloseable {

        String log() {
            synchronized (output) {
                return String.join("\n", output);
            }
        }

        HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
            if (headers.length > 0) {
                request.headers(headers);
            }
            return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> get(String path, String... headers) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
            if (headers.length > 0) {
                request.headers(headers);
            }
            return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "brook stops on SIGTERM");
        }
    }

    /** Starts the server and waits for its ready line, which must contain {@code readyLine}. */
    private static Running start(Path workDir, Map<String, String> env, String readyLine) throws Exception {
        ProcessBuilder pb = brook(workDir, env).redirectErrorStream(true);
        String port = pb.environment().get("QUARKUS_HTTP_PORT");
        Process brook = pb.start();
        List<String> output = Collections.synchronizedList(new ArrayList<>());
        Running running = new Running(brook, port, output);
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(brook.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    output.add(line);
                    if (line.contains("brook ready:")) {
                        if (line.contains(readyLine)) {
                            ready.complete(null);
                        } else {
                            ready.completeExceptionally(new AssertionError("expected `" + readyLine + "` in `" + line + "`"));
                        }
                    }
                }
                ready.completeExceptionally(new AssertionError("brook exited before it was ready: " + running.log()));
            } catch (Exception e) {
                ready.completeExceptionally(e);
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(START_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (Exception e) {
            running.close();
            throw e;
        }
        return running;
    }

    @Test
    void withNothingConfiguredItRunsOnLocalDiskAndAnswersHealth() throws Exception {
        Path workDir = Files.createTempDirectory("brook-run-");
        try (Running brook = start(workDir, Map.of(),
                "brook ready: function all, store file:" + workDir.toRealPath().resolve("brook-data") + ", auth off")) {
            assertTrue(brook.log().contains("AUTH IS OFF"), "a loud warning when auth is off: " + brook.log());
            HttpResponse<String> health = brook.get("/health");
            assertEquals(200, health.statusCode(), health.body());
            assertTrue(health.body().contains("\"status\": \"UP\""), health.body());
            assertTrue(Files.isRegularFile(workDir.resolve("brook-data/objects/_brook/store@")), "the store marker is on local disk");
            assertEquals(200, brook.get("/v1/basins").statusCode(), "auth off: no token needed");
        }
    }

    /** The output of a finished command. */
    private record Finished(int exit, String stdout, String stderr) {}

    private static Finished finish(ProcessBuilder pb) throws Exception {
        Process p = pb.start();
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        String stderr = readAll(p.getErrorStream());
        assertTrue(p.waitFor(START_TIMEOUT_S, TimeUnit.SECONDS), "finished in time");
        return new Finished(p.exitValue(), stdout.get(START_TIMEOUT_S, TimeUnit.SECONDS), stderr);
    }

    private static String readAll(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {@code keygen <dir>} on the packaged jar, with the HTTP port held by this test: it must not serve. */
    private static Finished keygen(Path workDir, Path keyDir) throws Exception {
        try (ServerSocket held = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"))) {
            ProcessBuilder pb = brook(workDir, Map.of("QUARKUS_HTTP_PORT", Integer.toString(held.getLocalPort())), "keygen", keyDir.toString());
            return finish(pb);
        }
    }

    @Test
    void keygenWritesKeysAndPrintsAnAdminTokenWithoutServingAndNeverOverwrites() throws Exception {
        Path workDir = Files.createTempDirectory("brook-keygen-");
        Path keyDir = workDir.resolve("keys");
        Finished first = keygen(workDir, keyDir);
        assertEquals(0, first.exit(), first.stdout() + first.stderr());
        assertEquals("", first.stderr(), "nothing on stderr");
        assertTrue(!first.stdout().contains("Listening on") && !first.stdout().contains("brook ready"), "no server: " + first.stdout());
        List<String> lines = first.stdout().lines().toList();
        assertEquals(2, lines.size(), "the token, then one line of instructions: " + first.stdout());
        String token = lines.get(0);
        assertTrue(token.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+"), "a compact JWT: " + token);
        assertTrue(lines.get(1).startsWith("Admin access token `admin` above"), lines.get(1));
        Path publicFile = keyDir.resolve(Keygen.PUBLIC_FILE);
        Path privateFile = keyDir.resolve(Keygen.PRIVATE_FILE);
        String publicPem = Files.readString(publicFile);
        String privatePem = Files.readString(privateFile);
        assertTrue(publicPem.startsWith("-----BEGIN PUBLIC KEY-----"), publicPem);
        assertTrue(privatePem.startsWith("-----BEGIN PRIVATE KEY-----"), "a PKCS#8 private key");
        TokenVerifier.Verified admin = new TokenVerifier(TokenKeys.fromPem(publicPem, Optional.of(privatePem)), "brook")
                .verify(token, System.currentTimeMillis());
        assertEquals(Keygen.ADMIN_TOKEN_ID, admin.id());
        assertTrue(admin.expiresAtMs().isEmpty(), "the admin token does not expire");

        Finished second = keygen(workDir, keyDir);
        assertTrue(second.exit() != 0, "a second keygen into the same directory fails");
        assertEquals("", second.stdout(), "no token printed");
        List<String> errors = second.stderr().lines().toList();
        assertEquals(1, errors.size(), "one line: " + second.stderr());
        assertTrue(errors.get(0).startsWith("brook: keygen failed: ") && errors.get(0).contains("refusing to overwrite"), errors.get(0));
        assertEquals(publicPem, Files.readString(publicFile), "the public key is untouched");
        assertEquals(privatePem, Files.readString(privateFile), "the private key is untouched");
    }

    @Test
    void unusableAccessControlStopsItWithOneLineAndExitCode3() throws Exception {
        Path workDir = Files.createTempDirectory("brook-badauth-");
        Path missing = workDir.resolve("missing.pem");
        Path garbage = Files.writeString(workDir.resolve("garbage.pem"), "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n");
        Path notPem = Files.writeString(workDir.resolve("not.pem"), "hello\n");
        record Case(Map<String, String> env, String line) {}
        List<Case> cases = List.of(
                new Case(Map.of("BROOK_AUTH", "required"),
                        "brook: cannot start: BROOK_AUTH=required but BROOK_AUTH_PUBLIC_KEY is not set"),
                new Case(Map.of("BROOK_AUTH_PUBLIC_KEY", missing.toString()),
                        "brook: cannot start: BROOK_AUTH_PUBLIC_KEY is neither PEM text nor a readable file: " + missing),
                new Case(Map.of("BROOK_AUTH_PUBLIC_KEY", garbage.toString()),
                        "brook: cannot start: the public key PEM does not hold an EC P-256 SubjectPublicKeyInfo"),
                new Case(Map.of("BROOK_AUTH_PUBLIC_KEY", "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----"),
                        "brook: cannot start: the public key PEM does not hold an EC P-256 SubjectPublicKeyInfo"),
                new Case(Map.of("BROOK_AUTH_PUBLIC_KEY", notPem.toString()),
                        "brook: cannot start: the public key PEM has no `-----BEGIN PUBLIC KEY-----` line"),
                new Case(Map.of("BROOK_AUTH", "bogus"),
                        "brook: cannot start: BROOK_AUTH `bogus` is not valid: expected required, off or auto"));
        for (Case c : cases) {
            Finished brook = finish(brook(workDir, c.env).redirectOutput(ProcessBuilder.Redirect.DISCARD));
            assertEquals(BrookMain.EXIT_AUTH_UNUSABLE, brook.exit(), c.env + ": " + brook.stderr());
            List<String> lines = brook.stderr().lines().toList();
            assertEquals(1, lines.size(), "exactly one line on stderr, no stack trace: " + brook.stderr());
            assertTrue(lines.get(0).startsWith(c.line), "expected `" + c.line + "` but got `" + lines.get(0) + "`");
        }
    }

    @Test
    void withKeysFromKeygenEveryV1RequestNeedsAToken() throws Exception {
        Path workDir = Files.createTempDirectory("brook-auth-");
        Path keyDir = workDir.resolve("keys");
        Finished keys = keygen(workDir, keyDir);
        assertEquals(0, keys.exit(), keys.stderr());
        String admin = keys.stdout().lines().findFirst().orElseThrow();
        Map<String, String> env = Map.of("BROOK_AUTH_PUBLIC_KEY", keyDir.resolve(Keygen.PUBLIC_FILE).toString(),
                "BROOK_AUTH_PRIVATE_KEY", keyDir.resolve(Keygen.PRIVATE_FILE).toString());
        try (Running brook = start(workDir, env, ", auth required")) {
            assertTrue(!brook.log().contains("AUTH IS OFF"), brook.log());
            HttpResponse<String> health = brook.get("/health");
            assertEquals(200, health.statusCode(), "/health needs no token: " + health.body());

            HttpResponse<String> anonymous = brook.get("/v1/basins");
            assertEquals(401, anonymous.statusCode(), anonymous.body());
            assertTrue(anonymous.headers().firstValue("content-type").orElse("").startsWith("application/json"), anonymous.headers().toString());
            JsonNode error = JSON.readTree(anonymous.body());
            assertEquals("authn", error.path("code").asText(), anonymous.body());
            assertTrue(error.path("message").isTextual(), anonymous.body());

            HttpResponse<String> forged = brook.get("/v1/basins", "Authorization", "Bearer " + admin.substring(0, admin.length() - 4) + "AAAA");
            assertEquals(401, forged.statusCode(), forged.body());
            assertEquals("authn", JSON.readTree(forged.body()).path("code").asText(), forged.body());

            HttpResponse<String> authorized = brook.get("/v1/basins", "Authorization", "Bearer " + admin);
            assertEquals(200, authorized.statusCode(), authorized.body());
            assertTrue(JSON.readTree(authorized.body()).path("basins").isArray(), authorized.body());
        }
    }

    @Test
    void unusableStoresStopItWithOneLineAndExitCode2() throws Exception {
        Path workDir = Files.createTempDirectory("brook-bad-");
        Path plainFile = Files.writeString(workDir.resolve("not-a-dir"), "x");
        S3ProxyProcess s3 = S3ProxyProcess.shared();
        Map<String, String> creds = Map.of("AWS_ACCESS_KEY_ID", S3ProxyProcess.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", S3ProxyProcess.SECRET_KEY, "AWS_REGION", S3ProxyProcess.REGION);
        record Case(Map<String, String> env, String line) {}
        List<Case> cases = List.of(
                new Case(Map.of("BROOK_STORE", "nope"),
                        "brook: cannot start: BROOK_STORE `nope` is not valid: expected file:<dir>, memory: or s3://<bucket>/<prefix>"),
                new Case(Map.of("BROOK_STORE", "file:" + plainFile),
                        "brook: cannot start: `" + plainFile + "` exists and is not a directory"),
                new Case(with(creds, "BROOK_STORE", "s3://missing-bucket/p", "AWS_ENDPOINT_URL_S3", s3.endpoint().toString()),
                        "brook: cannot start: s3://missing-bucket/p at " + s3.endpoint() + ": put-if-absent `_brook/store` failed: "
                                + "bucket `missing-bucket` does not exist"),
                new Case(with(creds, "BROOK_STORE", "s3://bucket/p", "AWS_ENDPOINT_URL_S3", "http://127.0.0.1:" + S3ProxyProcess.freePort()),
                        "brook: cannot start: store unreachable: s3://bucket/p at http://127.0.0.1:"),
                new Case(Map.of("BROOK_STORE", "s3://bucket/p", "AWS_ENDPOINT_URL_S3", "localhost:9000"),
                        "brook: cannot start: S3 endpoint `localhost:9000` is not an http(s) URL"));
        for (Case c : cases) {
            Process brook = brook(workDir, c.env).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String stderr = new String(brook.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(brook.waitFor(START_TIMEOUT_S, TimeUnit.SECONDS));
            assertEquals(BrookMain.EXIT_STORE_UNUSABLE, brook.exitValue(), c.env + ": " + stderr);
            List<String> lines = stderr.lines().toList();
            assertEquals(1, lines.size(), "exactly one line on stderr, no stack trace: " + stderr);
            assertTrue(lines.get(0).startsWith(c.line), "expected `" + c.line + "` but got `" + lines.get(0) + "`");
        }
    }

    /** A basin and a stream, five one-record commits, then a trim command to 3 (docs/LIFECYCLE.md). */
    private static void fiveCommitsThenTrimTo3(Running brook) throws Exception {
        assertEquals(201, brook.send("POST", "/v1/basins", "{\"basin\":\"lifecycle\"}", "content-type", "application/json").statusCode());
        assertEquals(201, brook.send("POST", "/v1/streams", "{\"stream\":\"events\"}", "content-type", "application/json",
                "s2-basin", "lifecycle").statusCode());
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> ack = brook.send("POST", "/v1/streams/events/records", "{\"records\":[{\"body\":\"r" + i + "\"}]}",
                    "content-type", "application/json", "s2-basin", "lifecycle");
            assertEquals(200, ack.statusCode(), ack.body());
        }
        // the trim command: a record whose only header has an empty name and the value `trim`, body the point (u64)
        HttpResponse<String> trim = brook.send("POST", "/v1/streams/events/records",
                "{\"records\":[{\"headers\":[[\"\",\"dHJpbQ==\"]],\"body\":\"AAAAAAAAAAM=\"}]}",
                "content-type", "application/json", "s2-basin", "lifecycle", "s2-format", "base64");
        assertEquals(200, trim.statusCode(), trim.body());
    }

    /** Commit objects of every stream in a file store. */
    private static long commitFiles(Path data) throws Exception {
        Path logs = data.resolve("objects/logs");
        if (!Files.isDirectory(logs)) {
            return 0;
        }
        try (var files = Files.walk(logs)) {
            return files.filter(Files::isRegularFile).filter(f -> f.getParent().getFileName().toString().equals("c")).count();
        } catch (java.io.UncheckedIOException vanished) {
            // the janitor deleted a file while the walk visited it: not a count, ask again
            return -1;
        }
    }

    /** Polls for a condition, bounded (never a fixed sleep standing in for it). */
    private static boolean within(long seconds, java.util.concurrent.Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (condition.call()) {
                return true;
            }
            Thread.sleep(50);
        }
        return condition.call();
    }

    @Test
    void aTwoSecondRetentionHidesRecordsThenFreesTheirCommitsAndAnEmptyStreamIsDeleted() throws Exception {
        Path workDir = Files.createTempDirectory("brook-retention-");
        Path data = workDir.resolve("brook-data");
        try (Running brook = start(workDir, Map.of("BROOK_JANITOR_INTERVAL_MS", "200", "BROOK_DELETION_GRACE_MS", "200"), "function all")) {
            assertEquals(201, brook.send("POST", "/v1/basins", "{\"basin\":\"lifecycle\"}", "content-type", "application/json").statusCode());
            assertEquals(201, brook.send("POST", "/v1/streams", "{\"stream\":\"short\",\"config\":{\"retention_policy\":{\"age\":2}}}",
                    "content-type", "application/json", "s2-basin", "lifecycle").statusCode());
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> ack = brook.send("POST", "/v1/streams/short/records", "{\"records\":[{\"body\":\"r" + i + "\"}]}",
                        "content-type", "application/json", "s2-basin", "lifecycle");
                assertEquals(200, ack.statusCode(), ack.body());
            }
            java.util.concurrent.Callable<Integer> visible = () -> {
                HttpResponse<String> read = brook.get("/v1/streams/short/records?seq_num=0", "s2-basin", "lifecycle");
                assertEquals(200, read.statusCode(), read.body());
                return JSON.readTree(read.body()).path("records").size();
            };
            assertEquals(3, visible.call(), "written just now: all there");
            assertTrue(within(30, () -> visible.call() == 0), "expired after 2 s: no read returns them");
            assertTrue(within(30, () -> commitFiles(data) == 1), "their commits leave the store but the last: " + commitFiles(data));
            HttpResponse<String> tail = brook.get("/v1/streams/short/records/tail", "s2-basin", "lifecycle");
            assertEquals(3, JSON.readTree(tail.body()).path("tail").path("seq_num").asLong(), tail.body());

            // delete-on-empty: never written, one second old, it goes (its seal stays behind: it is not counted above)
            assertEquals(201, brook.send("POST", "/v1/streams",
                    "{\"stream\":\"empty\",\"config\":{\"retention_policy\":{\"infinite\":{}},\"delete_on_empty\":{\"min_age_secs\":1}}}",
                    "content-type", "application/json", "s2-basin", "lifecycle").statusCode());
            assertTrue(within(30, () -> {
                HttpResponse<String> list = brook.get("/v1/streams", "s2-basin", "lifecycle");
                return !list.body().contains("\"empty\"");
            }), "the stream that stayed empty is deleted and leaves the listing");
            assertEquals(404, brook.get("/v1/streams/empty/records/tail", "s2-basin", "lifecycle").statusCode());
        }
    }

    @Test
    void aTrimFreesItsCommitsOnTheAllProcessesJanitorSchedule() throws Exception {
        Path workDir = Files.createTempDirectory("brook-trim-");
        Path data = workDir.resolve("brook-data");
        try (Running brook = start(workDir, Map.of("BROOK_JANITOR_INTERVAL_MS", "200"), "function all")) {
            fiveCommitsThenTrimTo3(brook);
            assertTrue(within(30, () -> commitFiles(data) == 3), "the commits of 0, 1 and 2 are deleted: " + commitFiles(data));
            HttpResponse<String> read = brook.get("/v1/streams/events/records?seq_num=0", "s2-basin", "lifecycle");
            assertEquals(200, read.statusCode(), read.body());
            assertEquals(3, JSON.readTree(read.body()).path("records").get(0).path("seq_num").asLong(), read.body());
        }
    }

    @Test
    void theJanitorInvocationDoesWhatIsDueAndExits() throws Exception {
        Path workDir = Files.createTempDirectory("brook-janitor-");
        Path data = workDir.resolve("brook-data");
        try (Running brook = start(workDir, Map.of("BROOK_JANITOR_INTERVAL_MS", "0"), "function all")) {
            fiveCommitsThenTrimTo3(brook);
            assertTrue(within(30, () -> {
                try (var due = Files.walk(data.resolve("objects"))) {
                    return due.anyMatch(f -> f.toString().contains("/jobs/due/"));
                }
            }), "the trim is in the due-work index");
        }
        assertEquals(6, commitFiles(data), "no schedule ran: nothing freed yet");
        Finished janitor = finish(brook(workDir, Map.of(), "janitor"));
        assertEquals(0, janitor.exit(), janitor.stdout() + janitor.stderr());
        assertTrue(janitor.stdout().contains("brook janitor: 1 tasks done, 0 failed"), janitor.stdout());
        assertEquals(3, commitFiles(data), "freed by the invocation");
        Finished again = finish(brook(workDir, Map.of(), "janitor"));
        assertTrue(again.stdout().contains("brook janitor: 0 tasks done, 0 failed"), again.stdout());
    }

    private static Map<String, String> with(Map<String, String> base, String... pairs) {
        Map<String, String> m = new java.util.HashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
