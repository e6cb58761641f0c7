package dev.brook.store;

/**
 * Told about every request that reaches the adapter (retries included), so that the request mix
 * (what S3 bills) and latencies can be exported without the store knowing the metrics library.
 */
@FunctionalInterface
public interface StoreObserver {

    enum Operation { PUT_IF_ABSENT, PUT, GET, HEAD, LIST, DELETE }

    /** {@code outcome} is a short label: created, exists, ok, absent, or the failure kind in lower case. */
    void completed(Operation operation, String outcome, long nanos, long bytes);

    StoreObserver NONE = (operation, outcome, nanos, bytes) -> {};
}
