package dev.brook.api;

import static dev.brook.api.Conformance.assertAccepted;
import static dev.brook.api.Conformance.assertBasinInfo;
import static dev.brook.api.Conformance.assertError;
import static dev.brook.api.Conformance.assertJsonEquals;
import static dev.brook.api.Conformance.basin;
import static dev.brook.api.Conformance.basinConfig;
import static dev.brook.api.Conformance.basinPrefix;
import static dev.brook.api.Conformance.createBasin;
import static dev.brook.api.Conformance.deleteBasin;
import static dev.brook.api.Conformance.ensureBasin;
import static dev.brook.api.Conformance.item;
import static dev.brook.api.Conformance.j;
import static dev.brook.api.Conformance.json;
import static dev.brook.api.Conformance.listBasins;
import static dev.brook.api.Conformance.newBasin;
import static dev.brook.api.Conformance.page;
import static dev.brook.api.Conformance.patchBasin;
import static dev.brook.api.Conformance.provisioned;
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
 * Spec §12 A (Basins), one test per checklist item, over HTTP as an SDK sends it. Every test uses
 * basins of its own (the in-memory store is shared by every test of a run); listings filter by a
 * prefix of the test's own.
 */
@QuarkusTest
@TestProfile(Conformance.LongDeletionGrace.class)
class BasinsConformanceTest {

    @Inject
    Janitor janitor;

    private static final String EMPTY_CONFIG = j("{'default_stream_config':null,'stream_cipher':null,"
            + "'create_stream_on_append':false,'create_stream_on_read':false}");

    @Test
    void createBasinWithTokenThenSameTokenAndConfigIsNoop() {
        // "Create basin with token T → created; same name + token T + same config → no-op success (`noop`, same `created_at`, `deleted_at` null)."
        String b = basin("a-idem");
        String config = j("{'create_stream_on_append':true}");
        JsonNode created = provisioned(createBasin(b, config, "token-1"), 201, "created");
        assertBasinInfo(created, b, false);

        JsonNode again = provisioned(createBasin(b, config, "token-1"), 201, "noop");
        assertBasinInfo(again, b, false);
        assertEquals(created.get("created_at"), again.get("created_at"), "created_at of the no-op");

        assertJsonEquals(j("{'default_stream_config':null,'stream_cipher':null,'create_stream_on_append':true,"
                + "'create_stream_on_read':false}"), json(basinConfig(b), 200));
    }

    @Test
    void createBasinSameNameDifferentTokenIsResourceAlreadyExists() {
        // "Same name, different token → 409 `resource_already_exists`."
        String b = basin("a-tok");
        String config = j("{'create_stream_on_append':true}");
        provisioned(createBasin(b, config, "token-1"), 201, "created");
        assertError(createBasin(b, config, "token-2"), 409, "resource_already_exists", "basin `" + b + "` already exists");
    }

    @Test
    void createBasinSameTokenDifferentConfigIsResourceAlreadyExists() {
        // "Same name, same token, different config → 409 `resource_already_exists`."
        String b = basin("a-cfg");
        provisioned(createBasin(b, j("{'create_stream_on_append':true}"), "token-1"), 201, "created");
        assertError(createBasin(b, j("{'create_stream_on_append':false}"), "token-1"), 409, "resource_already_exists",
                "basin `" + b + "` already exists");
        // the stored config is the original one
        assertEquals(true, json(basinConfig(b), 200).get("create_stream_on_append").booleanValue());
    }

    @Test
    void createBasinWithoutTokenWhenBasinExistsIsConflict() {
        // "Create without token when basin exists → 409 (no idempotency without token)."
        String b = basin("a-notok");
        provisioned(createBasin(b, null, null), 201, "created");
        assertError(createBasin(b, null, null), 409, "resource_already_exists", "basin `" + b + "` already exists");

        String withToken = basin("a-notok");
        provisioned(createBasin(withToken, null, "token-1"), 201, "created");
        assertError(createBasin(withToken, null, null), 409, "resource_already_exists", "basin `" + withToken + "` already exists");
    }

