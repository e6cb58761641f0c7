package dev.brook.log;

import dev.brook.store.ObjectStore;
import dev.brook.store.ResilientObjectStore;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Everything the log takes from outside: the store, clocks, delays and randomness. A deterministic
 * simulation supplies virtual ones; a deployment the real ones.
 *
 * @param wallClockMs arrival times of batches (already checked against the store's clock by the caller)
 * @param nanoClock   deadlines
 * @param random      payload nonces; must be thread-safe when the log is used from several threads
 * @param commits     decoded commits shared by every log of the process (one per process)
 */
public record LogEnv(ObjectStore store, LongSupplier wallClockMs, LongSupplier nanoClock, ResilientObjectStore.Delay delay,
                     RandomGenerator random, LogSettings settings, CommitCache commits) {

    /** An environment with a cache of its own, of the default bound: one process. */
    public LogEnv(ObjectStore store, LongSupplier wallClockMs, LongSupplier nanoClock, ResilientObjectStore.Delay delay,
                  RandomGenerator random, LogSettings settings) {
        this(store, wallClockMs, nanoClock, delay, random, settings, new CommitCache(CommitCache.DEFAULT_BYTES_MAX));
    }
}
