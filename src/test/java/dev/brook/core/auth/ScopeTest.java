package dev.brook.core.auth;

import static dev.brook.core.auth.AuthFixtures.exact;
import static dev.brook.core.auth.AuthFixtures.prefix;
import static dev.brook.core.auth.AuthFixtures.scope;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class ScopeTest {

    /** Every operation against every op group alone: allowed exactly when the spec's table says so. */
    static Stream<Arguments> operationsByGroup() {
        List<Arguments> cases = new ArrayList<>();
        for (AuthFixtures.Row row : AuthFixtures.TABLE) {
            for (String group : AuthFixtures.SINGLE_GROUPS.keySet()) {
                cases.add(arguments(row.wire(), group, row.group().equals(group)));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} under {1}: {2}")
    @MethodSource("operationsByGroup")
    void anOpGroupAllowsExactlyItsOperations(String wire, String group, boolean expected) {
        Operation op = Operation.parse(wire).orElseThrow();
        Scope scope = AuthFixtures.groups(AuthFixtures.SINGLE_GROUPS.get(group));
        assertEquals(expected, scope.allows(op));
        assertEquals(expected, scope.permitted().contains(op));
        assertEquals(expected, scope.allows(op, "my-basin", "s", "t"));
    }

    @ParameterizedTest
    @EnumSource(Operation.class)
    void anExplicitOpAllowsItselfAndNothingElse(Operation granted) {
        Scope scope = AuthFixtures.ops(granted);
        assertEquals(Set.of(granted), scope.permitted());
        for (Operation op : Operation.values()) {
            assertEquals(op == granted, scope.allows(op), op.wire());
        }
    }

    @Test
    void noGroupsAndNoOpsAllowNothingAndAllGroupsAllowEverything() {
        assertEquals(Set.of(), OpGroups.NONE.operations());
        assertEquals(EnumSet.allOf(Operation.class), OpGroups.ALL.operations());
        assertEquals(Set.of(), AuthFixtures.groups(OpGroups.NONE).permitted());
        assertEquals(EnumSet.allOf(Operation.class), Scope.ADMIN.permitted());
    }

    @Test
    void permittedIsTheUnionOfOpsAndGroups() {
        Scope scope = scope(ResourceSet.ALL, ResourceSet.ALL, ResourceSet.ALL, AuthFixtures.SINGLE_GROUPS.get(
                AuthFixtures.STREAM_READ), Operation.APPEND, Operation.LIST_BASINS);
        assertEquals(EnumSet.of(Operation.READ, Operation.CHECK_TAIL, Operation.STREAM_METRICS, Operation.APPEND,
                Operation.LIST_BASINS), scope.permitted());
    }

    @Test
    void opsAreCopiedSoTheCallersSetCannotWidenTheScopeLater() {
        Set<Operation> ops = new HashSet<>(Set.of(Operation.READ));
        Scope scope = new Scope(ResourceSet.ALL, ResourceSet.ALL, ResourceSet.ALL, OpGroups.NONE, ops);
        ops.add(Operation.APPEND);
        assertEquals(false, scope.allows(Operation.APPEND));
    }

    static final String BASIN = "my-basin";
    static final String OTHER_BASIN = "my-basin-2";
    static final String STREAM = "logs/app";
    static final String OTHER_STREAM = "metrics/app";
    static final String TOKEN = "user/1";
    static final String OTHER_TOKEN = "admin";

    /** Every operation permitted, on one basin, the streams under logs/ and the tokens under user/. */
    static final Scope NARROW = new Scope(exact(BASIN), prefix("logs/"), prefix("user/"), OpGroups.ALL, Set.of());

    /**
     * For each operation, from the spec table's target: all names matching is allowed; a
     * non-matching name the operation is checked against is refused; a non-matching name it is not
     * checked against makes no difference.
     */
    static Stream<Arguments> targets() {
        List<Arguments> cases = new ArrayList<>();
        for (AuthFixtures.Row row : AuthFixtures.TABLE) {
            Operation.Target t = row.target();
            boolean basin = t == Operation.Target.BASIN || t == Operation.Target.BASIN_AND_STREAM;
            boolean stream = t == Operation.Target.BASIN_AND_STREAM;
            boolean token = t == Operation.Target.ACCESS_TOKEN;
            cases.add(arguments(row.wire(), BASIN, STREAM, TOKEN, true));
            cases.add(arguments(row.wire(), OTHER_BASIN, STREAM, TOKEN, !basin));
            cases.add(arguments(row.wire(), BASIN, OTHER_STREAM, TOKEN, !stream));
            cases.add(arguments(row.wire(), BASIN, STREAM, OTHER_TOKEN, !token));
            cases.add(arguments(row.wire(), OTHER_BASIN, OTHER_STREAM, OTHER_TOKEN, !basin && !stream && !token));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} on {1} {2} {3}: {4}")
    @MethodSource("targets")
    void anOperationIsCheckedAgainstItsTarget(String wire, String basin, String stream, String token, boolean expected) {
        assertEquals(expected, NARROW.allows(Operation.parse(wire).orElseThrow(), basin, stream, token));
    }

    static Stream<Arguments> specificTargets() {
        return Stream.of(
                arguments("a stream op needs the basin and the stream", Operation.APPEND, BASIN, "logs/", true),
                arguments("the stream prefix is not enough for the basin", Operation.READ, "logs/", STREAM, false),
                arguments("an exact basin does not match a longer name", Operation.READ, "my-basin-1", STREAM, false),
                arguments("a stream outside the prefix", Operation.TRIM, BASIN, "logs", false),
                arguments("create-stream checks the new stream's name", Operation.CREATE_STREAM, BASIN, "other", false),
                arguments("list-streams only checks the basin", Operation.LIST_STREAMS, BASIN, null, true),
                arguments("basin-metrics only checks the basin", Operation.BASIN_METRICS, OTHER_BASIN, null, false),
                arguments("list-basins is filtered, not refused", Operation.LIST_BASINS, null, null, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specificTargets")
    void targetCases(String what, Operation op, String basin, String stream, boolean expected) {
        assertEquals(expected, NARROW.allows(op, basin, stream, null));
    }

    @Test
    void aPermittedOperationOnMatchingNamesIsStillRefusedWithoutTheOp() {
        Scope readOnly = new Scope(exact(BASIN), prefix("logs/"), prefix("user/"),
                AuthFixtures.SINGLE_GROUPS.get(AuthFixtures.STREAM_READ), Set.of());
        assertTrue(readOnly.allows(Operation.READ, BASIN, STREAM, null));
        assertEquals(false, readOnly.allows(Operation.APPEND, BASIN, STREAM, null));
    }

    @Test
    void noneSetsRefuseEveryTargetedOperation() {
        Scope none = new Scope(ResourceSet.NONE, ResourceSet.NONE, exact(""), OpGroups.ALL, Set.of());
        for (Operation op : Operation.values()) {
            boolean expected = AuthFixtures.BY_OP.get(op).target() == Operation.Target.NONE;
            assertEquals(expected, none.allows(op, BASIN, STREAM, TOKEN), op.wire());
        }
    }

    static Stream<Arguments> missingNames() {
        return Stream.of(
                arguments(Operation.CREATE_BASIN, null, STREAM, TOKEN),
                arguments(Operation.APPEND, null, STREAM, TOKEN),
                arguments(Operation.APPEND, BASIN, null, TOKEN),
                arguments(Operation.ISSUE_ACCESS_TOKEN, BASIN, STREAM, null));
    }

    @ParameterizedTest(name = "{0} {1} {2} {3}")
    @MethodSource("missingNames")
    void aMissingNeededNameIsAProgrammingError(Operation op, String basin, String stream, String token) {
        assertThrows(IllegalArgumentException.class, () -> NARROW.allows(op, basin, stream, token));
    }

    static final Scope STREAM_RW = new Scope(prefix("team-"), prefix("t/"), ResourceSet.NONE,
            new OpGroups(false, false, false, false, true, true), Set.of());

    static Stream<Arguments> scopesWithin() {
        Scope streamReadAsOps = scope(prefix("team-"), prefix("t/"), ResourceSet.NONE, OpGroups.NONE,
                Operation.READ, Operation.CHECK_TAIL, Operation.STREAM_METRICS);
        return Stream.of(
                arguments("itself", STREAM_RW, STREAM_RW, true),
                arguments("anything within admin", STREAM_RW, Scope.ADMIN, true),
                arguments("admin within admin", Scope.ADMIN, Scope.ADMIN, true),
                arguments("admin within less", Scope.ADMIN, STREAM_RW, false),
                arguments("a group as its explicit ops", streamReadAsOps, STREAM_RW, true),
                arguments("explicit ops as the group", streamReadAsOps,
                        new Scope(prefix("team-"), prefix("t/"), ResourceSet.NONE,
                                AuthFixtures.SINGLE_GROUPS.get(AuthFixtures.STREAM_READ), Set.of()), true),
                arguments("the group beyond some of its ops",
                        new Scope(prefix("team-"), prefix("t/"), ResourceSet.NONE,
                                AuthFixtures.SINGLE_GROUPS.get(AuthFixtures.STREAM_READ), Set.of()),
                        scope(prefix("team-"), prefix("t/"), ResourceSet.NONE, OpGroups.NONE, Operation.READ,
                                Operation.CHECK_TAIL), false),
                arguments("one more op", scope(prefix("team-"), prefix("t/"), ResourceSet.NONE,
                        new OpGroups(false, false, false, false, true, true), Operation.CREATE_STREAM), STREAM_RW, false),
                arguments("a narrower basin and stream", new Scope(exact("team-a-basin"), exact("t/x"), ResourceSet.NONE,
                        OpGroups.NONE, Set.of(Operation.READ)), STREAM_RW, true),
                arguments("a wider basin set", new Scope(prefix("team"), prefix("t/"), ResourceSet.NONE,
                        OpGroups.NONE, Set.of(Operation.READ)), STREAM_RW, false),
                arguments("a wider stream set", new Scope(prefix("team-"), prefix("t"), ResourceSet.NONE,
                        OpGroups.NONE, Set.of(Operation.READ)), STREAM_RW, false),
                arguments("a wider token set, though no op uses it", new Scope(prefix("team-"), prefix("t/"),
                        prefix(""), OpGroups.NONE, Set.of(Operation.READ)), STREAM_RW, false),
                arguments("an empty exact token set", new Scope(prefix("team-"), prefix("t/"), exact(""),
                        OpGroups.NONE, Set.of(Operation.READ)), STREAM_RW, true));
    }

    @ParameterizedTest(name = "{0}: {3}")
    @MethodSource("scopesWithin")
    void isWithin(String what, Scope scope, Scope other, boolean expected) {
        assertEquals(expected, scope.isWithin(other));
    }
}
