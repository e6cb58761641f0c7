package dev.brook.core;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * A stream configuration with unset fields: what a request asks for, or a basin's defaults. It
 * resolves field by field against a fallback (spec §4.1: stream value, then basin default, then
 * system default).
 */
public record StreamConfigSpec(Optional<StorageClass> storageClass, Optional<RetentionPolicy> retention,
                               Optional<TimestampingMode> timestampingMode, Optional<Boolean> uncapped,
                               OptionalLong deleteOnEmptyMinAgeSecs) {

    public static final StreamConfigSpec EMPTY = new StreamConfigSpec(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), OptionalLong.empty());

    public boolean isEmpty() {
        return equals(EMPTY);
    }

    /** Each unset field from {@code fallback}, each field still unset from the system defaults. */
    public StreamConfig resolve(StreamConfigSpec fallback) {
        StreamConfig d = StreamConfig.SYSTEM_DEFAULT;
        return new StreamConfig(
                storageClass.or(fallback::storageClass).orElse(d.storageClass()),
                retention.or(fallback::retention).orElse(d.retention()),
                new Timestamping(timestampingMode.or(fallback::timestampingMode).orElse(d.timestamping().mode()),
                        uncapped.or(fallback::uncapped).orElse(d.timestamping().uncapped())),
                deleteOnEmptyMinAgeSecs.isPresent() ? deleteOnEmptyMinAgeSecs.getAsLong()
                        : fallback.deleteOnEmptyMinAgeSecs.orElse(d.deleteOnEmptyMinAgeSecs()));
    }

    /** The resolved config as a spec with every field set. */
    public static StreamConfigSpec of(StreamConfig c) {
        return new StreamConfigSpec(Optional.of(c.storageClass()), Optional.of(c.retention()),
                Optional.of(c.timestamping().mode()), Optional.of(c.timestamping().uncapped()),
                OptionalLong.of(c.deleteOnEmptyMinAgeSecs()));
    }
}
