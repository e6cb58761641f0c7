package dev.brook.store;

import java.util.Optional;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/** Builds the store a deployment runs on: the adapter, metered, behind the retry layer. */
public final class ObjectStores {

    private ObjectStores() {}

    /** Everything a store needs from its surroundings, injected so that tests control it. */
    public record Environment(Function<String, Optional<String>> variables, StoreObserver observer,
                              RandomGenerator random, int fileIoThreads) {}

    public static ObjectStore open(StoreSpec spec, Environment env) {
        ObjectStore adapter;
        if (spec instanceof StoreSpec.File f) {
            adapter = FileObjectStore.open(f.directory(), env.fileIoThreads(), System::currentTimeMillis, env.random().nextLong());
        } else if (spec instanceof StoreSpec.S3 s) {
            adapter = S3ObjectStore.open(S3ObjectStore.Settings.from(s.bucket(), s.prefix(), env.variables()));
        } else if (spec instanceof StoreSpec.Memory) {
            adapter = new MemoryObjectStore(System::currentTimeMillis);
        } else {
            throw new IllegalStateException("unhandled store spec " + spec);
        }
        ObjectStore metered = new MeteredObjectStore(adapter, env.observer(), System::nanoTime);
        return new ResilientObjectStore(metered, ResilientObjectStore.RetryPolicy.DEFAULT, System::nanoTime,
                ResilientObjectStore.Delay.REAL, env.random());
    }
}
