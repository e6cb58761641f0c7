package dev.brook.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.brook.core.StreamConfig;
import dev.brook.core.Timestamping;
import dev.brook.core.TimestampingMode;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Stream versions keep the creating version; objects written before it was recorded still read (as 0). */
class CatalogCodecTest {

    static final String SID = "0123456789abcdef0123456789abcdef";

    @Test
    void aStreamVersionKeepsItsGenesisVersion() {
        StreamRecord r = new StreamRecord(7, Lifecycle.ACTIVE, SID, 1_000, OptionalLong.empty(), StreamConfig.SYSTEM_DEFAULT,
                Optional.empty(), new Timestamping(TimestampingMode.ARRIVAL, true), 5, Optional.empty(), Optional.empty());
        assertEquals(r, CatalogCodec.decodeStream("k", 7, CatalogCodec.encode(r)));
    }

    @Test
    void aStreamVersionWrittenBeforeGenesisVersionsReadsAsVersionZero() {
        String old = "{\"format\":1,\"state\":\"ACTIVE\",\"created_at_ms\":1000,\"sid\":\"" + SID + "\","
                + "\"config\":{\"storage_class\":\"express\",\"retention_policy\":{\"age\":604800},"
                + "\"timestamping\":{\"mode\":\"client-prefer\",\"uncapped\":false},\"delete_on_empty\":{\"min_age_secs\":0}},"
                + "\"cipher\":null,\"genesis\":{\"mode\":\"client-prefer\",\"uncapped\":false}}";
        StreamRecord r = CatalogCodec.decodeStream("k", 3, old.getBytes(StandardCharsets.UTF_8));
        assertEquals(0, r.genesisVersion());
        assertEquals(Timestamping.DEFAULT, r.genesis());
        assertEquals(StreamConfig.SYSTEM_DEFAULT, r.config());
    }
}
