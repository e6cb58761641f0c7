package dev.brook.http.peer;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.Header;
import dev.brook.core.Rejection;
import dev.brook.core.SequencedRecord;
import dev.brook.core.Verdict;
import dev.brook.log.AppendOutcome;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The bodies of a forward between instances (docs/LOG.md, "Contention"): batches one way, their
 * outcomes the other. Both ends run the same build, so there is one version; a body that does not
 * parse is refused before anything is appended.
 *
 * <pre>
 * request, big-endian:  "BRKF" u8 version=1  str sid  str id  u32 batches {
 *     u8 hasMatch u64 match  u8 hasToken str token  u64 arrivalMs
 *     u32 records { u8 hasTimestamp u64 timestamp  u32 headers { bytes name bytes value }  bytes body } }
 * response:             "BRKA" u8 version=1  u32 outcomes { u8 kind ... } (see {@link #encodeOutcomes})
 * str and bytes are u32 length + content; str is UTF-8.
 * </pre>
 */
public final class ForwardCodec {

    private static final byte[] REQUEST = {'B', 'R', 'K', 'F'};
    private static final byte[] ANSWER = {'B', 'R', 'K', 'A'};
    private static final int VERSION = 1;
    /** More batches than one commit ever carries (LogSettings.commitBatchesMax). */
    static final int BATCHES_MAX = 10_000;

    private static final int ACKED = 0;
    private static final int APPLIED = 1;
    private static final int REJECTED = 2;
    private static final int FAILED = 3;

    private ForwardCodec() {}

    /** A decoded forward. */
    public record Forward(String sid, String id, List<AppendBatch> batches) {}

    public static byte[] encodeForward(String sid, String id, List<AppendBatch> batches) {
        return write(out -> {
            out.write(REQUEST);
            out.writeByte(VERSION);
            str(out, sid);
            str(out, id);
            out.writeInt(batches.size());
            for (AppendBatch b : batches) {
                out.writeByte(b.matchSeqNum().isPresent() ? 1 : 0);
                out.writeLong(b.matchSeqNum().orElse(0));
                out.writeByte(b.fencingToken().isPresent() ? 1 : 0);
                str(out, b.fencingToken().orElse(""));
                out.writeLong(b.arrivalMs());
                out.writeInt(b.records().size());
                for (AppendRecord r : b.records()) {
                    out.writeByte(r.timestamp().isPresent() ? 1 : 0);
                    out.writeLong(r.timestamp().orElse(0));
                    out.writeInt(r.headers().size());
                    for (Header h : r.headers()) {
                        bytes(out, h.name());
                        bytes(out, h.value());
                    }
                    bytes(out, r.body());
                }
            }
        });
    }

    /** @throws IllegalArgumentException when the body is not a forward of this version */
    public static Forward decodeForward(byte[] body) {
        try {
            ByteBuffer in = ByteBuffer.wrap(body);
            magic(in, REQUEST);
            String sid = str(in);
            String id = str(in);
            int n = count(in, BATCHES_MAX);
            List<AppendBatch> batches = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                boolean hasMatch = in.get() != 0;
                long match = in.getLong();
                boolean hasToken = in.get() != 0;
                String token = str(in);
                long arrival = in.getLong();
                int records = count(in, in.remaining());
                List<AppendRecord> rs = new ArrayList<>(records);
                for (int j = 0; j < records; j++) {
                    boolean hasTs = in.get() != 0;
                    long ts = in.getLong();
                    int headers = count(in, in.remaining());
                    List<Header> hs = new ArrayList<>(headers);
                    for (int k = 0; k < headers; k++) {
                        hs.add(new Header(bytes(in), bytes(in)));
                    }
                    rs.add(new AppendRecord(hasTs ? OptionalLong.of(ts) : OptionalLong.empty(), hs, bytes(in)));
                }
                batches.add(new AppendBatch(rs, hasMatch ? OptionalLong.of(match) : OptionalLong.empty(),
                        hasToken ? Optional.of(token) : Optional.empty(), arrival));
            }
            end(in);
            return new Forward(sid, id, batches);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("a truncated forward");
        }
    }

    /**
     * One outcome per batch: {@code 0} acked (u64 start, end, startTimestamp, endTimestamp, tailSeq,
     * tailTimestamp, u32 n, u64[n] record timestamps), {@code 1} applied (u64 tailSeq, tailTimestamp),
     * {@code 2} rejected (u8 why: 0 fencing token mismatch + str current, 1 seq num mismatch + u64
     * expected, 2 invalid + str message, 3 stream sealed), {@code 3} failed (u8 failure, str message).
     */
    public static byte[] encodeOutcomes(List<AppendOutcome> outcomes) {
        return write(out -> {
            out.write(ANSWER);
            out.writeByte(VERSION);
            out.writeInt(outcomes.size());
            for (AppendOutcome o : outcomes) {
                outcome(out, o);
            }
        });
    }

    /**
     * The outcomes of {@code sent}, in order; an acknowledged batch's records are the ones sent, at
     * the sequence numbers and timestamps the answer gives.
     *
     * @throws IllegalArgumentException when the answer does not parse or does not fit what was sent
     */
    public static List<AppendOutcome> decodeOutcomes(byte[] body, List<AppendBatch> sent) {
        try {
            ByteBuffer in = ByteBuffer.wrap(body);
            magic(in, ANSWER);
            int n = count(in, BATCHES_MAX);
            if (n != sent.size()) {
                throw new IllegalArgumentException(n + " outcomes for " + sent.size() + " batches");
            }
            List<AppendOutcome> outcomes = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int kind = in.get();
                outcomes.add(switch (kind) {
                    case ACKED -> acked(in, sent.get(i));
                    case APPLIED -> new AppendOutcome.Applied(in.getLong(), in.getLong());
                    case REJECTED -> new AppendOutcome.Rejected(switch (in.get()) {
                        case 0 -> new Rejection.FencingTokenMismatch(str(in));
                        case 1 -> new Rejection.SeqNumMismatch(in.getLong());
                        case 2 -> new Rejection.Invalid(str(in));
                        case 3 -> new Rejection.StreamSealed();
                        default -> throw new IllegalArgumentException("an unknown rejection");
                    });
                    case FAILED -> {
                        int failure = in.get();
                        if (failure < 0 || failure >= AppendOutcome.Failure.values().length) {
                            throw new IllegalArgumentException("an unknown failure " + failure);
                        }
                        yield new AppendOutcome.Failed(AppendOutcome.Failure.values()[failure], str(in));
                    }
                    default -> throw new IllegalArgumentException("an unknown outcome " + kind);
                });
            }
            end(in);
            return outcomes;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("a truncated answer");
        }
    }

    private static void outcome(DataOutputStream out, AppendOutcome o) throws IOException {
        if (o instanceof AppendOutcome.Acked a) {
            out.writeByte(ACKED);
            Verdict.Accepted r = a.range();
            out.writeLong(r.startSeq());
            out.writeLong(r.endSeq());
            out.writeLong(r.startTimestamp());
            out.writeLong(r.endTimestamp());
            out.writeLong(a.tailSeq());
            out.writeLong(a.tailTimestamp());
            out.writeInt(r.records().size());
            for (SequencedRecord s : r.records()) {
                out.writeLong(s.timestamp());
            }
        } else if (o instanceof AppendOutcome.Applied a) {
            out.writeByte(APPLIED);
            out.writeLong(a.tailSeq());
            out.writeLong(a.tailTimestamp());
        } else if (o instanceof AppendOutcome.Rejected r) {
            out.writeByte(REJECTED);
            Rejection why = r.rejection();
            if (why instanceof Rejection.FencingTokenMismatch f) {
                out.writeByte(0);
                str(out, f.current());
            } else if (why instanceof Rejection.SeqNumMismatch m) {
                out.writeByte(1);
                out.writeLong(m.expected());
            } else if (why instanceof Rejection.Invalid i) {
                out.writeByte(2);
                str(out, i.message());
            } else {
                out.writeByte(3);
            }
        } else {
            AppendOutcome.Failed f = (AppendOutcome.Failed) o;
            out.writeByte(FAILED);
            out.writeByte(f.failure().ordinal());
            str(out, f.message());
        }
    }

    private static AppendOutcome acked(ByteBuffer in, AppendBatch sent) {
        long start = in.getLong();
        long end = in.getLong();
        long startTs = in.getLong();
        long endTs = in.getLong();
        long tailSeq = in.getLong();
        long tailTs = in.getLong();
        int n = count(in, in.remaining() / 8);
        if (n != sent.records().size() || end - start != n) {
            throw new IllegalArgumentException("an ack of " + n + " records for a batch of " + sent.records().size());
        }
        List<SequencedRecord> records = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            AppendRecord r = sent.records().get(j);
            records.add(new SequencedRecord(start + j, in.getLong(), r.headers(), r.body()));
        }
        return new AppendOutcome.Acked(new Verdict.Accepted(start, end, startTs, endTs, records), tailSeq, tailTs);
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] write(Writer w) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
            DataOutputStream out = new DataOutputStream(bytes);
            w.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
    }

    private static void str(DataOutputStream out, String s) throws IOException {
        bytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static void bytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static void magic(ByteBuffer in, byte[] expected) {
        byte[] magic = new byte[expected.length];
        in.get(magic);
        if (!Arrays.equals(magic, expected) || in.get() != VERSION) {
            throw new IllegalArgumentException("not a forward body of version " + VERSION);
        }
    }

    private static int count(ByteBuffer in, int max) {
        int n = in.getInt();
        if (n < 0 || n > max) {
            throw new IllegalArgumentException("a count out of bounds: " + n);
        }
        return n;
    }

    private static byte[] bytes(ByteBuffer in) {
        byte[] b = new byte[count(in, in.remaining())];
        in.get(b);
        return b;
    }

    private static String str(ByteBuffer in) {
        return new String(bytes(in), StandardCharsets.UTF_8);
    }

    private static void end(ByteBuffer in) {
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(in.remaining() + " stray bytes");
        }
    }
}
