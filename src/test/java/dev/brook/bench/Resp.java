package dev.brook.bench;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The little of Redis's wire protocol (RESP2) the benchmark needs to drive Redis beside Brook: commands
 * as arrays of bulk strings, and replies read one at a time (simple strings, errors, integers, bulk
 * strings, arrays). No dependency for a peer that is only measured.
 */
final class Resp {

    private Resp() {}

    /** A reply of type error ({@code -ERR ...}). */
    static final class ErrorReply extends IOException {
        ErrorReply(String message) {
            super(message);
        }
    }

    /** {@code args} as one RESP command: {@code *N\r\n} and a bulk string per argument. */
    static byte[] command(byte[]... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ascii(out, "*" + args.length + "\r\n");
        for (byte[] a : args) {
            ascii(out, "$" + a.length + "\r\n");
            out.writeBytes(a);
            ascii(out, "\r\n");
        }
        return out.toByteArray();
    }

    /** A command of text arguments. */
    static byte[] command(String... args) {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return command(bytes);
    }

    private static void ascii(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The next reply: a String (simple or bulk string, UTF-8), a Long (integer), null (null bulk string or
     * array) or a List of replies; an error reply throws {@link ErrorReply}.
     */
    static Object read(InputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed before a reply");
        }
        String line = line(in);
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new ErrorReply(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                byte[] b = in.readNBytes(n);
                if (b.length != n || in.read() != '\r' || in.read() != '\n') {
                    throw new EOFException("bulk string cut short");
                }
                return new String(b, StandardCharsets.UTF_8);
            }
            case '*': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(read(in));
                }
                return items;
            }
            default:
                throw new IOException("not a RESP reply: type byte " + type);
        }
    }

    /** The rest of a header line, without its CRLF. */
    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("connection closed in a reply");
            }
            if (c == '\r') {
                if (in.read() != '\n') {
                    throw new IOException("CR without LF in a reply");
                }
                return b.toString();
            }
            b.append((char) c);
        }
    }
}
