package dev.brook.store;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.MultiMap;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Objects in an S3-compatible bucket under a key prefix, spoken to over HTTP/1.1 with Vert.x's client
 * and AWS Signature V4 (docs/STORE.md, the S3 adapter; docs/DECISIONS.md 37 says why not the AWS SDK).
 * Conditional creates are {@code PutObject} with {@code If-None-Match: *}. Nothing is retried here:
 * {@link ResilientObjectStore} decides what is resent, so that a 412 after a lost response can be told
 * from a real loss.
 */
public final class S3ObjectStore implements ObjectStore {

    public static final int S3_CONNECTIONS_MAX = 256;
    static final Duration S3_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** One HTTP attempt, from asking for a connection to the last byte of the answer; an 8 MiB object on a slow link must fit, a hung connection must not last. */
    static final Duration S3_ATTEMPT_TIMEOUT = Duration.ofSeconds(15);
    /** Idle pooled connections close before S3's own idle limit (about 20 s) can close them under a request. */
    static final int S3_KEEP_ALIVE_SECONDS = 10;
    /** Event loops of the client's own Vert.x, when the caller does not lend one (tests, tools). */
    static final int S3_EVENT_LOOP_THREADS = 2;
    /** S3's limit on an object key, prefix included. */
    static final int S3_KEY_BYTES_MAX = 1024;

    /** Access key, secret and, for temporary credentials, the session token. */
    public record Credentials(String accessKeyId, String secretAccessKey, String sessionToken) {
        public Credentials {
            if (accessKeyId == null || accessKeyId.isBlank() || secretAccessKey == null || secretAccessKey.isBlank()) {
                throw new IllegalArgumentException("an access key id and a secret are required");
            }
        }

        @Override
        public String toString() {
            return "Credentials[" + accessKeyId + "]";
        }
    }

    /** Where and how to reach the bucket. */
    public record Settings(String bucket, String prefix, Optional<URI> endpoint, boolean pathStyle, String region,
                           Supplier<Credentials> credentials) {

        /**
         * Reads the standard AWS variables through {@code env}: {@code AWS_ENDPOINT_URL_S3} or
         * {@code AWS_ENDPOINT_URL}, {@code AWS_REGION} or {@code AWS_DEFAULT_REGION},
         * {@code AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY} / {@code AWS_SESSION_TOKEN} (else the
         * SDK's default chains: profiles, container and instance roles), and {@code BROOK_S3_PATH_STYLE}
         * (default: path style whenever the endpoint is overridden).
         */
        public static Settings from(String bucket, String prefix, Function<String, Optional<String>> env) {
            Optional<URI> endpoint = env.apply("AWS_ENDPOINT_URL_S3").or(() -> env.apply("AWS_ENDPOINT_URL"))
                    .map(String::trim).filter(s -> !s.isEmpty()).map(Settings::endpointUri);
            boolean pathStyle = env.apply("BROOK_S3_PATH_STYLE").map(String::trim).map(v -> switch (v.toLowerCase()) {
                case "true", "1", "yes" -> true;
                case "false", "0", "no" -> false;
                default -> throw new StoreException(StoreException.Kind.FATAL,
                        "BROOK_S3_PATH_STYLE must be true or false, not `" + v + "`");
            }).orElse(endpoint.isPresent());
            Optional<String> keyId = env.apply("AWS_ACCESS_KEY_ID").filter(s -> !s.isBlank());
            Optional<String> secret = env.apply("AWS_SECRET_ACCESS_KEY").filter(s -> !s.isBlank());
            Supplier<Credentials> credentials;
            if (keyId.isPresent() && secret.isPresent()) {
                Credentials fixed = new Credentials(keyId.get(), secret.get(),
                        env.apply("AWS_SESSION_TOKEN").filter(s -> !s.isBlank()).orElse(null));
                credentials = () -> fixed;
            } else {
                credentials = AwsDefaultChain.credentials();
            }
            String region = env.apply("AWS_REGION").or(() -> env.apply("AWS_DEFAULT_REGION"))
                    .map(String::trim).filter(s -> !s.isEmpty())
                    .or(() -> keyId.isPresent() && secret.isPresent() ? Optional.empty() : AwsDefaultChain.region())
                    .orElse("us-east-1");
            if (!region.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                throw new StoreException(StoreException.Kind.FATAL, "AWS_REGION `" + region + "` is not a region name");
            }
            return new Settings(bucket, prefix, endpoint, pathStyle, region, credentials);
        }

        private static URI endpointUri(String value) {
            try {
                URI uri = URI.create(value);
                if (uri.getScheme() == null || uri.getHost() == null
                        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                    throw new IllegalArgumentException("not an http(s) URL");
                }
                return uri;
            } catch (IllegalArgumentException e) {
                throw new StoreException(StoreException.Kind.FATAL, "S3 endpoint `" + value + "` is not an http(s) URL");
            }
        }
    }

