package dev.brook.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * A failed store operation. The kind is what callers act on; the message names the key and the
 * store, never credentials.
 */
public final class StoreException extends RuntimeException {

    public enum Kind {
        /** Timeout, connection failure, throttling or a 5xx: retrying may help; a write may have landed. */
        TRANSIENT,
        /** Misconfiguration or refusal (no such bucket, access denied, unwritable directory): retrying will not help. */
        FATAL,
        /** An object exists but is damaged: it must not be served. */
        CORRUPT,
        /** A conditional create was attempted but whether it landed could not be settled in time. */
        OUTCOME_UNKNOWN
    }

    private final Kind kind;

    public StoreException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public StoreException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public boolean retryable() {
        return switch (kind) {
            case TRANSIENT -> true;
            case FATAL, CORRUPT, OUTCOME_UNKNOWN -> false;
        };
    }

    /**
     * The StoreException behind a failed stage. Anything else an adapter let through is classified
     * here once: I/O and timeouts are transient, the rest (a bug) is fatal so nobody retries it.
     */
    public static StoreException unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof StoreException se) {
            return se;
        }
        if (t instanceof IOException || t instanceof UncheckedIOException || t instanceof TimeoutException) {
            return new StoreException(Kind.TRANSIENT, t.toString(), t);
        }
        return new StoreException(Kind.FATAL, "unexpected failure: " + t, t);
    }
}
