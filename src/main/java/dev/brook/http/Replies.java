package dev.brook.http;

import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import dev.brook.store.StoreException;
import io.vertx.core.http.HttpServerResponse;
import org.jboss.logging.Logger;

/** Answers for requests served by Vert.x routes (sessions), in the same S2 error format as the resources. */
final class Replies {

    private static final Logger LOG = Logger.getLogger(Replies.class);

    private Replies() {}

    static void answer(HttpServerResponse response, int status, String json) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status).putHeader("content-type", "application/json").end(json);
    }

    static void answer(HttpServerResponse response, Throwable failure) {
        Throwable t = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (t instanceof S2Error s) {
            answer(response, ErrorResponses.status(s.code()), ErrorResponses.body(s.code(), s.getMessage()));
        } else if (t instanceof Records.RangeNotSatisfiable r) {
            answer(response, 416, Http.write(r.body));
        } else if (t instanceof StoreException s) {
            ErrorCode code = switch (s.kind()) {
                case TRANSIENT, OUTCOME_UNKNOWN -> ErrorCode.UNAVAILABLE;
                case FATAL, CORRUPT -> ErrorCode.STORAGE;
            };
            LOG.warnf("storage failure answered with %s: %s", code.code(), s.getMessage());
            answer(response, ErrorResponses.status(code), ErrorResponses.body(code, "storage failure"));
        } else {
            LOG.errorf(t, "unexpected failure in a session");
            answer(response, 500, ErrorResponses.body(ErrorCode.OTHER, "internal error; see the server log"));
        }
    }
}
