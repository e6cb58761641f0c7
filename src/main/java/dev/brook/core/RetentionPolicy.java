package dev.brook.core;

/** How long records are kept: for an age in seconds (> 0), or until trimmed. */
public sealed interface RetentionPolicy {

    record Age(long seconds) implements RetentionPolicy {
        public Age {
            if (seconds <= 0) {
                throw new IllegalArgumentException("age must be greater than 0 seconds");
            }
        }
    }

    record Infinite() implements RetentionPolicy {}
}
