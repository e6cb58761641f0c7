package dev.brook.engine;

import dev.brook.core.BasinConfig;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One version of a basin name: its lifecycle state, configuration and creation facts. The current
 * state of a name is its highest version; versions are never deleted.
 *
 * @param requestToken the {@code s2-request-token} of the create, kept for idempotent retries
 * @param requestHash  a hash of the create request's raw configuration, for the same purpose
 */
public record BasinRecord(long version, Lifecycle state, long createdAtMs, OptionalLong deletedAtMs, BasinConfig config,
                          Optional<String> requestToken, Optional<String> requestHash) {}
