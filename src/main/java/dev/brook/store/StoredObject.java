package dev.brook.store;

/** A whole object as read. The body array belongs to the caller. */
public record StoredObject(ObjectInfo info, byte[] body) {
    public String key() {
        return info.key();
    }
}
