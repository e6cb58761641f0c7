package dev.brook.http.peer;

import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import dev.brook.engine.DataPlane;
import dev.brook.http.errors.Replies;
import dev.brook.log.CommitNotice;
import dev.brook.log.Peering;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Where peers hand batches to this instance: {@code POST /_brook/peer/forward} (docs/LOG.md,
 * "Contention"; docs/SECURITY.md, "Between instances"). Outside the S2 API: a request must carry the
 * deployment's secret ({@code brook-peer-secret}), or it is answered like any unknown path (404), as
 * it is when no secret is configured; the router refuses the whole {@code /_brook/} prefix from
 * outside. Every refusal is sent before any log is touched, so a 4xx tells the sender that nothing
 * of its forward was appended; once the batches reach a log, the answer is 200 with their outcomes.
 */
@Singleton
public class PeerEndpoint {

    public static final String PATH = "/_brook/peer/forward";
    /** Where peers tell this instance of their commits (docs/LOG.md, "Wake-ups"). */
    public static final String NOTIFY_PATH = "/_brook/peer/notify";
    /** A notice is one line: a sid and three numbers. */
    static final int NOTICE_BYTES_MAX = 256;
    public static final String SECRET_HEADER = "brook-peer-secret";
    /** On a 409 refusal: the instance this one hands the stream's batches to (the sender may forward there instead). */
    public static final String LEADER_HEADER = "brook-peer-leader";
    /** A forward carries at most one commit's batches (8 MiB metered) plus their framing. */
    static final long FORWARD_BYTES_MAX = 16L << 20;
    /** After the access gate (-200, which passes paths outside /v1 on) and before request bodies (-150). */
    static final int ROUTE_ORDER = -190;
    /** The shortest secret accepted: 128 bits in hex. */
    static final int SECRET_CHARS_MIN = 32;

    @ConfigProperty(name = "brook.peer.secret")
    Optional<String> secret;

    @ConfigProperty(name = "brook.peer.url")
    Optional<String> self;

    /** Resolved per request: creating the engine at route registration would fail before the store check speaks. */
    @Inject
    Instance<DataPlane> data;

    @Inject
    MeterRegistry registry;

    private Counter accepted;
    private Counter refused;
    private Counter notices;

    /** A short secret is a configuration error (refuse to start); an address without a secret turns forwarding off. */
    void check(@Observes StartupEvent start) {
        if (checkConfig(self, secret)) {
            org.jboss.logging.Logger.getLogger(PeerEndpoint.class).warn("brook.peer.url (BROOK_PEER_URL) is set but "
                    + "brook.peer.secret (BROOK_PEER_SECRET) is not: this instance neither names itself in its commits nor "
                    + "hands batches to peers (docs/LOG.md, \"Contention\")");
        }
        accepted = Counter.builder("brook.peer.forwards.received").tag("outcome", "accepted")
                .description("Forwards from peers: taken into this instance's log, or refused before it").register(registry);
        refused = Counter.builder("brook.peer.forwards.received").tag("outcome", "refused")
                .description("Forwards from peers: taken into this instance's log, or refused before it").register(registry);
        notices = Counter.builder("brook.peer.notices.received")
                .description("Commit notices from peers taken as hints by this instance's followers").register(registry);
    }

    /** @return true when an address is set without a secret (forwarding stays off) */
    static boolean checkConfig(Optional<String> self, Optional<String> secret) {
        if (secret.isPresent() && secret.get().length() < SECRET_CHARS_MIN) {
            throw new IllegalStateException("brook.peer.secret (BROOK_PEER_SECRET) must have at least " + SECRET_CHARS_MIN
                    + " characters (for example: openssl rand -hex 32)");
        }
        return self.isPresent() && secret.isEmpty();
    }

    void routes(@Observes Router router) {
        router.post(PATH).order(ROUTE_ORDER).handler(this::forward);
        router.post(NOTIFY_PATH).order(ROUTE_ORDER).handler(this::notice);
    }

