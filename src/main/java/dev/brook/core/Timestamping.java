package dev.brook.core;

/** A stream's timestamping settings as they decide appends. */
public record Timestamping(TimestampingMode mode, boolean uncapped) {
    public static final Timestamping DEFAULT = new Timestamping(TimestampingMode.CLIENT_PREFER, false);
}
