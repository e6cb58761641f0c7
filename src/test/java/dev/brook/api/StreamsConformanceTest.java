package dev.brook.api;

import static dev.brook.api.Conformance.INFINITE;
import static dev.brook.api.Conformance.KEY;
import static dev.brook.api.Conformance.SEVEN_DAYS;
import static dev.brook.api.Conformance.append;
import static dev.brook.api.Conformance.assertAccepted;
import static dev.brook.api.Conformance.assertError;
import static dev.brook.api.Conformance.assertJsonEquals;
import static dev.brook.api.Conformance.assertStreamInfo;
import static dev.brook.api.Conformance.checkTail;
import static dev.brook.api.Conformance.createStream;
import static dev.brook.api.Conformance.deleteBasin;
import static dev.brook.api.Conformance.deleteStream;
import static dev.brook.api.Conformance.enc;
import static dev.brook.api.Conformance.ensureStream;
import static dev.brook.api.Conformance.inBasin;
import static dev.brook.api.Conformance.item;
import static dev.brook.api.Conformance.j;
import static dev.brook.api.Conformance.json;
import static dev.brook.api.Conformance.listStreams;
import static dev.brook.api.Conformance.newBasin;
import static dev.brook.api.Conformance.newStream;
import static dev.brook.api.Conformance.page;
import static dev.brook.api.Conformance.patchBasin;
import static dev.brook.api.Conformance.patchStream;
import static dev.brook.api.Conformance.provisioned;
import static dev.brook.api.Conformance.read;
import static dev.brook.api.Conformance.resolved;
import static dev.brook.api.Conformance.streamConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brook.engine.Janitor;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Spec §12 B (Streams), one test per checklist item (the last item, a list of four listing cases,
 * is four tests), over HTTP as an SDK sends it. Every test works in basins of its own.
 */
@QuarkusTest
@TestProfile(Conformance.LongDeletionGrace.class)
class StreamsConformanceTest {

    @Inject
    Janitor janitor;

    private static final String DEFAULT_RESOLVED = resolved("express", SEVEN_DAYS, "client-prefer", false, 0);
    private static final String ONE_RECORD = j("{'records':[{'body':'hello'}]}");

    @Test
    void createStreamWithEmptyConfigTakesBasinDefaults() {
        // "Basin defaults {standard, infinite, client-require} + create stream with empty config → GET stream config shows standard / infinite / client-require."
        String b = newBasin("b-defaults", j("{'default_stream_config':{'storage_class':'standard',"
                + "'retention_policy':{'infinite':{}},'timestamping':{'mode':'client-require'}}}"));
        newStream(b, "stream-defaults", "{}");
        assertJsonEquals(resolved("standard", INFINITE, "client-require", false, 0), json(streamConfig(b, "stream-defaults"), 200));
    }

    @Test
    void streamInBasinWithoutCipherIsListedWithNullCipher() {
        // "Stream in basin without cipher → `cipher: null` in listing."
        String b = newBasin("b-nocipher", null);
        assertStreamInfo(provisioned(createStream(b, "plain", null, null), 201, "created"), "plain", null, false);
        assertStreamInfo(item(json(listStreams(b, ""), 200), "streams", "plain"), "plain", null, false);
    }

    @Test
    void streamInBasinWithAegisCipherIsListedWithAegis() {
        // "Basin `stream_cipher: aegis-256` → new stream listed with `cipher: "aegis-256"`."
        String b = newBasin("b-aegis", j("{'stream_cipher':'aegis-256'}"));
        assertStreamInfo(provisioned(createStream(b, "secret", null, null), 201, "created"), "secret", "aegis-256", false);
        assertStreamInfo(item(json(listStreams(b, ""), 200), "streams", "secret"), "secret", "aegis-256", false);
    }

