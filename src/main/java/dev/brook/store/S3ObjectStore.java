package dev.brook.store;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Objects in an S3-compatible bucket under a key prefix. Conditional creates are
 * {@code PutObject} with {@code If-None-Match: *}. The SDK never retries: {@link ResilientObjectStore}
 * decides what is resent, so that a 412 after a lost response can be told from a real loss.
 */
public final class S3ObjectStore implements ObjectStore {

    public static final int S3_CONNECTIONS_MAX = 256;
    static final Duration S3_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration S3_CONNECTION_ACQUIRE_TIMEOUT = Duration.ofSeconds(10);
    /** One HTTP attempt; an 8 MiB object on a slow link must fit, a hung connection must not last. */
    static final Duration S3_ATTEMPT_TIMEOUT = Duration.ofSeconds(15);

    /** Where and how to reach the bucket. */
    public record Settings(String bucket, String prefix, Optional<URI> endpoint, boolean pathStyle, Region region,
                           AwsCredentialsProvider credentials) {

        /**
         * Reads the standard AWS variables through {@code env}: {@code AWS_ENDPOINT_URL_S3} or
         * {@code AWS_ENDPOINT_URL}, {@code AWS_REGION}, {@code AWS_ACCESS_KEY_ID} /
         * {@code AWS_SECRET_ACCESS_KEY} / {@code AWS_SESSION_TOKEN} (else the SDK's default chain),
         * and {@code BROOK_S3_PATH_STYLE} (default: path style whenever the endpoint is overridden).
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
            Region region = env.apply("AWS_REGION").or(() -> env.apply("AWS_DEFAULT_REGION"))
                    .filter(s -> !s.isBlank()).map(Region::of).orElseGet(Settings::defaultRegion);
            Optional<String> keyId = env.apply("AWS_ACCESS_KEY_ID").filter(s -> !s.isBlank());
            Optional<String> secret = env.apply("AWS_SECRET_ACCESS_KEY").filter(s -> !s.isBlank());
            AwsCredentialsProvider credentials;
            if (keyId.isPresent() && secret.isPresent()) {
                Optional<String> session = env.apply("AWS_SESSION_TOKEN").filter(s -> !s.isBlank());
                credentials = StaticCredentialsProvider.create(session.isPresent()
                        ? AwsSessionCredentials.create(keyId.get(), secret.get(), session.get())
                        : AwsBasicCredentials.create(keyId.get(), secret.get()));
            } else {
                credentials = DefaultCredentialsProvider.builder().build();
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

        private static Region defaultRegion() {
            try {
                return new DefaultAwsRegionProviderChain().getRegion();
            } catch (SdkClientException e) {
                return Region.US_EAST_1;
            }
        }
    }

    /** Netty threads for the S3 client; owned here so that closing does not wait out a quiet period. */
    static final int S3_EVENT_LOOP_THREADS = 2;
    /** S3's limit on an object key, prefix included. */
    static final int S3_KEY_BYTES_MAX = 1024;

    private final S3AsyncClient client;
    private final EventLoopGroup eventLoops;
    private final String bucket;
    /** The key prefix with its trailing '/', or empty. */
    private final String root;
    private final String description;

    private S3ObjectStore(S3AsyncClient client, EventLoopGroup eventLoops, String bucket, String prefix, String description) {
        this.client = client;
        this.eventLoops = eventLoops;
        this.bucket = bucket;
        this.root = prefix.isEmpty() ? "" : prefix + "/";
        this.description = description;
    }

    public static S3ObjectStore open(Settings settings) {
        try {
            settings.credentials().resolveCredentials();
        } catch (SdkClientException e) {
            throw new StoreException(StoreException.Kind.FATAL, "no AWS credentials for s3://" + settings.bucket()
                    + ": set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give the process a profile or role", e);
        }
        EventLoopGroup eventLoops = new NioEventLoopGroup(S3_EVENT_LOOP_THREADS, new DefaultThreadFactory("brook-s3", true));
        var builder = S3AsyncClient.builder()
                .region(settings.region())
                .credentialsProvider(settings.credentials())
                .forcePathStyle(settings.pathStyle())
                // S3-compatible servers differ in their support of the newer checksum headers;
                // integrity is the job of our own formats (CRC32C in every commit).
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallAttemptTimeout(S3_ATTEMPT_TIMEOUT)
                        .apiCallTimeout(S3_ATTEMPT_TIMEOUT))
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .eventLoopGroup(SdkEventLoopGroup.create(eventLoops))
                        .maxConcurrency(S3_CONNECTIONS_MAX)
                        .connectionTimeout(S3_CONNECT_TIMEOUT)
                        .connectionAcquisitionTimeout(S3_CONNECTION_ACQUIRE_TIMEOUT));
        settings.endpoint().ifPresent(builder::endpointOverride);
        String where = "s3://" + settings.bucket() + "/" + settings.prefix()
                + settings.endpoint().map(e -> " at " + e).orElse("");
        return new S3ObjectStore(builder.build(), eventLoops, settings.bucket(), settings.prefix(), where);
    }

    @Override
    public CompletionStage<PutOutcome> putIfAbsent(String key, byte[] body, Map<String, String> metadata) {
        PutObjectRequest request = putRequest(key, body, metadata).ifNoneMatch("*").build();
        return client.putObject(request, AsyncRequestBody.fromBytes(body)).handle((response, failure) -> {
            if (failure == null) {
                return PutOutcome.CREATED;
            }
            if (cause(failure) instanceof S3Exception e && e.statusCode() == 412) {
                return PutOutcome.ALREADY_EXISTS;
            }
            throw failure("put-if-absent", key, failure);
        });
    }

    @Override
    public CompletionStage<Void> put(String key, byte[] body, Map<String, String> metadata) {
        return client.putObject(putRequest(key, body, metadata).build(), AsyncRequestBody.fromBytes(body))
                .handle((response, failure) -> {
                    if (failure != null) {
                        throw failure("put", key, failure);
                    }
                    return null;
                });
    }

    @Override
    public CompletionStage<Optional<StoredObject>> get(String key) {
        StoreKeys.checkKey(key);
        return client.getObject(b -> b.bucket(bucket).key(root + key), AsyncResponseTransformer.toBytes())
                .handle((response, failure) -> {
                    if (failure != null) {
                        if (isAbsent(failure)) {
                            return Optional.empty();
                        }
                        throw failure("get", key, failure);
                    }
                    var r = response.response();
                    ObjectInfo info = new ObjectInfo(key, response.asByteArrayUnsafe().length,
                            r.lastModified().toEpochMilli(), r.metadata());
                    return Optional.of(new StoredObject(info, response.asByteArrayUnsafe()));
                });
    }

    @Override
    public CompletionStage<Optional<ObjectInfo>> head(String key) {
        StoreKeys.checkKey(key);
        return client.headObject(b -> b.bucket(bucket).key(root + key)).handle((r, failure) -> {
            if (failure != null) {
                if (isAbsent(failure)) {
                    return Optional.empty();
                }
                throw failure("head", key, failure);
            }
            return Optional.of(new ObjectInfo(key, r.contentLength(), r.lastModified().toEpochMilli(), r.metadata()));
        });
    }

    @Override
    public CompletionStage<ListPage> list(String prefix, String startAfter, int limit) {
        StoreKeys.checkPrefix(prefix);
        StoreKeys.checkLimit(limit);
        ListObjectsV2Request.Builder request = ListObjectsV2Request.builder()
                .bucket(bucket).prefix(root + prefix).maxKeys(limit);
        if (startAfter.compareTo(prefix) > 0) {
            request.startAfter(root + startAfter);
        }
        return client.listObjectsV2(request.build()).handle((response, failure) -> {
            if (failure != null) {
                throw failure("list", prefix, failure);
            }
            List<ListPage.Entry> found = new ArrayList<>();
            String lastKey = null;
            for (S3Object object : response.contents()) {
                lastKey = object.key().substring(root.length());
                if (StoreKeys.isValidKey(lastKey)) {
                    found.add(new ListPage.Entry(lastKey, object.lastModified().toEpochMilli()));
                }
            }
            boolean more = Boolean.TRUE.equals(response.isTruncated()) && lastKey != null;
            return new ListPage(found, more ? Optional.of(lastKey) : Optional.empty());
        });
    }

    @Override
    public CompletionStage<Void> delete(String key) {
        StoreKeys.checkKey(key);
        return client.deleteObject(b -> b.bucket(bucket).key(root + key)).handle((r, failure) -> {
            if (failure != null && !isAbsent(failure)) {
                throw failure("delete", key, failure);
            }
            return null;
        });
    }

    /** The grammar's limit, or less when the prefix leaves less of S3's 1,024 bytes (keys are ASCII). */
    @Override
    public int keyCharsMax() {
        return Math.min(StoreKeys.KEY_CHARS_MAX, S3_KEY_BYTES_MAX - root.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        client.close();
        eventLoops.shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS);
    }

    private PutObjectRequest.Builder putRequest(String key, byte[] body, Map<String, String> metadata) {
        StoreKeys.checkKey(key);
        StoreKeys.checkMetadata(metadata);
        return PutObjectRequest.builder().bucket(bucket).key(root + key).metadata(metadata)
                .contentLength((long) body.length).contentType("application/octet-stream");
    }

    private static Throwable cause(Throwable failure) {
        Throwable t = failure;
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static boolean isAbsent(Throwable failure) {
        Throwable t = cause(failure);
        return t instanceof NoSuchKeyException
                || (t instanceof S3Exception e && e.statusCode() == 404 && !"NoSuchBucket".equals(errorCode(e)));
    }

    private static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    /** Classifies once: what a retry can fix is TRANSIENT, what it cannot is FATAL. */
    private StoreException failure(String operation, String key, Throwable failure) {
        Throwable t = cause(failure);
        String what = description + ": " + operation + " `" + key + "` failed: ";
        if (t instanceof S3Exception e) {
            int status = e.statusCode();
            String code = errorCode(e);
            String detail = "HTTP " + status + (code == null ? "" : " " + code);
            if ("NoSuchBucket".equals(code)) {
                return new StoreException(StoreException.Kind.FATAL, what + "bucket `" + bucket + "` does not exist", e);
            }
            boolean transientStatus = status == 408 || status == 409 || status == 429 || status >= 500;
            return new StoreException(transientStatus ? StoreException.Kind.TRANSIENT : StoreException.Kind.FATAL,
                    what + detail, e);
        }
        if (t instanceof SdkClientException || t instanceof java.io.IOException) {
            return new StoreException(StoreException.Kind.TRANSIENT, what + rootMessage(t), t);
        }
        if (t instanceof SdkException) {
            return new StoreException(StoreException.Kind.FATAL, what + rootMessage(t), t);
        }
        return StoreException.unwrap(t);
    }

    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        String own = String.valueOf(t.getMessage());
        return r == t ? own : own + " (" + r.getClass().getSimpleName() + ": " + r.getMessage() + ")";
    }
}
