package dev.brook.core.auth;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every operation an S2 access token can permit (spec §3.4), with its wire name, the op group that
 * grants it and the resource it is checked against.
 *
 * <p>S2 does not publish which group grants which operation; the mapping here is the spec's
 * inferred one, plus the three location operations (newer than the spec), which follow the same
 * pattern: reading account-level state is account read, changing it is account write. Because a
 * token's groups are evaluated against this table when the token is used, moving an operation to
 * another group changes what every existing token may do: treat the table as persistent.
 */
public enum Operation {
    LIST_BASINS("list-basins", Group.ACCOUNT, Access.READ, Target.NONE),
    CREATE_BASIN("create-basin", Group.ACCOUNT, Access.WRITE, Target.BASIN),
    DELETE_BASIN("delete-basin", Group.ACCOUNT, Access.WRITE, Target.BASIN),
    RECONFIGURE_BASIN("reconfigure-basin", Group.ACCOUNT, Access.WRITE, Target.BASIN),
    GET_BASIN_CONFIG("get-basin-config", Group.BASIN, Access.READ, Target.BASIN),
    ISSUE_ACCESS_TOKEN("issue-access-token", Group.ACCOUNT, Access.WRITE, Target.ACCESS_TOKEN),
    REVOKE_ACCESS_TOKEN("revoke-access-token", Group.ACCOUNT, Access.WRITE, Target.ACCESS_TOKEN),
    LIST_ACCESS_TOKENS("list-access-tokens", Group.ACCOUNT, Access.READ, Target.NONE),
    LIST_STREAMS("list-streams", Group.BASIN, Access.READ, Target.BASIN),
    CREATE_STREAM("create-stream", Group.BASIN, Access.WRITE, Target.BASIN_AND_STREAM),
    DELETE_STREAM("delete-stream", Group.BASIN, Access.WRITE, Target.BASIN_AND_STREAM),
    GET_STREAM_CONFIG("get-stream-config", Group.BASIN, Access.READ, Target.BASIN_AND_STREAM),
    RECONFIGURE_STREAM("reconfigure-stream", Group.BASIN, Access.WRITE, Target.BASIN_AND_STREAM),
    CHECK_TAIL("check-tail", Group.STREAM, Access.READ, Target.BASIN_AND_STREAM),
    APPEND("append", Group.STREAM, Access.WRITE, Target.BASIN_AND_STREAM),
    READ("read", Group.STREAM, Access.READ, Target.BASIN_AND_STREAM),
    TRIM("trim", Group.STREAM, Access.WRITE, Target.BASIN_AND_STREAM),
    FENCE("fence", Group.STREAM, Access.WRITE, Target.BASIN_AND_STREAM),
    ACCOUNT_METRICS("account-metrics", Group.ACCOUNT, Access.READ, Target.NONE),
    BASIN_METRICS("basin-metrics", Group.BASIN, Access.READ, Target.BASIN),
    STREAM_METRICS("stream-metrics", Group.STREAM, Access.READ, Target.BASIN_AND_STREAM),
    LIST_LOCATIONS("list-locations", Group.ACCOUNT, Access.READ, Target.NONE),
    GET_DEFAULT_LOCATION("get-default-location", Group.ACCOUNT, Access.READ, Target.NONE),
    SET_DEFAULT_LOCATION("set-default-location", Group.ACCOUNT, Access.WRITE, Target.NONE);

    /** The level an op group covers (the keys of {@code op_groups}). */
    public enum Group { ACCOUNT, BASIN, STREAM }

    /** The half of an op group ({@code read} or {@code write}). */
    public enum Access { READ, WRITE }

    /**
     * Which of a token's resource sets a request for the operation must match. Listings are
     * {@link #NONE} or stop at the basin: they are not refused, their results are filtered by the
     * set (list-basins by basins, list-streams by streams, list-access-tokens by access tokens).
     * Operations on the account itself (metrics, locations) name no resource.
     */
    public enum Target { NONE, BASIN, BASIN_AND_STREAM, ACCESS_TOKEN }

    private static final Map<String, Operation> BY_WIRE =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(Operation::wire, Function.identity()));

    private final String wire;
    private final Group group;
    private final Access access;
    private final Target target;

    Operation(String wire, Group group, Access access, Target target) {
        this.wire = wire;
        this.group = group;
        this.access = access;
        this.target = target;
    }

    /** The name in {@code scope.ops} (kebab-case). */
    public String wire() {
        return wire;
    }

    public Group group() {
        return group;
    }

    public Access access() {
        return access;
    }

    public Target target() {
        return target;
    }

    /** The operation with this exact wire name (case-sensitive, as S2's serde is); empty if none. */
    public static Optional<Operation> parse(String wire) {
        return Optional.ofNullable(BY_WIRE.get(wire));
    }
}