    @Test
    void createBasinWithTokenThenEnsureThenSameCreateIsStillNoop() {
        // "Create with token, then PUT (ensure) with changed config, then POST again with original token+config → still no-op success (token survives ensure)."
        String b = basin("a-survive");
        String config = j("{'create_stream_on_append':true}");
        JsonNode created = provisioned(createBasin(b, config, "my-request-token"), 201, "created");
        provisioned(createBasin(b, config, "my-request-token"), 201, "noop");

        JsonNode ensured = provisioned(ensureBasin(b, j("{'config':{'create_stream_on_append':true,'create_stream_on_read':true}}")),
                200, "updated");
        assertBasinInfo(ensured, b, false);

        JsonNode again = provisioned(createBasin(b, config, "my-request-token"), 201, "noop");
        assertEquals(created.get("created_at"), again.get("created_at"), "created_at of the no-op");
        // the no-op did not bring the create's config back
        assertJsonEquals(j("{'default_stream_config':null,'stream_cipher':null,'create_stream_on_append':true,"
                + "'create_stream_on_read':true}"), json(basinConfig(b), 200));
    }

    @Test
    void ensureExistingBasinReplacesConfig() {
        // "PUT ensure on existing basin with new config → config replaced (`create_stream_on_append/read`, default storage class updated as sent)."
        String b = newBasin("a-ens", j("{'create_stream_on_append':false,'create_stream_on_read':false}"));
        String config = j("{'create_stream_on_append':true,'create_stream_on_read':true,"
                + "'default_stream_config':{'storage_class':'standard'}}");
        JsonNode info = provisioned(ensureBasin(b, "{\"config\":" + config + "}"), 200, "updated");
        assertBasinInfo(info, b, false);

        assertJsonEquals(j("{'default_stream_config':{'storage_class':'standard','retention_policy':null,'timestamping':null,"
                + "'delete_on_empty':null},'stream_cipher':null,'create_stream_on_append':true,'create_stream_on_read':true}"),
                json(basinConfig(b), 200));
        // and a create without a token is still not idempotent
        assertError(createBasin(b, config, null), 409, "resource_already_exists", "basin `" + b + "` already exists");
    }

    @Test
    void ensureBasinWithConfigOmittingFieldsResetsThemToDefaults() {
        // "PUT ensure with a config that omits previously set fields → those fields reset to defaults (e.g. default storage class/retention become null, `create_stream_on_append` false)."
        String b = newBasin("a-reset", j("{'create_stream_on_append':true,'create_stream_on_read':false,"
                + "'default_stream_config':{'storage_class':'standard','retention_policy':{'infinite':{}}}}"));
        provisioned(ensureBasin(b, j("{'config':{'create_stream_on_read':true}}")), 200, "updated");
        assertJsonEquals(j("{'default_stream_config':null,'stream_cipher':null,'create_stream_on_append':false,"
                + "'create_stream_on_read':true}"), json(basinConfig(b), 200));
    }

    @Test
    void ensureBasinWithIdenticalExplicitZeroDeleteOnEmptyIsNoop() {
        // "PUT ensure with identical config containing explicit `delete_on_empty.min_age_secs: 0` → `noop`; GET shows `min_age_secs: 0` preserved."
        String config = j("{'default_stream_config':{'delete_on_empty':{'min_age_secs':0}}}");
        String b = newBasin("a-doe0", config);
        JsonNode info = provisioned(ensureBasin(b, "{\"config\":" + config + "}"), 200, "noop");
        assertBasinInfo(info, b, false);
        assertJsonEquals(j("{'default_stream_config':{'storage_class':null,'retention_policy':null,'timestamping':null,"
                + "'delete_on_empty':{'min_age_secs':0}},'stream_cipher':null,'create_stream_on_append':false,"
                + "'create_stream_on_read':false}"), json(basinConfig(b), 200));
    }