    @Test
    void changingBasinCipherKeepsOldStreamCipherAndAppliesToNewStreams() {
        // "Change basin cipher to aes-256-gcm → old stream keeps aegis-256, new stream gets aes-256-gcm."
        String b = newBasin("b-recipher", j("{'stream_cipher':'aegis-256'}"));
        newStream(b, "before", null);
        JsonNode basinConfig = json(patchBasin(b, j("{'stream_cipher':'aes-256-gcm'}")), 200);
        assertEquals("aes-256-gcm", basinConfig.get("stream_cipher").asText());
        assertStreamInfo(provisioned(createStream(b, "after", null, null), 201, "created"), "after", "aes-256-gcm", false);

        JsonNode listing = json(listStreams(b, ""), 200);
        assertEquals(List.of("after", "before"), page(listing, "streams", false));
        assertStreamInfo(item(listing, "streams", "before"), "before", "aegis-256", false);
        assertStreamInfo(item(listing, "streams", "after"), "after", "aes-256-gcm", false);
    }

    @Test
    void getConfigOfMissingStreamIsStreamNotFound() {
        // "GET config of missing stream → 404 `stream_not_found`."
        String b = newBasin("b-missing", null);
        assertError(streamConfig(b, "nonexistent-stream"), 404, "stream_not_found",
                "stream `nonexistent-stream` in basin `" + b + "` not found");
    }

    @Test
    void createStreamWithTokenIsIdempotentOnlyForSameTokenAndConfig() {
        // "Create with token T → GET shows requested storage class; repeat same token+config → `noop`; different token → 409; same token different config → 409."
        String b = newBasin("b-idem", j("{'default_stream_config':{'storage_class':'standard'}}"));
        String s = "orders/2026";
        String config = j("{'storage_class':'express'}");
        JsonNode created = provisioned(createStream(b, s, config, "stream-token-1"), 201, "created");
        assertStreamInfo(created, s, null, false);
        assertJsonEquals(DEFAULT_RESOLVED, json(streamConfig(b, s), 200));

        JsonNode again = provisioned(createStream(b, s, config, "stream-token-1"), 201, "noop");
        assertStreamInfo(again, s, null, false);
        assertEquals(created.get("created_at"), again.get("created_at"), "created_at of the no-op");

        String exists = "stream `" + s + "` in basin `" + b + "` already exists";
        assertError(createStream(b, s, config, "stream-token-2"), 409, "resource_already_exists", exists);
        assertError(createStream(b, s, j("{'storage_class':'express','timestamping':{'mode':'arrival'}}"), "stream-token-1"), 409,
                "resource_already_exists", exists);
        assertJsonEquals(DEFAULT_RESOLVED, json(streamConfig(b, s), 200));
    }

    @Test
    void createWithTokenThenEnsureResetsUnsetFieldsAndCreateRetryIsStillNoop() {
        // "Create with token (standard), ensure with `{timestamping:{mode:arrival}}` → stored storage_class back to default `express`, mode arrival; original create retry with token T still `noop`."
        String b = newBasin("b-ensure", null);
        String s = "stream-idempotency-key-preserve";
        String config = j("{'storage_class':'standard'}");
        provisioned(createStream(b, s, config, "stream-token-preserve"), 201, "created");
        provisioned(createStream(b, s, config, "stream-token-preserve"), 201, "noop");

        assertStreamInfo(provisioned(ensureStream(b, s, j("{'timestamping':{'mode':'arrival'}}")), 200, "updated"), s, null, false);
        String afterEnsure = resolved("express", SEVEN_DAYS, "arrival", false, 0);
        assertJsonEquals(afterEnsure, json(streamConfig(b, s), 200));

        provisioned(createStream(b, s, config, "stream-token-preserve"), 201, "noop");
        assertJsonEquals(afterEnsure, json(streamConfig(b, s), 200));
    }

