package dev.brook.api;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.http.wire.ProtoCodec;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A minimal S2S client for tests, written from the spec (§8.2) independently of the server's
 * codec: frames out, frames in, over HTTP/2 cleartext with prior knowledge or HTTP/1.1 (chunked,
 * full duplex). Waits are bounded so a broken server fails a test instead of hanging it.
 */
final class S2sClient implements AutoCloseable {

    static final long WAIT_S = 30;

    /** One frame as received: flags and the raw payload. */
    record Frame(int flags, byte[] payload) {
        boolean terminal() {
            return (flags & 0x80) != 0;
        }

        int status() {
            return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }

        String json() {
            return new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }
    }

    /** The end of the response body (no more frames). */
    static final Frame END = new Frame(-1, new byte[0]);

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient client;
    private final URI root;

    S2sClient(URI root, HttpVersion version) {
        this.root = root;
        HttpClientOptions options = new HttpClientOptions().setProtocolVersion(version);
        if (version == HttpVersion.HTTP_2) {
            options.setHttp2ClearTextUpgrade(false); // prior knowledge, as the TypeScript SDK connects
        }
        this.client = vertx.createHttpClient(options);
    }

    /** An open session: its response status and headers, the frames received so far, and the request to write to. */
    final class Session {
        final HttpClientRequest request;
        HttpClientResponse response;
        final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();

        Session(HttpClientRequest request) {
            this.request = request;
        }

        /** On the event loop, as the response head arrives: before any of its body can be delivered. */
        void attach(HttpClientResponse r) {
            response = r;
            r.handler(this::onData);
            r.endHandler(v -> frames.add(END));
        }

        private synchronized void onData(Buffer chunk) {
            body.writeBytes(chunk.getBytes());
            partial.writeBytes(chunk.getBytes());
            byte[] b = partial.toByteArray();
            int at = 0;
            while (b.length - at >= 3) {
                int length = ((b[at] & 0xff) << 16) | ((b[at + 1] & 0xff) << 8) | (b[at + 2] & 0xff);
                if (b.length - at - 3 < length) {
                    break;
                }
                byte[] payload = java.util.Arrays.copyOfRange(b, at + 4, at + 3 + length);
                frames.add(new Frame(b[at + 3] & 0xff, payload));
                at += 3 + length;
            }
            partial.reset();
            partial.write(b, at, b.length - at);
        }

        int status() {
            return response.statusCode();
        }

        /** The whole body as text (for error answers before a session starts). */
        String text() throws Exception {
            Frame f = frames.poll(WAIT_S, TimeUnit.SECONDS);
            while (f != null && f != END) {
                f = frames.poll(WAIT_S, TimeUnit.SECONDS);
            }
            synchronized (this) {
                return body.toString(StandardCharsets.UTF_8);
            }
        }

        Frame next() throws Exception {
            Frame f = frames.poll(WAIT_S, TimeUnit.SECONDS);
            if (f == null) {
                throw new AssertionError("no frame within " + WAIT_S + " s");
            }
            return f;
        }

        void send(byte[] frame) throws Exception {
            request.write(Buffer.buffer(frame)).toCompletionStage().toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS);
        }

        void finish() throws Exception {
            request.end().toCompletionStage().toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS);
        }
    }

    /** Opens a session: POST (append) keeps the request open; GET (read) ends it at once. */
    Session open(HttpMethod method, String pathAndQuery, Map<String, String> headers) throws Exception {
        return open(method, pathAndQuery, headers, null);
    }

    /**
     * Opens an append session and writes {@code first} right behind the request head, without
     * waiting for the response head, as the TypeScript SDK does with its first batch.
     */
    Session openWith(String pathAndQuery, Map<String, String> headers, byte[] first) throws Exception {
        return open(HttpMethod.POST, pathAndQuery, headers, first);
    }

    private Session open(HttpMethod method, String pathAndQuery, Map<String, String> headers, byte[] first) throws Exception {
        RequestOptions options = new RequestOptions().setMethod(method).setHost(root.getHost()).setPort(root.getPort())
                .setURI(pathAndQuery).putHeader("content-type", "s2s/proto");
        headers.forEach(options::putHeader);
        HttpClientRequest request = client.request(options).toCompletionStage().toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS);
        Session session = new Session(request);
        var head = request.response().onSuccess(session::attach);
        if (method == HttpMethod.POST) {
            request.setChunked(true);
            request.sendHead().toCompletionStage().toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS);
            if (first != null) {
                request.write(Buffer.buffer(first)).toCompletionStage().toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS);
            }
        } else {
            request.end();
        }
        head.toCompletionStage().toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS);
        return session;
    }

    static byte[] frame(int flags, byte[] payload) {
        byte[] f = new byte[4 + payload.length];
        int length = payload.length + 1;
        f[0] = (byte) (length >>> 16);
        f[1] = (byte) (length >>> 8);
        f[2] = (byte) length;
        f[3] = (byte) flags;
        System.arraycopy(payload, 0, f, 4, payload.length);
        return f;
    }

    /** A regular frame holding an {@code AppendInput} of string bodies. */
    static byte[] appendInput(OptionalLong matchSeqNum, String... bodies) {
        List<AppendRecord> records = java.util.Arrays.stream(bodies)
                .map(b -> new AppendRecord(OptionalLong.empty(), List.of(), b.getBytes(StandardCharsets.UTF_8))).toList();
        return frame(0, ProtoCodec.encodeAppendInput(new AppendBatch(records, matchSeqNum, Optional.empty(), 0)));
    }

    static ProtoCodec.AppendAck ack(Frame f) {
        if (f.terminal() || f == END) {
            throw new AssertionError("expected an ack, got " + (f == END ? "the end" : "terminal " + f.status() + " " + f.json()));
        }
        return ProtoCodec.decodeAppendAck(f.payload());
    }

    static ProtoCodec.ReadBatch batch(Frame f) {
        if (f.terminal() || f == END) {
            throw new AssertionError("expected a batch, got " + (f == END ? "the end" : "terminal " + f.status() + " " + f.json()));
        }
        return ProtoCodec.decodeReadBatch(f.payload());
    }

    @Override
    public void close() throws Exception {
        client.close().toCompletionStage().toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS);
    }
}
