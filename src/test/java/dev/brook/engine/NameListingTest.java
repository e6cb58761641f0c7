package dev.brook.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.core.BasinConfig;
import dev.brook.core.StreamConfigSpec;
import dev.brook.store.ListPage;
import dev.brook.store.MemoryObjectStore;
import dev.brook.store.ObjectInfo;
import dev.brook.store.ObjectStore;
import dev.brook.store.StoredObject;
import dev.brook.testing.ForwardingStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A listing page costs store requests in proportion to its limit (docs/SECURITY.md), not to
 * the number of names: it lists only as far as it needs and reads only the names it shows (plus
 * the one that proves {@code has_more}, and any deleted ones it skips on the way).
 */
class NameListingTest {

    /** Counts requests; lists at most {@code pageKeys} keys per page to put name boundaries across pages. */
    static final class CountingStore extends ForwardingStore {
        final AtomicInteger lists = new AtomicInteger();
        final AtomicInteger reads = new AtomicInteger();
        final int pageKeys;

        CountingStore(ObjectStore inner, int pageKeys) {
            super(inner);
            this.pageKeys = pageKeys;
        }

        @Override
        public CompletionStage<ListPage> list(String prefix, String startAfter, int limit) {
            lists.incrementAndGet();
            return super.list(prefix, startAfter, Math.min(limit, pageKeys));
        }

        @Override
        public CompletionStage<Optional<StoredObject>> get(String key) {
            reads.incrementAndGet();
            return super.get(key);
        }

        @Override
        public CompletionStage<Optional<ObjectInfo>> head(String key) {
            reads.incrementAndGet();
            return super.head(key);
        }

        int requests() {
            return lists.get() + reads.get();
        }

        void reset() {
            lists.set(0);
            reads.set(0);
        }
    }

    private static <T> T join(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    private static List<String> names(Page<Catalog.StreamRecordNamed> page) {
        return page.items().stream().map(Catalog.StreamRecordNamed::name).toList();
    }

    private static void create(Catalog catalog, String basin, String stream) {
        join(catalog.createStream(basin, stream, StreamConfigSpec.EMPTY, Optional.empty(), Optional.empty()));
    }

    /** Deleted for good: the name's last version says DELETED, as after the janitor's cleanup. */
    private static void delete(Catalog catalog, String basin, String stream) {
        StreamRecord deleting = join(catalog.markStreamDeleting(basin, stream));
        join(catalog.markStreamDeleted(basin, stream, deleting));
    }

    @Test
    void aPageOfOneOverManyStreamsCostsAConstantNumberOfRequests() {
        CountingStore store = new CountingStore(new MemoryObjectStore(() -> 1_000), 1000);
        Catalog catalog = new Catalog(store, () -> 1_000, new Random(1));
        join(catalog.createBasin("many-streams", BasinConfig.DEFAULT, Optional.empty(), "h"));
        for (int i = 0; i < 303; i++) {
            create(catalog, "many-streams", String.format("s-%03d", i));
        }
        store.reset();
        Page<Catalog.StreamRecordNamed> page = join(catalog.listStreams("many-streams", "", "", 1));
        assertEquals(List.of("s-000"), names(page));
        assertTrue(page.hasMore());
        // One LIST, then the shown name and the one proving has_more: 303 streams made it 607 requests.
        assertEquals(1, store.lists.get(), "LIST requests");
        assertEquals(2, store.reads.get(), "GET and HEAD requests");

        store.reset();
        Page<Catalog.StreamRecordNamed> ten = join(catalog.listStreams("many-streams", "", "s-100", 10));
        assertEquals(10, ten.items().size());
        assertEquals("s-101", ten.items().get(0).name());
        assertTrue(store.requests() <= 1 + 11, "requests for a page of 10: " + store.requests());
    }

    @Test
    void deletedNamesAreSkippedAndHasMoreIsExactAcrossStorePageBoundaries() {
        // Three keys per store page, so names and their versions straddle pages.
        CountingStore store = new CountingStore(new MemoryObjectStore(() -> 1_000), 3);
        Catalog catalog = new Catalog(store, () -> 1_000, new Random(1));
        String basin = "with-deleted";
        join(catalog.createBasin(basin, BasinConfig.DEFAULT, Optional.empty(), "h"));
        List<String> live = new ArrayList<>();
        for (String s : List.of("a", "b", "c", "d", "e", "f", "g", "h")) {
            create(catalog, basin, s);
        }
        for (String s : List.of("b", "c", "d", "h")) {
            delete(catalog, basin, s);
        }
        create(catalog, basin, "c"); // deleted, then created again: four versions, the last one active
        join(catalog.markStreamDeleting(basin, "f")); // being deleted: listed (with deleted_at)
        live.addAll(List.of("a", "c", "e", "f", "g"));

        assertEquals(live, names(join(catalog.listStreams(basin, "", "", 1000))));
        assertFalse(join(catalog.listStreams(basin, "", "", 1000)).hasMore());
        assertFalse(join(catalog.listStreams(basin, "", "", 5)).hasMore(), "h, after the last live name, is deleted");
        assertTrue(join(catalog.listStreams(basin, "", "", 4)).hasMore());

        List<String> paged = new ArrayList<>();
        String after = "";
        for (int pages = 0; pages < 10; pages++) {
            Page<Catalog.StreamRecordNamed> page = join(catalog.listStreams(basin, "", after, 1));
            paged.addAll(names(page));
            if (!page.hasMore()) {
                break;
            }
            after = page.items().get(page.items().size() - 1).name();
        }
        assertEquals(live, paged, "pages of one, each with an exact has_more");
        assertEquals(List.of("c"), names(join(catalog.listStreams(basin, "c", "", 10))));
        assertEquals(List.of(), names(join(catalog.listStreams(basin, "d", "", 10))));
    }
}
