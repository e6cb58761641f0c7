package dev.brook.engine;

import dev.brook.log.CommitNotice;
import dev.brook.store.ListPage;
import dev.brook.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Wake-ups across processes (docs/LOG.md, "Wake-ups"). A process that has followers waiting at a
 * stream's tail registers itself in the bucket ({@code peers/<id>}, its address as the body,
 * rewritten every {@link #REGISTER_EVERY_MS} while it has followers; the object's modification
 * time is its lease). A process that wins a commit tells every registered process whose lease is
 * current, right after its floor guard, best effort. A follower takes such a notice only as a hint
 * (TailWatch#notified): it wakes readers, who read from storage, and polling stays as a safety net.
 * This works wherever processes can reach each other's addresses (Knative's pod network, Fly's
 * private network) and needs no router; it costs a PUT per 30 s per following process and a LIST
 * per {@link #REFRESH_EVERY_MS} per writing process.
 */
public final class Wakeups {

    static final String PREFIX = "peers/";
    /** How often a following process rewrites its registration. */
    static final long REGISTER_EVERY_MS = 30_000;
    /** A registration older than this is a process that stopped following (or exists no more). */
    static final long LEASE_MS = 90_000;
    /** How often a writing process lists the registrations again. */
    static final long REFRESH_EVERY_MS = 5_000;
    /** Registrations read per refresh: one LIST page. */
    static final int PEERS_MAX = 1000;

    private final ObjectStore store;
    private final Peers peers;
    private final LongSupplier clockMs;
    private final String key;
    private final Map<String, String> addresses = new ConcurrentHashMap<>();
    private volatile List<String> live = List.of();
    private long registeredAtMs = Long.MIN_VALUE / 2;
    private boolean registering;
    private long refreshedAtMs = Long.MIN_VALUE / 2;
    private boolean refreshing;

    public Wakeups(ObjectStore store, Peers peers, LongSupplier clockMs, RandomGenerator random) {
        this.store = store;
        this.peers = peers;
        this.clockMs = clockMs;
        byte[] id = new byte[8];
        random.nextBytes(id);
        this.key = PREFIX + HexFormat.of().formatHex(id);
    }

    /** This process has followers waiting: keep its registration current (one PUT at most every 30 s). */
    public void keepAlive() {
        long now = clockMs.getAsLong();
        synchronized (this) {
            if (registering || now - registeredAtMs < REGISTER_EVERY_MS) {
                return;
            }
            registering = true;
        }
        store.put(key, peers.self().getBytes(StandardCharsets.UTF_8), Map.of()).whenComplete((x, e) -> {
            synchronized (this) {
                registering = false;
                if (e == null) {
                    registeredAtMs = now;
                }
            }
        });
    }

    /** A commit this process won, after its guard: every other registered process is told, best effort. */
    public void committed(String sid, CommitNotice notice) {
        refreshIfDue();
        for (String address : live) {
            if (!address.equals(peers.self())) {
                peers.link().notify(address, sid, notice);
            }
        }
    }

    /** The addresses told of commits now (tests). */
    List<String> live() {
        return live;
    }

    /** Lists the registrations again when the last listing is older than {@link #REFRESH_EVERY_MS}. */
    CompletionStage<Void> refreshIfDue() {
        long now = clockMs.getAsLong();
        synchronized (this) {
            if (refreshing || now - refreshedAtMs < REFRESH_EVERY_MS) {
                return CompletableFuture.completedFuture(null);
            }
            refreshing = true;
        }
        return store.list(PREFIX, "", PEERS_MAX).thenCompose(page -> {
            java.util.Set<String> listed = new java.util.HashSet<>();
            page.objects().forEach(e -> listed.add(e.key()));
            addresses.keySet().retainAll(listed);
            return addresses(page, now);
        }).handle((found, e) -> {
            synchronized (this) {
                refreshing = false;
                if (e == null) {
                    live = found;
                    refreshedAtMs = now;
                }
            }
            return null;
        });
    }

    /** The addresses of current registrations; an object's address never changes, so each is read once. */
    private CompletionStage<List<String>> addresses(ListPage page, long now) {
        List<CompletableFuture<Optional<String>>> each = new ArrayList<>();
        for (ListPage.Entry e : page.objects()) {
            if (now - e.lastModifiedMs() > LEASE_MS) {
                continue;
            }
            String known = addresses.get(e.key());
            if (known != null) {
                each.add(CompletableFuture.completedFuture(Optional.of(known)));
                continue;
            }
            each.add(store.get(e.key()).thenApply(o -> o.map(obj -> {
                String address = new String(obj.body(), StandardCharsets.UTF_8);
                addresses.put(e.key(), address);
                return address;
            })).exceptionally(x -> Optional.empty()).toCompletableFuture());
        }
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                .thenApply(x -> each.stream().map(CompletableFuture::join).flatMap(Optional::stream).distinct().toList());
    }
}
