package dev.brook.core;

/**
 * A stream's resolved configuration (spec §4.1): every field has a value, taken from the request,
 * else the basin's defaults, else the system defaults, when the stream was created or reconfigured.
 */
public record StreamConfig(StorageClass storageClass, RetentionPolicy retention, Timestamping timestamping,
                           long deleteOnEmptyMinAgeSecs) {

    public static final StreamConfig SYSTEM_DEFAULT = new StreamConfig(StorageClass.EXPRESS,
            new RetentionPolicy.Age(604_800), Timestamping.DEFAULT, 0);

    public StreamConfig {
        if (deleteOnEmptyMinAgeSecs < 0) {
            throw new IllegalArgumentException("delete_on_empty.min_age_secs must not be negative");
        }
    }
}
