package dev.brook.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One full-duplex HTTP/1.1 exchange on its own socket, as S2's Rust SDK runs an S2S append session
 * (spec §1.2, §8): a chunked request body written while the response is read. The JDK's client sends
 * the whole request body before it reads a response, so sessions use this instead.
 */
final class DuplexHttp implements AutoCloseable {

    static final int CONNECT_TIMEOUT_MS = 5_000;

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private int status;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private InputStream body;

    private DuplexHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 << 10);
        this.in = new BufferedInputStream(socket.getInputStream(), 64 << 10);
    }

    /** Connects and sends the request head; the body follows as {@link #writeChunk} calls. */
    static DuplexHttp open(URI uri, String method, Map<String, String> headers) throws IOException {
        return open(uri, method, headers, null, 0);
    }

    /**
     * Connects and sends a whole request: {@code body} with its length, or none when null (then the
     * body, if any, is chunked through {@link #writeChunk}). {@code readTimeoutMs} bounds each wait
     * for response bytes (0: none).
     */
    static DuplexHttp open(URI uri, String method, Map<String, String> headers, byte[] body, int readTimeoutMs) throws IOException {
        boolean tls = uri.getScheme().equals("https");
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(readTimeoutMs);
            socket.connect(new InetSocketAddress(uri.getHost(), port), CONNECT_TIMEOUT_MS);
            if (tls) {
                SSLSocket ssl = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(socket, uri.getHost(), port, true);
                SSLParameters params = ssl.getSSLParameters();
                params.setApplicationProtocols(new String[] {"http/1.1"});
                params.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(params);
                ssl.startHandshake();
                socket = ssl;
            }
            DuplexHttp http = new DuplexHttp(socket);
            StringBuilder head = new StringBuilder();
            String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
            head.append("host: ").append(uri.getHost()).append(uri.getPort() > 0 ? ":" + uri.getPort() : "").append("\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            if (body == null) {
                head.append("transfer-encoding: chunked\r\n\r\n");
            } else {
                head.append("content-length: ").append(body.length).append("\r\nconnection: close\r\n\r\n");
            }
            http.out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            if (body != null) {
                http.out.write(body);
            }
            http.out.flush();
            return http;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** One chunk of the request body, flushed. */
    synchronized void writeChunk(byte[] bytes) throws IOException {
        out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.write(CRLF);
        out.flush();
    }

    /** Ends the request body. */
    synchronized void finish() throws IOException {
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static final byte[] CRLF = {'\r', '\n'};

    /** Reads the response head (blocking); afterwards {@link #status()}, {@link #header} and {@link #body()}. */
    void readHead() throws IOException {
        String statusLine = line();
        while (statusLine.isEmpty()) {
            statusLine = line();
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.1 response: " + statusLine);
        }
        status = Integer.parseInt(parts[1]);
        String l;
        while (!(l = line()).isEmpty()) {
            int colon = l.indexOf(':');
            if (colon > 0) {
                headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
            }
        }
        if (status == 100) {
            headers.clear();
            readHead();
            return;
        }
        String te = headers.getOrDefault("transfer-encoding", "");
        if (te.toLowerCase(Locale.ROOT).contains("chunked")) {
            body = new Chunked(in);
        } else if (headers.containsKey("content-length")) {
            body = new Limited(in, Long.parseLong(headers.get("content-length")));
        } else {
            body = in;
        }
    }

    int status() {
        return status;
    }

    String header(String name) {
        return headers.get(name);
    }

    /** The response body, de-chunked; end of stream at its end. */
    InputStream body() {
        return body;
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new EOFException("connection closed in the response head");
            }
            if (c != '\r') {
                b.write(c);
            }
            if (b.size() > 65_536) {
                throw new IOException("response head line too long");
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing: nothing to do
        }
    }

    /** A chunked body. */
    static final class Chunked extends InputStream {
        private final InputStream in;
        private long remaining;
        private boolean done;

        Chunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (remaining == 0) {
                String size = readLine();
                int semi = size.indexOf(';');
                remaining = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
                if (remaining == 0) {
                    while (!readLine().isEmpty()) {
                        // trailers
                    }
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new EOFException("connection closed in a chunk");
            }
            remaining -= n;
            if (remaining == 0) {
                readLine();
            }
            return n;
        }

        private String readLine() throws IOException {
            StringBuilder s = new StringBuilder();
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) {
                    throw new EOFException("connection closed in a chunk header");
                }
                if (c != '\r') {
                    s.append((char) c);
                }
            }
            return s.toString();
        }
    }

    /** A body of known length. */
    static final class Limited extends InputStream {
        private final InputStream in;
        private long remaining;

        Limited(InputStream in, long length) {
            this.in = in;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int c = in.read();
            if (c >= 0) {
                remaining--;
            }
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }
    }
}
