package dev.brook.http.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brook.core.ErrorCode;
import java.util.LinkedHashMap;
import java.util.Map;

/** The one place where an error code becomes an HTTP status and an S2 error body. */
public final class ErrorResponses {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ErrorResponses() {}

    public static int status(ErrorCode code) {
        return switch (code) {
            case BAD_HEADER, BAD_PATH, BAD_QUERY, BAD_JSON, BAD_PROTO, BAD_FRAME, DECRYPTION_FAILED -> 400;
            case AUTHN -> 401;
            case PERMISSION_DENIED, QUOTA_EXHAUSTED -> 403;
            case ACCESS_TOKEN_NOT_FOUND, BASIN_NOT_FOUND, STREAM_NOT_FOUND, NOT_FOUND -> 404;
            case METHOD_NOT_ALLOWED -> 405;
            case REQUEST_TIMEOUT -> 408;
            case RESOURCE_ALREADY_EXISTS, BASIN_DELETION_PENDING, STREAM_DELETION_PENDING, TRANSACTION_CONFLICT -> 409;
            case INVALID -> 422;
            case RATE_LIMITED -> 429;
            case CLIENT_HANGUP -> 499;
            case OTHER, STORAGE -> 500;
            case NOT_IMPLEMENTED -> 501;
            case HOT_SERVER -> 502;
            case SERVER_DRAINING, UNAVAILABLE -> 503;
            case UPSTREAM_TIMEOUT -> 504;
        };
    }

    /** {@code {"code": ..., "message": ...}} */
    public static String body(ErrorCode code, String message) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("code", code.code());
        body.put("message", message);
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of two strings always serializes", e);
        }
    }
}
