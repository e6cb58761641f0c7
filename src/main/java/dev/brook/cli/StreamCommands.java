package dev.brook.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * S2's stream commands: {@code list-streams}, {@code create-stream}, {@code delete-stream},
 * {@code get-stream-config}, {@code reconfigure-stream}, {@code check-tail}, {@code trim}, {@code fence}.
 */
final class StreamCommands {

    private StreamCommands() {}

    static final String URI_HELP = "S2 URI of the format: s2://{basin}/{stream}";

    /** {@code -k/--encryption-key} (or {@code S2_ENCRYPTION_KEY}) and {@code --encryption-key-file}: sent as {@code s2-encryption-key}. */
    static final class EncryptionKey {
        @Option(names = {"-k", "--encryption-key"}, paramLabel = "<KEY>",
                description = "Base64-encoded encryption key material. Alternatively, set `S2_ENCRYPTION_KEY`.")
        String key;

        @Option(names = "--encryption-key-file", paramLabel = "<FILE>", description = "Read base64-encoded encryption key material from file.")
        Path keyFile;

        Optional<String> resolve(BrookCli.Context ctx) {
            if (key != null && keyFile != null) {
                throw CliException.invalidArgs("the argument '--encryption-key <KEY>' cannot be used with '--encryption-key-file <FILE>'");
            }
            String k = key;
            if (k == null && keyFile != null) {
                try {
                    k = Files.readString(keyFile).trim();
                } catch (IOException e) {
                    throw CliException.invalidArgs("cannot read encryption key file: " + e.getMessage());
                }
            }
            if (k == null) {
                String env = ctx.env.get("S2_ENCRYPTION_KEY");
                k = env == null || env.isBlank() ? null : env.trim();
            }
            if (k != null) {
                byte[] raw;
                try {
                    raw = Base64.getDecoder().decode(k);
                } catch (IllegalArgumentException e) {
                    throw CliException.invalidArgs("invalid encryption key: not base64");
                }
                if (raw.length != 32) {
                    throw CliException.invalidArgs("invalid encryption key: expected 32 bytes, got " + raw.length);
                }
            }
            return Optional.ofNullable(k);
        }
    }

    @Command(name = "list-streams", mixinStandardHelpOptions = true, description = "List streams.")
    static final class ListStreams implements Callable<Integer> {
        @ParentCommand
        BrookCli root;

        @Parameters(index = "0", paramLabel = "BASIN|S2_URI", converter = Args.MaybePrefixConverter.class,
                description = "Name of the basin to manage or S2 URI with basin and optionally prefix. S2 URI is of the format: s2://{basin}/{prefix}")
        Uri.Parsed uri;

        @Mixin
        BasinCommands.Listing listing;

        @Override
        public Integer call() {
            BrookCli.Context ctx = root.context;
            Optional<String> prefix = uri.stream().or(() -> Optional.ofNullable(listing.prefix));
            for (JsonNode s : BasinCommands.list(ctx, "list streams", "/v1/streams", Optional.of(uri.basin()), "streams", prefix,
                    Optional.ofNullable(listing.startAfter), Optional.ofNullable(listing.limit), listing.noAutoPaginate)) {
                String name = "s2://" + uri.basin() + "/" + s.path("name").asText();
                if (s.hasNonNull("deleted_at")) {
                    ctx.out.println(ctx.style.red(name) + " " + ctx.style.red("[deleting]"));
                } else {
                    ctx.out.println(name);
                }
            }
            return 0;
        }
    }

    @Command(name = "create-stream", mixinStandardHelpOptions = true, description = "Create a stream.")
    static final class CreateStream implements Callable<Integer> {
        @ParentCommand
        BrookCli root;

        @Parameters(index = "0", paramLabel = "<S2_URI>", converter = Args.StreamConverter.class, description = URI_HELP)
        Uri.Parsed uri;

        @Mixin
        ConfigOptions.Stream config;

