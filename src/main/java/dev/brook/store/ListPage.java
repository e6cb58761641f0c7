package dev.brook.store;

import java.util.List;
import java.util.Optional;

/**
 * One page of a listing. {@code next} is present when more keys may follow: pass it as the next
 * call's {@code startAfter}. It may name a key that was skipped, so it is not always the last
 * entry of {@code objects}.
 */
public record ListPage(List<Entry> objects, Optional<String> next) {

    /** A listed key and the store's modification time of its object. */
    public record Entry(String key, long lastModifiedMs) {}

    public ListPage {
        objects = List.copyOf(objects);
    }

    public List<String> keys() {
        return objects.stream().map(Entry::key).toList();
    }
}