    @Test
    void ensureWithSameBodyAsCreateUnderBasinDefaultsIsNoop() {
        // "Basin defaults {express, 10 days}; create stream {standard, infinite}; ensure with the same body → `noop`."
        String b = newBasin("b-effnoop", j("{'default_stream_config':{'storage_class':'express','retention_policy':{'age':864000}}}"));
        String s = "stream-ensure-effective-noop";
        String config = j("{'storage_class':'standard','retention_policy':{'infinite':{}}}");
        newStream(b, s, config);
        assertStreamInfo(provisioned(ensureStream(b, s, config), 200, "noop"), s, null, false);
        assertJsonEquals(resolved("standard", INFINITE, "client-prefer", false, 0), json(streamConfig(b, s), 200));
    }

    @Test
    void explicitZeroDeleteOnEmptyOverridesBasinDefaultAndEnsureIsNoop() {
        // "Basin default DOE 60 s; create stream with explicit `min_age_secs: 0` → stored 0; ensure same → `noop`."
        String b = newBasin("b-doe0", j("{'default_stream_config':{'delete_on_empty':{'min_age_secs':60}}}"));
        String config = j("{'delete_on_empty':{'min_age_secs':0}}");
        newStream(b, "zero", config);
        assertJsonEquals(DEFAULT_RESOLVED, json(streamConfig(b, "zero"), 200));
        assertStreamInfo(provisioned(ensureStream(b, "zero", config), 200, "noop"), "zero", null, false);
        // while a stream without its own value takes the basin's 60 s
        newStream(b, "inherits", null);
        assertJsonEquals(resolved("express", SEVEN_DAYS, "client-prefer", false, 60), json(streamConfig(b, "inherits"), 200));
    }

    @Test
    void createRetryWithTokenIsNoopAfterBasinDefaultsChange() {
        // "Create with token and empty config; change basin defaults; retry create with token → still `noop` (key uses raw request config)."
        String b = newBasin("b-rawkey", null);
        String s = "stream-idempotency-defaults";
        provisioned(createStream(b, s, null, "stream-token-defaults"), 201, "created");
        json(patchBasin(b, j("{'default_stream_config':{'storage_class':'standard'}}")), 200);
        assertStreamInfo(provisioned(createStream(b, s, null, "stream-token-defaults"), 201, "noop"), s, null, false);
        assertJsonEquals(DEFAULT_RESOLVED, json(streamConfig(b, s), 200));
    }

    @Test
    void patchStreamSetsSelectedFields() {
        // "PATCH stream {storage express, retention infinite, timestamping {arrival, uncapped true}} → response and GET reflect them."
        String b = newBasin("b-patch", j("{'default_stream_config':{'storage_class':'standard'}}"));
        String s = "stream-reconfigure";
        newStream(b, s, j("{'retention_policy':{'age':60},'timestamping':{'mode':'client-require'}}"));
        assertJsonEquals(resolved("standard", "{\"age\":60}", "client-require", false, 0), json(streamConfig(b, s), 200));

        JsonNode patched = json(patchStream(b, s, j("{'storage_class':'express','retention_policy':{'infinite':{}},"
                + "'timestamping':{'mode':'arrival','uncapped':true}}")), 200);
        String expected = resolved("express", INFINITE, "arrival", true, 0);
        assertJsonEquals(expected, patched);
        assertJsonEquals(expected, json(streamConfig(b, s), 200));
    }

    @Test
    void patchStreamWithEveryFieldNullFallsBackToBasinDefaults() {
        // "Basin defaults {standard, infinite, arrival, uncapped true, DOE 300}; stream created with explicit different values; PATCH every field `null` (timestamping {mode:null, uncapped:null}, delete_on_empty {min_age_secs:null}) → config equals basin defaults; GET equals PATCH response."
        String b = newBasin("b-nulls", j("{'default_stream_config':{'storage_class':'standard','retention_policy':{'infinite':{}},"
                + "'timestamping':{'mode':'arrival','uncapped':true},'delete_on_empty':{'min_age_secs':300}}}"));
        String s = "stream-reconfigure-clear-defaults";
        newStream(b, s, j("{'storage_class':'express','retention_policy':{'age':60},"
                + "'timestamping':{'mode':'client-require','uncapped':false},'delete_on_empty':{'min_age_secs':0}}"));
        assertJsonEquals(resolved("express", "{\"age\":60}", "client-require", false, 0), json(streamConfig(b, s), 200));

        JsonNode patched = json(patchStream(b, s, j("{'storage_class':null,'retention_policy':null,"
                + "'timestamping':{'mode':null,'uncapped':null},'delete_on_empty':{'min_age_secs':null}}")), 200);
        assertJsonEquals(resolved("standard", INFINITE, "arrival", true, 300), patched);
        assertEquals(patched, json(streamConfig(b, s), 200));
    }

