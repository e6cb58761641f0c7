package dev.brook.store;

import java.util.Map;

/**
 * What a HEAD tells: size, the store's own modification time (its clock, not ours: retention is
 * judged by it), and the metadata written with the object.
 */
public record ObjectInfo(String key, long size, long lastModifiedMs, Map<String, String> metadata) {
    public ObjectInfo {
        metadata = Map.copyOf(metadata);
    }
}
