package dev.brook.http.errors;

import dev.brook.core.ErrorCode;
import dev.brook.http.wire.Compression;
import dev.brook.http.wire.MediaTypes;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/**
 * Refusals made below the resources, before a request's body is known to be read: S2's JSON error
 * (ErrorResponses) with the transport's own status where HTTP has one (413, 414, 431), after which
 * the exchange is abandoned so nothing more of the request is read (docs/SECURITY.md).
 */
public final class Refusals {

    /** RFC 9110 §15.5.14: the body is larger than the server will process. */
    public static final int CONTENT_TOO_LARGE = 413;
    /** RFC 9110 §15.5.15: the request target is longer than the server will interpret. */
    public static final int URI_TOO_LONG = 414;
    /** RFC 6585 §5: the header fields are too large. */
    public static final int HEADER_FIELDS_TOO_LARGE = 431;

    private Refusals() {}

    /** Refuses with {@code code}'s own status (ErrorResponses.status). */
    public static void refuse(HttpServerRequest request, ErrorCode code, String message) {
        refuse(request, ErrorResponses.status(code), code, message);
    }

    /**
     * Answers {@code status} with {@code code}'s S2 body, then stops the request: on HTTP/1.x the
     * connection is closed (the rest of the request cannot be told from a next one). On HTTP/2 the
     * rest of the stream's body is read and dropped (flow control bounds what is in flight): a reset
     * could discard the answer's DATA frames still queued in flow control behind it.
     */
    public static void refuse(HttpServerRequest request, int status, ErrorCode code, String message) {
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) {
            return;
        }
        boolean http1 = request.version() != HttpVersion.HTTP_2;
        response.setStatusCode(status).putHeader("content-type", "application/json");
        if (http1) {
            response.putHeader("connection", "close");
        }
        response.end(ErrorResponses.body(code, message)).onComplete(done -> {
            if (http1) {
                request.connection().close();
            }
        });
    }

    /** Lite answers an oversize body as a malformed one of its type (§1.7): bad_proto for protobuf, else bad_json. */
    public static ErrorCode bodyTooLargeCode(HttpServerRequest request) {
        return MediaTypes.isProtobuf(request.getHeader("content-type")) ? ErrorCode.BAD_PROTO : ErrorCode.BAD_JSON;
    }

    public static void bodyTooLarge(HttpServerRequest request) {
        refuse(request, CONTENT_TOO_LARGE, bodyTooLargeCode(request),
                "request body exceeds " + Compression.REQUEST_BODY_BYTES_MAX + " bytes");
    }
}
