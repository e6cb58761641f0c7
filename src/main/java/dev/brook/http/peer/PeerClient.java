package dev.brook.http.peer;

import dev.brook.core.AppendBatch;
import dev.brook.engine.Peers;
import dev.brook.log.AppendOutcome;
import dev.brook.log.CommitNotice;
import dev.brook.log.Peering;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Hands batches to a peer's {@link PeerEndpoint} over HTTP/1.1 (docs/LOG.md, "Contention"). Each
 * forward is one POST, never resent: a peer that could not be connected to, or that refused with a
 * 4xx (sent before it touches any log), got nothing ({@link Peering.NotDelivered}); anything else
 * without a 200 (a timeout, a reset, a 5xx) leaves the outcome unknown.
 *
 * <p>It runs on Vert.x's event loops with pooled keep-alive connections: the JDK's client completes
 * every answer on {@code CompletableFuture}'s default executor, which on a machine with one or two
 * CPUs starts a new thread per task (docs/DECISIONS.md 35).
 */
public final class PeerClient implements Peers.Link {

    /** Connecting to a live peer on the same network takes well under this. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** Above the peer's own deadline for a group (LogSettings.appendDeadlineMs, 4 s). */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(8);
    /** A notice that takes longer than this is dropped: followers poll as a safety net. */
    static final Duration NOTICE_TIMEOUT = Duration.ofSeconds(1);
    /** Connections kept per peer; forwards beyond them wait for one. */
    static final int CONNECTIONS_PER_PEER = 16;

    private final HttpClient http;
    private final String secret;
    private final Counter delivered;
    private final Counter notDelivered;
    private final Counter unknown;
    private final Counter noticesSent;
    private final Counter noticesFailed;

    public PeerClient(Vertx vertx, String secret, MeterRegistry registry) {
        this.secret = secret;
        this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) CONNECT_TIMEOUT.toMillis())
                .setKeepAlive(true).setKeepAliveTimeout(30).setTryUseCompression(false),
                new PoolOptions().setHttp1MaxSize(CONNECTIONS_PER_PEER));
        this.delivered = counter(registry, "delivered");
        this.notDelivered = counter(registry, "not-delivered");
        this.unknown = counter(registry, "unknown");
        this.noticesSent = Counter.builder("brook.peer.notices.sent").tag("outcome", "delivered")
                .description("Commit notices to following processes, by outcome").register(registry);
        this.noticesFailed = Counter.builder("brook.peer.notices.sent").tag("outcome", "failed")
                .description("Commit notices to following processes, by outcome").register(registry);
    }

    private static Counter counter(MeterRegistry registry, String outcome) {
        return Counter.builder("brook.peer.forwards.sent").tag("outcome", outcome)
                .description("Forwards to peers: answered, provably not delivered, or with an unknown outcome").register(registry);
    }

    /** {@code POST /_brook/peer/notify} with {@code sid start end lastTimestamp}, fire and forget. */
    @Override
    public void notify(String peer, String sid, CommitNotice notice) {
        RequestOptions options;
        try {
            options = post(peer + PeerEndpoint.NOTIFY_PATH, "text/plain", NOTICE_TIMEOUT);
        } catch (IllegalArgumentException e) {
            noticesFailed.increment();
            return;
        }
        Buffer body = Buffer.buffer(sid + " " + notice.start() + " " + notice.end() + " " + notice.lastTimestamp());
        http.request(options).compose(request -> request.send(body)).compose(response -> response.end().map(response.statusCode()))
                .onComplete(done -> {
                    if (done.succeeded() && done.result() == 204) {
                        noticesSent.increment();
                    } else {
                        noticesFailed.increment();
                    }
                });
    }

    @Override
    public CompletionStage<List<AppendOutcome>> forward(String peer, String sid, String id, List<AppendBatch> batches) {
        RequestOptions options;
        try {
            options = post(peer + PeerEndpoint.PATH, "application/octet-stream", ANSWER_TIMEOUT);
        } catch (IllegalArgumentException e) {
            notDelivered.increment();
            return CompletableFuture.failedFuture(new Peering.NotDelivered("not a peer address: " + peer));
        }
        Buffer body = Buffer.buffer(ForwardCodec.encodeForward(sid, id, batches));
        // Connecting is its own step: a failure there provably delivered nothing.
        CompletableFuture<List<AppendOutcome>> result = new CompletableFuture<>();
        http.request(options).onComplete(connected -> {
            if (connected.failed()) {
                notDelivered.increment();
                result.completeExceptionally(new Peering.NotDelivered("cannot connect to " + peer + ": " + connected.cause()));
                return;
            }
            Future<Answer> answered = connected.result().send(body)
                    .compose(response -> response.body().map(b -> new Answer(response.statusCode(), b.getBytes(),
                            Optional.ofNullable(response.getHeader(PeerEndpoint.LEADER_HEADER)))));
            answered.onComplete(done -> {
                if (done.failed()) {
                    unknown.increment();
                    result.completeExceptionally(new CompletionException(done.cause()));
                    return;
                }
                try {
                    result.complete(outcomes(peer, done.result(), batches));
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        });
        return result;
    }

    private record Answer(int status, byte[] body, Optional<String> leader) {}

    private List<AppendOutcome> outcomes(String peer, Answer answer, List<AppendBatch> batches) {
        if (answer.status() == 200) {
            try {
                List<AppendOutcome> outcomes = ForwardCodec.decodeOutcomes(answer.body(), batches);
                delivered.increment();
                return outcomes;
            } catch (IllegalArgumentException e) {
                unknown.increment();
                throw new IllegalStateException("an unreadable answer from " + peer + ": " + e.getMessage());
            }
        }
        if (answer.status() >= 400 && answer.status() < 500) {
            notDelivered.increment();
            throw new Peering.NotDelivered(peer + " refused the forward (" + answer.status() + ")",
                    answer.status() == 409 ? answer.leader().filter(l -> l.length() <= 256) : Optional.empty());
        }
        unknown.increment();
        throw new IllegalStateException(peer + " answered " + answer.status());
    }

    /** A POST to an absolute {@code http://} or {@code https://} address; IllegalArgumentException when it is not one. */
    private RequestOptions post(String address, String contentType, Duration timeout) {
        java.net.URI uri = java.net.URI.create(address);
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("not an http(s) address: " + address);
        }
        return new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(address).setIdleTimeout(timeout.toMillis())
                .putHeader("content-type", contentType).putHeader(PeerEndpoint.SECRET_HEADER, secret);
    }
}