    @Test
    void patchBasinNestedDefaultsAndCreateFlagsAreReflected() {
        // "PATCH basin with nested default_stream_config (storage express, retention infinite, timestamping arrival) + both create_stream flags true → response and subsequent GET reflect all values."
        String b = newBasin("a-patch", j("{'default_stream_config':{'storage_class':'standard'}}"));
        JsonNode patched = json(patchBasin(b, j("{'default_stream_config':{'storage_class':'express',"
                + "'retention_policy':{'infinite':{}},'timestamping':{'mode':'arrival'}},"
                + "'create_stream_on_append':true,'create_stream_on_read':true}")), 200);
        String expected = j("{'default_stream_config':{'storage_class':'express','retention_policy':{'infinite':{}},"
                + "'timestamping':{'mode':'arrival','uncapped':null},'delete_on_empty':null},'stream_cipher':null,"
                + "'create_stream_on_append':true,'create_stream_on_read':true}");
        assertJsonEquals(expected, patched);
        assertJsonEquals(expected, json(basinConfig(b), 200));
    }

    @Test
    void deleteBasinThenListedDeletingPatchAndCreateConflictSecondDeleteAccepted() {
        // "DELETE basin → basin still listed with `deleted_at` set; PATCH → 409 `basin_deletion_pending`; POST create same name → 409 `basin_deletion_pending`; second DELETE → 202."
        String b = newBasin("a-del", null);
        assertAccepted(deleteBasin(b));

        JsonNode listing = json(listBasins("prefix=" + b), 200);
        assertEquals(List.of(b), page(listing, "basins", false));
        assertBasinInfo(item(listing, "basins", b), b, true);

        assertError(patchBasin(b, "{}"), 409, "basin_deletion_pending", "basin `" + b + "` is being deleted");
        assertError(createBasin(b, null, null), 409, "basin_deletion_pending", "basin `" + b + "` is being deleted");
        assertAccepted(deleteBasin(b));
    }

    @Test
    void getConfigOfUnknownBasinIsBasinNotFound() {
        // "GET config of unknown basin → 404 `basin_not_found`."
        String b = basin("a-unknown");
        assertError(basinConfig(b), 404, "basin_not_found", "basin `" + b + "` not found");
    }

    @Test
    void deleteUnknownBasinIsBasinNotFound() {
        // "DELETE unknown basin → 404 `basin_not_found`."
        String b = basin("a-unknown");
        assertError(deleteBasin(b), 404, "basin_not_found", "basin `" + b + "` not found");
    }

    @Test
    void listBasinsOnEmptyServerIsEmpty() {
        // "List on empty server → `{"basins":[],"has_more":false}`."
        // The store is shared by every test of the run, so "empty" is a prefix no basin has.
        assertJsonEquals(j("{'basins':[],'has_more':false}"), json(listBasins("prefix=" + basinPrefix("a-none")), 200));
    }

    @Test
    void listFiveBasinsInLexicographicOrder() {
        // "5 basins → listed in lexicographic order, `has_more=false`."
        String p = basinPrefix("a-list");
        for (int i : new int[] {3, 0, 4, 1, 2}) {
            provisioned(createBasin(p + "list-" + i, null, null), 201, "created");
        }
        JsonNode listing = json(listBasins("prefix=" + p), 200);
        assertEquals(List.of(p + "list-0", p + "list-1", p + "list-2", p + "list-3", p + "list-4"), page(listing, "basins", false));
        listing.get("basins").forEach(info -> assertBasinInfo(info, info.get("name").asText(), false));
    }

