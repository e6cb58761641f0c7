package dev.brook.engine;

/** A create or ensure: what now exists, and whether this call created, updated or left it. */
public record Provisioned<T>(T value, Result result) {
    public enum Result { CREATED, UPDATED, NOOP }
}
