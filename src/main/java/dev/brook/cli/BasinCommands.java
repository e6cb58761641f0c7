package dev.brook.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** S2's basin commands: {@code ls}, {@code list-basins}, {@code create-basin}, {@code delete-basin}, {@code get-basin-config}, {@code reconfigure-basin}. */
final class BasinCommands {

    private BasinCommands() {}

    /** {@code --prefix}, {@code --start-after}, {@code --limit}, {@code --no-auto-paginate}. */
    static final class Listing {
        @Option(names = {"-p", "--prefix"}, paramLabel = "<PREFIX>", description = "Filter to names that begin with this prefix.")
        String prefix;

        @Option(names = {"-s", "--start-after"}, paramLabel = "<START_AFTER>", description = "Filter to names that lexicographically start after this name.")
        String startAfter;

        @Option(names = {"-n", "--limit"}, paramLabel = "<LIMIT>",
                description = "Limit the number of items to return. Acts as page size (max 1000) when using --no-auto-paginate.")
        Integer limit;

        @Option(names = "--no-auto-paginate", description = "Returns only a single page of items instead of auto-paginating.")
        boolean noAutoPaginate;
    }

    /**
     * Lists every page (or one page) of a listing endpoint: {@code /v1/basins}, {@code /v1/streams},
     * {@code /v1/access-tokens}; the items of {@code field}.
     */
    static List<JsonNode> list(BrookCli.Context ctx, String op, String path, Optional<String> basin, String field, Optional<String> prefix,
            Optional<String> startAfter, Optional<Integer> limit, boolean noAutoPaginate) {
        List<JsonNode> items = new ArrayList<>();
        String after = startAfter.orElse(null);
        while (true) {
            HttpApi.Call call = HttpApi.call(op, "GET", path).query("prefix", prefix.orElse(null)).query("start_after", after);
            basin.ifPresent(call::basin);
            if (noAutoPaginate) {
                call.query("limit", limit.orElse(null));
            }
            JsonNode page = ctx.api().send(call).body();
            for (JsonNode item : page.path(field)) {
                if (!noAutoPaginate && limit.isPresent() && items.size() >= limit.get()) {
                    return items;
                }
                items.add(item);
            }
            if (noAutoPaginate || !page.path("has_more").asBoolean(false) || page.path(field).isEmpty()) {
                return items;
            }
            if (limit.isPresent() && items.size() >= limit.get()) {
                return items;
            }
            JsonNode lastItem = page.path(field).get(page.path(field).size() - 1);
            after = lastItem.has("name") ? lastItem.get("name").asText() : lastItem.path("id").asText();
        }
    }

