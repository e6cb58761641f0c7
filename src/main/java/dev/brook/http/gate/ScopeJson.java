package dev.brook.http.gate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import dev.brook.core.auth.OpGroups;
import dev.brook.core.auth.Operation;
import dev.brook.core.auth.ResourceSet;
import dev.brook.core.auth.Scope;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * An access token's scope in S2's JSON (spec §3.4), both ways: parsed strictly from issue requests
 * (400 {@code bad_json} for a wrong shape or an unknown operation) and from verified tokens, and
 * rendered as S2 Lite's types render it ({@code op_groups} with all three groups, {@code ops} an
 * array, an absent resource set as {@code null}).
 */
public final class ScopeJson {

    private ScopeJson() {}

    public static Scope parse(JsonNode n) {
        if (n == null || n.isNull()) {
            throw new S2Error(ErrorCode.BAD_JSON, "missing field `scope`");
        }
        if (!n.isObject()) {
            throw new S2Error(ErrorCode.BAD_JSON, "`scope` must be an object");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!Set.of("basins", "streams", "access_tokens", "op_groups", "ops").contains(f)) {
                throw new S2Error(ErrorCode.BAD_JSON, "unknown field `" + f + "` in `scope`");
            }
        }
        return new Scope(resourceSet(n.get("basins"), "basins"), resourceSet(n.get("streams"), "streams"),
                resourceSet(n.get("access_tokens"), "access_tokens"), opGroups(n.get("op_groups")), ops(n.get("ops")));
    }

    private static ResourceSet resourceSet(JsonNode n, String field) {
        if (n == null || n.isNull()) {
            return new ResourceSet.None();
        }
        if (!n.isObject() || n.size() != 1) {
            throw new S2Error(ErrorCode.BAD_JSON, "`scope." + field + "` must be {\"exact\": name} or {\"prefix\": prefix}");
        }
        Map.Entry<String, JsonNode> e = n.fields().next();
        if (!e.getValue().isTextual()) {
            throw new S2Error(ErrorCode.BAD_JSON, "`scope." + field + "." + e.getKey() + "` must be a string");
        }
        return switch (e.getKey()) {
            case "exact" -> new ResourceSet.Exact(e.getValue().asText());
            case "prefix" -> new ResourceSet.Prefix(e.getValue().asText());
            default -> throw new S2Error(ErrorCode.BAD_JSON, "`scope." + field + "` must be {\"exact\": name} or {\"prefix\": prefix}");
        };
    }

    private static OpGroups opGroups(JsonNode n) {
        if (n == null || n.isNull()) {
            return OpGroups.NONE;
        }
        if (!n.isObject()) {
            throw new S2Error(ErrorCode.BAD_JSON, "`scope.op_groups` must be an object");
        }
        boolean[] account = readWrite(n.get("account"), "account");
        boolean[] basin = readWrite(n.get("basin"), "basin");
        boolean[] stream = readWrite(n.get("stream"), "stream");
        return new OpGroups(account[0], account[1], basin[0], basin[1], stream[0], stream[1]);
    }

    private static boolean[] readWrite(JsonNode n, String group) {
        if (n == null || n.isNull()) {
            return new boolean[2];
        }
        JsonNode read = n.get("read");
        JsonNode write = n.get("write");
        if (!n.isObject() || (read != null && !read.isBoolean() && !read.isNull()) || (write != null && !write.isBoolean() && !write.isNull())) {
            throw new S2Error(ErrorCode.BAD_JSON, "`scope.op_groups." + group + "` must be {\"read\": bool, \"write\": bool}");
        }
        return new boolean[]{read != null && read.asBoolean(), write != null && write.asBoolean()};
    }

    private static Set<Operation> ops(JsonNode n) {
        Set<Operation> ops = EnumSet.noneOf(Operation.class);
        if (n == null || n.isNull()) {
            return ops;
        }
        if (!n.isArray()) {
            throw new S2Error(ErrorCode.BAD_JSON, "`scope.ops` must be an array");
        }
        for (JsonNode op : n) {
            if (!op.isTextual()) {
                throw new S2Error(ErrorCode.BAD_JSON, "`scope.ops` must hold operation names");
            }
            ops.add(Operation.parse(op.asText()).orElseThrow(() -> new S2Error(ErrorCode.BAD_JSON,
                    "unknown variant `" + op.asText() + "` in `scope.ops`")));
        }
        return ops;
    }

    public static ObjectNode render(Scope scope) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.set("basins", render(scope.basins()));
        n.set("streams", render(scope.streams()));
        n.set("access_tokens", render(scope.accessTokens()));
        ObjectNode groups = n.putObject("op_groups");
        OpGroups g = scope.opGroups();
        groups.putObject("account").put("read", g.accountRead()).put("write", g.accountWrite());
        groups.putObject("basin").put("read", g.basinRead()).put("write", g.basinWrite());
        groups.putObject("stream").put("read", g.streamRead()).put("write", g.streamWrite());
        ArrayNode ops = n.putArray("ops");
        scope.ops().stream().sorted().forEach(op -> ops.add(op.wire()));
        return n;
    }

    private static JsonNode render(ResourceSet set) {
        if (set instanceof ResourceSet.Exact e) {
            return JsonNodeFactory.instance.objectNode().put("exact", e.name());
        }
        if (set instanceof ResourceSet.Prefix p) {
            return JsonNodeFactory.instance.objectNode().put("prefix", p.prefix());
        }
        return NullNode.getInstance();
    }
}
