package dev.brook.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The two S3 documents Brook reads, as AWS documents them, and what is refused. */
class S3XmlTest {

    @Test
    void aListingPageAsAwsWritesIt() {
        String xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
                    <Name>bucket</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
                    <IsTruncated>true</IsTruncated>
                    <Contents><Key>p/a&amp;b</Key><LastModified>2009-10-12T17:50:30.123Z</LastModified>
                      <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><Size>434234</Size><StorageClass>STANDARD</StorageClass></Contents>
                    <Contents><Key>p/c&#x2F;d&#47;e</Key><LastModified>2009-10-12T17:50:31.000Z</LastModified><Size>1</Size></Contents>
                </ListBucketResult>""";
        S3Xml.Listing listing = S3Xml.listing(xml);
        assertEquals(List.of(new S3Xml.Listed("p/a&b", 1255369830123L), new S3Xml.Listed("p/c/d/e", 1255369831000L)), listing.objects());
        assertTrue(listing.truncated());
    }

    @Test
    void anEmptyLastPage() {
        S3Xml.Listing listing = S3Xml.listing("<ListBucketResult><Name>b</Name><IsTruncated>false</IsTruncated></ListBucketResult>");
        assertEquals(List.of(), listing.objects());
        assertFalse(listing.truncated());
    }

    @Test
    void anErrorDocument() {
        S3Xml.Error e = S3Xml.error("<?xml version=\"1.0\"?><Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>");
        assertEquals("NoSuchBucket", e.code());
        assertEquals("The specified bucket does not exist", e.message());
        assertNull(S3Xml.error("").code(), "a HEAD's empty body is no error document");
    }

    @Test
    void whatIsNotAListingIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> S3Xml.listing("<Error><Code>x</Code></Error>"));
        assertThrows(IllegalArgumentException.class, () -> S3Xml.listing("<ListBucketResult><Contents><Key>k</Key>"));
        assertThrows(IllegalArgumentException.class, () -> S3Xml.listing("<ListBucketResult><Contents><Key>k</Key></Contents>"));
        assertThrows(IllegalArgumentException.class, () -> S3Xml.unescape("a &bogus; b"));
    }
}