        @Override
        public Integer call() {
            ObjectNode body = HttpApi.JSON.createObjectNode().put("stream", uri.streamName());
            ObjectNode c = config.json();
            if (!c.isEmpty()) {
                body.set("config", c);
            }
            root.context.api().send(HttpApi.call("create stream", "POST", "/v1/streams").basin(uri.basin()).body(body).requestToken());
            root.context.done("✓ Stream created");
            return 0;
        }
    }

    @Command(name = "delete-stream", mixinStandardHelpOptions = true, description = "Delete a stream.")
    static final class DeleteStream implements Callable<Integer> {
        @ParentCommand
        BrookCli root;

        @Parameters(index = "0", paramLabel = "<S2_URI>", converter = Args.StreamConverter.class, description = URI_HELP)
        Uri.Parsed uri;

        @Override
        public Integer call() {
            root.context.api().send(HttpApi.call("delete stream", "DELETE", HttpApi.streamPath(uri.streamName())).basin(uri.basin()));
            root.context.done("✓ Stream deletion requested");
            return 0;
        }
    }

    @Command(name = "get-stream-config", mixinStandardHelpOptions = true, description = "Get stream config.")
    static final class GetStreamConfig implements Callable<Integer> {
        @ParentCommand
        BrookCli root;

        @Parameters(index = "0", paramLabel = "<S2_URI>", converter = Args.StreamConverter.class, description = URI_HELP)
        Uri.Parsed uri;

        @Override
        public Integer call() {
            JsonNode config = root.context.api().send(HttpApi.call("get stream config", "GET", HttpApi.streamPath(uri.streamName()))
                    .basin(uri.basin())).body();
            root.context.out.println(Formats.table(ConfigOptions.streamForDisplay(config)));
            return 0;
        }
    }

    @Command(name = "reconfigure-stream", mixinStandardHelpOptions = true, description = "Reconfigure a stream.")
    static final class ReconfigureStream implements Callable<Integer> {
        @ParentCommand
        BrookCli root;

        @Parameters(index = "0", paramLabel = "<S2_URI>", converter = Args.StreamConverter.class, description = URI_HELP)
        Uri.Parsed uri;

        @Mixin
        ConfigOptions.Stream config;

        @Override
        public Integer call() {
            JsonNode result = root.context.api().send(HttpApi.call("reconfigure stream", "PATCH", HttpApi.streamPath(uri.streamName()))
                    .basin(uri.basin()).body(config.json())).body();
            root.context.done("✓ Stream reconfigured");
            root.context.out.println(Formats.table(ConfigOptions.streamForDisplay(result)));
            return 0;
        }
    }

    /** {@code GET .../records/tail}: the next sequence number and the last record's timestamp. */
    static JsonNode checkTail(BrookCli.Context ctx, String op, Uri.Parsed uri) {
        return ctx.api().send(HttpApi.call(op, "GET", HttpApi.streamPath(uri.streamName()) + "/records/tail").basin(uri.basin())).body()
                .path("tail");
    }

    @Command(name = "check-tail", mixinStandardHelpOptions = true, description = {"Check the tail position of a stream.", "",
        "Returns the sequence number that will be assigned to the next record, and the timestamp of the last record."})
    static final class CheckTail implements Callable<Integer> {
        @ParentCommand
        BrookCli root;

        @Parameters(index = "0", paramLabel = "<S2_URI>", converter = Args.StreamConverter.class, description = URI_HELP)
        Uri.Parsed uri;

        @Override
        public Integer call() {
            JsonNode tail = checkTail(root.context, "check tail", uri);
            root.context.out.println(Formats.position(tail.path("seq_num").asLong(), tail.path("timestamp").asLong()));
            return 0;
        }
    }