    @Test
    void listFifteenBasinsInPagesOfFive() {
        // "15 basins, limit 5 → pages of 5 using `start_after` = last name; `has_more` true, true, false."
        String p = basinPrefix("a-pages");
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            all.add(String.format("%spaginated-%02d", p, i));
        }
        for (int i = 14; i >= 0; i--) {
            provisioned(createBasin(all.get(i), null, null), 201, "created");
        }
        List<String> page1 = page(json(listBasins("prefix=" + p + "&limit=5"), 200), "basins", true);
        assertEquals(all.subList(0, 5), page1);
        List<String> page2 = page(json(listBasins("prefix=" + p + "&limit=5&start_after=" + page1.get(4)), 200), "basins", true);
        assertEquals(all.subList(5, 10), page2);
        List<String> page3 = page(json(listBasins("prefix=" + p + "&limit=5&start_after=" + page2.get(4)), 200), "basins", false);
        assertEquals(all.subList(10, 15), page3);
    }

    @Test
    void listBasinsByPrefixReturnsOnlyMatchingBasins() {
        // "Prefix filter `test-basin-prod-` → only the 2 matching basins."
        String p = basinPrefix("a-prefix");
        for (String n : new String[] {"test-basin-dev-1", "test-basin-prod-2", "test-basin-prod", "test-basin-prod-1",
                "test-basin-staging-1", "test-basin-prodx"}) {
            provisioned(createBasin(p + n, null, null), 201, "created");
        }
        assertEquals(List.of(p + "test-basin-prod-1", p + "test-basin-prod-2"),
                page(json(listBasins("prefix=" + p + "test-basin-prod-"), 200), "basins", false));
    }

    @Test
    void listBasinsByPrefixWithPagination() {
        // "Prefix + pagination (10 matching + 1 other, limit 4) → 4, 4 (has_more true), 2 (has_more false)."
        String p = basinPrefix("a-pfxpg");
        List<String> matching = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            matching.add(p + "match-" + i);
        }
        provisioned(createBasin(p + "other-0", null, null), 201, "created");
        for (String n : matching) {
            provisioned(createBasin(n, null, null), 201, "created");
        }
        String q = "prefix=" + p + "match-&limit=4";
        List<String> page1 = page(json(listBasins(q), 200), "basins", true);
        assertEquals(matching.subList(0, 4), page1);
        List<String> page2 = page(json(listBasins(q + "&start_after=" + page1.get(3)), 200), "basins", true);
        assertEquals(matching.subList(4, 8), page2);
        List<String> page3 = page(json(listBasins(q + "&start_after=" + page2.get(3)), 200), "basins", false);
        assertEquals(matching.subList(8, 10), page3);
    }

    // ---------------------------------------------------------------- beyond the §12 A list (spec §3.1, §2.1)

    @Test
    void ensureMissingBasinCreatesIt() {
        // §3.1 PUT: "Missing → create: `201`, `s2-provision-result: created`"; an empty body is the default config.
        String b = basin("a-put-new");
        assertBasinInfo(provisioned(ensureBasin(b, null), 201, "created"), b, false);
        assertJsonEquals(EMPTY_CONFIG, json(basinConfig(b), 200));
        assertBasinInfo(provisioned(ensureBasin(b, null), 200, "noop"), b, false);
    }

    @Test
    void getBasinConfigWhileDeletingStillAnswers() {
        // §3.1 GET: "Lite returns the config even while the basin is being deleted."
        String b = newBasin("a-delcfg", j("{'create_stream_on_read':true}"));
        assertAccepted(deleteBasin(b));
        assertEquals(true, json(basinConfig(b), 200).get("create_stream_on_read").booleanValue());
    }

    @Test
    void deletedBasinNameIsFreeAgainAfterCleanup() {
        // §3.1 DELETE: "...then the basin disappears and the name becomes reusable."
        String b = newBasin("a-reuse", j("{'create_stream_on_append':true}"));
        assertAccepted(deleteBasin(b));
        janitor.cleanBasinNow(b).toCompletableFuture().join();

        assertJsonEquals(j("{'basins':[],'has_more':false}"), json(listBasins("prefix=" + b), 200));
        assertError(basinConfig(b), 404, "basin_not_found", "basin `" + b + "` not found");
        assertError(deleteBasin(b), 404, "basin_not_found", "basin `" + b + "` not found");
        assertBasinInfo(provisioned(createBasin(b, null, null), 201, "created"), b, false);
        assertJsonEquals(EMPTY_CONFIG, json(basinConfig(b), 200));
    }

    @Test
    void listBasinsInByteOrderWhenOneNameExtendsAnotherWithAHyphen() {
        // §2.1: "names ... strictly greater than `start_after`, in ascending byte-lexicographic order."
        String p = basinPrefix("a-hyph");
        String shorter = p + "base";
        String longer = p + "base-x";
        provisioned(createBasin(longer, null, null), 201, "created");
        provisioned(createBasin(shorter, null, null), 201, "created");
        assertEquals(List.of(shorter, longer), page(json(listBasins("prefix=" + p), 200), "basins", false));
        assertEquals(List.of(longer), page(json(listBasins("prefix=" + p + "&start_after=" + shorter), 200), "basins", false));
        assertEquals(List.of(shorter), page(json(listBasins("prefix=" + p + "&limit=1"), 200), "basins", true));
    }
}
