package dev.brook.http;

import dev.brook.http.wire.Compression;
import dev.brook.http.wire.Http;
import dev.brook.http.wire.MediaTypes;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Compresses unary responses over {@value Compression#RESPONSE_COMPRESSION_MIN_BYTES} bytes with
 * zstd or gzip when the client accepts it (spec §1.6); event streams and S2S sessions are never
 * compressed this way.
 */
public class ResponseCompression {

    /** Bodies above this are handed to the connection without a copy ({@link Http#wrap}). */
    static final int LARGE_BYTES = 64 << 10;

    @ServerResponseFilter
    public void compress(ContainerRequestContext request, ContainerResponseContext response) {
        Object entity = response.getEntity();
        byte[] body;
        if (entity instanceof byte[] b) {
            body = b;
        } else if (entity instanceof String s) {
            body = s.getBytes(StandardCharsets.UTF_8);
        } else {
            return;
        }
        String type = response.getMediaType() == null ? "" : response.getMediaType().toString();
        Optional<String> encoding = body.length <= Compression.RESPONSE_COMPRESSION_MIN_BYTES || MediaTypes.isEventStream(type)
                || MediaTypes.isS2s(type) || response.getHeaders().containsKey(HttpHeaders.CONTENT_ENCODING) ? Optional.empty()
                : Compression.chooseResponseEncoding(request.getHeaderString(HttpHeaders.ACCEPT_ENCODING));
        if (encoding.isEmpty()) {
            if (body.length > LARGE_BYTES) {
                // A read page is up to a megabyte: written as a byte[] it would be copied once more on its way out.
                response.setEntity(Http.wrap(body), null, response.getMediaType());
            }
            return;
        }
        response.setEntity(Http.wrap(Compression.encode(encoding.get(), body)), null, response.getMediaType());
        response.getHeaders().putSingle(HttpHeaders.CONTENT_ENCODING, encoding.get());
        response.getHeaders().add(HttpHeaders.VARY, HttpHeaders.ACCEPT_ENCODING);
    }
}
