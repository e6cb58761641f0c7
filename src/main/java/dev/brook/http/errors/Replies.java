package dev.brook.http.errors;

import com.fasterxml.jackson.core.JacksonException;
import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import dev.brook.http.wire.Http;
import dev.brook.store.StoreException;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.WebApplicationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The one mapping from any failure to S2's status and JSON error (docs/SECURITY.md, "Errors"):
 * unary resources ({@link ErrorMappers}), the access gate, long-poll, SSE {@code error} events and
 * S2S terminal frames all answer through {@link #of}. Nothing here leaks class names, stack traces
 * or storage details to clients; an unexpected failure gets an incident number that is in the
 * server log, on every transport.
 */
public final class Replies {

    private static final Logger LOG = Logger.getLogger(Replies.class);
    private static final AtomicLong INCIDENTS = new AtomicLong();

    private Replies() {}

    /** An error as S2 reports it: the HTTP status and its JSON body. */
    public record Error(int status, String json) {}

    public static void answer(HttpServerResponse response, int status, String json) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status).putHeader("content-type", "application/json").end(json);
    }

    public static void answer(HttpServerResponse response, Throwable failure) {
        Error e = of(failure);
        answer(response, e.status(), e.json());
    }

    public static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    public static Error of(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof S2Error s) {
            return error(s.code(), s.getMessage());
        }
        if (t instanceof RangeNotSatisfiable r) {
            return new Error(416, Http.write(r.body));
        }
        if (t instanceof PreconditionFailed p) {
            return new Error(412, Http.write(p.body));
        }
        if (t instanceof StoreException s) {
            ErrorCode code = switch (s.kind()) {
                case TRANSIENT, OUTCOME_UNKNOWN -> ErrorCode.UNAVAILABLE;
                case FATAL, CORRUPT -> ErrorCode.STORAGE;
            };
            LOG.warnf("storage failure answered with %s: %s", code.code(), s.getMessage());
            return error(code, "storage failure: " + s.kind().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (t instanceof JacksonException j) {
            return error(ErrorCode.BAD_JSON, j.getOriginalMessage());
        }
        if (t instanceof WebApplicationException w) {
            if (w.getCause() instanceof JacksonException j) {
                return error(ErrorCode.BAD_JSON, j.getOriginalMessage());
            }
            int status = w.getResponse().getStatus();
            return switch (status) {
                case 404 -> error(ErrorCode.NOT_FOUND, "no such route");
                case 405 -> error(ErrorCode.METHOD_NOT_ALLOWED, "the route does not take this method");
                case 406, 415 -> error(ErrorCode.BAD_HEADER, "unsupported media type");
                case 413 -> error(ErrorCode.BAD_JSON, "the request body is too large");
                default -> status >= 500 ? unexpected(w) : error(ErrorCode.BAD_QUERY, "bad request");
            };
        }
        return unexpected(t);
    }

    static Error error(ErrorCode code, String message) {
        return new Error(ErrorResponses.status(code), ErrorResponses.body(code, message));
    }

    private static Error unexpected(Throwable t) {
        long incident = INCIDENTS.incrementAndGet();
        LOG.errorf(t, "incident %d: unexpected failure", incident);
        return error(ErrorCode.OTHER, "internal error (incident " + incident + " in the server log)");
    }
}
