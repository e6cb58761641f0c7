package dev.brook.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * S2's access-token commands: {@code issue-access-token} with the current flags and the older ones
 * S2's docs still show ({@code --id}, {@code --op-groups}, {@code --basins}, {@code --streams},
 * {@code --access-tokens}: a leading {@code =} means exact, anything else a prefix),
 * {@code list-access-tokens}, {@code revoke-access-token}. The token JSON is spec §3.4.
 */
final class TokenCommands {

    private TokenCommands() {}

    /** The operations S2 names; S2's CLI takes them snake_case, the API kebab-case. */
    static final List<String> OPERATIONS = List.of("list-basins", "create-basin", "delete-basin", "get-basin-config", "reconfigure-basin",
            "list-access-tokens", "issue-access-token", "revoke-access-token", "get-account-metrics", "get-basin-metrics",
            "get-stream-metrics", "list-streams", "create-stream", "delete-stream", "get-stream-config", "reconfigure-stream",
            "check-tail", "trim", "fence", "append", "read", "list-locations", "get-default-location", "set-default-location");

    /** A resource set: {@code {"exact": name}} or {@code {"prefix": p}}. */
    record Matcher(boolean exact, String value) {

        /** The legacy form: a leading {@code =} means exact, anything else a prefix. */
        static Matcher legacy(String text) {
            return text.startsWith("=") ? new Matcher(true, text.substring(1)) : new Matcher(false, text);
        }

        ObjectNode json() {
            return HttpApi.JSON.createObjectNode().put(exact ? "exact" : "prefix", value);
        }
    }

