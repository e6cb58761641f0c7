package dev.brook.http.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.brook.core.S2Error;
import dev.brook.http.records.Records;
import dev.brook.store.StoreException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The one mapping from failures to S2's errors, as every transport uses it. */
class RepliesTest {

    static JsonNode json(Replies.Error e) throws Exception {
        return new ObjectMapper().readTree(e.json());
    }

    @Test
    void applicationErrorsKeepTheirCodeStatusAndMessageEvenWhenWrapped() throws Exception {
        Replies.Error e = Replies.of(new CompletionException(new CompletionException(S2Error.streamNotFound("b", "s"))));
        assertEquals(404, e.status());
        assertEquals("stream_not_found", json(e).get("code").asText());
        assertEquals("stream `s` in basin `b` not found", json(e).get("message").asText());
    }

    @Test
    void storageFailuresSayRetryableOrNotWithoutLeakingDetails() throws Exception {
        Replies.Error transientFailure = Replies.of(new StoreException(StoreException.Kind.TRANSIENT, "s3://secret-bucket: timeout"));
        assertEquals(503, transientFailure.status());
        assertEquals("unavailable", json(transientFailure).get("code").asText());
        assertFalse(transientFailure.json().contains("secret-bucket"));
        Replies.Error corrupt = Replies.of(new StoreException(StoreException.Kind.CORRUPT, "object `x` is damaged"));
        assertEquals(500, corrupt.status());
        assertEquals("storage", json(corrupt).get("code").asText());
    }

    @Test
    void unexpectedFailuresAreOtherWithAFreshIncidentNumberAndNoInternals() throws Exception {
        Replies.Error first = Replies.of(new IllegalStateException("a bug with internals in its message"));
        Replies.Error second = Replies.of(new CompletionException(new NullPointerException("more internals")));
        for (Replies.Error e : new Replies.Error[]{first, second}) {
            assertEquals(500, e.status());
            assertEquals("other", json(e).get("code").asText());
            assertTrue(json(e).get("message").asText().matches("internal error \\(incident \\d+ in the server log\\)"), e.json());
            assertFalse(e.json().contains("internals") || e.json().contains("Exception"), e.json());
        }
        assertFalse(first.json().equals(second.json()), "each incident has its own number");
    }

    @Test
    void preconditionAndRangeFailuresCarryTheirStructuredBodies() throws Exception {
        Replies.Error range = Replies.of(new RangeNotSatisfiable(JsonNodeFactory.instance.objectNode().put("seq_num", 5).put("timestamp", 77)));
        assertEquals(416, range.status());
        assertEquals(5, json(range).get("tail").get("seq_num").asLong());
    }
}
