package dev.brook.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of a real server that loses responses on demand: the request reaches the
 * server and is carried out, and the connection is cut as its response comes back. That is the
 * failure that makes a client's retry meet its own write.
 */
public final class FaultProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final AtomicInteger responsesToDrop = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
    private final List<String> requestHeads = Collections.synchronizedList(new ArrayList<>());

    public FaultProxy(URI target) throws IOException {
        this.target = new InetSocketAddress(target.getHost(), target.getPort());
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "fault-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    /** The next {@code n} responses (on any connection) are swallowed and their connections cut. */
    public void dropNextResponses(int n) {
        responsesToDrop.set(n);
    }

    public int dropped() {
        return dropped.get();
    }

    private volatile java.util.concurrent.CountDownLatch hold;

    /** Connections accepted from now on wait, unconnected to the server, until {@link #releaseConnections()}. */
    public void holdNewConnections() {
        hold = new java.util.concurrent.CountDownLatch(1);
    }

    public void releaseConnections() {
        java.util.concurrent.CountDownLatch h = hold;
        hold = null;
        if (h != null) {
            h.countDown();
        }
    }

    /**
     * From now on the server's clock appears {@code skew} ahead in its answers: the {@code Date} and
     * {@code Last-Modified} headers are rewritten (same length, so nothing else moves). Headers of the
     * small answers this is for arrive in one chunk.
     */
    public void skewClock(java.time.Duration skew) {
        skewMs = skew.toMillis();
    }

    private volatile long skewMs;
    private static final java.util.regex.Pattern DATE_HEADER = java.util.regex.Pattern.compile(
            "(?im)^(date|last-modified): ([^\r\n]+)\r\n");

    private byte[] skewed(byte[] buffer, int n) {
        String chunk = new String(buffer, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher m = DATE_HEADER.matcher(chunk);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String shifted;
            try {
                java.time.ZonedDateTime t = java.time.ZonedDateTime.parse(m.group(2), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME);
                shifted = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(t.plusNanos(skewMs * 1_000_000L));
            } catch (RuntimeException unparseable) {
                shifted = m.group(2);
            }
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(m.group(1) + ": " + shifted + "\r\n"));
        }
        m.appendTail(out);
        return out.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** The start of each request chunk seen, for tests that check what a client sent. */
    public List<String> requestHeads() {
        synchronized (requestHeads) {
            return List.copyOf(requestHeads);
        }
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            sockets.add(client);
            java.util.concurrent.CountDownLatch h = hold;
            if (h == null) {
                connect(client);
            } else {
                Thread held = new Thread(() -> {
                    try {
                        h.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    connect(client);
                }, "fault-proxy-held");
                held.setDaemon(true);
                held.start();
            }
        }
    }

    private void connect(Socket client) {
        try {
            Socket server = new Socket(target.getAddress(), target.getPort());
            sockets.add(server);
            pump(client, server, false);
            pump(server, client, true);
        } catch (IOException e) {
            closeQuietly(client);
        }
    }

    private void pump(Socket from, Socket to, boolean responses) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (responses && responsesToDrop.getAndUpdate(r -> Math.max(0, r - 1)) > 0) {
                        dropped.incrementAndGet();
                        from.close();
                        to.close();
                        return;
                    }
                    if (!responses) {
                        requestHeads.add(new String(buffer, 0, Math.min(n, 512), java.nio.charset.StandardCharsets.ISO_8859_1));
                    }
                    if (responses && skewMs != 0) {
                        byte[] rewritten = skewed(buffer, n);
                        out.write(rewritten, 0, rewritten.length);
                    } else {
                        out.write(buffer, 0, n);
                    }
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed: close the other
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, responses ? "fault-proxy-down" : "fault-proxy-up");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        synchronized (sockets) {
            sockets.forEach(FaultProxy::closeQuietly);
        }
    }
}
