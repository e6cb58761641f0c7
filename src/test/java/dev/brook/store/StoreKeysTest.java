package dev.brook.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreKeysTest {

    @Test
    void keysAreLowerCaseSegmentsOfASafeAlphabet() {
        for (String ok : new String[]{"a", "_brook/store", "logs/0abc/c/00000000000000000042", "a.b-c_d", "...", "x/.y"}) {
            assertTrue(StoreKeys.isValidKey(ok), ok);
        }
        for (String bad : new String[]{"", "/", "a/", "/a", "a//b", ".", "..", "a/../b", "B", "a b", "a\\b", "a%2fb",
                "ü", "c/00000000000000000009-7a9fc852-a760-4ef8-95de-eb25072b41a4", "a".repeat(StoreKeys.KEY_SEGMENT_CHARS_MAX + 1), ("a".repeat(100) + "/").repeat(9) + "a"}) {
            assertFalse(StoreKeys.isValidKey(bad), bad);
        }
        assertTrue(StoreKeys.isValidKey("a".repeat(StoreKeys.KEY_SEGMENT_CHARS_MAX)));
        assertTrue(StoreKeys.isValidKey("logs/7a9fc852-a760-4ef8-95de-eb25072b41a4/c/1"), "a UUID is fine as a directory");
    }

    @Test
    void prefixesAreLeadingPartsOfKeys() {
        assertEquals("", StoreKeys.checkPrefix(""));
        assertEquals("logs/", StoreKeys.checkPrefix("logs/"));
        assertEquals("logs/ab", StoreKeys.checkPrefix("logs/ab"));
        assertThrows(IllegalArgumentException.class, () -> StoreKeys.checkPrefix("/logs"));
        assertThrows(IllegalArgumentException.class, () -> StoreKeys.checkPrefix("logs//"));
        assertThrows(IllegalArgumentException.class, () -> StoreKeys.checkPrefix("Logs"));
    }

    @Test
    void metadataFitsS3UserMetadata() {
        StoreKeys.checkMetadata(Map.of("end-seq", "42", "k", " printable ~ ascii "));
        assertThrows(IllegalArgumentException.class, () -> StoreKeys.checkMetadata(Map.of("", "v")));
        assertThrows(IllegalArgumentException.class, () -> StoreKeys.checkMetadata(Map.of("a_b", "v")));
        assertThrows(IllegalArgumentException.class, () -> StoreKeys.checkMetadata(Map.of("k", "tab\t")));
        assertThrows(IllegalArgumentException.class, () -> StoreKeys.checkMetadata(Map.of("k", "é")));
        assertThrows(IllegalArgumentException.class, () -> StoreKeys.checkMetadata(Map.of("k", "v".repeat(StoreKeys.METADATA_BYTES_MAX))));
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i <= StoreKeys.METADATA_ENTRIES_MAX; i++) {
            many.put("m" + i, "v");
        }
        assertThrows(IllegalArgumentException.class, () -> StoreKeys.checkMetadata(many));
    }
}
