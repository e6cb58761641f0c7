package dev.brook.api;

import static dev.brook.api.DataPlaneApi.assertError;
import static dev.brook.api.DataPlaneApi.basinScoped;
import static dev.brook.api.DataPlaneApi.bodies;
import static dev.brook.api.DataPlaneApi.bytes;
import static dev.brook.api.DataPlaneApi.createBasin;
import static dev.brook.api.DataPlaneApi.enc;
import static dev.brook.api.DataPlaneApi.raw;
import static dev.brook.api.DataPlaneApi.reply;
import static dev.brook.api.DataPlaneApi.streamNames;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Stream names S2 accepts (up to 512 bytes) whose storage keys would be too long in a long basin
 * are refused like any invalid name (docs/SECURITY.md): 400 with bad_json in a body,
 * bad_path in a path, on every route that names a stream, and nothing is created.
 */
@QuarkusTest
class StorageKeyLimitsApiTest {

    private static final String TOO_LONG = "s".repeat(512);
    private static final String MESSAGE_START = "stream name must not exceed 509 bytes in length in basin `";

    /** A 48-byte basin that auto-creates streams on append and on read. */
    private static String longBasin() {
        String basin = ("key-limits-" + UUID.randomUUID().toString().replace("-", "") + "x".repeat(48)).substring(0, 48);
        return createBasin(basin, "{\"create_stream_on_append\":true,\"create_stream_on_read\":true}");
    }

    private static void assertRefused(DataPlaneApi.Reply r, String code) {
        String message = assertError(r, 400, code, null).get("message").asText();
        assertEquals(MESSAGE_START, message.substring(0, Math.min(message.length(), MESSAGE_START.length())), message);
    }

    @Test
    void everyRouteThatNamesAStreamRefusesANameWhoseKeysWouldNotFit() {
        String basin = longBasin();
        String path = "/v1/streams/" + enc(TOO_LONG);
        byte[] create = ("{\"stream\":\"" + TOO_LONG + "\"}").getBytes(StandardCharsets.UTF_8);

        assertRefused(reply(basinScoped(basin).contentType("application/json").body(create).post("/v1/streams")), "bad_json");
        assertRefused(reply(basinScoped(basin).contentType("application/json").body("{}").put(path)), "bad_path");
        assertRefused(reply(basinScoped(basin).get(path)), "bad_path");
        assertRefused(reply(basinScoped(basin).delete(path)), "bad_path");
        assertRefused(reply(basinScoped(basin).contentType("application/json").body(bytes(bodies("a"))).post(path + "/records")),
                "bad_path");
        assertRefused(reply(basinScoped(basin).get(path + "/records?seq_num=0")), "bad_path");
        assertRefused(reply(basinScoped(basin).get(path + "/records/tail")), "bad_path");
        assertRefused(raw("GET", path + "/records?seq_num=0", Map.of("s2-basin", basin, "accept", "text/event-stream"), null),
                "bad_path");

        assertEquals(List.of(), streamNames(basin), "nothing was created");
        // One byte shorter fits: created by the append.
        String fits = "s".repeat(509);
        assertEquals(200, reply(basinScoped(basin).contentType("application/json").body(bytes(bodies("a")))
                .post("/v1/streams/" + enc(fits) + "/records")).status());
        assertEquals(List.of(fits), streamNames(basin));
    }
}
