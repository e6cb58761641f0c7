package dev.brook.core;

/**
 * The error codes of the S2 v1 API (docs/ARCHITECTURE.md, "Errors"), plus the two Brook needs where S2 has
 * none (unknown route and wrong method; S2 Lite answers those with an empty body). SDKs trust a
 * code only together with its status, so both live in one table (http.ErrorResponses).
 */
public enum ErrorCode {
    BAD_HEADER("bad_header"),
    BAD_PATH("bad_path"),
    BAD_QUERY("bad_query"),
    BAD_JSON("bad_json"),
    BAD_PROTO("bad_proto"),
    BAD_FRAME("bad_frame"),
    DECRYPTION_FAILED("decryption_failed"),
    AUTHN("authn"),
    PERMISSION_DENIED("permission_denied"),
    QUOTA_EXHAUSTED("quota_exhausted"),
    ACCESS_TOKEN_NOT_FOUND("access_token_not_found"),
    BASIN_NOT_FOUND("basin_not_found"),
    STREAM_NOT_FOUND("stream_not_found"),
    REQUEST_TIMEOUT("request_timeout"),
    RESOURCE_ALREADY_EXISTS("resource_already_exists"),
    BASIN_DELETION_PENDING("basin_deletion_pending"),
    STREAM_DELETION_PENDING("stream_deletion_pending"),
    TRANSACTION_CONFLICT("transaction_conflict"),
    INVALID("invalid"),
    RATE_LIMITED("rate_limited"),
    CLIENT_HANGUP("client_hangup"),
    OTHER("other"),
    STORAGE("storage"),
    NOT_IMPLEMENTED("not_implemented"),
    HOT_SERVER("hot_server"),
    SERVER_DRAINING("server_draining"),
    UNAVAILABLE("unavailable"),
    UPSTREAM_TIMEOUT("upstream_timeout"),
    /** Brook's own: no route has this path. */
    NOT_FOUND("not_found"),
    /** Brook's own: the path exists, the method does not. */
    METHOD_NOT_ALLOWED("method_not_allowed");

    private final String code;

    ErrorCode(String code) {
        this.code = code;
    }

    /** The wire string. */
    public String code() {
        return code;
    }

    /** Whether a client may retry (S2's table). */
    public boolean retryable() {
        return switch (this) {
            case REQUEST_TIMEOUT, TRANSACTION_CONFLICT, RATE_LIMITED, OTHER, STORAGE, HOT_SERVER, SERVER_DRAINING,
                    UNAVAILABLE, UPSTREAM_TIMEOUT -> true;
            case BAD_HEADER, BAD_PATH, BAD_QUERY, BAD_JSON, BAD_PROTO, BAD_FRAME, DECRYPTION_FAILED, AUTHN,
                    PERMISSION_DENIED, QUOTA_EXHAUSTED, ACCESS_TOKEN_NOT_FOUND, BASIN_NOT_FOUND, STREAM_NOT_FOUND,
                    RESOURCE_ALREADY_EXISTS, BASIN_DELETION_PENDING, STREAM_DELETION_PENDING, INVALID, CLIENT_HANGUP,
                    NOT_IMPLEMENTED, NOT_FOUND, METHOD_NOT_ALLOWED -> false;
        };
    }

    /** Whether the failed request guaranteed nothing changed (S2's table). */
    public boolean noSideEffect() {
        return switch (this) {
            case REQUEST_TIMEOUT, CLIENT_HANGUP, OTHER, STORAGE, UNAVAILABLE, UPSTREAM_TIMEOUT -> false;
            case BAD_HEADER, BAD_PATH, BAD_QUERY, BAD_JSON, BAD_PROTO, BAD_FRAME, DECRYPTION_FAILED, AUTHN,
                    PERMISSION_DENIED, QUOTA_EXHAUSTED, ACCESS_TOKEN_NOT_FOUND, BASIN_NOT_FOUND, STREAM_NOT_FOUND,
                    RESOURCE_ALREADY_EXISTS, BASIN_DELETION_PENDING, STREAM_DELETION_PENDING, TRANSACTION_CONFLICT,
                    INVALID, RATE_LIMITED, NOT_IMPLEMENTED, HOT_SERVER, SERVER_DRAINING, NOT_FOUND,
                    METHOD_NOT_ALLOWED -> true;
        };
    }
}