    @Test
    void patchToClientRequireMakesNextAppendWithoutTimestampInvalid() {
        // "Stream with records; PATCH timestamping mode client-require → next append without timestamp fails 422 `invalid`."
        String b = newBasin("b-patchreq", null);
        String s = "stream-reconfigure-active";
        newStream(b, s, null);
        json(append(b, s, j("{'records':[{'body':'seed'}]}")), 200);

        json(patchStream(b, s, j("{'timestamping':{'mode':'client-require'}}")), 200);
        json(checkTail(b, s), 200);
        assertError(append(b, s, j("{'records':[{'body':'missing timestamp'}]}")), 422, "invalid");
        // the same append with a timestamp is accepted: the rejection was about the timestamp
        json(append(b, s, "{\"records\":[{\"body\":\"stamped\",\"timestamp\":" + System.currentTimeMillis() + "}]}"), 200);
    }

    @Test
    void ensureToClientRequireMakesNextAppendWithoutTimestampInvalid() {
        // "Same via PUT ensure with client-require → next append without timestamp fails 422."
        String b = newBasin("b-ensurereq", null);
        String s = "stream-ensure-active";
        newStream(b, s, null);
        json(append(b, s, j("{'records':[{'body':'seed'}]}")), 200);

        provisioned(ensureStream(b, s, j("{'timestamping':{'mode':'client-require'}}")), 200, "updated");
        json(checkTail(b, s), 200);
        assertError(append(b, s, j("{'records':[{'body':'missing timestamp'}]}")), 422, "invalid");
        json(append(b, s, "{\"records\":[{\"body\":\"stamped\",\"timestamp\":" + System.currentTimeMillis() + "}]}"), 200);
    }

    @Test
    void createStreamInDeletingBasinIsBasinDeletionPending() {
        // "Delete basin, then create stream in it → 409 `basin_deletion_pending`."
        String b = newBasin("b-basindel", null);
        assertAccepted(deleteBasin(b));
        assertError(createStream(b, "blocked", null, null), 409, "basin_deletion_pending", "basin `" + b + "` is being deleted");
    }

    @Test
    void deleteStreamThenListedDeletingCreateAndPatchConflictSecondDeleteAccepted() {
        // "Stream with data; DELETE → listed with `deleted_at`; create same name → 409 `stream_deletion_pending`; PATCH → 409 `stream_deletion_pending`; second DELETE → 202."
        String b = newBasin("b-del", null);
        String s = "orders/2026";
        newStream(b, s, null);
        json(append(b, s, j("{'records':[{'body':'seed data'}]}")), 200);
        assertAccepted(deleteStream(b, s));

        JsonNode listing = json(listStreams(b, ""), 200);
        assertEquals(List.of(s), page(listing, "streams", false));
        assertStreamInfo(item(listing, "streams", s), s, null, true);

        String pending = "stream `" + s + "` in basin `" + b + "` is being deleted";
        assertError(createStream(b, s, null, null), 409, "stream_deletion_pending", pending);
        assertError(patchStream(b, s, "{}"), 409, "stream_deletion_pending", pending);
        assertAccepted(deleteStream(b, s));
    }

    @Test
    void deleteEncryptedStreamWorksWithoutKey() {
        // "DELETE of an encrypted stream works without an encryption key."
        String b = newBasin("b-delenc", j("{'stream_cipher':'aegis-256'}"));
        String s = "stream-delete-encrypted-only";
        newStream(b, s, null);
        json(inBasin(b, j("{'records':[{'body':'secret'}]}")).header("s2-encryption-key", KEY)
                .post("/v1/streams/" + enc(s) + "/records"), 200);

        assertAccepted(deleteStream(b, s));
        assertStreamInfo(item(json(listStreams(b, ""), 200), "streams", s), s, "aegis-256", true);
    }