    /** Where requests go: the address connected to, the Host header signed and sent, the path before the key. */
    record Target(boolean ssl, String connectHost, int port, String hostHeader, String basePath) {

        static Target of(Settings s) {
            boolean virtual = !s.pathStyle() && !s.bucket().contains(".");
            String bucketPath = "/" + SigV4.encode(s.bucket(), true);
            if (s.endpoint().isPresent()) {
                URI e = s.endpoint().get();
                boolean ssl = e.getScheme().equals("https");
                int port = e.getPort() > 0 ? e.getPort() : ssl ? 443 : 80;
                String host = virtual ? s.bucket() + "." + e.getHost() : e.getHost();
                String base = e.getRawPath() == null ? "" : e.getRawPath().replaceAll("/+$", "");
                return new Target(ssl, host, port, hostHeader(host, port, ssl), virtual ? base : base + bucketPath);
            }
            String domain = s.region().startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
            String host = (virtual ? s.bucket() + "." : "") + "s3." + s.region() + "." + domain;
            return new Target(true, host, 443, host, virtual ? "" : bucketPath);
        }

        private static String hostHeader(String host, int port, boolean ssl) {
            return (ssl && port == 443) || (!ssl && port == 80) ? host : host + ":" + port;
        }
    }

    /** A whole answer: status, headers, body. */
    private record Answer(int status, MultiMap headers, Buffer body) {}

    private final Vertx vertx;
    private final boolean ownsVertx;
    private final HttpClient client;
    private final Target target;
    private final SigV4 signer;
    private final Supplier<Credentials> credentials;
    private final String bucket;
    /** The key prefix with its trailing '/', or empty. */
    private final String root;
    private final String description;
    /**
     * The store's clock minus ours, learned from the {@code Date} of its answers (whole seconds: the
     * store's time then lies in [Date, Date + 1 s), taken as Date + 0.5 s); 0 until the first answer.
     */
    private volatile long clockOffsetMs;
    private volatile String lastDate = "";

