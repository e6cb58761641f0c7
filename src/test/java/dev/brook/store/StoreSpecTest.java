package dev.brook.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StoreSpecTest {

    @Test
    void theThreeFormsParse() {
        assertEquals(new StoreSpec.File(Path.of("./brook-data")), StoreSpec.parse(StoreSpec.DEFAULT));
        assertEquals(new StoreSpec.File(Path.of("/var/lib/brook")), StoreSpec.parse("file:///var/lib/brook"));
        assertEquals(new StoreSpec.File(Path.of("/var/lib/brook")), StoreSpec.parse("file:/var/lib/brook"));
        assertEquals(new StoreSpec.Memory(), StoreSpec.parse("memory:"));
        assertEquals(new StoreSpec.S3("my-bucket", "tenants/acme"), StoreSpec.parse("s3://my-bucket/tenants/acme/"));
        assertEquals(new StoreSpec.S3("my-bucket", ""), StoreSpec.parse("s3://my-bucket"));
        assertEquals(new StoreSpec.S3("my-bucket", ""), StoreSpec.parse(" s3://my-bucket/ "));
    }

    @Test
    void badValuesAreFatalWithOneLineNamingThem() {
        for (String bad : new String[]{"", "nope", "file:", "memory", "s3://", "s3://A_Bucket/p", "s3://b/p with space",
                "s3://bucket/a//b", "http://bucket/p"}) {
            StoreException e = assertThrows(StoreException.class, () -> StoreSpec.parse(bad), bad);
            assertEquals(StoreException.Kind.FATAL, e.kind());
            assertTrue(e.getMessage().startsWith("BROOK_STORE `" + bad + "` is not valid: "), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
