package dev.brook.http.edge;

import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import dev.brook.core.auth.TokenSpec;
import dev.brook.engine.auth.TokenRegistry;
import dev.brook.http.gate.AuthGate;
import dev.brook.http.gate.Authenticator;
import dev.brook.log.LogEnv;
import io.vertx.core.Vertx;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Open sessions honour revocation and expiry (docs/SECURITY.md): a token is checked when a session
 * opens, and every {@link TokenRegistry#SESSION_CHECK_INTERVAL_MS} ms after that for as long as the
 * session runs. A session whose token was revoked, or has expired, is ended with {@code 401 authn}
 * (an SSE {@code error} event, an S2S terminal frame), within {@link TokenRegistry#REVOCATION_BOUND_MS}
 * ms of the revocation plus one store read. One timer per process checks every open session; the
 * revocation cache makes that one store read per token and interval at most, not one per session.
 */
@Singleton
public class SessionTokens {

    private static final Logger LOG = Logger.getLogger(SessionTokens.class);

    /** A session to end when its token goes bad; {@code end} must be safe to call from any thread, more than once. */
    private record Watched(TokenSpec token, Consumer<S2Error> end) {}

    private final Set<Watched> open = ConcurrentHashMap.newKeySet();
    private volatile boolean ticking;

    @Inject
    Instance<Authenticator> authenticator;

    @Inject
    Instance<LogEnv> env;

    @Inject
    Vertx vertx;

    /** Watches a session's token until the returned handle runs; nothing to watch when auth is off. */
    Runnable watch(TokenSpec token, Consumer<S2Error> end) {
        if (!authenticator.get().enabled() || token == AuthGate.UNAUTHENTICATED) {
            return () -> {};
        }
        Watched w = new Watched(token, end);
        open.add(w);
        startTicking();
        return () -> open.remove(w);
    }

    private synchronized void startTicking() {
        if (!ticking) {
            ticking = true;
            vertx.setPeriodic(TokenRegistry.SESSION_CHECK_INTERVAL_MS, id -> sweep());
        }
    }

    /** One look at every open session's token: expired ones end now, revoked ones when the registry answers. */
    void sweep() {
        long now = env.get().wallClockMs().getAsLong();
        Map<String, List<Watched>> byToken = new HashMap<>();
        for (Watched w : open) {
            if (w.token().expiresAtMs().isPresent() && now >= w.token().expiresAtMs().getAsLong()) {
                end(w, new S2Error(ErrorCode.AUTHN, "access token has expired"));
            } else {
                byToken.computeIfAbsent(w.token().id(), k -> new ArrayList<>()).add(w);
            }
        }
        Authenticator auth = authenticator.get();
        for (Map.Entry<String, List<Watched>> e : byToken.entrySet()) {
            auth.revoked(e.getKey()).whenComplete((revoked, failure) -> {
                if (failure != null) {
                    // Fail open for sessions already admitted: the next sweep asks again, and new requests fail closed.
                    LOG.debugf("revocation check for token %s failed: %s", e.getKey(), failure.getMessage());
                } else if (revoked) {
                    e.getValue().forEach(w -> end(w, new S2Error(ErrorCode.AUTHN, "access token has been revoked")));
                }
            });
        }
    }

    private void end(Watched w, S2Error why) {
        if (open.remove(w)) {
            w.end().accept(why);
        }
    }

    /** Sessions being watched (tests). */
    int watched() {
        return open.size();
    }
}
