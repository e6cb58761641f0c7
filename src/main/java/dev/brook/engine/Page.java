package dev.brook.engine;

import java.util.List;

/** One page of a listing and whether at least one more item follows it. */
public record Page<T>(List<T> items, boolean hasMore) {
    public Page {
        items = List.copyOf(items);
    }
}
