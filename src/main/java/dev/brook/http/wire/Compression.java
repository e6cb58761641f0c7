package dev.brook.http.wire;

import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import io.airlift.compress.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * {@code Content-Encoding} of unary bodies (spec §1.6): zstd (preferred) and gzip, as S2 Lite does
 * them. Requests are decompressed into at most {@link #REQUEST_BODY_BYTES_MAX} bytes, whatever sizes
 * the compressed data claims, so a small zip bomb costs at most that much memory; S2S frames (§8.2)
 * use {@link #decompress} with their own, smaller cap. Responses are
 * compressed only above {@link #RESPONSE_COMPRESSION_MIN_BYTES}, and never SSE or S2S (whose frames
 * carry their own compression, §8); that choice is the caller's.
 *
 * <p>zstd is aircompressor's pure-Java implementation (no JNI, so native images need no native
 * library). It accepts frames with and without a content size, with checksums and concatenated
 * frames; it refuses windows above 8 MiB (zstd's {@code --long} or {@code --ultra} levels), which
 * no SDK uses.
 */
public final class Compression {

    public static final String ZSTD = "zstd";
    public static final String GZIP = "gzip";
    public static final String IDENTITY = "identity";
    /** How error messages name a request body ("invalid compressed body"). */
    private static final String REQUEST_BODY = "body";
    /** RFC 9110 §8.4.1.3: recipients should treat {@code x-gzip} as {@code gzip}. */
    private static final String X_GZIP = "x-gzip";
    private static final String ANY = "*";

    /**
     * The most a request body may hold, on the wire and once decompressed: the same bound, so a body
     * is admitted compressed exactly when it would be admitted plain. 8 MiB admits every batch S2
     * accepts (1 MiB metered) in any encoding a compact JSON or protobuf encoder writes: at worst
     * about 6.05 MiB, raw-format JSON whose bytes are all written as six-byte unicode escapes
     * (docs/SECURITY.md has the arithmetic). S2 Lite accepts 2 MB.
     */
    public static final int REQUEST_BODY_BYTES_MAX = 8 << 20;
    /** Responses at or below this size go out uncompressed, as Lite does (spec §1.6). */
    public static final int RESPONSE_COMPRESSION_MIN_BYTES = 1024;

    /** deflate cannot expand its input more than about 1032 times, so a gzip size claim above that is a lie. */
    private static final int DEFLATE_RATIO_MAX = 1032;
    /** The first buffer when the data does not say how large it decompresses. */
    private static final int UNKNOWN_SIZE_BUFFER_BYTES = 64 << 10;
    private static final int GZIP_STREAM_BUFFER_BYTES = 8 << 10;
    /** gzip's trailer ends with ISIZE, the uncompressed length mod 2^32, little-endian. */
    private static final int GZIP_TRAILER_ISIZE_BYTES = 4;
    /** RFC 9110 §12.4.2: a qvalue is {@code 0[.ddd]} or {@code 1[.000]}. */
    private static final Pattern Q_VALUE = Pattern.compile("0(\\.\\d{0,3})?|1(\\.0{0,3})?");

    private Compression() {}

    /** A request body per its {@code Content-Encoding}; a malformed body is 400 {@code bad_json}. */
    public static byte[] decodeRequest(String contentEncoding, byte[] body) {
        return decodeRequest(contentEncoding, body, ErrorCode.BAD_JSON);
    }

    /**
     * A request body per its {@code Content-Encoding}. A body that does not decompress, or decompresses
     * to more than {@link #REQUEST_BODY_BYTES_MAX}, fails with {@code malformed}: Lite reports these as
     * the body's own parse error, {@code bad_json} for JSON and {@code bad_proto} for protobuf (§1.7).
     * An encoding other than zstd, gzip or identity is 400 {@code bad_header}: S2 has no code for
     * HTTP's 415, and Brook's errors always carry one.
     */
    public static byte[] decodeRequest(String contentEncoding, byte[] body, ErrorCode malformed) {
        String encoding = contentEncoding == null ? "" : contentEncoding.trim().toLowerCase(Locale.ROOT);
        return switch (encoding) {
            case "", IDENTITY -> body;
            case ZSTD -> decompress(ZSTD, body, REQUEST_BODY_BYTES_MAX, malformed, REQUEST_BODY);
            case GZIP, X_GZIP -> decompress(GZIP, body, REQUEST_BODY_BYTES_MAX, malformed, REQUEST_BODY);
            default -> throw new S2Error(ErrorCode.BAD_HEADER, "Unsupported content-encoding: " + contentEncoding.trim());
        };
    }

    /**
     * {@code data} decompressed with {@code encoding} ({@link #ZSTD} or {@link #GZIP}) into at most
     * {@code maxBytes}, however large the data claims to be. Data that does not decompress fails with
     * {@code malformed} and "invalid compressed <i>what</i>"; data that would exceed the cap fails with
     * {@code malformed} and "decompressed <i>what</i> exceeds <i>maxBytes</i> bytes", as soon as the
     * decoder yields the byte past the cap, so memory stays bounded by {@code maxBytes}.
     *
     * @param what names the data in error messages ("body", "frame payload")
     * @throws IllegalArgumentException for another encoding: callers map their own names first
     */
    public static byte[] decompress(String encoding, byte[] data, int maxBytes, ErrorCode malformed, String what) {
        if (maxBytes < 1) {
            // readBounded's first buffer holds at least one byte, so a cap of 0 would not hold.
            throw new IllegalArgumentException("the cap must be positive: " + maxBytes);
        }
        Bound bound = new Bound(maxBytes, malformed, what);
        return switch (encoding) {
            case ZSTD -> decompress(bound, zstdSizeHint(data), () -> new ZstdInputStream(new ByteArrayInputStream(data)));
            case GZIP -> decompress(bound, gzipSizeHint(data, maxBytes),
                    () -> new GZIPInputStream(new ByteArrayInputStream(data), GZIP_STREAM_BUFFER_BYTES));
            default -> throw new IllegalArgumentException("Brook does not decompress " + encoding);
        };
    }

    /** A body compressed with {@code encoding} ({@link #ZSTD}, {@link #GZIP} or {@link #IDENTITY}). */
    public static byte[] encode(String encoding, byte[] body) {
        return switch (encoding) {
            case ZSTD -> zstd(body);
            case GZIP -> gzip(body);
            case IDENTITY -> body;
            default -> throw new IllegalArgumentException("Brook does not compress with " + encoding);
        };
    }

    /**
     * The encoding for a response, from {@code Accept-Encoding}: among zstd and gzip the one with the
     * highest q-value, zstd on a tie. {@code q=0} excludes a coding; {@code *} stands for each coding
     * not named. Empty when neither is acceptable, or the header is absent (clients that accept
     * compression say so; Lite compresses only then).
     */
    public static Optional<String> chooseResponseEncoding(String acceptEncoding) {
        if (acceptEncoding == null) {
            return Optional.empty();
        }
        AcceptEncoding accepted = AcceptEncoding.parse(acceptEncoding);
        double zstd = accepted.q(ZSTD);
        double gzip = accepted.q(GZIP);
        if (zstd <= 0 && gzip <= 0) {
            return Optional.empty();
        }
        return Optional.of(zstd >= gzip ? ZSTD : GZIP);
    }

    // ---------------------------------------------------------------- decompression

    /** Opens a decompressing stream; its constructor may already read (gzip's header). */
    private interface Opener {
        InputStream open() throws IOException;
    }

    /** The cap of one decompression, and how its failures read. */
    private record Bound(int maxBytes, ErrorCode malformed, String what) {

        S2Error tooLarge() {
            return new S2Error(malformed, "decompressed " + what + " exceeds " + maxBytes + " bytes");
        }

        S2Error invalid() {
            return new S2Error(malformed, "invalid compressed " + what);
        }
    }

    private static byte[] decompress(Bound bound, long sizeHint, Opener opener) {
        if (sizeHint > bound.maxBytes()) {
            throw bound.tooLarge();
        }
        // At least one byte, so that doubling makes progress.
        int initial = (int) Math.max(1, sizeHint >= 0 ? sizeHint : Math.min(UNKNOWN_SIZE_BUFFER_BYTES, bound.maxBytes()));
        try (InputStream in = opener.open()) {
            return readBounded(in, initial, bound);
        } catch (S2Error e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // A decoder of untrusted bytes: whatever it throws (aircompressor throws
            // MalformedInputException, IllegalArgumentException, IllegalStateException...) means bad input.
            throw bound.invalid();
        }
    }

    /**
     * Reads {@code in} to its end, failing as soon as it yields more than the cap. The buffer starts at
     * the claimed size (no copy when the claim is true) and doubles, never past the cap.
     */
    private static byte[] readBounded(InputStream in, int initialBytes, Bound bound) throws IOException {
        byte[] buf = new byte[initialBytes];
        int total = 0;
        while (true) {
            if (total == buf.length) {
                int next = in.read();
                if (next < 0) {
                    return buf;
                }
                if (total >= bound.maxBytes()) {
                    throw bound.tooLarge();
                }
                buf = Arrays.copyOf(buf, (int) Math.min(2L * buf.length, bound.maxBytes()));
                buf[total++] = (byte) next;
            }
            int n = in.read(buf, total, buf.length - total);
            if (n < 0) {
                return total == buf.length ? buf : Arrays.copyOf(buf, total);
            }
            total += n;
        }
    }

    /** The first frame's content size, or -1 when absent or unreadable (the stream decoder then decides). */
    private static long zstdSizeHint(byte[] body) {
        try {
            return ZstdDecompressor.getDecompressedSize(body, 0, body.length);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The last member's ISIZE, believed only as far as deflate could have produced it, and never past the cap. */
    private static long gzipSizeHint(byte[] body, int maxBytes) {
        if (body.length < GZIP_TRAILER_ISIZE_BYTES) {
            return -1;
        }
        int at = body.length - GZIP_TRAILER_ISIZE_BYTES;
        long isize = (body[at] & 0xFFL) | (body[at + 1] & 0xFFL) << 8 | (body[at + 2] & 0xFFL) << 16 | (body[at + 3] & 0xFFL) << 24;
        return Math.min(isize, Math.min((long) body.length * DEFLATE_RATIO_MAX, maxBytes));
    }

    // ---------------------------------------------------------------- compression

    private static byte[] zstd(byte[] body) {
        ZstdCompressor compressor = new ZstdCompressor();
        byte[] out = new byte[compressor.maxCompressedLength(body.length)];
        int n = compressor.compress(body, 0, body.length, out, 0, out.length);
        return Arrays.copyOf(out, n);
    }

    private static byte[] gzip(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 2 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException("a ByteArrayOutputStream does not fail", e);
        }
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- Accept-Encoding

    /** The q-values an {@code Accept-Encoding} header gives zstd, gzip and {@code *}; -1 when unnamed. */
    private record AcceptEncoding(double zstd, double gzip, double any) {

        static AcceptEncoding parse(String header) {
            double zstd = -1;
            double gzip = -1;
            double any = -1;
            for (String item : header.split(",")) {
                String[] parts = item.split(";");
                String coding = parts[0].trim().toLowerCase(Locale.ROOT);
                Optional<Double> q = qValue(parts);
                if (q.isEmpty()) {
                    continue;
                }
                switch (coding) {
                    case ZSTD -> zstd = q.get();
                    case GZIP, X_GZIP -> gzip = Math.max(gzip, q.get());
                    case ANY -> any = q.get();
                    default -> { }
                }
            }
            return new AcceptEncoding(zstd, gzip, any);
        }

        /** The coding's weight: its own if named, else {@code *}'s, else 0 (not acceptable). */
        double q(String coding) {
            double own = coding.equals(ZSTD) ? zstd : gzip;
            if (own >= 0) {
                return own;
            }
            return Math.max(any, 0);
        }

        /** q from the parameters (1 when absent); empty when malformed, and the item is then ignored. */
        private static Optional<Double> qValue(String[] parts) {
            for (int i = 1; i < parts.length; i++) {
                String param = parts[i].trim();
                int eq = param.indexOf('=');
                if (eq < 0 || !param.substring(0, eq).trim().equalsIgnoreCase("q")) {
                    continue;
                }
                return parseQ(param.substring(eq + 1).trim());
            }
            return Optional.of(1.0);
        }

        private static Optional<Double> parseQ(String s) {
            if (!Q_VALUE.matcher(s).matches()) {
                return Optional.empty();
            }
            return Optional.of(Double.parseDouble(s));
        }
    }
}
