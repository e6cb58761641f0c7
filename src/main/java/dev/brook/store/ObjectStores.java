package dev.brook.store;

import io.vertx.core.Vertx;
import java.util.Optional;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/** Builds the store a deployment runs on: the adapter, metered, behind the retry layer. */
public final class ObjectStores {

    private ObjectStores() {}

    /** Everything a store needs from its surroundings, injected so that tests control it. */
    public record Environment(Function<String, Optional<String>> variables, StoreObserver observer,
                              RandomGenerator random, int fileIoThreads, Optional<Vertx> vertx) {

        /** Without a Vert.x to lend: an S3 store then runs its own. */
        public Environment(Function<String, Optional<String>> variables, StoreObserver observer,
                           RandomGenerator random, int fileIoThreads) {
            this(variables, observer, random, fileIoThreads, Optional.empty());
        }
    }

    public static ObjectStore open(StoreSpec spec, Environment env) {
        ObjectStore adapter;
        if (spec instanceof StoreSpec.File f) {
            adapter = FileObjectStore.open(f.directory(), env.fileIoThreads(), System::currentTimeMillis, env.random().nextLong());
        } else if (spec instanceof StoreSpec.S3 s) {
            S3ObjectStore.Settings settings = S3ObjectStore.Settings.from(s.bucket(), s.prefix(), env.variables());
            adapter = env.vertx().isPresent() ? S3ObjectStore.open(settings, env.vertx().get()) : S3ObjectStore.open(settings);
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
