package dev.brook.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.brook.core.AppendDecision;
import dev.brook.core.Cipher;
import dev.brook.core.Limits;
import dev.brook.core.StreamConfig;
import dev.brook.core.Timestamping;
import dev.brook.log.StreamLog;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The per-log options the data plane gives each stream: only aes-256-gcm streams stop records at 2^32 - 1. */
class StreamLogOptionsTest {

    private static StreamRecord stream(Optional<Cipher> cipher) {
        return new StreamRecord(1, Lifecycle.ACTIVE, "0123456789abcdef0123456789abcdef", 0, OptionalLong.empty(),
                StreamConfig.SYSTEM_DEFAULT, cipher, Timestamping.DEFAULT, 1, Optional.empty(), Optional.empty());
    }

    @Test
    void onlyAes256GcmStreamsHaveARecordSeqNumLimit() {
        assertEquals(Limits.AES_256_GCM_SEQ_NUM_MAX, DataPlane.options(stream(Optional.of(Cipher.AES_256_GCM))).recordSeqNumMax());
        assertEquals(AppendDecision.RECORD_SEQ_NUM_UNLIMITED, DataPlane.options(stream(Optional.of(Cipher.AEGIS_256))).recordSeqNumMax());
        assertSame(StreamLog.Options.DEFAULT, DataPlane.options(stream(Optional.empty())));
    }
}