    @Test
    void deletedStreamRejectsCheckTailAppendAndRead() {
        // "After DELETE: check-tail, append, read → 409 `stream_deletion_pending`."
        String b = newBasin("b-deldata", null);
        String s = "stream-delete-blocks";
        newStream(b, s, null);
        json(append(b, s, ONE_RECORD), 200);
        json(read(b, s, "seq_num=0"), 200);
        assertAccepted(deleteStream(b, s));

        String pending = "stream `" + s + "` in basin `" + b + "` is being deleted";
        assertError(checkTail(b, s), 409, "stream_deletion_pending", pending);
        assertError(append(b, s, j("{'records':[{'body':'should fail'}]}")), 409, "stream_deletion_pending", pending);
        assertError(read(b, s, "seq_num=0"), 409, "stream_deletion_pending", pending);
    }

    @Test
    void getConfigOfDeletingStreamIsStreamDeletionPending() {
        // "GET config of deleting stream → 409 `stream_deletion_pending`."
        String b = newBasin("b-delcfg", null);
        String s = "stream-delete-config";
        newStream(b, s, null);
        assertAccepted(deleteStream(b, s));
        assertError(streamConfig(b, s), 409, "stream_deletion_pending", "stream `" + s + "` in basin `" + b + "` is being deleted");
    }

    @Test
    void deleteMissingStreamIsStreamNotFound() {
        // "DELETE missing stream → 404 `stream_not_found`."
        String b = newBasin("b-delmiss", null);
        assertError(deleteStream(b, "missing"), 404, "stream_not_found", "stream `missing` in basin `" + b + "` not found");
    }

    @Test
    void listStreamsOfEmptyBasinIsEmpty() {
        // "List empty basin → empty, has_more false; ..."
        String b = newBasin("b-empty", null);
        assertJsonEquals(j("{'streams':[],'has_more':false}"), json(listStreams(b, ""), 200));
    }

    @Test
    void listFiveStreamsInLexicographicOrder() {
        // "...; 5 streams → lexicographic; ..."
        String b = newBasin("b-list5", null);
        for (int i : new int[] {3, 0, 4, 1, 2}) {
            newStream(b, "list-" + i, null);
        }
        JsonNode listing = json(listStreams(b, ""), 200);
        assertEquals(List.of("list-0", "list-1", "list-2", "list-3", "list-4"), page(listing, "streams", false));
        listing.get("streams").forEach(info -> assertStreamInfo(info, info.get("name").asText(), null, false));
    }

