package dev.brook.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.testing.RawHttp;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code brook.http.connections-max} (docs/SECURITY.md): a connection over the cap is closed unanswered. */
@QuarkusTest
@TestProfile(ConnectionCapTest.Three.class)
class ConnectionCapTest {

    public static class Three implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("brook.http.connections-max", "3");
        }
    }

    /** Connections tried while the server notices a closed one (each is refused or served at once). */
    static final int ATTEMPTS_MAX = 1000;

    @TestHTTPResource("/")
    URI root;

    private static final String REQUEST = "GET /health/live HTTP/1.1\r\nhost: localhost\r\n\r\n";

    @Test
    void aConnectionOverTheCapIsClosedAndAFreedSlotIsUsedAgain() throws Exception {
        List<RawHttp> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawHttp c = new RawHttp(root.getPort());
                open.add(c);
                assertEquals(200, c.send(REQUEST).response().status());
            }
            try (RawHttp over = new RawHttp(root.getPort())) {
                over.send(REQUEST);
                assertTrue(over.closedByServer(), "the fourth connection is closed without an answer");
            }
            for (RawHttp c : open) {
                assertEquals(200, c.send(REQUEST).response().status(), "the three keep being served");
            }

            open.remove(0).close();
            // The server learns of the close asynchronously: try until a connection is served (each
            // attempt is answered or closed at once, so this loop waits on the server, not the clock).
            boolean served = false;
            for (int attempt = 0; attempt < ATTEMPTS_MAX && !served; attempt++) {
                try (RawHttp c = new RawHttp(root.getPort())) {
                    c.send(REQUEST);
                    served = !c.closedByServer();
                } catch (java.io.IOException refused) {
                    // closed under the write
                }
            }
            assertTrue(served, "a slot freed by a closed connection is used again");
        } finally {
            for (RawHttp c : open) {
                c.close();
            }
        }
    }
}