    /** {@code account=rw,basin=r,stream=w} as S2's CLI parses it. */
    static ObjectNode opGroups(String text) {
        ObjectNode groups = HttpApi.JSON.createObjectNode();
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("Invalid op_group format: '" + p + "'. Expected 'key=value'");
            }
            String key = p.substring(0, eq);
            String value = p.substring(eq + 1);
            if (!key.equals("account") && !key.equals("basin") && !key.equals("stream")) {
                throw new IllegalArgumentException("Invalid op_group key: '" + key + "'. Expected 'account', 'basin', or 'stream'");
            }
            boolean read = false;
            boolean write = false;
            for (char c : value.toCharArray()) {
                switch (c) {
                    case 'r' -> read = true;
                    case 'w' -> write = true;
                    default -> throw new IllegalArgumentException("Invalid permission character: " + c);
                }
            }
            if (!read && !write) {
                throw new IllegalArgumentException("At least one permission ('r' or 'w') must be specified");
            }
            groups.putObject(key).put("read", read).put("write", write);
        }
        return groups;
    }

    /** An operation name, snake_case (S2's CLI) or kebab-case (the API), as the API names it. */
    static String operation(String name) {
        String op = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        if (!OPERATIONS.contains(op)) {
            throw new IllegalArgumentException("invalid value '" + name + "' for '--ops'");
        }
        return op;
    }

    @Command(name = "issue-access-token", mixinStandardHelpOptions = true, description = "Issue an access token.")
    static final class IssueAccessToken implements Callable<Integer> {
        @ParentCommand
        BrookCli root;

        @Parameters(index = "0", arity = "0..1", paramLabel = "<ID>", description = "Access token ID.")
        String positionalId;

        @Option(names = "--id", paramLabel = "<ID>", description = "Access token ID (the older form of the positional <ID>).")
        String id;

        @Option(names = "--expires-in", paramLabel = "<EXPIRES_IN>", converter = Args.DurationConverter.class,
                description = "Token validity duration (e.g., \"30d\", \"1w\", \"24h\"). Token expires after this duration from now.")
        Duration expiresIn;

        @Option(names = "--expires-at", paramLabel = "<EXPIRES_AT>",
                description = "Absolute expiration time in RFC3339 format (e.g., \"2024-12-31T23:59:59Z\").")
        String expiresAt;

        @Option(names = "--auto-prefix-streams", description = "Namespace streams based on the configured stream-level scope, which must be "
                + "a prefix. Stream name arguments will be automatically prefixed, and the prefix will be stripped when listing streams.")
        boolean autoPrefixStreams;

        @Option(names = "--basins-prefix", paramLabel = "<BASINS_PREFIX>", description = "Basin name prefix allowed. `\"\"` matches all basins.")
        String basinsPrefix;

        @Option(names = "--basins-exact", paramLabel = "<BASINS_EXACT>", description = "Exact basin name allowed.")
        String basinsExact;

        @Option(names = "--basins", paramLabel = "<BASINS>",
                description = "Basin names allowed. Matches exact value if it starts with `=`, otherwise treats it as a prefix.")
        String basins;

        @Option(names = "--streams-prefix", paramLabel = "<STREAMS_PREFIX>", description = "Stream name prefix allowed. `\"\"` matches all streams.")
        String streamsPrefix;

        @Option(names = "--streams-exact", paramLabel = "<STREAMS_EXACT>", description = "Exact stream name allowed.")
        String streamsExact;

        @Option(names = "--streams", paramLabel = "<STREAMS>",
                description = "Stream names allowed. Matches exact value if it starts with `=`, otherwise treats it as a prefix.")
        String streams;

        @Option(names = "--access-tokens-prefix", paramLabel = "<ACCESS_TOKENS_PREFIX>",
                description = "Access token ID prefix allowed. `\"\"` matches all tokens.")
        String accessTokensPrefix;

        @Option(names = "--access-tokens-exact", paramLabel = "<ACCESS_TOKENS_EXACT>", description = "Exact access token ID allowed.")
        String accessTokensExact;

        @Option(names = "--access-tokens", paramLabel = "<ACCESS_TOKENS>",
                description = "Token IDs allowed. Matches exact value if it starts with `=`, otherwise treats it as a prefix.")
        String accessTokens;

        @Option(names = {"--op-group-perms", "--op-groups"}, paramLabel = "<OP_GROUP_PERMS>",
                description = "Access permissions at the operation group level. The format is: \"account=rw,basin=r,stream=w\" where 'r' "
                        + "indicates read permission and 'w' indicates write permission.")
        String opGroupPerms;

        @Option(names = "--ops", paramLabel = "<OPS>", split = ",", description = "Operations allowed for the token. A union of allowed "
                + "operations and groups is used as an effective set of allowed operations.")
        List<String> ops = new ArrayList<>();

        @Override
        public Integer call() {
            ObjectNode request = request(Instant.now());
            JsonNode answer = root.context.api().send(HttpApi.call("issue access token", "POST", "/v1/access-tokens").body(request)).body();
            root.context.out.println(answer.path("access_token").asText());
            return 0;
        }

        /** The issue request these flags ask for ({@code now} for {@code --expires-in}). */
        ObjectNode request(Instant now) {
            String tokenId = one("<ID>", positionalId, "--id", id);
            if (tokenId == null) {
                throw CliException.invalidArgs("the following required arguments were not provided: <ID>");
            }
            ObjectNode request = HttpApi.JSON.createObjectNode().put("id", tokenId);
            if (expiresIn != null && expiresAt != null) {
                throw CliException.invalidArgs("the argument '--expires-in <EXPIRES_IN>' cannot be used with '--expires-at <EXPIRES_AT>'");
            }
            if (expiresIn != null) {
                request.put("expires_at", now.plus(expiresIn).toString());
            } else if (expiresAt != null) {
                try {
                    request.put("expires_at", OffsetDateTime.parse(expiresAt).toInstant().toString());
                } catch (DateTimeParseException e) {
                    throw CliException.invalidArgs("Invalid expires_at (expected RFC3339 format, e.g., '2024-12-31T23:59:59Z'): " + e.getMessage());
                }
            }
            if (autoPrefixStreams) {
                request.put("auto_prefix_streams", true);
            }
            ObjectNode scope = request.putObject("scope");
            matcher("basins", basinsPrefix, basinsExact, basins).ifPresent(m -> scope.set("basins", m.json()));
            matcher("streams", streamsPrefix, streamsExact, streams).ifPresent(m -> scope.set("streams", m.json()));
            matcher("access-tokens", accessTokensPrefix, accessTokensExact, accessTokens).ifPresent(m -> scope.set("access_tokens", m.json()));
            if (opGroupPerms != null) {
                try {
                    scope.set("op_groups", opGroups(opGroupPerms));
                } catch (IllegalArgumentException e) {
                    throw CliException.invalidArgs(e.getMessage());
                }
            }
            ArrayNode opsJson = scope.putArray("ops");
            for (String op : ops) {
                try {
                    opsJson.add(operation(op));
                } catch (IllegalArgumentException e) {
                    throw CliException.invalidArgs(e.getMessage());
                }
            }
            return request;
        }

        private static String one(String aName, String a, String bName, String b) {
            if (a != null && b != null && !a.equals(b)) {
                throw CliException.invalidArgs("the argument '" + aName + "' cannot be used with '" + bName + "'");
            }
            return a != null ? a : b;
        }

        private static Optional<Matcher> matcher(String what, String prefix, String exact, String legacy) {
            int given = (prefix != null ? 1 : 0) + (exact != null ? 1 : 0) + (legacy != null ? 1 : 0);
            if (given > 1) {
                throw CliException.invalidArgs("only one of '--" + what + "-prefix', '--" + what + "-exact' and '--" + what + "' can be used");
            }
            if (exact != null) {
                return Optional.of(new Matcher(true, exact));
            }
            if (prefix != null) {
                return Optional.of(new Matcher(false, prefix));
            }
            return Optional.ofNullable(legacy).map(Matcher::legacy);
        }
    }

    @Command(name = "list-access-tokens", mixinStandardHelpOptions = true, description = "List access tokens.")
    static final class ListAccessTokens implements Callable<Integer> {
        @ParentCommand
        BrookCli root;

        @Mixin
        BasinCommands.Listing listing;

        @Override
        public Integer call() {
            BrookCli.Context ctx = root.context;
            List<JsonNode> tokens = BasinCommands.list(ctx, "list access tokens", "/v1/access-tokens", Optional.empty(), "access_tokens",
                    Optional.ofNullable(listing.prefix), Optional.ofNullable(listing.startAfter), Optional.ofNullable(listing.limit),
                    listing.noAutoPaginate);
            int width = 0;
            for (JsonNode t : tokens) {
                width = Math.max(width, t.path("id").asText().length());
            }
            List<String> blocks = new ArrayList<>();
            for (JsonNode t : tokens) {
                blocks.add(summary(t, width, ctx.style));
            }
            if (!blocks.isEmpty()) {
                ctx.out.println(String.join("\n\n", blocks));
            }
            return 0;
        }
    }

    /** S2's two-line summary of a token: id and expiry, then its scope in short. */
    static String summary(JsonNode token, int idWidth, Formats.Style style) {
        String id = token.path("id").asText();
        String expires = token.hasNonNull("expires_at") ? style.green(token.get("expires_at").asText()) : "never";
        JsonNode scope = token.path("scope");
        return style.bold(id) + " ".repeat(Math.max(0, idWidth - id.length())) + "  expires " + expires + "\n"
                + "  basins=" + matcherSummary(scope.path("basins")) + "  streams=" + matcherSummary(scope.path("streams"))
                + "  tokens=" + matcherSummary(scope.path("access_tokens")) + "  perms=" + groupsSummary(scope.path("op_groups"))
                + "  ops=" + scope.path("ops").size();
    }

    static String matcherSummary(JsonNode set) {
        if (set.has("exact")) {
            return set.get("exact").asText();
        }
        if (set.has("prefix")) {
            return set.get("prefix").asText() + "*";
        }
        return "∅";
    }

    static String groupsSummary(JsonNode groups) {
        List<String> parts = new ArrayList<>();
        for (String[] g : new String[][] {{"account", "a"}, {"basin", "b"}, {"stream", "s"}}) {
            JsonNode perm = groups.path(g[0]);
            String rw = (perm.path("read").asBoolean(false) ? "r" : "") + (perm.path("write").asBoolean(false) ? "w" : "");
            if (!rw.isEmpty()) {
                parts.add(g[1] + ":" + rw);
            }
        }
        return parts.isEmpty() ? "none" : String.join(" ", parts);
    }

    @Command(name = "revoke-access-token", mixinStandardHelpOptions = true, description = "Revoke an access token.")
    static final class RevokeAccessToken implements Callable<Integer> {
        @ParentCommand
        BrookCli root;

        @Parameters(index = "0", paramLabel = "<ID>", description = "ID of the access token to revoke.")
        String id;

        @Override
        public Integer call() {
            root.context.api().send(HttpApi.call("revoke access token", "DELETE", "/v1/access-tokens/" + HttpApi.encodeSegment(id)));
            root.context.done("✓ Access token '" + id + "' revoked");
            return 0;
        }
    }
}
