package dev.brook.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import dev.brook.store.StoreException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every exception a resource can raise, turned into an S2 error once. Nothing here leaks class
 * names or stack traces to clients: unexpected failures get a reference to the server log.
 */
public final class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);
    private static final AtomicLong INCIDENTS = new AtomicLong();

    @ServerExceptionMapper
    public Response api(S2Error e) {
        return ErrorResponses.response(e.code(), e.getMessage());
    }

    /** 412 with S2's structured body ({@code seq_num_mismatch} or {@code fencing_token_mismatch}). */
    @ServerExceptionMapper
    public Response preconditionFailed(Records.PreconditionFailed e) {
        return Http.json(412, e.body);
    }

    /** 416 with the tail. */
    @ServerExceptionMapper
    public Response rangeNotSatisfiable(Records.RangeNotSatisfiable e) {
        return Http.json(416, e.body);
    }

    /** Failures of asynchronous resources arrive wrapped; answer for what is inside. */
    @ServerExceptionMapper
    public Response completion(java.util.concurrent.CompletionException e, HttpServerRequest request) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        if (cause instanceof S2Error s) {
            return api(s);
        }
        if (cause instanceof Records.PreconditionFailed p) {
            return preconditionFailed(p);
        }
        if (cause instanceof Records.RangeNotSatisfiable r) {
            return rangeNotSatisfiable(r);
        }
        if (cause instanceof StoreException s) {
            return store(s);
        }
        if (cause instanceof WebApplicationException w) {
            return framework(w, request);
        }
        return unexpected(cause);
    }

    /** Listed type by type: the JSON extension maps the narrower ones itself unless we do. */
    @ServerExceptionMapper({JacksonException.class, JsonParseException.class, MismatchedInputException.class,
            JsonMappingException.class})
    public Response json(JacksonException e) {
        return ErrorResponses.response(ErrorCode.BAD_JSON, e.getOriginalMessage());
    }

    @ServerExceptionMapper
    public Response store(StoreException e) {
        ErrorCode code = switch (e.kind()) {
            case TRANSIENT, OUTCOME_UNKNOWN -> ErrorCode.UNAVAILABLE;
            case FATAL, CORRUPT -> ErrorCode.STORAGE;
        };
        LOG.warnf("storage failure answered with %s: %s", code.code(), e.getMessage());
        return ErrorResponses.response(code, "storage failure: " + e.kind().name().toLowerCase(java.util.Locale.ROOT));
    }

    @ServerExceptionMapper
    public Response framework(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof JacksonException je) {
            return json(je);
        }
        String route = request.method() + " " + request.path();
        return switch (status) {
            case 404 -> ErrorResponses.response(ErrorCode.NOT_FOUND, "no route for " + route);
            case 405 -> ErrorResponses.response(ErrorCode.METHOD_NOT_ALLOWED, "no route for " + route + " (wrong method)");
            case 406, 415 -> ErrorResponses.response(ErrorCode.BAD_HEADER, "unsupported media type");
            default -> status >= 500 ? unexpected(e) : ErrorResponses.response(ErrorCode.BAD_QUERY, "bad request");
        };
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        long incident = INCIDENTS.incrementAndGet();
        LOG.errorf(e, "incident %d: unexpected failure", incident);
        return ErrorResponses.response(ErrorCode.OTHER, "internal error (incident " + incident + " in the server log)");
    }
}
