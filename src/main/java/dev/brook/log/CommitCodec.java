package dev.brook.log;

import dev.brook.core.Header;
import dev.brook.core.Limits;
import dev.brook.core.SequencedRecord;
import dev.brook.core.StreamState;
import dev.brook.core.Timestamping;
import dev.brook.core.TimestampingMode;
import dev.brook.store.StoreException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.zip.CRC32C;

/**
 * The commit object format. Persistent: a format number is never reused; a new layout gets a new
 * number and readers keep reading the old ones. The body is authoritative; the metadata is an ASCII
 * copy of the summary so that a HEAD can stand in for a GET.
 *
 * <pre>
 * format 1, big-endian:
 *   "BRKC" u8 format=1 u8 flags(bit 0: sealed)
 *   u64 start  u64 epoch  u64 end
 *   u8 hasPrevious  u64 previousStart  u64 previousEpoch  byte[32] previousHash
 *   byte[16] nonce
 *   u64 lastTimestamp  u64 trimPoint  u64 configVersion  u8 timestampingMode  u8 uncapped
 *   u8 fencingTokenLength  fencingToken (UTF-8)
 *   u32 batches  u32[batches] recordsPerBatch
 *   u32 records  { u64 timestamp  u32 headers { u32 nameLength name u32 valueLength value }*  u32 bodyLength body }*
 *   u32 crc32c(everything before it)
 * </pre>
 */
public final class CommitCodec {

    public static final int FORMAT_1 = 1;
    private static final byte[] MAGIC = {'B', 'R', 'K', 'C'};
    private static final int FLAG_SEALED = 1;
    private static final TimestampingMode[] MODES = TimestampingMode.values();
    /** More than any commit Brook writes (a group commit is capped well below this). */
    public static final int COMMIT_BYTES_MAX = 64 << 20;

    private CommitCodec() {}

    /** An encoded commit: the object's body, its metadata and its hash (the successor's previousHash). */
    public record Encoded(byte[] body, Map<String, String> metadata, byte[] hash) {}

    public static Encoded encode(Commit c) {
        return encode(c, Optional.empty());
    }

