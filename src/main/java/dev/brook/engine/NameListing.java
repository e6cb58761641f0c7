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
 * Lists names by their version keys: each name's highest version is read (in parallel per page)
 * and names whose current version says "deleted" are skipped. {@code hasMore} is exact: it is true
 * only when one more listable name was found after the page.
 */
final class NameListing<T> {

    /** Store pages one listing may read, whatever it skips. */
    static final int LIST_PAGES_MAX = 256;

    record Candidate(String name, long version) {}

    private final ObjectStore store;
    private final String prefix;
    private final Function<String, Optional<Candidate>> parse;
    private final Predicate<String> wanted;
    private final BiFunction<String, Long, CompletionStage<Optional<T>>> fetch;

    NameListing(ObjectStore store, String prefix, Function<String, Optional<Candidate>> parse, Predicate<String> wanted,
                BiFunction<String, Long, CompletionStage<Optional<T>>> fetch) {
        this.store = store;
        this.prefix = prefix;
        this.parse = parse;
        this.wanted = wanted;
        this.fetch = fetch;
    }

    CompletionStage<Page<T>> list(String startAfterKey, int limit) {
        return page(startAfterKey, null, new ArrayList<>(), limit, 0);
    }

    /** {@code open}: the last name of the previous store page, whose versions may continue here. */
    private CompletionStage<Page<T>> page(String after, Candidate open, List<T> found, int limit, int pages) {
        if (pages == LIST_PAGES_MAX) {
            return CompletableFuture.failedFuture(new StoreException(StoreException.Kind.TRANSIENT,
                    "listing `" + prefix + "` read " + LIST_PAGES_MAX + " pages without finishing"));
        }
        return store.list(prefix, after, 1000).thenCompose(listing -> {
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
            return fetchAll(complete).thenCompose(items -> {
                for (Optional<T> item : items) {
                    if (item.isEmpty()) {
                        continue;
                    }
                    if (found.size() == limit) {
                        return CompletableFuture.completedFuture(new Page<>(found, true));
                    }
                    found.add(item.get());
                }
                if (!more) {
                    return CompletableFuture.completedFuture(new Page<>(found, false));
                }
                return page(listing.next().get(), carried, found, limit, pages + 1);
            });
        });
    }

    private CompletionStage<List<Optional<T>>> fetchAll(List<Candidate> candidates) {
        List<CompletableFuture<Optional<T>>> fetches = new ArrayList<>();
        for (Candidate c : candidates) {
            fetches.add(fetch.apply(c.name(), c.version()).toCompletableFuture());
        }
        return CompletableFuture.allOf(fetches.toArray(CompletableFuture[]::new))
                .thenApply(x -> fetches.stream().map(CompletableFuture::join).toList());
    }
}