    @Test
    void listTwelveStreamsInPagesOfFive() {
        // "...; 12 streams limit 5 → 5/5/2 with has_more true/true/false; ..."
        String b = newBasin("b-list12", null);
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            all.add(String.format("page/%02d", i));
        }
        for (int i = 11; i >= 0; i--) {
            newStream(b, all.get(i), null);
        }
        List<String> page1 = page(json(listStreams(b, "limit=5"), 200), "streams", true);
        assertEquals(all.subList(0, 5), page1);
        List<String> page2 = page(json(listStreams(b, "limit=5&start_after=" + enc(page1.get(4))), 200), "streams", true);
        assertEquals(all.subList(5, 10), page2);
        List<String> page3 = page(json(listStreams(b, "limit=5&start_after=" + enc(page2.get(4))), 200), "streams", false);
        assertEquals(all.subList(10, 12), page3);
    }

    @Test
    void listStreamsByPrefixReturnsOnlyMatchingStreams() {
        // "...; prefix `test-stream-metrics-` → only the two metrics streams."
        String b = newBasin("b-prefix", null);
        for (String s : new String[] {"test-stream-metrics-mem", "test-stream-logs-app", "test-stream-metrics", "test-stream-metrics-cpu",
                "test-stream-metricsx", "other"}) {
            newStream(b, s, null);
        }
        assertEquals(List.of("test-stream-metrics-cpu", "test-stream-metrics-mem"),
                page(json(listStreams(b, "prefix=test-stream-metrics-"), 200), "streams", false));
    }

    // ---------------------------------------------------------------- beyond the §12 B list (spec §3.2, §2.1)

    @Test
    void ensureMissingStreamCreatesItWithBasinDefaults() {
        // §3.2 PUT: "create → `201 created`; exists and equal → `200 noop`"; the body is the StreamConfig itself.
        String b = newBasin("b-putnew", j("{'default_stream_config':{'retention_policy':{'infinite':{}}}}"));
        assertStreamInfo(provisioned(ensureStream(b, "a/b", j("{'storage_class':'standard'}")), 201, "created"), "a/b", null, false);
        assertJsonEquals(resolved("standard", INFINITE, "client-prefer", false, 0), json(streamConfig(b, "a/b"), 200));
        provisioned(ensureStream(b, "a/b", j("{'storage_class':'standard'}")), 200, "noop");
        // no body: the basin defaults and system defaults
        provisioned(ensureStream(b, "a/b", null), 200, "updated");
        assertJsonEquals(resolved("express", INFINITE, "client-prefer", false, 0), json(streamConfig(b, "a/b"), 200));
    }

    @Test
    void deletedStreamNameIsFreeAgainAfterCleanup() {
        // §3.2 DELETE: "is removed in the background (then the name can be re-created)."
        String b = newBasin("b-reuse", null);
        String s = "reused/name";
        provisioned(createStream(b, s, j("{'storage_class':'standard'}"), "t"), 201, "created");
        json(append(b, s, ONE_RECORD), 200);
        assertAccepted(deleteStream(b, s));
        janitor.cleanStreamNow(b, s).toCompletableFuture().join();

        assertJsonEquals(j("{'streams':[],'has_more':false}"), json(listStreams(b, ""), 200));
        assertError(streamConfig(b, s), 404, "stream_not_found", "stream `" + s + "` in basin `" + b + "` not found");
        assertError(deleteStream(b, s), 404, "stream_not_found", "stream `" + s + "` in basin `" + b + "` not found");

        // the same token and config create a new stream, not a no-op on the deleted one
        assertStreamInfo(provisioned(createStream(b, s, j("{'storage_class':'standard'}"), "t"), 201, "created"), s, null, false);
        assertJsonEquals(j("{'tail':{'seq_num':0,'timestamp':0}}"), json(checkTail(b, s), 200));
    }

    @Test
    void listStreamsInUtf8ByteOrderForStartAfter() {
        // §2.1: "strictly greater than `start_after`, in ascending byte-lexicographic order" (UTF-8 bytes, not UTF-16 units).
        String b = newBasin("b-utf8", null);
        String fullwidthA = "\uFF21"; // EF BC A1
        String emoji = "\uD83D\uDE00"; // F0 9F 98 80: after U+FF21 in UTF-8, before it in UTF-16
        newStream(b, emoji, null);
        newStream(b, fullwidthA, null);
        assertEquals(List.of(fullwidthA, emoji), page(json(listStreams(b, ""), 200), "streams", false));
        assertEquals(List.of(emoji), page(json(listStreams(b, "start_after=" + enc(fullwidthA)), 200), "streams", false));
    }

    @Test
    void listLongStreamNamesInByteOrder() {
        // §2.1 with names of 125+ bytes (1-512 bytes are valid): a name sorts before its extensions.
        String b = newBasin("b-long", null);
        String shorter = "a".repeat(125);
        String longer = shorter + "A";
        newStream(b, longer, null);
        newStream(b, shorter, null);
        assertEquals(List.of(shorter, longer), page(json(listStreams(b, ""), 200), "streams", false));
        assertEquals(List.of(longer), page(json(listStreams(b, "start_after=" + shorter), 200), "streams", false));
    }
}
