package dev.brook.engine.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brook.engine.CatalogKeys;
import dev.brook.engine.Page;
import dev.brook.store.ListPage;
import dev.brook.store.ObjectStore;
import dev.brook.store.PutOutcome;
import dev.brook.store.StoreException;
import dev.brook.store.StoreKeys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Issued and revoked access tokens in the object store ({@link TokenRegistryKeys}): one object per
 * issued id, written with put-if-absent so that an id is issued once, and one object per revoked id.
 * Neither is ever deleted: a revoked id stays taken.
 *
 * <p>Revocation is honoured by every process within {@value #REVOCATION_BOUND_MS} ms (plus one store
 * round trip) of {@link #revoke} completing: {@link #isRevoked} remembers "revoked" for as long as the
 * entry stays in its cache (revocation is permanent) and "not revoked" for less than
 * {@value #REVOCATION_CACHE_MS} ms, counted from before the HEAD that found it. The cache holds at most
 * {@value #REVOCATION_CACHE_ENTRIES_MAX} ids, least recently used out first; ids reach it only from
 * tokens whose signature verified, so it cannot be flooded from outside.
 *
 * <p>Failures of the store complete the stages exceptionally with its {@link StoreException}: callers
 * fail closed.
 */
public final class TokenRegistry {

    /**
     * The bound on how late a revocation takes effect anywhere, new requests and open sessions
     * alike (plus one store round trip): docs/SECURITY.md.
     */
    public static final long REVOCATION_BOUND_MS = 5_000;
    /** How often open sessions look at their token again (the HTTP layer's sweep). */
    public static final long SESSION_CHECK_INTERVAL_MS = 1_000;
    /**
     * How long a "not revoked" answer is reused: the bound less one session check interval, so a
     * session's next check after the bound cannot be answered from a stale entry.
     */
    public static final long REVOCATION_CACHE_MS = REVOCATION_BOUND_MS - SESSION_CHECK_INTERVAL_MS;
    public static final int REVOCATION_CACHE_ENTRIES_MAX = 10_000;
    /** Store pages one listing may read (issued and revoked together), whatever it skips. */
    static final int LIST_PAGES_MAX = 256;
    /** How long one listing may keep reading the store. */
    static final long LIST_DEADLINE_MS = 10_000;
    /** The most items one listing page returns (spec §2.1). */
    public static final int LIST_LIMIT_MAX = 1000;
    static final int FORMAT_1 = 1;

    /** An issued token as recorded: its id and the public info the issuer gave. */
    public record IssuedToken(String id, String infoJson) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectStore store;
    private final LongSupplier nanoClock;
    private final Map<String, Revocation> revocations = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Revocation> eldest) {
            return size() > REVOCATION_CACHE_ENTRIES_MAX;
        }
    };

    private record Revocation(boolean revoked, long checkedAtNanos) {}

    /** @param nanoClock a monotonic clock in nanoseconds (System::nanoTime in a deployment) */
    public TokenRegistry(ObjectStore store, LongSupplier nanoClock) {
        this.store = store;
        this.nanoClock = nanoClock;
    }

    // ---------------------------------------------------------------- issue

    /**
     * Records an issued token's public info ({@code {"id","scope","auto_prefix_streams","expires_at"}},
     * never the secret). False when the id was issued or revoked before (409 resource_already_exists).
     */
    public CompletionStage<Boolean> record(String id, String infoJson) {
        byte[] body = issuedBody(id, infoJson);
        return store.head(TokenRegistryKeys.revoked(id)).thenCompose(revoked -> revoked.isPresent()
                ? CompletableFuture.completedFuture(false)
                : store.putIfAbsent(TokenRegistryKeys.issued(id), body, Map.of()).thenApply(o -> o == PutOutcome.CREATED));
    }

    // ---------------------------------------------------------------- revoke

    /**
     * Revokes {@code id}: true when this call revoked it, false when there was nothing to revoke
     * (404 access_token_not_found, as S2 answers): an id that was never recorded, or one already
     * revoked. With {@code force} an id that was never recorded is revoked too: for tokens such as
     * the bootstrap admin token {@link Keygen} signs, which only the operator knows about.
     */
    public CompletionStage<Boolean> revoke(String id, boolean force) {
        if (force) {
            return markRevoked(id);
        }
        return store.head(TokenRegistryKeys.issued(id)).thenCompose(issued -> {
            if (issued.isPresent()) {
                return markRevoked(id);
            }
            return store.head(TokenRegistryKeys.revoked(id)).thenApply(revoked -> {
                revoked.ifPresent(r -> remember(id, true, nanoClock.getAsLong()));
                return false;
            });
        });
    }

    /** Claims the revocation; false when it existed already (the token was revoked before). */
    private CompletionStage<Boolean> markRevoked(String id) {
        byte[] body = json(JSON.createObjectNode().put("format", FORMAT_1).put("id", id));
        return store.putIfAbsent(TokenRegistryKeys.revoked(id), body, Map.of()).thenApply(outcome -> {
            remember(id, true, nanoClock.getAsLong());
            return outcome == PutOutcome.CREATED;
        });
    }

    /** Whether {@code id} is revoked, as of at most {@value #REVOCATION_CACHE_MS} ms ago. */
    public CompletionStage<Boolean> isRevoked(String id) {
        long now = nanoClock.getAsLong();
        Revocation cached;
        synchronized (revocations) {
            cached = revocations.get(id);
        }
        if (cached != null && (cached.revoked() || now - cached.checkedAtNanos() < TimeUnit.MILLISECONDS.toNanos(REVOCATION_CACHE_MS))) {
            return CompletableFuture.completedFuture(cached.revoked());
        }
        return store.head(TokenRegistryKeys.revoked(id)).thenApply(found -> {
            remember(id, found.isPresent(), now);
            return found.isPresent();
        });
    }

    /** A "not revoked" never replaces "revoked": a slow HEAD may return after a revocation was seen. */
    private void remember(String id, boolean revoked, long checkedAtNanos) {
        synchronized (revocations) {
            Revocation known = revocations.get(id);
            if (known == null || !known.revoked()) {
                revocations.put(id, new Revocation(revoked, checkedAtNanos));
            }
        }
    }

    // ---------------------------------------------------------------- list

    /**
     * Issued tokens whose ids start with {@code prefix} and sort after {@code startAfter} (UTF-8 byte
     * order), revoked ones left out. {@code hasMore} is exact: one more listable token exists.
     *
     * @param limit 1 to {@value #LIST_LIMIT_MAX} (the caller clamps S2's 0 and over-limit values)
     */
    public CompletionStage<Page<IssuedToken>> list(String prefix, String startAfter, int limit) {
        if (limit < 1 || limit > LIST_LIMIT_MAX) {
            throw new IllegalArgumentException("token listing limit " + limit + " is outside 1.." + LIST_LIMIT_MAX);
        }
        Listing listing = new Listing(prefix, startAfter, limit, nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(LIST_DEADLINE_MS));
        String after = startAfter.isEmpty() ? "" : TokenRegistryKeys.issuedAfter(startAfter);
        return listing.page(after, new ArrayList<>());
    }

    /** One listing: its query, and the store pages and time it has left. */
    private final class Listing {
        private final String prefix;
        private final String startAfter;
        private final int limit;
        private final long deadlineNanos;
        private int pages;

        Listing(String prefix, String startAfter, int limit, long deadlineNanos) {
            this.prefix = prefix;
            this.startAfter = startAfter;
            this.limit = limit;
            this.deadlineNanos = deadlineNanos;
        }

        /** Reads one more store page; every loop that reads the store passes here. */
        private CompletionStage<ListPage> read(String listPrefix, String after) {
            if (pages == LIST_PAGES_MAX) {
                return CompletableFuture.failedFuture(new StoreException(StoreException.Kind.TRANSIENT,
                        "listing access tokens read " + LIST_PAGES_MAX + " pages without finishing"));
            }
            if (nanoClock.getAsLong() - deadlineNanos >= 0) {
                return CompletableFuture.failedFuture(new StoreException(StoreException.Kind.TRANSIENT,
                        "listing access tokens took longer than " + LIST_DEADLINE_MS + " ms"));
            }
            pages++;
            return store.list(listPrefix, after, StoreKeys.LIST_LIMIT_MAX);
        }

        private boolean wanted(String id) {
            return id.startsWith(prefix) && CatalogKeys.compareNames(id, startAfter) > 0;
        }

        CompletionStage<Page<IssuedToken>> page(String after, List<IssuedToken> found) {
            return read(TokenRegistryKeys.issuedListPrefix(prefix), after).thenCompose(listing -> {
                List<String> ids = new ArrayList<>();
                for (String key : listing.keys()) {
                    TokenRegistryKeys.parseIssued(key).filter(this::wanted).ifPresent(ids::add);
                }
                Optional<String> next = listing.next();
                if (ids.isEmpty()) {
                    return next.isPresent() ? page(next.get(), found) : done(found, false);
                }
                String last = TokenRegistryKeys.revoked(ids.get(ids.size() - 1));
                return revokedUpTo(TokenRegistryKeys.revokedAt(after), last, new HashSet<>()).thenCompose(revoked -> {
                    List<String> live = ids.stream().filter(id -> !revoked.contains(id)).toList();
                    int room = limit - found.size();
                    return fetch(live.subList(0, Math.min(room, live.size()))).thenCompose(items -> {
                        found.addAll(items);
                        if (live.size() > room) {
                            return done(found, true);
                        }
                        return next.isPresent() ? page(next.get(), found) : done(found, false);
                    });
                });
            });
        }

        /** The revoked ids of this listing's prefix after {@code after}, up to the key {@code last}. */
        private CompletionStage<Set<String>> revokedUpTo(String after, String last, Set<String> revoked) {
            return read(TokenRegistryKeys.revokedListPrefix(prefix), after).thenCompose(listing -> {
                for (String key : listing.keys()) {
                    if (key.compareTo(last) > 0) {
                        return CompletableFuture.completedFuture(revoked);
                    }
                    TokenRegistryKeys.parseRevoked(key).ifPresent(revoked::add);
                }
                return listing.next().isPresent() ? revokedUpTo(listing.next().get(), last, revoked)
                        : CompletableFuture.completedFuture(revoked);
            });
        }
    }

    private CompletionStage<List<IssuedToken>> fetch(List<String> ids) {
        List<CompletableFuture<IssuedToken>> gets = new ArrayList<>();
        for (String id : ids) {
            String key = TokenRegistryKeys.issued(id);
            gets.add(store.get(key).thenApply(o -> decodeIssued(key, id, o.orElseThrow(() -> new StoreException(
                    StoreException.Kind.CORRUPT, "`" + key + "` vanished: issued tokens are never deleted")).body()))
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(gets.toArray(CompletableFuture[]::new))
                .thenApply(x -> gets.stream().map(CompletableFuture::join).toList());
    }

    private static CompletionStage<Page<IssuedToken>> done(List<IssuedToken> found, boolean hasMore) {
        return CompletableFuture.completedFuture(new Page<>(found, hasMore));
    }

    // ---------------------------------------------------------------- codec

    /** {@code {"format":1,"id":...,"info":{...}}}: the info as the issuer gave it, checked to be a JSON object. */
    private static byte[] issuedBody(String id, String infoJson) {
        JsonNode info;
        try {
            info = JSON.readTree(infoJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("access token info is not JSON: " + e.getOriginalMessage());
        }
        if (info == null || !info.isObject()) {
            throw new IllegalArgumentException("access token info must be a JSON object");
        }
        ObjectNode body = JSON.createObjectNode().put("format", FORMAT_1).put("id", TokenFormat.checkId(id));
        body.set("info", info);
        return json(body);
    }

    private static IssuedToken decodeIssued(String key, String id, byte[] body) {
        try {
            JsonNode n = JSON.readTree(body);
            JsonNode info = n.get("info");
            if (n.path("format").asInt() != FORMAT_1 || !id.equals(n.path("id").asText()) || info == null || !info.isObject()) {
                throw new IllegalStateException("not an issued-token object of format " + FORMAT_1 + " for this id");
            }
            return new IssuedToken(id, JSON.writeValueAsString(info));
        } catch (java.io.IOException | RuntimeException e) {
            throw new StoreException(StoreException.Kind.CORRUPT, "`" + key + "` is damaged: " + e.getMessage(), e);
        }
    }

    private static byte[] json(JsonNode node) {
        try {
            return JSON.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree failed to serialize", e);
        }
    }
}