    private S3ObjectStore(Vertx vertx, boolean ownsVertx, Settings settings) {
        this.vertx = vertx;
        this.ownsVertx = ownsVertx;
        this.target = Target.of(settings);
        this.signer = new SigV4(settings.region());
        this.credentials = settings.credentials();
        this.bucket = settings.bucket();
        this.root = settings.prefix().isEmpty() ? "" : settings.prefix() + "/";
        this.description = "s3://" + settings.bucket() + "/" + settings.prefix()
                + settings.endpoint().map(e -> " at " + e).orElse("");
        HttpClientOptions options = new HttpClientOptions()
                .setSsl(target.ssl())
                .setForceSni(target.ssl())
                .setVerifyHost(true)
                .setConnectTimeout((int) S3_CONNECT_TIMEOUT.toMillis())
                .setKeepAlive(true)
                .setKeepAliveTimeout(S3_KEEP_ALIVE_SECONDS)
                .setTcpNoDelay(true)
                .setDefaultHost(target.connectHost())
                .setDefaultPort(target.port());
        this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(S3_CONNECTIONS_MAX));
    }

    /** Opens the store on its own small Vert.x (closed with the store). */
    public static S3ObjectStore open(Settings settings) {
        Vertx own = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(S3_EVENT_LOOP_THREADS)
                .setWorkerPoolSize(1).setInternalBlockingPoolSize(1));
        try {
            return open(settings, own, true);
        } catch (RuntimeException e) {
            own.close();
            throw e;
        }
    }

    /** Opens the store on the process's Vert.x, so that its requests and answers stay on the caller's event loop. */
    public static S3ObjectStore open(Settings settings, Vertx vertx) {
        return open(settings, vertx, false);
    }

    private static S3ObjectStore open(Settings settings, Vertx vertx, boolean owns) {
        try {
            settings.credentials().get();
        } catch (StoreException e) {
            throw new StoreException(StoreException.Kind.FATAL, "s3://" + settings.bucket() + ": " + e.getMessage(), e);
        }
        return new S3ObjectStore(vertx, owns, settings);
    }

    @Override
    public CompletionStage<PutOutcome> putIfAbsent(String key, byte[] body, Map<String, String> metadata) {
        Map<String, String> headers = putHeaders(key, metadata);
        headers.put("if-none-match", "*");
        return send(HttpMethod.PUT, key, Map.of(), headers, body).thenApply(a -> {
            if (a.status() / 100 == 2) {
                return PutOutcome.CREATED;
            }
            if (a.status() == 412) {
                return PutOutcome.ALREADY_EXISTS;
            }
            throw failure("put-if-absent", key, a);
        });
    }

    @Override
    public CompletionStage<Void> put(String key, byte[] body, Map<String, String> metadata) {
        return send(HttpMethod.PUT, key, Map.of(), putHeaders(key, metadata), body).thenApply(a -> {
            if (a.status() / 100 != 2) {
                throw failure("put", key, a);
            }
            return null;
        });
    }

    @Override
    public CompletionStage<Optional<StoredObject>> get(String key) {
        StoreKeys.checkKey(key);
        return send(HttpMethod.GET, key, Map.of(), new HashMap<>(), null).thenApply(a -> {
            if (a.status() == 404 && !"NoSuchBucket".equals(errorCode(a))) {
                return Optional.empty();
            }
            if (a.status() != 200) {
                throw failure("get", key, a);
            }
            byte[] body = a.body().getBytes();
            return Optional.of(new StoredObject(new ObjectInfo(key, body.length, lastModified(a, key), metadata(a)), body));
        });
    }

    @Override
    public CompletionStage<Optional<ObjectInfo>> head(String key) {
        StoreKeys.checkKey(key);
        return send(HttpMethod.HEAD, key, Map.of(), new HashMap<>(), null).thenApply(a -> {
            if (a.status() == 404) {
                return Optional.empty();
            }
            if (a.status() != 200) {
                throw failure("head", key, a);
            }
            long size;
            try {
                size = Long.parseLong(String.valueOf(a.headers().get("content-length")).trim());
            } catch (NumberFormatException e) {
                throw new StoreException(StoreException.Kind.TRANSIENT, description + ": head `" + key + "` answered without a length");
            }
            return Optional.of(new ObjectInfo(key, size, lastModified(a, key), metadata(a)));
        });
    }

    @Override
    public CompletionStage<ListPage> list(String prefix, String startAfter, int limit) {
        StoreKeys.checkPrefix(prefix);
        StoreKeys.checkLimit(limit);
        Map<String, String> query = new LinkedHashMap<>();
        query.put("list-type", "2");
        query.put("prefix", root + prefix);
        query.put("max-keys", Integer.toString(limit));
        if (startAfter.compareTo(prefix) > 0) {
            query.put("start-after", root + startAfter);
        }
        return send(HttpMethod.GET, null, query, new HashMap<>(), null).thenApply(a -> {
            if (a.status() != 200) {
                throw failure("list", prefix, a);
            }
            S3Xml.Listing listing;
            try {
                listing = S3Xml.listing(a.body().toString(StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                throw new StoreException(StoreException.Kind.TRANSIENT, description + ": list `" + prefix
                        + "` answered with a listing that does not parse: " + e.getMessage(), e);
            }
            List<ListPage.Entry> found = new ArrayList<>();
            String lastKey = null;
            for (S3Xml.Listed object : listing.objects()) {
                if (!object.key().startsWith(root)) {
                    continue;
                }
                lastKey = object.key().substring(root.length());
                if (StoreKeys.isValidKey(lastKey)) {
                    found.add(new ListPage.Entry(lastKey, object.lastModifiedMs()));
                }
            }
            boolean more = listing.truncated() && lastKey != null;
            return new ListPage(found, more ? Optional.of(lastKey) : Optional.empty());
        });
    }

    @Override
    public CompletionStage<Void> delete(String key) {
        StoreKeys.checkKey(key);
        return send(HttpMethod.DELETE, key, Map.of(), new HashMap<>(), null).thenApply(a -> {
            boolean gone = a.status() / 100 == 2 || (a.status() == 404 && !"NoSuchBucket".equals(errorCode(a)));
            if (!gone) {
                throw failure("delete", key, a);
            }
            return null;
        });
    }

    /** The grammar's limit, or less when the prefix leaves less of S3's 1,024 bytes (keys are ASCII). */
    @Override
    public int keyCharsMax() {
        return Math.min(StoreKeys.KEY_CHARS_MAX, S3_KEY_BYTES_MAX - root.getBytes(StandardCharsets.UTF_8).length);
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        client.close();
        if (ownsVertx) {
            vertx.close();
        }
    }

    private Map<String, String> putHeaders(String key, Map<String, String> metadata) {
        StoreKeys.checkKey(key);
        StoreKeys.checkMetadata(metadata);
        Map<String, String> headers = new HashMap<>();
        headers.put("content-type", "application/octet-stream");
        for (Map.Entry<String, String> m : metadata.entrySet()) {
            headers.put("x-amz-meta-" + m.getKey(), m.getValue());
        }
        return headers;
    }

    /**
     * One signed request and its whole answer. Fails only for what never became an answer (no
     * connection, a reset, the attempt's deadline), always as TRANSIENT: for a create that may have
     * landed, the retry layer settles it by reading back (docs/STORE.md).
     */
    private CompletableFuture<Answer> send(HttpMethod method, String key, Map<String, String> query,
                                           Map<String, String> extraHeaders, byte[] body) {
        String path = target.basePath() + "/" + (key == null ? "" : SigV4.encode(root + key, false));
        String queryString = SigV4.canonicalQuery(query);
        TreeMap<String, String> headers = new TreeMap<>(extraHeaders);
        headers.put("host", target.hostHeader());
        String payloadHash = body == null || body.length == 0 ? SigV4.EMPTY_SHA256 : SigV4.hex(SigV4.sha256(body));
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        try {
            signer.sign(method.name(), path, query, headers, payloadHash, credentials.get(), Instant.now());
        } catch (RuntimeException e) {
            answer.completeExceptionally(StoreException.unwrap(e));
            return answer;
        }
        RequestOptions options = new RequestOptions().setMethod(method)
                .setHost(target.connectHost()).setPort(target.port()).setSsl(target.ssl())
                .setURI(queryString.isEmpty() ? path : path + "?" + queryString)
                .setIdleTimeout(S3_ATTEMPT_TIMEOUT.toMillis());
        headers.forEach(options::putHeader);
        String what = method.name() + " " + (key == null ? "?" + queryString : "`" + key + "`");
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        long timer = vertx.setTimer(S3_ATTEMPT_TIMEOUT.toMillis(), id -> {
            TimeoutException late = new TimeoutException("no answer within " + S3_ATTEMPT_TIMEOUT.toMillis() + " ms");
            if (answer.completeExceptionally(transientFailure(what, late))) {
                HttpClientRequest r = sent.get();
                if (r != null) {
                    r.reset(0, late);
                }
            }
        });
        client.request(options)
                .compose(request -> {
                    sent.set(request);
                    if (answer.isDone()) {
                        // The deadline passed while waiting for a connection: never send a request
                        // the caller was already told failed (a late create would be a zombie write).
                        request.reset();
                        return io.vertx.core.Future.failedFuture("not sent: the attempt's deadline passed");
                    }
                    return (body == null ? request.send() : request.send(Buffer.buffer(body)))
                            .compose(response -> response.body().map(b -> new Answer(response.statusCode(), response.headers(), b)));
                })
                .onComplete(result -> {
                    vertx.cancelTimer(timer);
                    if (result.succeeded()) {
                        learnClock(result.result().headers().get("date"));
                        answer.complete(result.result());
                    } else {
                        answer.completeExceptionally(transientFailure(what, result.cause()));
                    }
                });
        return answer;
    }

    @Override
    public long clockMs() {
        return System.currentTimeMillis() + clockOffsetMs;
    }

    /** Learns the store's clock from an answer's {@code Date}; parsed only when it differs from the last one. */
    private void learnClock(String date) {
        if (date == null || date.equals(lastDate)) {
            return;
        }
        try {
            long storeMs = DateTimeFormatter.RFC_1123_DATE_TIME.parse(date, Instant::from).toEpochMilli() + 500;
            clockOffsetMs = storeMs - System.currentTimeMillis();
            lastDate = date;
        } catch (RuntimeException unparseable) {
            // a store without a usable Date: our clock stands in for its own
        }
    }

    private StoreException transientFailure(String what, Throwable cause) {
        return new StoreException(StoreException.Kind.TRANSIENT, description + ": " + what + " failed: " + cause, cause);
    }

    private long lastModified(Answer a, String key) {
        String value = a.headers().get("last-modified");
        try {
            return DateTimeFormatter.RFC_1123_DATE_TIME.parse(String.valueOf(value), Instant::from).toEpochMilli();
        } catch (RuntimeException e) {
            throw new StoreException(StoreException.Kind.TRANSIENT, description + ": `" + key
                    + "` answered with Last-Modified `" + value + "`", e);
        }
    }

    private static Map<String, String> metadata(Answer a) {
        Map<String, String> metadata = new HashMap<>();
        for (Map.Entry<String, String> h : a.headers()) {
            String name = h.getKey().toLowerCase(java.util.Locale.ROOT);
            if (name.startsWith("x-amz-meta-")) {
                metadata.put(name.substring("x-amz-meta-".length()), h.getValue());
            }
        }
        return metadata;
    }

    private static String errorCode(Answer a) {
        return S3Xml.error(a.body().toString(StandardCharsets.UTF_8)).code();
    }

    /** Classifies an answer that is not the operation's success: what a retry can fix is TRANSIENT, what it cannot is FATAL. */
    private StoreException failure(String operation, String key, Answer a) {
        S3Xml.Error error = S3Xml.error(a.body().toString(StandardCharsets.UTF_8));
        String what = description + ": " + operation + " `" + key + "` failed: ";
        if ("NoSuchBucket".equals(error.code())) {
            return new StoreException(StoreException.Kind.FATAL, what + "bucket `" + bucket + "` does not exist");
        }
        int status = a.status();
        String detail = "HTTP " + status + (error.code() == null ? "" : " " + error.code())
                + (error.message() == null ? "" : " (" + error.message() + ")");
        boolean transientStatus = status == 408 || status == 409 || status == 429 || status >= 500;
        return new StoreException(transientStatus ? StoreException.Kind.TRANSIENT : StoreException.Kind.FATAL, what + detail);
    }
}
