package dev.brook.engine;

import dev.brook.store.ObjectStore;
import dev.brook.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Lists names by their version keys. A name's versions are consecutive in key order, so the
 * listing itself says each name's highest version; only the names a page needs are read, at that
 * version, to skip the deleted ones. {@code hasMore} is exact: true only when one more listable
 * name was found after the page.
 *
 * <p>Cost (docs/SECURITY.md): store pages only until {@code limit + 1} listable names are
 * known, and one read per name shown, plus the one proving {@code hasMore}, plus one per deleted
 * name passed on the way. Reads go out in parallel rounds sized to what is still missing, doubling
 * while deleted names keep them from filling the page.
 */
final class NameListing<T> {

    /** Store pages one listing may read, whatever it skips (so also the reads: at most a page of keys each). */
    static final int LIST_PAGES_MAX = 256;
    /** The store's page size; a page costs one request whatever its size. */
    static final int LIST_PAGE_KEYS = 1000;
    /** The most reads one round sends at once. */
    static final int READS_IN_FLIGHT_MAX = 256;

    record Candidate(String name, long version) {}

    private final ObjectStore store;
    private final String prefix;
    private final Function<String, Optional<Candidate>> parse;
    private final Predicate<String> wanted;
    private final BiFunction<String, Long, CompletionStage<Optional<T>>> fetch;

    /**
     * @param fetch reads a name at the version the listing found; empty when that version is a deletion
     */
    NameListing(ObjectStore store, String prefix, Function<String, Optional<Candidate>> parse, Predicate<String> wanted,
                BiFunction<String, Long, CompletionStage<Optional<T>>> fetch) {
        this.store = store;
        this.prefix = prefix;
        this.parse = parse;
        this.wanted = wanted;
        this.fetch = fetch;
    }

    CompletionStage<Page<T>> list(String startAfterKey, int limit) {
        return page(startAfterKey, null, new ArrayList<>(), limit, 0, 1);
    }

    /**
     * {@code open}: the last name of the previous store page, whose versions may continue here.
     * {@code round}: the growth of the next read round (doubles after a round that came back short).
     */
    private CompletionStage<Page<T>> page(String after, Candidate open, List<T> found, int limit, int pages, int round) {
        if (pages == LIST_PAGES_MAX) {
            return CompletableFuture.failedFuture(new StoreException(StoreException.Kind.TRANSIENT,
                    "listing `" + prefix + "` read " + LIST_PAGES_MAX + " pages without finishing"));
        }
        return store.list(prefix, after, LIST_PAGE_KEYS).thenCompose(listing -> {
            List<Candidate> complete = new ArrayList<>();
            Candidate current = open;
            for (String key : listing.keys()) {
                Optional<Candidate> c = parse.apply(key);
                if (c.isEmpty() || !wanted.test(c.get().name())) {
                    continue;
                }
                if (current != null && !current.name().equals(c.get().name())) {
                    complete.add(current);
                    current = null;
                }
                current = current == null || c.get().version() > current.version() ? c.get() : current;
            }
            boolean more = listing.next().isPresent();
            if (!more && current != null) {
                complete.add(current);
                current = null;
            }
            Candidate carried = current;
            return read(complete, 0, found, limit, round).thenCompose(nextRound -> {
                if (found.size() > limit) {
                    return CompletableFuture.completedFuture(new Page<>(found.subList(0, limit), true));
                }
                if (!more) {
                    return CompletableFuture.completedFuture(new Page<>(found, false));
                }
                return page(listing.next().get(), carried, found, limit, pages + 1, nextRound);
            });
        });
    }

    /**
     * Reads {@code candidates} from {@code from} in order, in parallel rounds, until {@code found}
     * holds {@code limit + 1} names or the candidates run out. Completes with the next round's growth.
     */
    private CompletionStage<Integer> read(List<Candidate> candidates, int from, List<T> found, int limit, int round) {
        int missing = limit + 1 - found.size();
        if (missing <= 0 || from == candidates.size()) {
            return CompletableFuture.completedFuture(round);
        }
        int size = (int) Math.min(Math.min((long) missing * round, READS_IN_FLIGHT_MAX), candidates.size() - from);
        List<CompletableFuture<Optional<T>>> reads = new ArrayList<>(size);
        for (Candidate c : candidates.subList(from, from + size)) {
            reads.add(fetch.apply(c.name(), c.version()).toCompletableFuture());
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenCompose(x -> {
            int before = found.size();
            for (CompletableFuture<Optional<T>> r : reads) {
                r.join().ifPresent(found::add);
            }
            // Every candidate was listable: a round that came back short met deleted names, so the
            // next one asks for more at once (bounded by READS_IN_FLIGHT_MAX).
            int next = found.size() - before < size ? Math.min(round * 2, READS_IN_FLIGHT_MAX) : round;
            return read(candidates, from + size, found, limit, next);
        });
    }
}
