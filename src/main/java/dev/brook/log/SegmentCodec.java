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
        Layout l = layout(where, expectedCellStart, body);
        List<Entry> entries = new ArrayList<>(l.commits().size());
        for (Span c : l.commits()) {
            entries.add(new Entry(c.key(), c.lastModifiedMs(), Arrays.copyOfRange(body, c.offset(), c.offset() + c.length()), c.hash()));
        }
        return new Segment(l.cellStart(), l.cellRecords(), l.holder(), entries);
    }

    /** Where one commit object lies in a segment's bytes, with its key, store stamp and SHA-256. */
    public record Span(CommitKey key, long lastModifiedMs, int offset, int length, byte[] hash) {}

    /** A segment read in place: its cell, its holder, and where its commits lie in the bytes it was read from. */
    public record Layout(long cellStart, int cellRecords, Optional<CommitKey> holder, List<Span> commits) {}

    /**
     * Reads a whole segment object as {@link #decode} does, checks included, without copying the commits
     * out: a reader decodes them from {@code body} where they lie.
     */
    public static Layout layout(String where, long expectedCellStart, byte[] body) {
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
            if (n < 0 || n > (body.length / 60)) {
                throw corrupt(where, "claims " + n + " commits");
            }
            CommitKey[] keys = new CommitKey[n];
            long[] stamps = new long[n];
            int[] lengths = new int[n];
            byte[][] hashes = new byte[n][];
            for (int i = 0; i < n; i++) {
                keys[i] = new CommitKey(in.getLong(), in.getLong());
                stamps[i] = in.getLong();
                lengths[i] = in.getInt();
                hashes[i] = new byte[Commit.HASH_BYTES];
                in.get(hashes[i]);
            }
            List<Span> commits = new ArrayList<>(n);
            int at = in.position();
            for (int i = 0; i < n; i++) {
                if (lengths[i] < 0 || lengths[i] > body.length - 4 - at) {
                    throw corrupt(where, "commit " + i + " runs past the end");
                }
                commits.add(new Span(keys[i], stamps[i], at, lengths[i], hashes[i]));
                at += lengths[i];
            }
            if (at != body.length - 4) {
                throw corrupt(where, (body.length - 4 - at) + " stray bytes");
            }
            return new Layout(cellStart, cellRecords, hasHolder ? Optional.of(holder) : Optional.empty(), commits);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
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