    /** True when the request carries the deployment's secret; otherwise it has been answered 404. */
    private boolean admitted(RoutingContext ctx, String path) {
        String given = ctx.request().getHeader(SECRET_HEADER);
        if (secret.isEmpty() || given == null
                || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), secret.get().getBytes(StandardCharsets.UTF_8))) {
            refuse(ctx, new S2Error(ErrorCode.NOT_FOUND, "no route for POST " + path));
            return false;
        }
        return true;
    }

    /**
     * A peer's commit notice: {@code sid start end lastTimestamp}. Only a hint: the follower takes it
     * when it starts where the follower's tail is, and then reads from storage (TailWatch#notified).
     */
    private void notice(RoutingContext ctx) {
        if (!admitted(ctx, NOTIFY_PATH)) {
            return;
        }
        ctx.request().body().onComplete(read -> {
            if (read.failed() || read.result().length() > NOTICE_BYTES_MAX) {
                refuse(ctx, new S2Error(ErrorCode.INVALID, "a notice is one short line"));
                return;
            }
            String[] parts = read.result().toString(StandardCharsets.UTF_8).trim().split(" ");
            try {
                if (parts.length != 4) {
                    throw new NumberFormatException("4 fields expected");
                }
                data.get().notified(parts[0], new CommitNotice(Long.parseLong(parts[1]), Long.parseLong(parts[2]), Long.parseLong(parts[3])));
                notices.increment();
            } catch (NumberFormatException e) {
                refuse(ctx, new S2Error(ErrorCode.INVALID, "not a notice: " + e.getMessage()));
                return;
            }
            ctx.response().setStatusCode(204).end();
        });
        ctx.request().resume();
    }

    private void forward(RoutingContext ctx) {
        if (!admitted(ctx, PATH)) {
            return;
        }
        String length = ctx.request().getHeader("content-length");
        long declared;
        try {
            declared = length == null ? -1 : Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            declared = -1;
        }
        if (declared < 0 || declared > FORWARD_BYTES_MAX) {
            refuse(ctx, new S2Error(ErrorCode.INVALID, "a forward needs a Content-Length of at most " + FORWARD_BYTES_MAX + " bytes"));
            return;
        }
        Context context = Vertx.currentContext();
        ctx.request().body().onComplete(read -> {
            if (read.failed()) {
                refuse(ctx, new S2Error(ErrorCode.INVALID, "the forward's body did not arrive: " + read.cause().getMessage()));
                return;
            }
            take(ctx, read.result(), context);
        });
        ctx.request().resume();
    }

    private void take(RoutingContext ctx, Buffer body, Context context) {
        ForwardCodec.Forward forward;
        try {
            forward = ForwardCodec.decodeForward(body.getBytes());
        } catch (IllegalArgumentException e) {
            refuse(ctx, new S2Error(ErrorCode.INVALID, "not a forward: " + e.getMessage()));
            return;
        }
        data.get().acceptForwarded(forward.sid(), forward.id(), forward.batches()).whenComplete((outcomes, failure) ->
                context.runOnContext(v -> answer(ctx, outcomes, failure)));
    }

    private void answer(RoutingContext ctx, List<dev.brook.log.AppendOutcome> outcomes, Throwable failure) {
        Throwable cause = failure == null ? null : Replies.unwrap(failure);
        if (cause instanceof Peering.NotDelivered refusal) {
            if (refusal.leader().isPresent() && refusal.leader().get().length() <= 256
                    && refusal.leader().get().chars().allMatch(c -> c > ' ' && c < 127)) {
                // Refused because this instance hands the stream's batches to another: name it (409, nothing appended).
                ctx.response().putHeader(LEADER_HEADER, refusal.leader().get());
                refuse(ctx, new S2Error(ErrorCode.TRANSACTION_CONFLICT, refusal.getMessage()));
                return;
            }
            refuse(ctx, new S2Error(ErrorCode.NOT_FOUND, refusal.getMessage()));
            return;
        }
        if (cause != null) {
            Replies.answer(ctx.response(), cause); // a 5xx: the sender cannot tell what happened
            return;
        }
        accepted.increment();
        ctx.response().setStatusCode(200).putHeader("content-type", "application/octet-stream")
                .end(Buffer.buffer(ForwardCodec.encodeOutcomes(outcomes)));
    }

    private void refuse(RoutingContext ctx, S2Error error) {
        if (refused != null) {
            refused.increment();
        }
        Replies.answer(ctx.response(), error);
    }
}
