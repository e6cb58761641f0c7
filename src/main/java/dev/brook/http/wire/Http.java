package dev.brook.http.wire;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brook.core.ErrorCode;
import dev.brook.core.Limits;
import dev.brook.core.Names;
import dev.brook.core.S2Error;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/** What every resource needs: JSON in and out, S2's validation errors in S2's words. */
public final class Http {

    /** Rejects content after the document, as S2 does. */
    public static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    public static final String PROVISION_RESULT = "s2-provision-result";
    public static final String REQUEST_TOKEN = "s2-request-token";
    public static final String BASIN_HEADER = "s2-basin";

    private Http() {}

    public static Response json(int status, JsonNode body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(write(body)).build();
    }

    public static Response protobuf(byte[] body) {
        return Response.ok(body, "application/protobuf").build();
    }

    /**
     * {@code bytes} as a buffer to write, without the copy {@code Buffer.buffer(byte[])} makes: read pages and
     * session batches are up to a megabyte, and each copy is one more large allocation per page (docs/LOG.md,
     * "Compaction"). The array must not change afterwards (shared encodings never do).
     */
    public static Buffer wrap(byte[] bytes) {
        return Buffer.buffer(Unpooled.wrappedBuffer(bytes));
    }

    public static Response ok(JsonNode body) {
        return json(200, body);
    }

    /** A 200 with a JSON document already encoded as UTF-8. */
    public static Response okJson(byte[] body) {
        return Response.ok(body, MediaType.APPLICATION_JSON_TYPE).build();
    }

    public static String write(JsonNode body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    /** A JSON document body, or empty for an empty body; syntax errors are bad_json with the parser's message. */
    public static Optional<JsonNode> body(byte[] body) {
        if (body == null || body.length == 0) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(body);
            return n == null || n.isMissingNode() ? Optional.empty() : Optional.of(n);
        } catch (JacksonException e) {
            throw new S2Error(ErrorCode.BAD_JSON, e.getOriginalMessage());
        } catch (IOException e) {
            throw new S2Error(ErrorCode.BAD_JSON, String.valueOf(e.getMessage()));
        }
    }

    /** S2 reads JSON bodies only with a JSON content type (spec §1.5). */
    public static byte[] jsonBody(String contentType, byte[] body) {
        if (body != null && body.length > 0 && !MediaTypes.isJson(contentType)) {
            throw new S2Error(ErrorCode.BAD_JSON, "Expected request with `Content-Type: application/json`");
        }
        return body;
    }

    public static JsonNode requiredBody(byte[] body) {
        return body(body).orElseThrow(() -> new S2Error(ErrorCode.BAD_JSON, "EOF while parsing a value"));
    }

    public static String rfc3339(long ms) {
        return Instant.ofEpochMilli(ms).toString();
    }

    public static void putTime(ObjectNode n, String field, OptionalLong ms) {
        if (ms.isPresent()) {
            n.put(field, rfc3339(ms.getAsLong()));
        } else {
            n.putNull(field);
        }
    }

    /** A name from the path: S2 answers bad_path. */
    public static String pathName(String value, Function<String, Optional<String>> rule) {
        rule.apply(value).ifPresent(problem -> {
            throw new S2Error(ErrorCode.BAD_PATH, problem);
        });
        return value;
    }

    /** The basin of a basin-scoped request: the {@code s2-basin} header, else the first label of a Host in a basin zone. */
    public static String basin(String header, String host, java.util.List<String> zones) {
        if (header != null) {
            Names.basinName(header).ifPresent(problem -> {
                throw new S2Error(ErrorCode.BAD_HEADER, "Invalid header `s2-basin`: " + problem);
            });
            return header;
        }
        if (host != null) {
            String h = host.contains(":") ? host.substring(0, host.lastIndexOf(':')) : host;
            int dot = h.indexOf('.');
            if (dot > 0 && zones.contains(h.substring(dot + 1)) && Names.basinName(h.substring(0, dot)).isEmpty()) {
                return h.substring(0, dot);
            }
        }
        throw new S2Error(ErrorCode.BAD_HEADER, "Missing header `s2-basin`");
    }

    /** The {@code s2-stream-config} header: the config a request auto-creates its stream with. */
    public static dev.brook.core.StreamConfigSpec streamConfigHeader(String header) {
        if (header == null || header.isBlank()) {
            return dev.brook.core.StreamConfigSpec.EMPTY;
        }
        try {
            return dev.brook.engine.ConfigJson.parseSpec(JSON.readTree(header));
        } catch (IOException | S2Error e) {
            throw new S2Error(ErrorCode.BAD_HEADER, "Invalid header `s2-stream-config`: " + e.getMessage());
        }
    }

    /** The {@code s2-encryption-key} header: base64 of 32 bytes, or absent. */
    public static Optional<byte[]> encryptionKey(String header) {
        if (header == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(dev.brook.engine.crypto.RecordCipher.parseKey(header));
        } catch (IllegalArgumentException e) {
            throw new S2Error(ErrorCode.BAD_HEADER, "Invalid header `s2-encryption-key`: " + e.getMessage());
        }
    }

    public static Optional<String> requestToken(String header) {
        if (header == null) {
            return Optional.empty();
        }
        Names.requestToken(header).ifPresent(problem -> {
            throw new S2Error(ErrorCode.BAD_HEADER, "Invalid header `s2-request-token`: " + problem);
        });
        return Optional.of(header);
    }

    /** {@code limit}: default and maximum 1000, 0 meaning 1000 (spec §2.1). */
    public static int limit(String value) {
        if (value == null) {
            return Limits.LIST_LIMIT_MAX;
        }
        long n = unsignedQuery("limit", value);
        return n == 0 || n > Limits.LIST_LIMIT_MAX ? Limits.LIST_LIMIT_MAX : (int) n;
    }

    /** A u64 query value in a long's bits (empty is not a number). */
    public static long u64Query(String name, String value) {
        try {
            return Long.parseUnsignedLong(value.trim());
        } catch (NumberFormatException e) {
            throw new S2Error(ErrorCode.BAD_QUERY, "Invalid query parameter `" + name + "`: expected a non-negative integer, got `"
                    + value + "`");
        }
    }

    /** A u64 query value used as a position or a bound: beyond Long.MAX_VALUE is as good as infinite. */
    public static long unsignedQuery(String name, String value) {
        long n = u64Query(name, value);
        return n < 0 ? Long.MAX_VALUE : n;
    }


    /** A numeric or boolean query parameter given with an empty value is malformed, not absent. */
    public static void rejectEmpty(jakarta.ws.rs.core.UriInfo uri, String... names) {
        for (String name : names) {
            java.util.List<String> values = uri.getQueryParameters().get(name);
            if (values != null && values.stream().anyMatch(v -> v == null || v.isEmpty())) {
                throw new S2Error(ErrorCode.BAD_QUERY, "Invalid query parameter `" + name + "`: empty value");
            }
        }
    }

    public static boolean boolQuery(String name, String value) {
        return switch (value.trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new S2Error(ErrorCode.BAD_QUERY, "Invalid query parameter `" + name + "`: expected true or false, got `"
                    + value + "`");
        };
    }

    public static String query(String name, String value, Function<String, Optional<String>> rule) {
        String v = value == null ? "" : value;
        rule.apply(v).ifPresent(problem -> {
            throw new S2Error(ErrorCode.BAD_QUERY, problem);
        });
        return v;
    }

    /** A hash of a request's configuration, normalised, for idempotent creates. */
    public static String hash(JsonNode normalised) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(write(normalised).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
