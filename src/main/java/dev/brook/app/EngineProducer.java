package dev.brook.app;

import dev.brook.engine.Admission;
import dev.brook.engine.Catalog;
import dev.brook.engine.ControlPlane;
import dev.brook.engine.DataPlane;
import dev.brook.engine.Janitor;
import dev.brook.engine.Peers;
import dev.brook.http.peer.PeerClient;
import dev.brook.log.CommitCache;
import dev.brook.log.LogEnv;
import dev.brook.log.LogSettings;
import dev.brook.store.ObjectStore;
import dev.brook.store.ResilientObjectStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The engine of one process: the log's environment, the catalog, the data plane, admission limits and the janitor. */
@Singleton
public class EngineProducer {

    /** Bytes of decoded commits (and, apart, of segments) kept in memory for readers; default 64 MiB or an eighth of the heap. */
    @ConfigProperty(name = "brook.commit-cache.bytes")
    java.util.Optional<Long> commitCacheBytes = java.util.Optional.empty(); // injected; the default for direct use

    /** Bytes catch-ups of the process may fetch ahead of what they serve (docs/LOG.md, "Read-ahead"); default 32 MiB or a sixteenth of the heap. */
    @ConfigProperty(name = "brook.read-ahead.bytes")
    java.util.Optional<Long> readAheadBytes = java.util.Optional.empty(); // injected; the default for direct use

    @Produces
    @Singleton
    LogEnv logEnv(ObjectStore store, MeterRegistry registry) {
        // AEAD nonces, incarnation ids and commit nonces: a CSPRNG, created at run time (never in a
        // native image's heap), thread-safe (docs/DECISIONS.md 24). Simulations inject seeded ones.
        SecureRandom random = new SecureRandom();
        LogEnv env = new LogEnv(store, System::currentTimeMillis, System::nanoTime, ResilientObjectStore.Delay.REAL, random,
                LogSettings.DEFAULT, new CommitCache(commitCacheBytes.orElse(CommitCache.DEFAULT_BYTES_MAX),
                        readAheadBytes.orElse(CommitCache.DEFAULT_READ_AHEAD_BYTES)));
        CommitCache commits = env.commits();
        // How fan-out is served (docs/LOG.md, fan-out): commit reads from memory, joined to a GET in flight, or fetched.
        FunctionCounter.builder("brook.commit.reads", commits, CommitCache::readsFromMemory).tag("source", "memory")
                .description("Commit reads by readers of this process, by where the commit came from").register(registry);
        FunctionCounter.builder("brook.commit.reads", commits, CommitCache::readsShared).tag("source", "shared-fetch")
                .description("Commit reads by readers of this process, by where the commit came from").register(registry);
        FunctionCounter.builder("brook.commit.reads", commits, CommitCache::readsFetched).tag("source", "store")
                .description("Commit reads by readers of this process, by where the commit came from").register(registry);
        Gauge.builder("brook.commit.cache.bytes", commits, CommitCache::bytes).baseUnit("bytes")
                .description("Commit bodies held in memory for this process's readers").register(registry);
        Gauge.builder("brook.read.ahead.bytes", commits, CommitCache::readAheadBytes).baseUnit("bytes")
                .description("Bytes catch-ups fetched ahead of what they served: GETs in flight and cells not served yet").register(registry);
        return env;
    }

    @Produces
    @Singleton
    Catalog catalog(LogEnv env) {
        return new Catalog(env.store(), env.wallClockMs(), env.random());
    }

    /** This instance's address for its peers (docs/LOG.md, "Contention"): unset, it neither names itself nor forwards. */
    @ConfigProperty(name = "brook.peer.url")
    Optional<String> peerUrl;

    @ConfigProperty(name = "brook.peer.secret")
    Optional<String> peerSecret;

    @Produces
    @Singleton
    DataPlane dataPlane(Catalog catalog, LogEnv env, MeterRegistry registry, io.vertx.core.Vertx vertx) {
        Optional<Peers> peers = peerUrl.filter(u -> !u.isBlank()).flatMap(url -> peerSecret.map(secret ->
                new Peers(url.endsWith("/") ? url.substring(0, url.length() - 1) : url, new PeerClient(vertx, secret, registry))));
        return new DataPlane(catalog, env, DataPlane.LOGS_CACHED_MAX, peers);
    }

    @ConfigProperty(name = "brook.sessions.max", defaultValue = "5000")
    int sessionsMax;

    @ConfigProperty(name = "brook.append.inflight-bytes-max", defaultValue = "134217728")
    long inflightBytesMax;

    /** The caps, with their use as gauges: {@code brook_sessions_open} and {@code brook_append_inflight_bytes}. */
    @Produces
    @Singleton
    Admission admission(MeterRegistry registry) {
        Admission admission = new Admission(sessionsMax, inflightBytesMax);
        Gauge.builder("brook.sessions.open", admission, Admission::openSessions)
                .description("Open sessions (SSE, S2S read and append) in this process").register(registry);
        Gauge.builder("brook.append.inflight", admission, Admission::inflightBytes).baseUnit("bytes")
                .description("Appended bytes (metered) not yet answered in this process").register(registry);
        return admission;
    }

    /** The gauges exist from the start (the caps need no store, so this cannot stop a bad-store exit). */
    void registerGauges(@Observes StartupEvent start, Admission admission) {
        admission.openSessions();
    }

    @ConfigProperty(name = "brook.deletion.grace-ms", defaultValue = "10000")
    long deletionGraceMs;

    @Produces
    @Singleton
    Janitor janitor(Catalog catalog, DataPlane data, LogEnv env) {
        return new Janitor(catalog, data, env.delay(), deletionGraceMs);
    }

    @Produces
    @Singleton
    ControlPlane controlPlane(Catalog catalog, DataPlane data, Janitor janitor) {
        return new ControlPlane(catalog, data, janitor);
    }
}
