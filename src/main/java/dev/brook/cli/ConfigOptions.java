package dev.brook.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * S2's stream-config flags (create-basin, reconfigure-basin, create-stream, reconfigure-stream) and
 * the JSON the API takes for them (spec §4); and configs as S2's CLI prints them.
 */
final class ConfigOptions {

    private ConfigOptions() {}

    /** {@code --storage-class}, {@code --retention-policy}, {@code --timestamping-*}, {@code --delete-on-empty-min-age}. */
    static final class Stream {
        @Option(names = "--storage-class", paramLabel = "<STORAGE_CLASS>", description = "Storage class for a stream. [possible values: standard, express]")
        String storageClass;

        @Option(names = "--retention-policy", paramLabel = "<RETENTION_POLICY>", converter = Args.RetentionConverter.class,
                description = "Retention policy for a stream. Example: 1d, 1w, 1y, or infinite")
        Durations.RetentionPolicy retentionPolicy;

        @Option(names = "--timestamping-mode", paramLabel = "<TIMESTAMPING_MODE>",
                description = "Timestamping mode. [possible values: client-prefer, client-require, arrival]")
        String timestampingMode;

        @Option(names = "--timestamping-uncapped", paramLabel = "<TIMESTAMPING_UNCAPPED>", arity = "1", converter = Args.BoolConverter.class,
                description = "Uncapped timestamps. [possible values: true, false]")
        Boolean timestampingUncapped;

        @Option(names = "--delete-on-empty-min-age", paramLabel = "<DELETE_ON_EMPTY_MIN_AGE>", converter = Args.DurationConverter.class,
                description = "Minimum age before an empty stream can be deleted. Example: 1d, 1w, 1y")
        Duration deleteOnEmptyMinAge;

        boolean isEmpty() {
            return storageClass == null && retentionPolicy == null && timestampingMode == null && timestampingUncapped == null
                    && deleteOnEmptyMinAge == null;
        }

        void check() {
            if (storageClass != null && !storageClass.equals("standard") && !storageClass.equals("express")) {
                throw CliException.invalidArgs("invalid value '" + storageClass + "' for '--storage-class' [possible values: standard, express]");
            }
            if (timestampingMode != null && !(timestampingMode.equals("client-prefer") || timestampingMode.equals("client-require")
                    || timestampingMode.equals("arrival"))) {
                throw CliException.invalidArgs("invalid value '" + timestampingMode
                        + "' for '--timestamping-mode' [possible values: client-prefer, client-require, arrival]");
            }
        }

        /** The set fields as a {@code StreamConfig} (or reconfiguration: the same shape, absent = unchanged). */
        ObjectNode json() {
            check();
            ObjectNode c = HttpApi.JSON.createObjectNode();
            if (storageClass != null) {
                c.put("storage_class", storageClass);
            }
            if (retentionPolicy != null) {
                if (retentionPolicy.infinite()) {
                    c.putObject("retention_policy").putObject("infinite");
                } else {
                    c.putObject("retention_policy").put("age", retentionPolicy.ageSecs());
                }
            }
            if (timestampingMode != null || timestampingUncapped != null) {
                ObjectNode t = c.putObject("timestamping");
                if (timestampingMode != null) {
                    t.put("mode", timestampingMode);
                }
                if (timestampingUncapped != null) {
                    t.put("uncapped", timestampingUncapped);
                }
            }
            if (deleteOnEmptyMinAge != null) {
                c.putObject("delete_on_empty").put("min_age_secs", deleteOnEmptyMinAge.getSeconds());
            }
            return c;
        }
    }

    /** An API {@code StreamConfig} as S2's CLI serializes its own config type for display. */
    static JsonNode streamForDisplay(JsonNode api) {
        ObjectNode out = HttpApi.JSON.createObjectNode();
        if (api == null || api.isNull()) {
            api = NullNode.getInstance();
        }
        JsonNode sc = api.path("storage_class");
        out.set("storage_class", sc.isMissingNode() ? NullNode.getInstance() : sc);
        JsonNode rp = api.path("retention_policy");
        if (rp.has("age")) {
            out.putObject("retention_policy").put("Age", Durations.format(Duration.ofSeconds(rp.get("age").asLong())));
        } else if (rp.has("infinite")) {
            out.put("retention_policy", "Infinite");
        } else {
            out.putNull("retention_policy");
        }
        JsonNode ts = api.path("timestamping");
        if (ts.isObject()) {
            ObjectNode t = out.putObject("timestamping");
            t.set("timestamping_mode", ts.has("mode") ? ts.get("mode") : NullNode.getInstance());
            t.set("timestamping_uncapped", ts.has("uncapped") ? ts.get("uncapped") : NullNode.getInstance());
        } else {
            out.putNull("timestamping");
        }
        JsonNode doe = api.path("delete_on_empty");
        if (doe.isObject()) {
            out.putObject("delete_on_empty").put("delete_on_empty_min_age",
                    Durations.format(Duration.ofSeconds(doe.path("min_age_secs").asLong(0))));
        } else {
            out.putNull("delete_on_empty");
        }
        return out;
    }

    /** An API {@code BasinConfig} as S2's CLI displays it. */
    static JsonNode basinForDisplay(JsonNode api) {
        ObjectNode out = HttpApi.JSON.createObjectNode();
        out.set("default_stream_config", streamForDisplay(api.path("default_stream_config")));
        out.set("stream_cipher", api.hasNonNull("stream_cipher") ? api.get("stream_cipher") : NullNode.getInstance());
        out.put("create_stream_on_append", api.path("create_stream_on_append").asBoolean(false));
        out.put("create_stream_on_read", api.path("create_stream_on_read").asBoolean(false));
        return out;
    }
}
