package dev.brook.log;

import dev.brook.store.StoreException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The segment object format (docs/LOG.md, "Compaction"): the commits of one cell of the sequence
 * space, each kept <em>verbatim</em> (its whole object, byte for byte), with the store's stamp of the
 * object it replaced. Verbatim bodies keep the chain verifiable across compaction: each commit still
 * hashes to the {@code previousHash} its successor names, and decodes to the same records, sequence
 * numbers and timestamps. Persistent: a format number is never reused.
 *
 * <pre>
 * format 1, big-endian:
 *   "BRKS" u8 format=1
 *   u64 cellStart  u32 cellRecords
 *   u8 hasHolder  u64 holderStart  u64 holderEpoch      the commit holding record cellStart, when it starts in an earlier cell
 *   u32 commits  { u64 start  u64 epoch  u64 lastModifiedMs  u32 length  byte[32] sha256 }*
 *   { commit object, verbatim }*
 *   u32 crc32c(everything before it)
 * </pre>
 */
public final class SegmentCodec {

    public static final int FORMAT_1 = 1;
    private static final byte[] MAGIC = {'B', 'R', 'K', 'S'};

    private SegmentCodec() {}

    /**
     * One commit of a segment: its key, the store's stamp of its original object, that object's bytes,
     * and their SHA-256 (kept so that a reader need not hash 8 MiB to link the commits; the segment's
     * checksum covers it).
     */
    public record Entry(CommitKey key, long lastModifiedMs, byte[] body, byte[] hash) {
        public Entry(CommitKey key, long lastModifiedMs, byte[] body) {
            this(key, lastModifiedMs, body, CommitCodec.sha256(body));
        }
    }

    /** A segment as written: its cell, the holder of its first record when that lies earlier, its commits in chain order. */
    public record Segment(long cellStart, int cellRecords, Optional<CommitKey> holder, List<Entry> entries) {
        public Segment {
            entries = List.copyOf(entries);
        }
    }