    /** Appends one command record (spec §5.5) with a unary append; returns the ack. */
    static JsonNode appendCommand(BrookCli.Context ctx, String op, Uri.Parsed uri, String command, byte[] body, String fencingToken,
            Long matchSeqNum) {
        ObjectNode input = HttpApi.JSON.createObjectNode();
        ObjectNode record = input.putArray("records").addObject();
        record.putArray("headers").addArray().add("").add(Base64.getEncoder().encodeToString(command.getBytes(StandardCharsets.UTF_8)));
        record.put("body", Base64.getEncoder().encodeToString(body));
        if (matchSeqNum != null) {
            input.put("match_seq_num", matchSeqNum);
        }
        if (fencingToken != null) {
            input.put("fencing_token", fencingToken);
        }
        return ctx.api().send(HttpApi.call(op, "POST", HttpApi.streamPath(uri.streamName()) + "/records").basin(uri.basin())
                .header("s2-format", "base64").body(input)).body();
    }

    @Command(name = "trim", mixinStandardHelpOptions = true, description = {"Set a trim point for a stream.", "",
        "Trimming is eventually consistent, and trimmed records may be visible for a brief period."})
    static final class Trim implements Callable<Integer> {
        @ParentCommand
        BrookCli root;

        @Parameters(index = "0", paramLabel = "<S2_URI>", converter = Args.StreamConverter.class, description = URI_HELP)
        Uri.Parsed uri;

        @Parameters(index = "1", paramLabel = "<TRIM_POINT>", description = "Earliest sequence number that should be retained. "
                + "This sequence number is only allowed to advance, and any regression will be ignored.")
        long trimPoint;

        @Option(names = {"-f", "--fencing-token"}, paramLabel = "<FENCING_TOKEN>", description = "Enforce fencing token.")
        String fencingToken;

        @Option(names = {"-m", "--match-seq-num"}, paramLabel = "<MATCH_SEQ_NUM>",
                description = "Enforce that the sequence number issued to the first record matches.")
        Long matchSeqNum;

        @Override
        public Integer call() {
            if (trimPoint < 0) {
                throw CliException.invalidArgs("invalid value '" + trimPoint + "' for '<TRIM_POINT>'");
            }
            JsonNode ack = appendCommand(root.context, "trim", uri, "trim", ByteBuffer.allocate(8).putLong(trimPoint).array(), fencingToken,
                    matchSeqNum);
            root.context.done("✓ [APPENDED] trim to " + trimPoint + " // tail: "
                    + Formats.position(ack.path("start").path("seq_num").asLong(), ack.path("start").path("timestamp").asLong()));
            return 0;
        }
    }

    @Command(name = "fence", mixinStandardHelpOptions = true, description = {"Set a fencing token for a stream.", "",
        "Fencing is strongly consistent, and subsequent appends that specify a token will be rejected if it does not match.", "",
        "Note that fencing is a cooperative mechanism, and it is only enforced when a token is provided."})
    static final class Fence implements Callable<Integer> {
        @ParentCommand
        BrookCli root;

        @Parameters(index = "0", paramLabel = "<S2_URI>", converter = Args.StreamConverter.class, description = URI_HELP)
        Uri.Parsed uri;

        @Parameters(index = "1", paramLabel = "<NEW_FENCING_TOKEN>", description = "New fencing token. It may be upto 36 characters, and can be empty.")
        String newFencingToken;

        @Option(names = {"-f", "--fencing-token"}, paramLabel = "<FENCING_TOKEN>", description = "Enforce existing fencing token.")
        String fencingToken;

        @Option(names = {"-m", "--match-seq-num"}, paramLabel = "<MATCH_SEQ_NUM>",
                description = "Enforce that the sequence number issued to this command matches.")
        Long matchSeqNum;

        @Override
        public Integer call() {
            if (newFencingToken.getBytes(StandardCharsets.UTF_8).length > 36) {
                throw CliException.invalidArgs("fencing token must not exceed 36 bytes in length");
            }
            JsonNode ack = appendCommand(root.context, "set fencing token", uri, "fence", newFencingToken.getBytes(StandardCharsets.UTF_8),
                    fencingToken, matchSeqNum);
            root.context.done("✓ [APPENDED] new fencing token \"" + newFencingToken + "\" // tail: "
                    + Formats.position(ack.path("start").path("seq_num").asLong(), ack.path("start").path("timestamp").asLong()));
            return 0;
        }
    }
}
