package dev.brook.core.auth;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The spec's operation table written out independently of {@link Operation}, so tests compare the
 * code against the spec rather than against itself, and a few scope builders.
 */
final class AuthFixtures {

    private AuthFixtures() {}

    /** One row of spec §3.4: the wire name, the group granting it, and the resource it is checked on. */
    record Row(Operation op, String wire, String group, Operation.Target target) {}

    static final String ACCOUNT_READ = "account-read";
    static final String ACCOUNT_WRITE = "account-write";
    static final String BASIN_READ = "basin-read";
    static final String BASIN_WRITE = "basin-write";
    static final String STREAM_READ = "stream-read";
    static final String STREAM_WRITE = "stream-write";

    static final List<Row> TABLE = List.of(
            new Row(Operation.LIST_BASINS, "list-basins", ACCOUNT_READ, Operation.Target.NONE),
            new Row(Operation.CREATE_BASIN, "create-basin", ACCOUNT_WRITE, Operation.Target.BASIN),
            new Row(Operation.DELETE_BASIN, "delete-basin", ACCOUNT_WRITE, Operation.Target.BASIN),
            new Row(Operation.RECONFIGURE_BASIN, "reconfigure-basin", ACCOUNT_WRITE, Operation.Target.BASIN),
            new Row(Operation.GET_BASIN_CONFIG, "get-basin-config", BASIN_READ, Operation.Target.BASIN),
            new Row(Operation.ISSUE_ACCESS_TOKEN, "issue-access-token", ACCOUNT_WRITE, Operation.Target.ACCESS_TOKEN),
            new Row(Operation.REVOKE_ACCESS_TOKEN, "revoke-access-token", ACCOUNT_WRITE, Operation.Target.ACCESS_TOKEN),
            new Row(Operation.LIST_ACCESS_TOKENS, "list-access-tokens", ACCOUNT_READ, Operation.Target.NONE),
            new Row(Operation.LIST_STREAMS, "list-streams", BASIN_READ, Operation.Target.BASIN),
            new Row(Operation.CREATE_STREAM, "create-stream", BASIN_WRITE, Operation.Target.BASIN_AND_STREAM),
            new Row(Operation.DELETE_STREAM, "delete-stream", BASIN_WRITE, Operation.Target.BASIN_AND_STREAM),
            new Row(Operation.GET_STREAM_CONFIG, "get-stream-config", BASIN_READ, Operation.Target.BASIN_AND_STREAM),
            new Row(Operation.RECONFIGURE_STREAM, "reconfigure-stream", BASIN_WRITE, Operation.Target.BASIN_AND_STREAM),
            new Row(Operation.CHECK_TAIL, "check-tail", STREAM_READ, Operation.Target.BASIN_AND_STREAM),
            new Row(Operation.APPEND, "append", STREAM_WRITE, Operation.Target.BASIN_AND_STREAM),
            new Row(Operation.READ, "read", STREAM_READ, Operation.Target.BASIN_AND_STREAM),
            new Row(Operation.TRIM, "trim", STREAM_WRITE, Operation.Target.BASIN_AND_STREAM),
            new Row(Operation.FENCE, "fence", STREAM_WRITE, Operation.Target.BASIN_AND_STREAM),
            new Row(Operation.ACCOUNT_METRICS, "account-metrics", ACCOUNT_READ, Operation.Target.NONE),
            new Row(Operation.BASIN_METRICS, "basin-metrics", BASIN_READ, Operation.Target.BASIN),
            new Row(Operation.STREAM_METRICS, "stream-metrics", STREAM_READ, Operation.Target.BASIN_AND_STREAM),
            new Row(Operation.LIST_LOCATIONS, "list-locations", ACCOUNT_READ, Operation.Target.NONE),
            new Row(Operation.GET_DEFAULT_LOCATION, "get-default-location", ACCOUNT_READ, Operation.Target.NONE),
            new Row(Operation.SET_DEFAULT_LOCATION, "set-default-location", ACCOUNT_WRITE, Operation.Target.NONE));

    static final Map<Operation, Row> BY_OP = byOp();

    /** The six op groups, each alone, keyed by the names the table uses. */
    static final Map<String, OpGroups> SINGLE_GROUPS = Map.of(
            ACCOUNT_READ, new OpGroups(true, false, false, false, false, false),
            ACCOUNT_WRITE, new OpGroups(false, true, false, false, false, false),
            BASIN_READ, new OpGroups(false, false, true, false, false, false),
            BASIN_WRITE, new OpGroups(false, false, false, true, false, false),
            STREAM_READ, new OpGroups(false, false, false, false, true, false),
            STREAM_WRITE, new OpGroups(false, false, false, false, false, true));

    static final long NOW_MS = 1_000;

    static Scope ops(Operation... ops) {
        return new Scope(ResourceSet.ALL, ResourceSet.ALL, ResourceSet.ALL, OpGroups.NONE, Set.of(ops));
    }

    static Scope groups(OpGroups groups) {
        return new Scope(ResourceSet.ALL, ResourceSet.ALL, ResourceSet.ALL, groups, Set.of());
    }

    static Scope scope(ResourceSet basins, ResourceSet streams, ResourceSet tokens, OpGroups groups, Operation... ops) {
        return new Scope(basins, streams, tokens, groups, ops.length == 0 ? Set.of() : EnumSet.of(ops[0], ops));
    }

    static TokenSpec spec(String id, Scope scope, boolean autoPrefix, Long expiresAtMs) {
        return new TokenSpec(id, scope, autoPrefix, expiresAtMs == null ? OptionalLong.empty() : OptionalLong.of(expiresAtMs));
    }

    static ResourceSet exact(String name) {
        return new ResourceSet.Exact(name);
    }

    static ResourceSet prefix(String prefix) {
        return new ResourceSet.Prefix(prefix);
    }

    private static Map<Operation, Row> byOp() {
        Map<Operation, Row> map = new EnumMap<>(Operation.class);
        for (Row row : TABLE) {
            if (map.put(row.op(), row) != null) {
                throw new AssertionError("the table lists " + row.op() + " twice");
            }
        }
        return map;
    }
}
