package dev.brook.http;

import dev.brook.core.auth.Operation;
import io.vertx.core.http.HttpMethod;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * What a request asks to do, as access control sees it (spec §3.4): the operation and the names it
 * touches that the path says. Names carried in a body (the basin of {@code POST /basins}, the
 * stream of {@code POST /streams}, the id of {@code POST /access-tokens}) are checked by the
 * resource that reads the body; listings are narrowed to the token's sets by their resources.
 *
 * @param basinScoped the basin comes from the {@code s2-basin} header (or the Host)
 * @param anyOf       one of the operations is enough at the gate (an append: its records say which it needs)
 */
record Access(List<Operation> operations, boolean anyOf, Optional<String> basin, boolean basinScoped, Optional<String> stream,
              Optional<String> tokenId) {

    /**
     * The access a {@code /v1} request needs, or empty when the path is none of the API's (the
     * router answers it: 404 or 405, with nothing to protect).
     */
    static Optional<Access> of(HttpMethod method, String rawPath) {
        String path = rawPath;
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        if (!path.startsWith("/v1/")) {
            return Optional.empty();
        }
        String[] raw = path.substring(4).split("/", -1);
        String[] s = new String[raw.length];
        for (int i = 0; i < raw.length; i++) {
            try {
                s[i] = URLDecoder.decode(raw[i].replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Optional.empty(); // a malformed escape: the resource answers 400 bad_path, before anything is touched
            }
        }
        String m = method.name();
        return switch (s[0]) {
            case "basins" -> basins(m, s);
            case "streams" -> streams(m, s);
            case "access-tokens" -> accessTokens(m, s);
            case "metrics" -> metrics(s);
            case "locations" -> Optional.of(simple(m.equals("PUT") ? Operation.SET_DEFAULT_LOCATION
                    : s.length > 1 ? Operation.GET_DEFAULT_LOCATION : Operation.LIST_LOCATIONS));
            default -> Optional.empty();
        };
    }

    private static Access simple(Operation... ops) {
        return new Access(List.of(ops), false, Optional.empty(), false, Optional.empty(), Optional.empty());
    }

    private static Optional<Access> basins(String m, String[] s) {
        if (s.length == 1) {
            return switch (m) {
                case "GET" -> Optional.of(simple(Operation.LIST_BASINS));
                case "POST" -> Optional.of(simple(Operation.CREATE_BASIN));
                default -> Optional.empty();
            };
        }
        if (s.length != 2) {
            return Optional.empty();
        }
        List<Operation> ops = switch (m) {
            case "GET" -> List.of(Operation.GET_BASIN_CONFIG);
            case "PUT" -> List.of(Operation.CREATE_BASIN, Operation.RECONFIGURE_BASIN);
            case "PATCH" -> List.of(Operation.RECONFIGURE_BASIN);
            case "DELETE" -> List.of(Operation.DELETE_BASIN);
            default -> List.of();
        };
        return ops.isEmpty() ? Optional.empty() : Optional.of(new Access(ops, false, Optional.of(s[1]), false, Optional.empty(), Optional.empty()));
    }

    private static Optional<Access> streams(String m, String[] s) {
        List<Operation> ops;
        Optional<String> stream = s.length > 1 ? Optional.of(s[1]) : Optional.empty();
        if (s.length == 1) {
            ops = switch (m) {
                case "GET" -> List.of(Operation.LIST_STREAMS);
                case "POST" -> List.of(Operation.CREATE_STREAM);
                default -> List.of();
            };
        } else if (s.length == 2) {
            ops = switch (m) {
                case "GET" -> List.of(Operation.GET_STREAM_CONFIG);
                case "PUT" -> List.of(Operation.CREATE_STREAM, Operation.RECONFIGURE_STREAM);
                case "PATCH" -> List.of(Operation.RECONFIGURE_STREAM);
                case "DELETE" -> List.of(Operation.DELETE_STREAM);
                default -> List.of();
            };
        } else if (s.length == 3 && s[2].equals("records")) {
            // An append needs `append` for ordinary records, `fence` and `trim` for those commands: the gate
            // lets in a token with any of them, and the batch is checked record by record (Authz.requireRecords).
            ops = switch (m) {
                case "GET" -> List.of(Operation.READ);
                case "POST" -> List.of(Operation.APPEND, Operation.FENCE, Operation.TRIM);
                default -> List.of();
            };
        } else if (s.length == 4 && s[2].equals("records") && s[3].equals("tail") && m.equals("GET")) {
            ops = List.of(Operation.CHECK_TAIL);
        } else {
            ops = List.of();
        }
        boolean append = s.length == 3 && m.equals("POST");
        return ops.isEmpty() ? Optional.empty() : Optional.of(new Access(ops, append, Optional.empty(), true, stream, Optional.empty()));
    }

    private static Optional<Access> accessTokens(String m, String[] s) {
        if (s.length == 1) {
            return switch (m) {
                case "GET" -> Optional.of(simple(Operation.LIST_ACCESS_TOKENS));
                case "POST" -> Optional.of(simple(Operation.ISSUE_ACCESS_TOKEN));
                default -> Optional.empty();
            };
        }
        if (s.length == 2 && m.equals("DELETE")) {
            return Optional.of(new Access(List.of(Operation.REVOKE_ACCESS_TOKEN), false, Optional.empty(), false, Optional.empty(), Optional.of(s[1])));
        }
        return Optional.empty();
    }

    private static Optional<Access> metrics(String[] s) {
        return switch (s.length) {
            case 1 -> Optional.of(simple(Operation.ACCOUNT_METRICS));
            case 2 -> Optional.of(new Access(List.of(Operation.BASIN_METRICS), false, Optional.of(s[1]), false, Optional.empty(), Optional.empty()));
            case 3 -> Optional.of(new Access(List.of(Operation.STREAM_METRICS), false, Optional.of(s[1]), false, Optional.of(s[2]), Optional.empty()));
            default -> Optional.empty();
        };
    }
}