    static void printBasins(BrookCli.Context ctx, List<JsonNode> basins) {
        for (JsonNode b : basins) {
            boolean deleting = b.hasNonNull("deleted_at");
            StringBuilder line = new StringBuilder(deleting ? ctx.style.red(b.path("name").asText()) : b.path("name").asText());
            if (b.hasNonNull("location")) {
                line.append(' ').append("(").append(b.get("location").asText()).append(")");
            }
            if (deleting) {
                line.append(' ').append(ctx.style.red("[deleting]"));
            }
            ctx.out.println(line);
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = {"List basins or streams in a basin.", "",
        "List basins if basin name is not provided otherwise lists streams in the basin."})
    static final class Ls implements Callable<Integer> {
        @ParentCommand
        BrookCli root;

        @Parameters(index = "0", arity = "0..1", paramLabel = "BASIN|S2_URI", converter = Args.MaybePrefixConverter.class,
                description = "Name of the basin to manage or S2 URI with basin and optionally prefix. S2 URI is of the format: s2://{basin}/{prefix}")
        Uri.Parsed uri;

        @Mixin
        Listing listing;

        @Override
        public Integer call() {
            BrookCli.Context ctx = root.context;
            if (uri == null) {
                printBasins(ctx, list(ctx, "list basins", "/v1/basins", Optional.empty(), "basins", Optional.ofNullable(listing.prefix),
                        Optional.ofNullable(listing.startAfter), Optional.ofNullable(listing.limit), listing.noAutoPaginate));
                return 0;
            }
            if (uri.stream().isPresent() && listing.prefix != null) {
                throw CliException.invalidArgs("Multiple prefixes provided").withHelp(
                        "Make sure to provide the prefix once either using '--prefix' opt or in URI like 's2://basin-name/prefix'");
            }
            Optional<String> prefix = uri.stream().or(() -> Optional.ofNullable(listing.prefix));
            for (JsonNode s : list(ctx, "list streams", "/v1/streams", Optional.of(uri.basin()), "streams", prefix,
                    Optional.ofNullable(listing.startAfter), Optional.ofNullable(listing.limit), listing.noAutoPaginate)) {
                boolean deleting = s.hasNonNull("deleted_at");
                String name = "s2://" + uri.basin() + "/" + s.path("name").asText();
                String created = s.path("created_at").asText();
                if (deleting) {
                    ctx.out.println(ctx.style.red(name) + " " + ctx.style.red(created) + " " + ctx.style.red("[deleting]"));
                } else {
                    ctx.out.println(name + " " + ctx.style.green(created));
                }
            }
            return 0;
        }
    }

    @Command(name = "list-basins", mixinStandardHelpOptions = true, description = "List basins.")
    static final class ListBasins implements Callable<Integer> {
        @ParentCommand
        BrookCli root;

        @Mixin
        Listing listing;

        @Override
        public Integer call() {
            BrookCli.Context ctx = root.context;
            printBasins(ctx, list(ctx, "list basins", "/v1/basins", Optional.empty(), "basins", Optional.ofNullable(listing.prefix),
                    Optional.ofNullable(listing.startAfter), Optional.ofNullable(listing.limit), listing.noAutoPaginate));
            return 0;
        }
    }

    /** S2's basin-config flags. */
    static final class BasinConfig {
        @Mixin
        ConfigOptions.Stream defaults;

        @Option(names = "--stream-cipher", paramLabel = "<STREAM_CIPHER>",
                description = "Encryption algorithm to apply to newly created streams in this basin. [possible values: aegis-256, aes-256-gcm]")
        String streamCipher;
    }

    static void checkCipher(String cipher) {
        if (cipher != null && !cipher.equals("aegis-256") && !cipher.equals("aes-256-gcm")) {
            throw CliException.invalidArgs("invalid value '" + cipher + "' for '--stream-cipher' [possible values: aegis-256, aes-256-gcm]");
        }
    }

    @Command(name = "create-basin", mixinStandardHelpOptions = true, description = "Create a basin.")
    static final class CreateBasin implements Callable<Integer> {
        @ParentCommand
        BrookCli root;

        @Parameters(index = "0", paramLabel = "<BASIN>", converter = Args.BasinConverter.class, description = "Name of the basin to create.")
        Args.Basin basin;

        @Option(names = "--location", paramLabel = "<LOCATION>", description = "Basin location.")
        String location;

        @Mixin
        BasinConfig config;

        @Option(names = "--create-stream-on-append", description = "Create stream on append with basin defaults if it doesn't exist.")
        boolean createStreamOnAppend;

        @Option(names = "--create-stream-on-read", description = "Create stream on read with basin defaults if it doesn't exist.")
        boolean createStreamOnRead;

        @Override
        public Integer call() {
            checkCipher(config.streamCipher);
            ObjectNode body = HttpApi.JSON.createObjectNode().put("basin", basin.name());
            ObjectNode c = body.putObject("config");
            ObjectNode defaults = config.defaults.json();
            if (defaults.isEmpty()) {
                c.putNull("default_stream_config");
            } else {
                c.set("default_stream_config", defaults);
            }
            if (config.streamCipher != null) {
                c.put("stream_cipher", config.streamCipher);
            }
            c.put("create_stream_on_append", createStreamOnAppend);
            c.put("create_stream_on_read", createStreamOnRead);
            if (location != null) {
                body.put("location", location);
            }
            root.context.api().send(HttpApi.call("create basin", "POST", "/v1/basins").body(body).requestToken());
            root.context.done("✓ Basin created");
            return 0;
        }
    }

    @Command(name = "delete-basin", mixinStandardHelpOptions = true, description = "Delete a basin.")
    static final class DeleteBasin implements Callable<Integer> {
        @ParentCommand
        BrookCli root;

        @Parameters(index = "0", paramLabel = "<BASIN>", converter = Args.BasinConverter.class, description = "Name of the basin to delete.")
        Args.Basin basin;

        @Override
        public Integer call() {
            root.context.api().send(HttpApi.call("delete basin", "DELETE", "/v1/basins/" + basin.name()));
            root.context.done("✓ Basin deletion requested");
            return 0;
        }
    }

    @Command(name = "get-basin-config", mixinStandardHelpOptions = true, description = "Get basin config.")
    static final class GetBasinConfig implements Callable<Integer> {
        @ParentCommand
        BrookCli root;

        @Parameters(index = "0", paramLabel = "<BASIN>", converter = Args.BasinConverter.class, description = "Basin name to get config for.")
        Args.Basin basin;

        @Override
        public Integer call() {
            JsonNode config = root.context.api().send(HttpApi.call("get basin config", "GET", "/v1/basins/" + basin.name())).body();
            root.context.out.println(Formats.table(ConfigOptions.basinForDisplay(config)));
            return 0;
        }
    }

    @Command(name = "reconfigure-basin", mixinStandardHelpOptions = true, description = "Reconfigure a basin.")
    static final class ReconfigureBasin implements Callable<Integer> {
        @ParentCommand
        BrookCli root;

        @Parameters(index = "0", paramLabel = "<BASIN>", converter = Args.BasinConverter.class, description = "Name of the basin to reconfigure.")
        Args.Basin basin;

        @Mixin
        BasinConfig config;

        @Option(names = "--create-stream-on-append", paramLabel = "<CREATE_STREAM_ON_APPEND>", arity = "1", converter = Args.BoolConverter.class,
                description = "Create stream on append with basin defaults if it doesn't exist. [possible values: true, false]")
        Boolean createStreamOnAppend;

        @Option(names = "--create-stream-on-read", paramLabel = "<CREATE_STREAM_ON_READ>", arity = "1", converter = Args.BoolConverter.class,
                description = "Create stream on read with basin defaults if it doesn't exist. [possible values: true, false]")
        Boolean createStreamOnRead;

        @Override
        public Integer call() {
            checkCipher(config.streamCipher);
            ObjectNode body = HttpApi.JSON.createObjectNode();
            ObjectNode defaults = config.defaults.json();
            if (!defaults.isEmpty()) {
                body.set("default_stream_config", defaults);
            }
            if (config.streamCipher != null) {
                body.put("stream_cipher", config.streamCipher);
            }
            if (createStreamOnAppend != null) {
                body.put("create_stream_on_append", createStreamOnAppend);
            }
            if (createStreamOnRead != null) {
                body.put("create_stream_on_read", createStreamOnRead);
            }
            JsonNode result = root.context.api().send(HttpApi.call("reconfigure basin", "PATCH", "/v1/basins/" + basin.name()).body(body)).body();
            root.context.done("✓ Basin reconfigured");
            root.context.out.println(Formats.table(ConfigOptions.basinForDisplay(result)));
            return 0;
        }
    }
}
