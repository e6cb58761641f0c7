package dev.brook.core.auth;

import static dev.brook.core.auth.AuthFixtures.NOW_MS;
import static dev.brook.core.auth.AuthFixtures.exact;
import static dev.brook.core.auth.AuthFixtures.prefix;
import static dev.brook.core.auth.AuthFixtures.scope;
import static dev.brook.core.auth.AuthFixtures.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TokenRulesTest {

    static final String ID_EMPTY = "access token id must not be empty";
    static final String ID_DOTS = "access token id must not be \".\" or \"..\"";
    static final String ID_TOO_LONG = "access token id must not exceed 96 bytes in length";
    static final String PERMISSIONS_EMPTY = "Access token permissions cannot be empty";
    static final String AUTO_PREFIX = "Auto prefixing is only allowed for streams with prefix matching";
    static final String NOT_FUTURE = "expires_at must be in the future";

    static final Scope READ_ONLY = AuthFixtures.ops(Operation.READ);
    static final Scope NOTHING = AuthFixtures.groups(OpGroups.NONE);

    static Stream<Arguments> invalidSpecs() {
        return Stream.of(
                arguments("a plain token", spec("user/1", READ_ONLY, false, null), ok()),
                arguments("one byte id", spec("a", READ_ONLY, false, null), ok()),
                arguments("three dots", spec("...", READ_ONLY, false, null), ok()),
                arguments("96 bytes", spec("a".repeat(96), READ_ONLY, false, null), ok()),
                arguments("48 two-byte chars are 96 bytes", spec("é".repeat(48), READ_ONLY, false, null), ok()),
                arguments("empty id", spec("", READ_ONLY, false, null), err(ID_EMPTY)),
                arguments("dot", spec(".", READ_ONLY, false, null), err(ID_DOTS)),
                arguments("two dots", spec("..", READ_ONLY, false, null), err(ID_DOTS)),
                arguments("97 bytes", spec("a".repeat(97), READ_ONLY, false, null), err(ID_TOO_LONG)),
                arguments("33 three-byte chars are 99 bytes", spec("€".repeat(33), READ_ONLY, false, null), err(ID_TOO_LONG)),
                arguments("no groups and no ops", spec("t", NOTHING, false, null), err(PERMISSIONS_EMPTY)),
                arguments("a group alone is enough", spec("t", AuthFixtures.groups(
                        AuthFixtures.SINGLE_GROUPS.get(AuthFixtures.BASIN_WRITE)), false, null), ok()),
                arguments("empty sets are not empty permissions", spec("t", new Scope(ResourceSet.NONE, ResourceSet.NONE,
                        ResourceSet.NONE, OpGroups.NONE, Set.of(Operation.READ)), false, null), ok()),
                arguments("auto-prefix with a prefix", spec("t", streams(prefix("t/")), true, null), ok()),
                arguments("auto-prefix with the empty prefix", spec("t", streams(prefix("")), true, null), ok()),
                arguments("auto-prefix with an exact stream", spec("t", streams(exact("t/a")), true, null), err(AUTO_PREFIX)),
                arguments("auto-prefix with no streams", spec("t", streams(ResourceSet.NONE), true, null), err(AUTO_PREFIX)),
                arguments("an exact stream without auto-prefix", spec("t", streams(exact("t/a")), false, null), ok()),
                arguments("the id is checked first", spec("", NOTHING, true, null), err(ID_EMPTY)),
                arguments("permissions before auto-prefix", spec("t", new Scope(ResourceSet.ALL, ResourceSet.NONE,
                        ResourceSet.ALL, OpGroups.NONE, Set.of()), true, null), err(PERMISSIONS_EMPTY)),
                arguments("an expiry in the past is not checked without a clock", spec("t", READ_ONLY, false, 0L), ok()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSpecs")
    void invalid(String what, TokenSpec spec, Optional<String> expected) {
        assertEquals(expected, TokenRules.invalid(spec));
    }

    static Stream<Arguments> invalidAt() {
        return Stream.of(
                arguments("no expiry", spec("t", READ_ONLY, false, null), ok()),
                arguments("a millisecond from now", spec("t", READ_ONLY, false, NOW_MS + 1), ok()),
                arguments("now", spec("t", READ_ONLY, false, NOW_MS), err(NOT_FUTURE)),
                arguments("in the past", spec("t", READ_ONLY, false, NOW_MS - 1), err(NOT_FUTURE)),
                arguments("at the epoch", spec("t", READ_ONLY, false, 0L), err(NOT_FUTURE)),
                arguments("the other rules come first", spec("t", NOTHING, false, NOW_MS), err(PERMISSIONS_EMPTY)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidAt")
    void invalidAtATime(String what, TokenSpec spec, Optional<String> expected) {
        assertEquals(expected, TokenRules.invalid(spec, NOW_MS));
    }

    static final long REQUESTER_EXPIRY_MS = 10_000;

    /** Reads and writes streams under t/ in team- basins, lists and issues tokens under team/. */
    static final Scope REQUESTER_SCOPE = scope(prefix("team-"), prefix("t/"), prefix("team/"),
            new OpGroups(false, false, true, false, true, true), Operation.ISSUE_ACCESS_TOKEN, Operation.LIST_ACCESS_TOKENS);
    static final TokenSpec REQUESTER = spec("team/admin", REQUESTER_SCOPE, false, REQUESTER_EXPIRY_MS);
    static final TokenSpec AUTO_PREFIX_REQUESTER = spec("team/admin", REQUESTER_SCOPE, true, REQUESTER_EXPIRY_MS);
    static final TokenSpec FOREVER_REQUESTER = spec("team/admin", REQUESTER_SCOPE, false, null);

    static final String OPS = "access token cannot be granted operations the requester is not permitted: ";
    static final String BASINS = "access token basins scope exceeds the requester's";
    static final String STREAMS = "access token streams scope exceeds the requester's";
    static final String TOKENS = "access token access_tokens scope exceeds the requester's";
    static final String LATER = "access token cannot expire later than the requester's token";
    static final String MUST_EXPIRE = "access token must expire, since the requester's token does";
    static final String MUST_AUTO_PREFIX = "access token must auto-prefix streams, since the requester's token does";
    static final String EXPIRED = "the requesting access token has expired";

    static Stream<Arguments> escalations() {
        OpGroups streamRw = new OpGroups(false, false, false, false, true, true);
        return Stream.of(
                arguments("the same token", REQUESTER, spec("team/a", REQUESTER_SCOPE, false, REQUESTER_EXPIRY_MS), ok()),
                arguments("less of everything", REQUESTER, spec("team/a", scope(exact("team-one"), exact("t/x"),
                        ResourceSet.NONE, OpGroups.NONE, Operation.READ), false, 5_000L), ok()),
                arguments("one more op", REQUESTER, with(REQUESTER_SCOPE, streamRw, Operation.CREATE_STREAM),
                        err(OPS + "create-stream")),
                arguments("a wider group, its new ops listed in order", REQUESTER,
                        with(REQUESTER_SCOPE, new OpGroups(false, false, false, true, true, true)),
                        err(OPS + "create-stream, delete-stream, reconfigure-stream")),
                arguments("account read for list-access-tokens widens to the group", REQUESTER,
                        with(REQUESTER_SCOPE, new OpGroups(true, false, false, false, false, false)),
                        err(OPS + "list-basins, account-metrics, list-locations, get-default-location")),
                arguments("every basin", REQUESTER, sets(prefix(""), prefix("t/"), prefix("team/")), err(BASINS)),
                arguments("a shorter basin prefix", REQUESTER, sets(prefix("team"), prefix("t/"), prefix("team/")), err(BASINS)),
                arguments("a basin outside", REQUESTER, sets(exact("other-basin"), prefix("t/"), prefix("team/")), err(BASINS)),
                arguments("a basin inside", REQUESTER, sets(exact("team-basin"), prefix("t/"), prefix("team/")), ok()),
                arguments("every stream", REQUESTER, sets(prefix("team-"), prefix(""), prefix("team/")), err(STREAMS)),
                arguments("a stream outside", REQUESTER, sets(prefix("team-"), exact("u/x"), prefix("team/")), err(STREAMS)),
                arguments("a longer stream prefix", REQUESTER, sets(prefix("team-"), prefix("t/x/"), prefix("team/")), ok()),
                arguments("every token", REQUESTER, sets(prefix("team-"), prefix("t/"), prefix("")), err(TOKENS)),
                arguments("a token outside", REQUESTER, sets(prefix("team-"), prefix("t/"), exact("root")), err(TOKENS)),
                arguments("a later expiry", REQUESTER, spec("team/a", REQUESTER_SCOPE, false, REQUESTER_EXPIRY_MS + 1),
                        err(LATER)),
                arguments("no expiry under an expiring requester", REQUESTER, spec("team/a", REQUESTER_SCOPE, false, null),
                        err(MUST_EXPIRE)),
                arguments("no expiry under a requester without one", FOREVER_REQUESTER,
                        spec("team/a", REQUESTER_SCOPE, false, null), ok()),
                arguments("any expiry under a requester without one", FOREVER_REQUESTER,
                        spec("team/a", REQUESTER_SCOPE, false, Long.MAX_VALUE), ok()),
                arguments("auto-prefix dropped", AUTO_PREFIX_REQUESTER,
                        spec("team/a", REQUESTER_SCOPE, false, REQUESTER_EXPIRY_MS), err(MUST_AUTO_PREFIX)),
                arguments("auto-prefix kept on a narrower prefix", AUTO_PREFIX_REQUESTER, spec("team/a",
                        sets(prefix("team-"), prefix("t/x/"), prefix("team/")).scope(), true, REQUESTER_EXPIRY_MS), ok()),
                arguments("auto-prefix kept on a wider prefix", AUTO_PREFIX_REQUESTER, spec("team/a",
                        sets(prefix("team-"), prefix(""), prefix("team/")).scope(), true, REQUESTER_EXPIRY_MS), err(STREAMS)),
                arguments("auto-prefix added", REQUESTER, spec("team/a", REQUESTER_SCOPE, true, REQUESTER_EXPIRY_MS), ok()),
                arguments("ops before sets", REQUESTER, spec("team/a", Scope.ADMIN, false, REQUESTER_EXPIRY_MS),
                        err(OPS + "list-basins, create-basin, delete-basin, reconfigure-basin, revoke-access-token, "
                                + "create-stream, delete-stream, reconfigure-stream, account-metrics, list-locations, "
                                + "get-default-location, set-default-location")),
                arguments("scope before expiry", REQUESTER, spec("team/a", sets(prefix(""), prefix("t/"), prefix("team/"))
                        .scope(), false, null), err(BASINS)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("escalations")
    void escalation(String what, TokenSpec requester, TokenSpec requested, Optional<String> expected) {
        assertEquals(expected, TokenRules.escalation(requested, requester, NOW_MS));
    }

    @Test
    void aRequesterIsAliveUntilItsExpiry() {
        TokenSpec requested = spec("team/a", scope(prefix("team-"), prefix("t/"), prefix("team/"), OpGroups.NONE,
                Operation.READ), false, 5_000L);
        assertEquals(Optional.empty(), TokenRules.escalation(requested, REQUESTER, REQUESTER_EXPIRY_MS - 1));
        assertEquals(Optional.of(EXPIRED), TokenRules.escalation(requested, REQUESTER, REQUESTER_EXPIRY_MS));
    }

    @Test
    void aMissingExpiryDefaultsToTheRequesters() {
        TokenSpec requested = spec("team/a", READ_ONLY, true, null);
        assertEquals(spec("team/a", READ_ONLY, true, REQUESTER_EXPIRY_MS), TokenRules.withDefaults(requested, REQUESTER));
        assertEquals(requested, TokenRules.withDefaults(requested, FOREVER_REQUESTER));
    }

    @Test
    void aGivenExpiryIsKeptEvenWhenLaterSoEscalationCanRefuseIt() {
        TokenSpec later = spec("team/a", READ_ONLY, false, REQUESTER_EXPIRY_MS + 1);
        assertEquals(later, TokenRules.withDefaults(later, REQUESTER));
        TokenSpec earlier = spec("team/a", READ_ONLY, false, 2_000L);
        assertEquals(earlier, TokenRules.withDefaults(earlier, REQUESTER));
    }

    static final Scope PREFIXED = streams(prefix("t/"));

    static Stream<String> clientNames() {
        return Stream.of("a", "x/y", "...", "é€", "t/", " ", "a".repeat(510));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @MethodSource("clientNames")
    void autoPrefixRoundTrips(String clientName) {
        String stored = TokenRules.toStored(clientName, PREFIXED, true);
        assertEquals("t/" + clientName, stored);
        assertEquals(Optional.of(clientName), TokenRules.toClient(stored, PREFIXED, true));
    }

    static Stream<Arguments> storedToClient() {
        return Stream.of(
                arguments("another namespace", "u/a", true, Optional.empty()),
                arguments("the prefix without its slash", "t", true, Optional.empty()),
                arguments("the bare prefix", "t/", true, Optional.empty()),
                arguments("the prefix and a dot", "t/.", true, Optional.empty()),
                arguments("the prefix and two dots", "t/..", true, Optional.empty()),
                arguments("the prefix twice strips once", "t/t/a", true, Optional.of("t/a")),
                arguments("without auto-prefix names are unchanged", "u/a", false, Optional.of("u/a")),
                arguments("without auto-prefix the prefix stays", "t/a", false, Optional.of("t/a")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("storedToClient")
    void toClient(String what, String stored, boolean autoPrefix, Optional<String> expected) {
        assertEquals(expected, TokenRules.toClient(stored, PREFIXED, autoPrefix));
    }

    @Test
    void withoutAutoPrefixNamesAndListingArgumentsAreUnchanged() {
        Scope exactStream = streams(exact("s"));
        assertEquals("s", TokenRules.toStored("s", exactStream, false));
        assertEquals("p", TokenRules.storedPrefix("p", exactStream, false));
        assertEquals("", TokenRules.storedStartAfter("", exactStream, false));
    }

    @Test
    void autoPrefixWithoutAStreamsPrefixIsAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> TokenRules.toStored("a", streams(exact("t/a")), true));
        assertThrows(IllegalArgumentException.class, () -> TokenRules.toClient("t/a", streams(ResourceSet.NONE), true));
    }

    static final List<String> STORED = List.of("s/z", "t/", "t/.", "t/a", "t/b", "t/ba", "t/bb", "t/c", "u/b");

    static Stream<Arguments> listings() {
        return Stream.of(
                arguments("", "", List.of("a", "b", "ba", "bb", "c")),
                arguments("b", "", List.of("b", "ba", "bb")),
                arguments("b", "b", List.of("ba", "bb")),
                arguments("", "ba", List.of("bb", "c")),
                arguments("", "c", List.of()),
                arguments("z", "", List.of()));
    }

    /** A listing in stored names, with the prefix and start_after mapped, then stripped, is the client's listing. */
    @ParameterizedTest(name = "prefix \"{0}\" start_after \"{1}\"")
    @MethodSource("listings")
    void autoPrefixedListings(String clientPrefix, String clientStartAfter, List<String> expected) {
        String prefix = TokenRules.storedPrefix(clientPrefix, PREFIXED, true);
        String startAfter = TokenRules.storedStartAfter(clientStartAfter, PREFIXED, true);
        List<String> listed = STORED.stream()
                .filter(name -> name.startsWith(prefix) && name.compareTo(startAfter) > 0)
                .sorted()
                .flatMap(name -> TokenRules.toClient(name, PREFIXED, true).stream())
                .toList();
        assertEquals(expected, listed);
    }

    private static Scope streams(ResourceSet streams) {
        return new Scope(ResourceSet.ALL, streams, ResourceSet.ALL, OpGroups.ALL, Set.of());
    }

    private static TokenSpec with(Scope base, OpGroups groups, Operation... ops) {
        Scope scope = scope(base.basins(), base.streams(), base.accessTokens(), groups, ops);
        return new TokenSpec("team/a", scope, false, OptionalLong.of(REQUESTER_EXPIRY_MS));
    }

    private static TokenSpec sets(ResourceSet basins, ResourceSet streams, ResourceSet tokens) {
        Scope scope = new Scope(basins, streams, tokens, REQUESTER_SCOPE.opGroups(), REQUESTER_SCOPE.ops());
        return new TokenSpec("team/a", scope, false, OptionalLong.of(REQUESTER_EXPIRY_MS));
    }

    private static Optional<String> ok() {
        return Optional.empty();
    }

    private static Optional<String> err(String message) {
        return Optional.of(message);
    }
}
