package dev.brook.http;

import dev.brook.core.ErrorCode;

/** A request that fails with an S2 error code and a message meant for the client. */
public final class ApiException extends RuntimeException {

    private final ErrorCode code;

    public ApiException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