    public static byte[] encode(Segment s) {
        try {
            long size = 64 + 60L * s.entries().size() + s.entries().stream().mapToLong(e -> e.body().length).sum();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, size));
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(MAGIC);
            out.writeByte(FORMAT_1);
            out.writeLong(s.cellStart());
            out.writeInt(s.cellRecords());
            out.writeByte(s.holder().isPresent() ? 1 : 0);
            out.writeLong(s.holder().map(CommitKey::start).orElse(0L));
            out.writeLong(s.holder().map(CommitKey::epoch).orElse(0L));
            out.writeInt(s.entries().size());
            for (Entry e : s.entries()) {
                out.writeLong(e.key().start());
                out.writeLong(e.key().epoch());
                out.writeLong(e.lastModifiedMs());
                out.writeInt(e.body().length);
                out.write(e.hash());
            }
            for (Entry e : s.entries()) {
                out.write(e.body());
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes.toByteArray());
            out.writeInt((int) crc.getValue());
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
    }

    /** Reads a whole segment object, checking its checksum and that it is the segment of the cell at {@code expectedCellStart}. */
    public static Segment decode(String where, long expectedCellStart, byte[] body) {
        View v = view(where, expectedCellStart, body);
        List<Entry> entries = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            entries.add(new Entry(v.key(i), v.lastModifiedMs(i), Arrays.copyOfRange(body, v.offset(i), v.offset(i) + v.length(i)), v.hash(i)));
        }
        return new Segment(v.cellStart(), v.cellRecords(), v.holder(), entries);
    }

    /** Where the table of commits starts: after magic, format, cell start and size, holder, count. */
    private static final int TABLE_AT = 4 + 1 + 8 + 4 + 1 + 8 + 8 + 4;
    /** Bytes per commit in the table: start, epoch, store stamp, length, SHA-256. */
    private static final int TABLE_ENTRY = 8 + 8 + 8 + 4 + Commit.HASH_BYTES;

    /**
     * A segment held as read, checks done ({@link #view}): the commits are decoded from its bytes where
     * they lie, one at a time when asked, and nothing else is built per commit but its offset. A cell kept
     * in memory this way is one array the garbage collector never copies, instead of thousands of records
     * it copies at every young collection while the cell stays cached (docs/LOG.md, "Compaction").
     */
    public static final class View {
        private final byte[] body;
        private final ByteBuffer in;
        private final long cellStart;
        private final int cellRecords;
        private final Optional<CommitKey> holder;
        private final int[] offsets;

        private View(byte[] body, long cellStart, int cellRecords, Optional<CommitKey> holder, int[] offsets) {
            this.body = body;
            this.in = ByteBuffer.wrap(body).asReadOnlyBuffer(); // absolute reads only: shared by threads
            this.cellStart = cellStart;
            this.cellRecords = cellRecords;
            this.holder = holder;
            this.offsets = offsets;
        }

        public long cellStart() {
            return cellStart;
        }

        public int cellRecords() {
            return cellRecords;
        }

        /** The commit holding record {@code cellStart}, when it starts in an earlier cell. */
        public Optional<CommitKey> holder() {
            return holder;
        }

        /** The segment's bytes, as read: never to be changed. */
        public byte[] body() {
            return body;
        }

        public int size() {
            return offsets.length;
        }

        /** The first sequence number of commit {@code i}. */
        public long start(int i) {
            return in.getLong(TABLE_AT + TABLE_ENTRY * i);
        }

        public CommitKey key(int i) {
            return new CommitKey(start(i), in.getLong(TABLE_AT + TABLE_ENTRY * i + 8));
        }

        /** The store's stamp of the commit's original object. */
        public long lastModifiedMs(int i) {
            return in.getLong(TABLE_AT + TABLE_ENTRY * i + 16);
        }

        public int offset(int i) {
            return offsets[i];
        }

        public int length(int i) {
            return in.getInt(TABLE_AT + TABLE_ENTRY * i + 24);
        }

        /** The SHA-256 of the commit's object (a copy). */
        public byte[] hash(int i) {
            int at = TABLE_AT + TABLE_ENTRY * i + 28;
            return Arrays.copyOfRange(body, at, at + Commit.HASH_BYTES);
        }
    }

    /**
     * Reads a whole segment object as {@link #decode} does, checks included (its checksum covers every
     * commit), without copying or decoding the commits.
     */
    public static View view(String where, long expectedCellStart, byte[] body) {
        try {
            if (body.length < MAGIC.length + 5 || !Arrays.equals(body, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
                throw corrupt(where, "not a segment");
            }
            CRC32C crc = new CRC32C();
            crc.update(body, 0, body.length - 4);
            ByteBuffer in = ByteBuffer.wrap(body);
            if (in.getInt(body.length - 4) != (int) crc.getValue()) {
                throw corrupt(where, "checksum mismatch");
            }
            in.position(MAGIC.length);
            int format = in.get();
            if (format != FORMAT_1) {
                throw corrupt(where, "unknown segment format " + format);
            }
            long cellStart = in.getLong();
            int cellRecords = in.getInt();
            if (cellStart != expectedCellStart || cellRecords <= 0) {
                throw corrupt(where, "holds cell " + cellStart + "+" + cellRecords);
            }
            boolean hasHolder = in.get() == 1;
            CommitKey holder = new CommitKey(in.getLong(), in.getLong());
            int n = in.getInt();
            if (n < 0 || n > (body.length / TABLE_ENTRY)) {
                throw corrupt(where, "claims " + n + " commits");
            }
            int[] offsets = new int[n];
            int at = TABLE_AT + TABLE_ENTRY * n;
            long lastStart = -1;
            long lastEpoch = -1;
            for (int i = 0; i < n; i++) {
                long start = in.getLong(TABLE_AT + TABLE_ENTRY * i);
                long epoch = in.getLong(TABLE_AT + TABLE_ENTRY * i + 8);
                if (start < 0 || epoch < 0 || start < lastStart || (start == lastStart && epoch <= lastEpoch)) {
                    throw corrupt(where, "commit " + i + " at " + start + "/" + epoch + " is out of chain order");
                }
                lastStart = start;
                lastEpoch = epoch;
                int length = in.getInt(TABLE_AT + TABLE_ENTRY * i + 24);
                if (length < 0 || length > body.length - 4 - at) {
                    throw corrupt(where, "commit " + i + " runs past the end");
                }
                offsets[i] = at;
                at += length;
            }
            if (at != body.length - 4) {
                throw corrupt(where, (body.length - 4 - at) + " stray bytes");
            }
            return new View(body, cellStart, cellRecords, hasHolder ? Optional.of(holder) : Optional.empty(), offsets);
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
            throw corrupt(where, "malformed (" + e.getMessage() + ")");
        }
    }

    /** Metadata: a copy of the cell, for listings and operators; the body is authoritative. */
    static Map<String, String> metadata(Segment s) {
        return Map.of("segment", FORMAT_1 + " " + s.cellStart() + " " + s.cellRecords() + " " + s.entries().size());
    }

    private static StoreException corrupt(String where, String what) {
        return new StoreException(StoreException.Kind.CORRUPT, "segment " + where + ": " + what);
    }
}