    /**
     * {@code writer}, when present, goes into the metadata only (key {@code writer}): the address of
     * the instance that wrote the commit, a hint outside the checksum and the hash (docs/LOG.md,
     * "Contention"). It must be printable ASCII, at most {@link #WRITER_CHARS_MAX} characters.
     */
    public static Encoded encode(Commit c, Optional<String> writer) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + 64 * c.records().size());
            DataOutputStream out = new DataOutputStream(bytes);
            StreamState s = c.state();
            out.write(MAGIC);
            out.writeByte(FORMAT_1);
            out.writeByte(s.sealed() ? FLAG_SEALED : 0);
            out.writeLong(c.key().start());
            out.writeLong(c.key().epoch());
            out.writeLong(c.end());
            out.writeByte(c.previous().isPresent() ? 1 : 0);
            out.writeLong(c.previous().map(CommitKey::start).orElse(0L));
            out.writeLong(c.previous().map(CommitKey::epoch).orElse(0L));
            out.write(c.previousHash());
            out.write(c.nonce());
            out.writeLong(s.lastTimestamp());
            out.writeLong(s.trimPoint());
            out.writeLong(s.configVersion());
            out.writeByte(s.timestamping().mode().ordinal());
            out.writeByte(s.timestamping().uncapped() ? 1 : 0);
            byte[] token = s.fencingToken().getBytes(StandardCharsets.UTF_8);
            out.writeByte(token.length);
            out.write(token);
            out.writeInt(c.batchSizes().size());
            for (int size : c.batchSizes()) {
                out.writeInt(size);
            }
            out.writeInt(c.records().size());
            for (SequencedRecord r : c.records()) {
                out.writeLong(r.timestamp());
                out.writeInt(r.headers().size());
                for (Header h : r.headers()) {
                    out.writeInt(h.name().length);
                    out.write(h.name());
                    out.writeInt(h.value().length);
                    out.write(h.value());
                }
                out.writeInt(r.body().length);
                out.write(r.body());
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes.toByteArray());
            out.writeInt((int) crc.getValue());
            out.flush();
            byte[] body = bytes.toByteArray();
            byte[] hash = sha256(body);
            OptionalLong first = c.records().isEmpty() ? OptionalLong.empty() : OptionalLong.of(c.records().get(0).timestamp());
            return new Encoded(body, metadata(new CommitSummary(c.key(), c.previous(), c.nonce(), hash, s, first, 0,
                    writer.filter(CommitCodec::usableWriter))), hash);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
    }

    /** Reads a whole commit object, checking its checksum and that it is the commit at {@code expected}. */
    public static Commit decode(CommitKey expected, byte[] body) {
        return decode(expected, body, 0, body.length);
    }

    /**
     * Reads the commit object held in {@code buf[offset, offset + length)} (a segment holds commits
     * verbatim, side by side: docs/LOG.md, "Compaction"), without copying the object first. Record
     * bodies and headers are copied out: the records decoded outlive the buffer.
     */
    public static Commit decode(CommitKey expected, byte[] buf, int offset, int length) {
        try {
            checkCrc(expected, buf, offset, length);
            ByteBuffer in = ByteBuffer.wrap(buf, offset, length - 4);
            Fixed h = fixed(expected, in);
            int batches = count(in, Limits.BATCH_RECORDS_MAX * 1024);
            List<Integer> batchSizes = new ArrayList<>(Math.min(batches, 1 << 10));
            for (int i = 0; i < batches; i++) {
                batchSizes.add(count(in, Integer.MAX_VALUE));
            }
            int n = count(in, Integer.MAX_VALUE);
            List<SequencedRecord> records = new ArrayList<>(Math.min(n, 1 << 16));
            for (int i = 0; i < n; i++) {
                long ts = in.getLong();
                int headerCount = count(in, in.remaining());
                List<Header> headers;
                if (headerCount == 0) {
                    headers = List.of(); // most records: no list to allocate, nor to copy into the record
                } else {
                    Header[] hs = new Header[headerCount]; // bounded by the bytes left
                    for (int j = 0; j < headerCount; j++) {
                        hs[j] = new Header(bytes(in), bytes(in));
                    }
                    headers = List.of(hs);
                }
                records.add(new SequencedRecord(h.key.start() + i, ts, headers, bytes(in)));
            }
            if (in.hasRemaining()) {
                throw corrupt(expected, in.remaining() + " stray bytes");
            }
            return new Commit(h.key, h.previous, h.previousHash, h.nonce, h.state, batchSizes, records);
        } catch (BufferUnderflowException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw corrupt(expected, "malformed (" + e.getMessage() + ")");
        }
    }

    /** The summary of a whole commit object: what {@link #summaryOf(CommitKey, Map, long)} gives from a HEAD. */
    public static CommitSummary summarize(CommitKey expected, byte[] body, long lastModifiedMs) {
        return summaryOf(decode(expected, body), sha256(body), lastModifiedMs);
    }

    /** The summary of a decoded commit whose whole object hashes to {@code hash}. */
    public static CommitSummary summaryOf(Commit c, byte[] hash, long lastModifiedMs) {
        OptionalLong first = c.records().isEmpty() ? OptionalLong.empty() : OptionalLong.of(c.records().get(0).timestamp());
        return new CommitSummary(c.key(), c.previous(), c.nonce(), hash, c.state(), first, lastModifiedMs);
    }

    /** The summary from a HEAD's metadata, or empty when the metadata is missing or incomplete (then GET). */
    public static Optional<CommitSummary> summaryOf(CommitKey key, Map<String, String> m, long lastModifiedMs) {
        try {
            if (!String.valueOf(FORMAT_1).equals(m.get("format"))) {
                return Optional.empty();
            }
            String prev = m.get("prev");
            Optional<CommitKey> previous = "-".equals(prev) ? Optional.empty() : Optional.of(parseKey(prev));
            String mode = m.get("ts-mode");
            StreamState state = new StreamState(Long.parseLong(m.get("end")), Long.parseLong(m.get("last-ts")),
                    new String(HexFormat.of().parseHex(m.get("fence")), StandardCharsets.UTF_8),
                    Long.parseLong(m.get("trim")), Long.parseLong(m.get("cfg")),
                    new Timestamping(TimestampingMode.values()[Integer.parseInt(mode)], flag(m.get("uncapped"))),
                    flag(m.get("sealed")));
            String first = m.get("first-ts");
            byte[] nonce = HexFormat.of().parseHex(m.get("nonce"));
            byte[] hash = HexFormat.of().parseHex(m.get("sha256"));
            if (nonce.length != Commit.NONCE_BYTES || hash.length != Commit.HASH_BYTES || state.nextSeq() < key.start()
                    || previous.map(p -> !p.isBelow(key)).orElse(key.epoch() != 0)) {
                return Optional.empty();
            }
            return Optional.of(new CommitSummary(key, previous, nonce, hash, state,
                    "-".equals(first) ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(first)), lastModifiedMs,
                    Optional.ofNullable(m.get("writer")).filter(CommitCodec::usableWriter)));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The longest writer address kept in a commit's metadata. */
    public static final int WRITER_CHARS_MAX = 256;

    /** A writer address fit for object metadata: non-empty printable ASCII, bounded. */
    public static boolean usableWriter(String writer) {
        return !writer.isEmpty() && writer.length() <= WRITER_CHARS_MAX && writer.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f);
    }

    /** "1" or "0"; anything else makes the metadata unusable. */
    private static boolean flag(String value) {
        return switch (String.valueOf(value)) {
            case "1" -> true;
            case "0" -> false;
            default -> throw new IllegalArgumentException("not a flag: " + value);
        };
    }

    private static Map<String, String> metadata(CommitSummary s) {
        Map<String, String> m = new LinkedHashMap<>();
        HexFormat hex = HexFormat.of();
        StreamState st = s.state();
        m.put("format", String.valueOf(FORMAT_1));
        m.put("prev", s.previous().map(CommitCodec::keyText).orElse("-"));
        m.put("end", Long.toString(st.nextSeq()));
        m.put("first-ts", s.firstTimestamp().isPresent() ? Long.toString(s.firstTimestamp().getAsLong()) : "-");
        m.put("last-ts", Long.toString(st.lastTimestamp()));
        m.put("fence", hex.formatHex(st.fencingToken().getBytes(StandardCharsets.UTF_8)));
        m.put("trim", Long.toString(st.trimPoint()));
        m.put("cfg", Long.toString(st.configVersion()));
        m.put("ts-mode", Integer.toString(st.timestamping().mode().ordinal()));
        m.put("uncapped", st.timestamping().uncapped() ? "1" : "0");
        m.put("sealed", st.sealed() ? "1" : "0");
        m.put("nonce", hex.formatHex(s.nonce()));
        m.put("sha256", hex.formatHex(s.hash()));
        s.writer().ifPresent(w -> m.put("writer", w));
        return m;
    }

    private record Fixed(CommitKey key, Optional<CommitKey> previous, byte[] previousHash, byte[] nonce, StreamState state) {}

    private static Fixed fixed(CommitKey expected, ByteBuffer in) {
        byte[] magic = new byte[4];
        in.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw corrupt(expected, "not a commit (bad magic)");
        }
        int format = in.get() & 0xff;
        if (format != FORMAT_1) {
            throw corrupt(expected, "unknown commit format " + format);
        }
        int flags = in.get() & 0xff;
        if ((flags & ~FLAG_SEALED) != 0) {
            throw corrupt(expected, "unknown flags " + flags + " for format " + format);
        }
        CommitKey key = new CommitKey(in.getLong(), in.getLong());
        if (!key.equals(expected)) {
            throw corrupt(expected, "holds the commit for " + key);
        }
        long end = in.getLong();
        boolean hasPrevious = in.get() != 0;
        CommitKey prev = new CommitKey(in.getLong(), in.getLong());
        byte[] previousHash = new byte[Commit.HASH_BYTES];
        in.get(previousHash);
        byte[] nonce = new byte[Commit.NONCE_BYTES];
        in.get(nonce);
        long lastTs = in.getLong();
        long trim = in.getLong();
        long cfg = in.getLong();
        int mode = in.get() & 0xff;
        boolean uncapped = in.get() != 0;
        byte[] token = new byte[in.get() & 0xff];
        in.get(token);
        if (mode >= MODES.length) {
            throw corrupt(expected, "unknown timestamping mode " + mode);
        }
        StreamState state = new StreamState(end, lastTs, new String(token, StandardCharsets.UTF_8), trim, cfg,
                new Timestamping(MODES[mode], uncapped), (flags & FLAG_SEALED) != 0);
        return new Fixed(key, hasPrevious ? Optional.of(prev) : Optional.empty(), previousHash, nonce, state);
    }

    private static void checkCrc(CommitKey key, byte[] buf, int offset, int length) {
        if (length < 8) {
            throw corrupt(key, "truncated");
        }
        CRC32C crc = new CRC32C();
        crc.update(buf, offset, length - 4);
        if (ByteBuffer.wrap(buf, offset + length - 4, 4).getInt() != (int) crc.getValue()) {
            throw corrupt(key, "checksum mismatch");
        }
    }

    private static int count(ByteBuffer in, int max) {
        int n = in.getInt();
        if (n < 0 || n > max) {
            throw new IllegalArgumentException("count " + n + " out of range");
        }
        return n;
    }

    private static byte[] bytes(ByteBuffer in) {
        byte[] b = new byte[count(in, in.remaining())];
        in.get(b);
        return b;
    }

    static String keyText(CommitKey k) {
        return k.start() + "/" + k.epoch();
    }

    static CommitKey parseKey(String text) {
        int slash = text.indexOf('/');
        return new CommitKey(Long.parseLong(text.substring(0, slash)), Long.parseLong(text.substring(slash + 1)));
    }

    public static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static StoreException corrupt(CommitKey key, String why) {
        return new StoreException(StoreException.Kind.CORRUPT, "commit " + key + " is damaged: " + why);
    }
}
