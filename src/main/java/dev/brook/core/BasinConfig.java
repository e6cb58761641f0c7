package dev.brook.core;

import java.util.Optional;

/** A basin's configuration (spec §4.2): unresolved stream defaults, the cipher for new streams, auto-creation. */
public record BasinConfig(StreamConfigSpec defaultStreamConfig, Optional<Cipher> streamCipher, boolean createStreamOnAppend,
                          boolean createStreamOnRead) {

    public static final BasinConfig DEFAULT = new BasinConfig(StreamConfigSpec.EMPTY, Optional.empty(), false, false);
}
