package dev.brook.http;

import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import dev.brook.store.StoreException;
import io.vertx.core.http.HttpServerResponse;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;

/**
 * Answers for requests served by Vert.x routes (sessions), in the same S2 error format as the
 * resources: as an HTTP response before a session starts, and as the status and JSON of an SSE
 * {@code error} event or an S2S terminal frame once it has.
 */
final class Replies {

    private static final Logger LOG = Logger.getLogger(Replies.class);

    private Replies() {}

    /** An error as S2 reports it: the HTTP status and its JSON body. */
    record Error(int status, String json) {}

    static void answer(HttpServerResponse response, int status, String json) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status).putHeader("content-type", "application/json").end(json);
    }

    static void answer(HttpServerResponse response, Throwable failure) {
        Error e = of(failure);
        answer(response, e.status(), e.json());
    }

    static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    static Error of(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof S2Error s) {
            return new Error(ErrorResponses.status(s.code()), ErrorResponses.body(s.code(), s.getMessage()));
        }
        if (t instanceof Records.RangeNotSatisfiable r) {
            return new Error(416, Http.write(r.body));
        }
        if (t instanceof Records.PreconditionFailed p) {
            return new Error(412, Http.write(p.body));
        }
        if (t instanceof StoreException s) {
            ErrorCode code = switch (s.kind()) {
                case TRANSIENT, OUTCOME_UNKNOWN -> ErrorCode.UNAVAILABLE;
                case FATAL, CORRUPT -> ErrorCode.STORAGE;
            };
            LOG.warnf("storage failure answered with %s: %s", code.code(), s.getMessage());
            return new Error(ErrorResponses.status(code), ErrorResponses.body(code, "storage failure"));
        }
        LOG.errorf(t, "unexpected failure in a session");
        return new Error(500, ErrorResponses.body(ErrorCode.OTHER, "internal error; see the server log"));
    }
}
