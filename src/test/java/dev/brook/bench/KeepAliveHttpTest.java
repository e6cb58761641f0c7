package dev.brook.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The benchmark's keep-alive client reads back-to-back answers of both framings off one stream. */
class KeepAliveHttpTest {

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void contentLengthAndChunkedAnswersFollowEachOther() throws IOException {
        InputStream in = new SequenceInputStream(stream("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nx-other: y\r\n\r\nhello"),
                stream("HTTP/1.1 412 Precondition Failed\r\ntransfer-encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nx-trailer: 1\r\n\r\n"));
        KeepAliveHttp.Response first = KeepAliveHttp.read(in);
        KeepAliveHttp.Response second = KeepAliveHttp.read(in);
        assertEquals(200, first.status());
        assertEquals("hello", first.text());
        assertEquals(412, second.status());
        assertEquals("abcde", second.text());
        assertEquals(-1, in.read(), "the second answer was read to its end and no further");
    }

    @Test
    void aBodyCutShortIsAnError() {
        assertThrows(EOFException.class, () -> KeepAliveHttp.read(stream("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc")));
        assertThrows(IOException.class, () -> KeepAliveHttp.read(stream("SSH-2.0-OpenSSH\r\n\r\n")));
    }

    @Test
    void requestsCarryTheBasinTokenAndLength() {
        KeepAliveHttp http = new KeepAliveHttp(URI.create("http://127.0.0.1:8080"), "bench-basin", "tok");
        byte[] request = http.request("POST", "/v1/streams/s/records", "{\"records\":[]}");
        String text = new String(request, StandardCharsets.UTF_8);
        assertEquals("POST /v1/streams/s/records HTTP/1.1\r\nhost: 127.0.0.1:8080\r\ns2-basin: bench-basin\r\nauthorization: Bearer tok\r\n"
                + "content-type: application/json\r\ncontent-length: 14\r\n\r\n{\"records\":[]}", text);
        assertArrayEquals(request, http.request("POST", "/v1/streams/s/records", "{\"records\":[]}"));
    }
}
