package dev.brook.http.peer;

import dev.brook.core.AppendBatch;
import dev.brook.engine.Peers;
import dev.brook.log.AppendOutcome;
import dev.brook.log.CommitNotice;
import dev.brook.log.Peering;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Hands batches to a peer's {@link PeerEndpoint} over HTTP/1.1 (docs/LOG.md, "Contention"). Each
 * forward is one POST, never resent: a peer that could not be connected to, or that refused with a
 * 4xx (sent before it touches any log), got nothing ({@link Peering.NotDelivered}); anything else
 * without a 200 (a timeout, a reset, a 5xx) leaves the outcome unknown.
 */
public final class PeerClient implements Peers.Link {

    /** Connecting to a live peer on the same network takes well under this. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** Above the peer's own deadline for a group (LogSettings.appendDeadlineMs, 4 s). */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(8);

    private final HttpClient http;
    private final String secret;
    private final Counter delivered;
    private final Counter notDelivered;
    private final Counter unknown;
    private final Counter noticesSent;
    private final Counter noticesFailed;

    public PeerClient(String secret, MeterRegistry registry) {
        this.secret = secret;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
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

    /** A notice that takes longer than this is dropped: followers poll as a safety net. */
    static final Duration NOTICE_TIMEOUT = Duration.ofSeconds(1);

    /** {@code POST /_brook/peer/notify} with {@code sid start end lastTimestamp}, fire and forget. */
    @Override
    public void notify(String peer, String sid, CommitNotice notice) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(peer + PeerEndpoint.NOTIFY_PATH)).timeout(NOTICE_TIMEOUT)
                    .header("content-type", "text/plain").header(PeerEndpoint.SECRET_HEADER, secret)
                    .POST(HttpRequest.BodyPublishers.ofString(sid + " " + notice.start() + " " + notice.end() + " "
                            + notice.lastTimestamp())).build();
        } catch (IllegalArgumentException e) {
            noticesFailed.increment();
            return;
        }
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
            if (failure == null && response.statusCode() == 204) {
                noticesSent.increment();
            } else {
                noticesFailed.increment();
            }
        });
    }

    @Override
    public CompletionStage<List<AppendOutcome>> forward(String peer, String sid, String id, List<AppendBatch> batches) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(peer + PeerEndpoint.PATH)).timeout(ANSWER_TIMEOUT)
                    .header("content-type", "application/octet-stream").header(PeerEndpoint.SECRET_HEADER, secret)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(ForwardCodec.encodeForward(sid, id, batches))).build();
        } catch (IllegalArgumentException e) {
            notDelivered.increment();
            return CompletableFuture.failedFuture(new Peering.NotDelivered("not a peer address: " + peer));
        }
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).handle((response, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                if (cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException) {
                    notDelivered.increment();
                    throw new Peering.NotDelivered("cannot connect to " + peer + ": " + cause);
                }
                unknown.increment();
                throw new CompletionException(cause);
            }
            int status = response.statusCode();
            if (status == 200) {
                try {
                    List<AppendOutcome> outcomes = ForwardCodec.decodeOutcomes(response.body(), batches);
                    delivered.increment();
                    return outcomes;
                } catch (IllegalArgumentException e) {
                    unknown.increment();
                    throw new IllegalStateException("an unreadable answer from " + peer + ": " + e.getMessage());
                }
            }
            if (status >= 400 && status < 500) {
                notDelivered.increment();
                throw new Peering.NotDelivered(peer + " refused the forward (" + status + ")");
            }
            unknown.increment();
            throw new IllegalStateException(peer + " answered " + status);
        });
    }
}
