package dev.brook.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * How the file adapter lays out one object in one file, so that body and metadata are written by
 * one atomic link and a damaged file is recognised. Persistent: never change a format number's
 * meaning; add a new number instead.
 *
 * <pre>
 *   "BRKO"  u8 format (1)  u8 entries  { u8 nameLength name u16 valueLength value }*
 *   u32 bodyLength  body  u32 crc32c(everything before it)
 * </pre>
 */
final class ObjectFileFormat {

    static final int FORMAT_1 = 1;
    private static final byte[] MAGIC = {'B', 'R', 'K', 'O'};
    static final int TRAILER_BYTES = 4;
    /** Large enough for any header: magic, format, count and the metadata limits of StoreKeys. */
    static final int HEADER_BYTES_MAX = 4 + 1 + 1 + StoreKeys.METADATA_ENTRIES_MAX * 3 + StoreKeys.METADATA_BYTES_MAX + 4;

    record Header(Map<String, String> metadata, int bodyLength, int headerLength) {}

    private ObjectFileFormat() {}

    static byte[] encodeHeader(Map<String, String> metadata, int bodyLength) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES_MAX);
        b.put(MAGIC).put((byte) FORMAT_1).put((byte) metadata.size());
        metadata.forEach((name, value) -> {
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            byte[] v = value.getBytes(StandardCharsets.US_ASCII);
            b.put((byte) n.length).put(n).putShort((short) v.length).put(v);
        });
        b.putInt(bodyLength);
        byte[] header = new byte[b.position()];
        b.flip().get(header);
        return header;
    }

    static byte[] trailer(byte[] header, byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(header);
        crc.update(body);
        return ByteBuffer.allocate(TRAILER_BYTES).putInt((int) crc.getValue()).array();
    }

    /** Parses the header at the start of {@code bytes}; {@code fileLength} is the whole file's. */
    static Header decodeHeader(String key, ByteBuffer bytes, long fileLength) {
        try {
            byte[] magic = new byte[4];
            bytes.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw corrupt(key, "bad magic");
            }
            int format = bytes.get() & 0xff;
            if (format != FORMAT_1) {
                throw corrupt(key, "unknown format " + format);
            }
            int entries = bytes.get() & 0xff;
            Map<String, String> metadata = new LinkedHashMap<>();
            for (int i = 0; i < entries; i++) {
                byte[] n = new byte[bytes.get() & 0xff];
                bytes.get(n);
                byte[] v = new byte[bytes.getShort() & 0xffff];
                bytes.get(v);
                metadata.put(new String(n, StandardCharsets.US_ASCII), new String(v, StandardCharsets.US_ASCII));
            }
            int bodyLength = bytes.getInt();
            int headerLength = bytes.position();
            if (bodyLength < 0 || headerLength + (long) bodyLength + TRAILER_BYTES != fileLength) {
                throw corrupt(key, "length " + fileLength + " does not match its header");
            }
            return new Header(metadata, bodyLength, headerLength);
        } catch (java.nio.BufferUnderflowException e) {
            throw corrupt(key, "truncated header");
        }
    }

    /** Checks the whole file and returns its body. */
    static byte[] decodeBody(String key, byte[] file, Header header) {
        CRC32C crc = new CRC32C();
        crc.update(file, 0, header.headerLength() + header.bodyLength());
        int stored = ByteBuffer.wrap(file, file.length - TRAILER_BYTES, TRAILER_BYTES).getInt();
        if (stored != (int) crc.getValue()) {
            throw corrupt(key, "checksum mismatch");
        }
        byte[] body = new byte[header.bodyLength()];
        System.arraycopy(file, header.headerLength(), body, 0, body.length);
        return body;
    }

    /** Checks an object read in parts: the file's first bytes (its header), its body and its trailer. */
    static void checkBody(String key, byte[] head, Header header, byte[] body, byte[] trailer) {
        CRC32C crc = new CRC32C();
        crc.update(head, 0, header.headerLength());
        crc.update(body);
        if (ByteBuffer.wrap(trailer).getInt() != (int) crc.getValue()) {
            throw corrupt(key, "checksum mismatch");
        }
    }

    private static StoreException corrupt(String key, String why) {
        return new StoreException(StoreException.Kind.CORRUPT, "object `" + key + "` is damaged: " + why);
    }
}
