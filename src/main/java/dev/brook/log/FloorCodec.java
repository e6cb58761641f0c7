package dev.brook.log;

import dev.brook.store.StoreException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * A deletion-floor version: the key of the oldest commit that may still exist. Persistent format 1:
 * {@code "BRKF" u8 format=1 u8 infinite u64 start u64 epoch u32 crc32c}. Metadata copies it as
 * {@code floor: start/epoch} or {@code floor: inf}.
 */
public final class FloorCodec {

    private static final byte[] MAGIC = {'B', 'R', 'K', 'F'};
    private static final int FORMAT_1 = 1;

    private FloorCodec() {}

    public static byte[] encode(CommitKey floor) {
        ByteBuffer b = ByteBuffer.allocate(4 + 1 + 1 + 8 + 8 + 4);
        b.put(MAGIC).put((byte) FORMAT_1).put((byte) (floor.equals(CommitKey.INFINITY) ? 1 : 0));
        b.putLong(floor.start()).putLong(floor.epoch());
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    public static Map<String, String> metadata(CommitKey floor) {
        return Map.of("floor", floor.equals(CommitKey.INFINITY) ? "inf" : CommitCodec.keyText(floor));
    }

    public static CommitKey decode(long version, byte[] body) {
        try {
            ByteBuffer in = ByteBuffer.wrap(body);
            byte[] magic = new byte[4];
            in.get(magic);
            CRC32C crc = new CRC32C();
            crc.update(body, 0, body.length - 4);
            if (!java.util.Arrays.equals(magic, MAGIC) || (in.get() & 0xff) != FORMAT_1
                    || ByteBuffer.wrap(body, body.length - 4, 4).getInt() != (int) crc.getValue() || body.length != 26) {
                throw corrupt(version);
            }
            boolean infinite = in.get() != 0;
            CommitKey key = new CommitKey(in.getLong(), in.getLong());
            return infinite ? CommitKey.INFINITY : key;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw corrupt(version);
        }
    }

    public static Optional<CommitKey> fromMetadata(Map<String, String> metadata) {
        String v = metadata.get("floor");
        try {
            return v == null ? Optional.empty() : Optional.of("inf".equals(v) ? CommitKey.INFINITY : CommitCodec.parseKey(v));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static StoreException corrupt(long version) {
        return new StoreException(StoreException.Kind.CORRUPT, "floor version " + version + " is damaged");
    }
}
