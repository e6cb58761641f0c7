package dev.brook.engine;

import dev.brook.core.Cipher;
import dev.brook.core.StreamConfig;
import dev.brook.core.Timestamping;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One version of a stream name. An incarnation (a create) has its own random {@code sid}, the key
 * of its log; {@code genesis} is the timestamping it was created with and {@code genesisVersion}
 * the version that created it: together the state every instance starts its log from before the
 * first commit (later changes travel through the log as control commits, docs/LOG.md). Versions
 * written before the creation version was recorded read as genesis version 0.
 */
public record StreamRecord(long version, Lifecycle state, String sid, long createdAtMs, OptionalLong deletedAtMs,
                           StreamConfig config, Optional<Cipher> cipher, Timestamping genesis, long genesisVersion,
                           Optional<String> requestToken, Optional<String> requestHash) {}
