package dev.brook.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One blocking HTTP/1.1 connection kept alive, for the benchmark's closed-loop writers: a request is
 * one write of bytes prepared once, the answer is read straight off the socket. The JDK's HTTP
 * client spent more CPU per request than Brook spent serving it (its own threads, a selector, a
 * hop per request), and on two shared cores that time showed up in Brook's latency; the Redis side
 * of the comparison is driven the same way, over one plain socket per writer (docs/BENCHMARK.md).
 * Not thread-safe: one per writer.
 */
final class KeepAliveHttp implements AutoCloseable {

    /** An answer: status and body (content-length or chunked). */
    record Response(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final URI base;
    private final String fixedHeaders;
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    /** {@code basin} and {@code token} (may be null) go on every request. */
    KeepAliveHttp(URI base, String basin, String token) {
        this.base = base;
        this.fixedHeaders = "host: " + base.getHost() + ":" + base.getPort() + "\r\ns2-basin: " + basin + "\r\n"
                + (token == null ? "" : "authorization: Bearer " + token + "\r\n");
    }

    /** The bytes of a JSON request, to be sent as often as needed with {@link #send(byte[])}. */
    byte[] request(String method, String path, String json) {
        return request(method, path, json, null);
    }

    /** The same with an {@code accept} header (null: none). */
    byte[] request(String method, String path, String json, String accept) {
        byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
        byte[] head = (method + " " + path + " HTTP/1.1\r\n" + fixedHeaders
                + (accept == null ? "" : "accept: " + accept + "\r\n")
                + (json == null ? "" : "content-type: application/json\r\n")
                + "content-length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] request = new byte[head.length + body.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(body, 0, request, head.length, body.length);
        return request;
    }

    /**
     * Sends prepared request bytes and reads the answer. No retry: an append resent after a lost
     * answer could land twice, and the benchmark counts every record.
     */
    Response send(byte[] request) throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
            socket.setSoTimeout(60_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        }
        out.write(request);
        out.flush();
        return read(in);
    }

    /** Reads one HTTP/1.1 response (status line, headers, then a content-length or chunked body). */
    static Response read(InputStream in) throws IOException {
        String statusLine = line(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x status line: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        long length = -1;
        boolean chunked = false;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            if (name.equals("content-length")) {
                length = Long.parseLong(value);
            } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                chunked = true;
            }
        }
        if (chunked) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line(in).split(";", 2)[0].trim(), 16); size > 0;
                    size = Integer.parseInt(line(in).split(";", 2)[0].trim(), 16)) {
                body.write(exactly(in, size));
                line(in); // the CRLF after the chunk
            }
            while (!line(in).isEmpty()) {
                // trailers
            }
            return new Response(status, body.toByteArray());
        }
        return new Response(status, length < 0 ? new byte[0] : exactly(in, Math.toIntExact(length)));
    }

    private static byte[] exactly(InputStream in, int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length < n) {
            throw new EOFException("connection closed inside a body");
        }
        return bytes;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("connection closed");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }
}
