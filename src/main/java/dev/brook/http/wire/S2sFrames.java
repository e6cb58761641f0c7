package dev.brook.http.wire;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import dev.brook.core.SequencedRecord;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The framing of S2S sessions (spec §8.2), both directions, with no I/O: sessions hand it bytes and
 * get bytes back, so every rule here is testable without a server.
 *
 * <pre>
 * frame = length (3 bytes, big-endian, = 1 + payload length) | flags (1 byte) | payload
 * flags:  0x80 terminal | 0x60 compression (00 none, 0x20 zstd, 0x40 gzip, 0x60 invalid)
 *         0x10 reconnect advised (server to client only) | 0x0F reserved
 * </pre>
 *
 * A regular payload is a protobuf message, possibly compressed; a terminal payload is a 2-byte
 * big-endian HTTP status and the UTF-8 JSON of the equivalent unary error, never compressed.
 *
 * <p>The limits are S2 Lite's: a length above {@link #FRAME_LENGTH_MAX} is refused before any of
 * the frame is buffered, and a compressed payload may inflate to at most {@link #PAYLOAD_BYTES_MAX},
 * the most an uncompressed one can carry; {@link Compression#decompress} enforces that cap while it
 * inflates, so a small frame cannot make Brook allocate more. Every decoding failure is 400
 * {@code bad_frame}, the code S2 gives malformed S2S input (§1.8).
 *
 * <p>On input the reconnect-advised bit (meaningless from a client) and the reserved bits are
 * ignored, as Lite ignores them; Brook never sets either on output.
 */
public final class S2sFrames {

    /** The length prefix: a big-endian u24 counting the flag byte and the payload, not itself. */
    static final int LENGTH_BYTES = 3;
    static final int FLAG_BYTES = 1;
    /** Everything before the payload. */
    static final int HEADER_BYTES = LENGTH_BYTES + FLAG_BYTES;
    /** A terminal payload starts with the HTTP status as a big-endian u16. */
    static final int STATUS_BYTES = 2;

    /** The largest frame length either side accepts: 2 MiB (Lite's decoder limit). */
    public static final int FRAME_LENGTH_MAX = 2 << 20;
    /** The largest payload: what a maximal frame carries, and the most a compressed payload may inflate to. */
    public static final int PAYLOAD_BYTES_MAX = FRAME_LENGTH_MAX - FLAG_BYTES;
    /**
     * Payloads smaller than this go out uncompressed even when the client negotiated compression (§8.2):
     * below it, compression saves little and costs a decoder call on both sides.
     */
    public static final int COMPRESSION_MIN_BYTES = 1024;

    static final int FLAG_TERMINAL = 0x80;
    static final int FLAG_COMPRESSION_MASK = 0x60;
    static final int FLAG_COMPRESSION_NONE = 0x00;
    static final int FLAG_ZSTD = 0x20;
    static final int FLAG_GZIP = 0x40;
    /** Both compression bits set: names no algorithm. */
    static final int FLAG_COMPRESSION_INVALID = 0x60;

    /** RFC 9110 §15: status codes are three digits, 1xx to 5xx. */
    static final int STATUS_MIN = 100;
    static final int STATUS_MAX = 599;

    private static final int BYTE_MASK = 0xFF;
    /** How a decompression error names what failed ("invalid compressed S2S frame payload"). */
    private static final String PAYLOAD_NAME = "S2S frame payload";
    private static final byte[] EMPTY = new byte[0];

    private S2sFrames() {}

    // ---------------------------------------------------------------- encoding (server to client)

    /**
     * A regular frame carrying {@code protobuf}, compressed with the session's frame compression
     * ({@link #chooseCompression}) when it has one and the message is at least
     * {@link #COMPRESSION_MIN_BYTES}; smaller messages go out uncompressed with compression bits 00.
     *
     * @throws IllegalArgumentException if the message is larger than {@link #PAYLOAD_BYTES_MAX} (a
     *     client would refuse its decompression even if it compressed well), if the frame would be
     *     longer than {@link #FRAME_LENGTH_MAX} (incompressible data grows a little), or for a
     *     compression other than zstd or gzip. Sessions keep a {@code ReadBatch} to 1 MiB of metered
     *     records, so any of these is a bug in the caller.
     */
    public static byte[] regular(byte[] protobuf, Optional<String> compression) {
        int flag = compression.map(S2sFrames::compressionFlag).orElse(FLAG_COMPRESSION_NONE);
        if (protobuf.length > PAYLOAD_BYTES_MAX) {
            throw new IllegalArgumentException("a " + protobuf.length + "-byte message exceeds the S2S payload limit of "
                    + PAYLOAD_BYTES_MAX + " bytes");
        }
        if (flag == FLAG_COMPRESSION_NONE || protobuf.length < COMPRESSION_MIN_BYTES) {
            return frame(FLAG_COMPRESSION_NONE, protobuf);
        }
        return frame(flag, Compression.encode(compression.get(), protobuf));
    }

    /**
     * The regular frame of a {@code ReadBatch}: {@link #regular} of {@link ProtoCodec#encodeReadBatch}, byte for
     * byte, but an uncompressed batch is encoded straight into its frame (a catch-up sends megabyte batches;
     * each copy of one is a large allocation, see docs/LOG.md, "Compaction").
     */
    public static byte[] readBatch(List<SequencedRecord> records, Optional<long[]> tail, Optional<String> compression) {
        int flag = compression.map(S2sFrames::compressionFlag).orElse(FLAG_COMPRESSION_NONE);
        byte[] framed = ProtoCodec.encodeReadBatch(records, tail, HEADER_BYTES);
        int payload = framed.length - HEADER_BYTES;
        if (payload > PAYLOAD_BYTES_MAX) {
            throw new IllegalArgumentException("a " + payload + "-byte message exceeds the S2S payload limit of "
                    + PAYLOAD_BYTES_MAX + " bytes");
        }
        if (flag == FLAG_COMPRESSION_NONE || payload < COMPRESSION_MIN_BYTES) {
            return header(framed, FLAG_COMPRESSION_NONE);
        }
        return frame(flag, Compression.encode(compression.get(), Arrays.copyOfRange(framed, HEADER_BYTES, framed.length)));
    }

    /**
     * The terminal frame of a session that fails: {@code status} and the JSON body the equivalent
     * unary response would carry. Never compressed, so a client reads it whatever it negotiated.
     *
     * @throws IllegalArgumentException for a status outside 100..599, or JSON that does not fit a frame
     */
    public static byte[] terminal(int status, String json) {
        if (status < STATUS_MIN || status > STATUS_MAX) {
            throw new IllegalArgumentException("not an HTTP status: " + status);
        }
        byte[] body = json.getBytes(UTF_8);
        byte[] payload = new byte[STATUS_BYTES + body.length];
        payload[0] = (byte) (status >>> Byte.SIZE);
        payload[1] = (byte) status;
        System.arraycopy(body, 0, payload, STATUS_BYTES, body.length);
        return frame(FLAG_TERMINAL, payload);
    }

    /**
     * The compression of the frames the server sends (§8.1): zstd if {@code Accept-Encoding} names it
     * anywhere, else gzip if it names that, else none. Unlike unary responses
     * ({@link Compression#chooseResponseEncoding}) q-values are ignored, even {@code q=0}, because
     * S2 Lite ignores them and SDKs send a bare {@code zstd} or {@code gzip}. Several header lines
     * are passed joined with commas.
     */
    public static Optional<String> chooseCompression(String acceptEncoding) {
        if (acceptEncoding == null) {
            return Optional.empty();
        }
        boolean gzip = false;
        for (String item : acceptEncoding.split(",")) {
            String coding = item.split(";", 2)[0].trim();
            if (coding.equalsIgnoreCase(Compression.ZSTD)) {
                return Optional.of(Compression.ZSTD);
            }
            gzip |= coding.equalsIgnoreCase(Compression.GZIP);
        }
        return gzip ? Optional.of(Compression.GZIP) : Optional.empty();
    }

    private static int compressionFlag(String compression) {
        return switch (compression) {
            case Compression.ZSTD -> FLAG_ZSTD;
            case Compression.GZIP -> FLAG_GZIP;
            default -> throw new IllegalArgumentException("S2S frames are not compressed with " + compression);
        };
    }

    private static byte[] frame(int flags, byte[] payload) {
        byte[] out = new byte[HEADER_BYTES + payload.length];
        System.arraycopy(payload, 0, out, HEADER_BYTES, payload.length);
        return header(out, flags);
    }

    /** Writes the header of the frame that {@code out} holds after its first {@link #HEADER_BYTES} bytes. */
    private static byte[] header(byte[] out, int flags) {
        long length = (long) out.length - LENGTH_BYTES;
        if (length > FRAME_LENGTH_MAX) {
            throw new IllegalArgumentException("an S2S frame of length " + length + " exceeds " + FRAME_LENGTH_MAX);
        }
        for (int i = 0; i < LENGTH_BYTES; i++) {
            out[i] = (byte) (length >>> (Byte.SIZE * (LENGTH_BYTES - 1 - i)));
        }
        out[LENGTH_BYTES] = (byte) flags;
        return out;
    }

    // ---------------------------------------------------------------- decoding (client to server)

    /**
     * A decoded frame. A regular frame's {@code payload} is the protobuf message, already
     * decompressed; a terminal frame's is as on the wire, status then JSON, read through
     * {@link #status()} and {@link #json()}. Equality is the record's: the payload by identity.
     */
    public record Frame(boolean terminal, byte[] payload) {

        public Frame {
            Objects.requireNonNull(payload, "payload");
            if (terminal && payload.length < STATUS_BYTES) {
                throw new IllegalArgumentException("a terminal frame starts with a " + STATUS_BYTES + "-byte status");
            }
        }

        /** The HTTP status of a terminal frame. */
        public int status() {
            requireTerminal();
            return (payload[0] & BYTE_MASK) << Byte.SIZE | payload[1] & BYTE_MASK;
        }

        /** The JSON body of a terminal frame. */
        public String json() {
            requireTerminal();
            return new String(payload, STATUS_BYTES, payload.length - STATUS_BYTES, UTF_8);
        }

        private void requireTerminal() {
            if (!terminal) {
                throw new IllegalStateException("a regular frame has no status or JSON");
            }
        }
    }

    /**
     * Frames from a byte stream cut anywhere: a frame may span many chunks and a chunk may hold many
     * frames. It holds at most one frame's bytes ({@link #HEADER_BYTES} + {@link #PAYLOAD_BYTES_MAX}),
     * and grows the payload buffer as bytes arrive rather than at the length the header claims, so a
     * client that announces 2 MiB and sends nothing costs nothing.
     *
     * <p>The first malformed frame fails with 400 {@code bad_frame}, after every complete frame before
     * it has been delivered (an append session acks the batches that preceded the bad one, §8.3), and
     * the decoder then fails every later call with the same error. A header is checked as soon as its
     * four bytes are in, so a bad length or flag byte fails without waiting for the payload. Frames
     * after a terminal frame are an error too: terminal means the sender's last frame. Whether a
     * terminal frame may arrive at all is the session's rule, not the codec's.
     *
     * <p>Not thread-safe: one decoder per session, fed in the order bytes arrive.
     */
    public static final class Decoder {

        /** The first payload buffer; it doubles, up to the frame's length, as bytes arrive. */
        private static final int PAYLOAD_BUFFER_INITIAL_BYTES = 64 << 10;

        private final byte[] header = new byte[HEADER_BYTES];
        private int headerFilled;
        private int payloadLength;
        private byte[] payload = EMPTY;
        private int payloadFilled;
        private boolean afterTerminal;
        private S2Error failure;
        /** A callback threw mid-chunk, so the rest of that chunk was never read. */
        private boolean abandoned;

        /** Same as {@link #feed(byte[], int, int, Consumer)} over the whole chunk. */
        public void feed(byte[] chunk, Consumer<Frame> onFrame) {
            feed(chunk, 0, chunk.length, onFrame);
        }

        /**
         * Consumes {@code length} bytes of {@code chunk} from {@code offset}, handing each frame they
         * complete to {@code onFrame}, in order, before this returns. If {@code onFrame} throws, the
         * exception propagates, the rest of the chunk is dropped, and the decoder refuses further input
         * with {@link IllegalStateException} (the stream is no longer aligned on frames).
         *
         * @throws S2Error {@code bad_frame} at the first malformed frame, and on every call after it
         */
        public void feed(byte[] chunk, int offset, int length, Consumer<Frame> onFrame) {
            Objects.checkFromIndexSize(offset, length, chunk.length);
            if (failure != null) {
                throw failure;
            }
            if (abandoned) {
                throw new IllegalStateException("a frame callback failed, so the rest of its chunk was not decoded");
            }
            int at = offset;
            int end = offset + length;
            while (true) {
                if (headerFilled < HEADER_BYTES) {
                    if (at == end) {
                        return;
                    }
                    if (afterTerminal) {
                        throw fail("S2S data after a terminal frame");
                    }
                    int n = Math.min(HEADER_BYTES - headerFilled, end - at);
                    System.arraycopy(chunk, at, header, headerFilled, n);
                    headerFilled += n;
                    at += n;
                    if (headerFilled < HEADER_BYTES) {
                        if (headerFilled == LENGTH_BYTES) {
                            frameLength();
                        }
                        continue;
                    }
                    startPayload();
                }
                int n = Math.min(payloadLength - payloadFilled, end - at);
                if (n > 0) {
                    ensureCapacity(payloadFilled + n);
                    System.arraycopy(chunk, at, payload, payloadFilled, n);
                    payloadFilled += n;
                    at += n;
                }
                if (payloadFilled < payloadLength) {
                    return;
                }
                deliver(complete(), onFrame);
            }
        }

        /** Whether bytes of an unfinished frame are held: a request body ending now was cut mid-frame. */
        public boolean hasPartialFrame() {
            return headerFilled > 0;
        }

        /** The length prefix, checked; the flag byte need not have arrived. */
        private int frameLength() {
            int length = 0;
            for (int i = 0; i < LENGTH_BYTES; i++) {
                length = length << Byte.SIZE | header[i] & BYTE_MASK;
            }
            if (length == 0) {
                throw fail("S2S frame length is 0; it must count at least the flag byte");
            }
            if (length > FRAME_LENGTH_MAX) {
                throw fail("S2S frame length " + length + " exceeds " + FRAME_LENGTH_MAX + " bytes");
            }
            return length;
        }

        /** Checks the whole header and makes room for the first bytes of the payload. */
        private void startPayload() {
            payloadLength = frameLength() - FLAG_BYTES;
            int flags = header[LENGTH_BYTES] & BYTE_MASK;
            int compression = flags & FLAG_COMPRESSION_MASK;
            if (compression == FLAG_COMPRESSION_INVALID) {
                throw fail("S2S frame compression bits are 11, which name no algorithm");
            }
            if ((flags & FLAG_TERMINAL) != 0) {
                if (compression != FLAG_COMPRESSION_NONE) {
                    throw fail("S2S terminal frame must not be compressed");
                }
                if (payloadLength < STATUS_BYTES) {
                    throw fail("S2S terminal frame has " + payloadLength + " payload bytes; its status code needs "
                            + STATUS_BYTES);
                }
            }
            payload = new byte[Math.min(payloadLength, PAYLOAD_BUFFER_INITIAL_BYTES)];
            payloadFilled = 0;
        }

        private void ensureCapacity(int bytes) {
            if (bytes > payload.length) {
                payload = Arrays.copyOf(payload, (int) Math.min(Math.max(2L * payload.length, bytes), payloadLength));
            }
        }

        /** The frame now whole in the buffers, decompressed or checked; the buffers are reset for the next. */
        private Frame complete() {
            // The buffer grew to exactly payloadLength, never past it.
            byte[] bytes = payload;
            int flags = header[LENGTH_BYTES] & BYTE_MASK;
            headerFilled = 0;
            payload = EMPTY;
            payloadFilled = 0;
            if ((flags & FLAG_TERMINAL) != 0) {
                afterTerminal = true;
                if (!isUtf8(bytes, STATUS_BYTES)) {
                    throw fail("S2S terminal frame's JSON is not valid UTF-8");
                }
                return new Frame(true, bytes);
            }
            return switch (flags & FLAG_COMPRESSION_MASK) {
                case FLAG_ZSTD -> new Frame(false, decompress(Compression.ZSTD, bytes));
                case FLAG_GZIP -> new Frame(false, decompress(Compression.GZIP, bytes));
                default -> new Frame(false, bytes);
            };
        }

        private byte[] decompress(String encoding, byte[] compressed) {
            try {
                return Compression.decompress(encoding, compressed, PAYLOAD_BYTES_MAX, ErrorCode.BAD_FRAME, PAYLOAD_NAME);
            } catch (S2Error e) {
                failure = e;
                throw e;
            }
        }

        private void deliver(Frame frame, Consumer<Frame> onFrame) {
            boolean delivered = false;
            try {
                onFrame.accept(frame);
                delivered = true;
            } finally {
                abandoned = !delivered;
            }
        }

        /** Records the failure, drops the buffered bytes, and returns the error to throw. */
        private S2Error fail(String message) {
            failure = new S2Error(ErrorCode.BAD_FRAME, message);
            headerFilled = 0;
            payload = EMPTY;
            payloadFilled = 0;
            return failure;
        }

        private static boolean isUtf8(byte[] bytes, int offset) {
            try {
                UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, offset, bytes.length - offset));
                return true;
            } catch (CharacterCodingException e) {
                return false;
            }
        }
    }
}
