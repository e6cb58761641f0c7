package dev.brook.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brook.core.BasinConfig;
import dev.brook.core.Cipher;
import dev.brook.core.ErrorCode;
import dev.brook.core.RetentionPolicy;
import dev.brook.core.S2Error;
import dev.brook.core.StorageClass;
import dev.brook.core.StreamConfig;
import dev.brook.core.StreamConfigSpec;
import dev.brook.core.TimestampingMode;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * S2's JSON for configurations (spec §4): snake_case fields, kebab-case enums, resolved stream
 * configs with every field, unresolved ones with nulls, and PATCH bodies whose fields are absent
 * (keep), null (reset to the default) or a value (set). Shape errors are {@code bad_json}; values
 * S2 refuses are {@code invalid}.
 */
public final class ConfigJson {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ConfigJson() {}

    // ---------------------------------------------------------------- writing

    public static ObjectNode streamConfig(StreamConfig c) {
        ObjectNode n = JSON.objectNode();
        n.put("storage_class", kebab(c.storageClass()));
        n.set("retention_policy", retention(c.retention()));
        ObjectNode ts = n.putObject("timestamping");
        ts.put("mode", kebab(c.timestamping().mode()));
        ts.put("uncapped", c.timestamping().uncapped());
        n.putObject("delete_on_empty").put("min_age_secs", c.deleteOnEmptyMinAgeSecs());
        return n;
    }

    /** An unresolved config: unset fields are null; {@code null} altogether when nothing is set. */
    public static JsonNode spec(StreamConfigSpec s) {
        if (s.isEmpty()) {
            return JSON.nullNode();
        }
        ObjectNode n = JSON.objectNode();
        n.set("storage_class", s.storageClass().map(c -> (JsonNode) JSON.textNode(kebab(c))).orElse(JSON.nullNode()));
        n.set("retention_policy", s.retention().map(ConfigJson::retention).orElse(JSON.nullNode()));
        if (s.timestampingMode().isEmpty() && s.uncapped().isEmpty()) {
            n.putNull("timestamping");
        } else {
            ObjectNode ts = n.putObject("timestamping");
            ts.set("mode", s.timestampingMode().map(m -> (JsonNode) JSON.textNode(kebab(m))).orElse(JSON.nullNode()));
            ts.set("uncapped", s.uncapped().map(u -> (JsonNode) JSON.booleanNode(u)).orElse(JSON.nullNode()));
        }
        if (s.deleteOnEmptyMinAgeSecs().isPresent()) {
            n.putObject("delete_on_empty").put("min_age_secs", s.deleteOnEmptyMinAgeSecs().getAsLong());
        } else {
            n.putNull("delete_on_empty");
        }
        return n;
    }

    public static ObjectNode basinConfig(BasinConfig c) {
        ObjectNode n = JSON.objectNode();
        n.set("default_stream_config", spec(c.defaultStreamConfig()));
        n.set("stream_cipher", c.streamCipher().map(x -> (JsonNode) JSON.textNode(kebab(x))).orElse(JSON.nullNode()));
        n.put("create_stream_on_append", c.createStreamOnAppend());
        n.put("create_stream_on_read", c.createStreamOnRead());
        return n;
    }

    private static JsonNode retention(RetentionPolicy r) {
        ObjectNode n = JSON.objectNode();
        if (r instanceof RetentionPolicy.Age a) {
            n.put("age", a.seconds());
        } else {
            n.putObject("infinite");
        }
        return n;
    }

    // ---------------------------------------------------------------- reading

    /** A create or ensure request's stream config ({@code null} or absent: nothing set). */
    public static StreamConfigSpec parseSpec(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return StreamConfigSpec.EMPTY;
        }
        object(n, "stream config");
        JsonNode ts = n.get("timestamping");
        if (ts != null && !ts.isNull()) {
            object(ts, "timestamping");
        }
        return new StreamConfigSpec(
                optional(n.get("storage_class")).map(v -> parseEnum(StorageClass.class, v, "storage_class")),
                optional(n.get("retention_policy")).map(ConfigJson::parseRetention),
                ts == null || ts.isNull() ? Optional.empty() : optional(ts.get("mode")).map(v -> parseEnum(TimestampingMode.class, v, "timestamping.mode")),
                ts == null || ts.isNull() ? Optional.empty() : optional(ts.get("uncapped")).map(v -> bool(v, "timestamping.uncapped")),
                parseDeleteOnEmpty(n.get("delete_on_empty")));
    }

    public static BasinConfig parseBasinConfig(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return BasinConfig.DEFAULT;
        }
        object(n, "basin config");
        return new BasinConfig(parseSpec(n.get("default_stream_config")),
                optional(n.get("stream_cipher")).map(v -> parseEnum(Cipher.class, v, "stream_cipher")),
                optional(n.get("create_stream_on_append")).map(v -> bool(v, "create_stream_on_append")).orElse(false),
                optional(n.get("create_stream_on_read")).map(v -> bool(v, "create_stream_on_read")).orElse(false));
    }

    /** Applies a stream PATCH to the stored config; null fields take the basin default, then the system's. */
    public static StreamConfig reconfigure(StreamConfig current, JsonNode patch, StreamConfigSpec basinDefaults) {
        object(patch, "stream reconfiguration");
        StreamConfig fallback = StreamConfigSpec.EMPTY.resolve(basinDefaults);
        StorageClass storage = current.storageClass();
        if (patch.has("storage_class")) {
            storage = optional(patch.get("storage_class")).map(v -> parseEnum(StorageClass.class, v, "storage_class"))
                    .orElse(fallback.storageClass());
        }
        RetentionPolicy retention = current.retention();
        if (patch.has("retention_policy")) {
            retention = optional(patch.get("retention_policy")).map(ConfigJson::parseRetention).orElse(fallback.retention());
        }
        TimestampingMode mode = current.timestamping().mode();
        boolean uncapped = current.timestamping().uncapped();
        if (patch.has("timestamping")) {
            JsonNode ts = patch.get("timestamping");
            if (ts.isNull()) {
                mode = fallback.timestamping().mode();
                uncapped = fallback.timestamping().uncapped();
            } else {
                object(ts, "timestamping");
                if (ts.has("mode")) {
                    mode = optional(ts.get("mode")).map(v -> parseEnum(TimestampingMode.class, v, "timestamping.mode"))
                            .orElse(fallback.timestamping().mode());
                }
                if (ts.has("uncapped")) {
                    uncapped = optional(ts.get("uncapped")).map(v -> bool(v, "timestamping.uncapped"))
                            .orElse(fallback.timestamping().uncapped());
                }
            }
        }
        long doe = current.deleteOnEmptyMinAgeSecs();
        if (patch.has("delete_on_empty")) {
            JsonNode d = patch.get("delete_on_empty");
            if (d.isNull()) {
                doe = fallback.deleteOnEmptyMinAgeSecs();
            } else {
                object(d, "delete_on_empty");
                if (d.has("min_age_secs")) {
                    doe = optional(d.get("min_age_secs")).map(v -> unsigned(v, "delete_on_empty.min_age_secs"))
                            .orElse(fallback.deleteOnEmptyMinAgeSecs());
                }
            }
        }
        return new StreamConfig(storage, retention, new dev.brook.core.Timestamping(mode, uncapped), doe);
    }

    /** Applies a basin PATCH: absent keeps, null clears, a value sets; defaults patch field by field. */
    public static BasinConfig reconfigure(BasinConfig current, JsonNode patch) {
        object(patch, "basin reconfiguration");
        StreamConfigSpec defaults = current.defaultStreamConfig();
        if (patch.has("default_stream_config")) {
            JsonNode d = patch.get("default_stream_config");
            defaults = d.isNull() ? StreamConfigSpec.EMPTY : patchSpec(defaults, d);
        }
        Optional<Cipher> cipher = current.streamCipher();
        if (patch.has("stream_cipher")) {
            cipher = optional(patch.get("stream_cipher")).map(v -> parseEnum(Cipher.class, v, "stream_cipher"));
        }
        boolean onAppend = current.createStreamOnAppend();
        if (patch.has("create_stream_on_append")) {
            onAppend = bool(patch.get("create_stream_on_append"), "create_stream_on_append");
        }
        boolean onRead = current.createStreamOnRead();
        if (patch.has("create_stream_on_read")) {
            onRead = bool(patch.get("create_stream_on_read"), "create_stream_on_read");
        }
        return new BasinConfig(defaults, cipher, onAppend, onRead);
    }

    /** A patch onto unresolved defaults: null clears a field, absent keeps it. */
    private static StreamConfigSpec patchSpec(StreamConfigSpec s, JsonNode p) {
        object(p, "default_stream_config");
        Optional<StorageClass> storage = p.has("storage_class")
                ? optional(p.get("storage_class")).map(v -> parseEnum(StorageClass.class, v, "storage_class")) : s.storageClass();
        Optional<RetentionPolicy> retention = p.has("retention_policy")
                ? optional(p.get("retention_policy")).map(ConfigJson::parseRetention) : s.retention();
        Optional<TimestampingMode> mode = s.timestampingMode();
        Optional<Boolean> uncapped = s.uncapped();
        if (p.has("timestamping")) {
            JsonNode ts = p.get("timestamping");
            if (ts.isNull()) {
                mode = Optional.empty();
                uncapped = Optional.empty();
            } else {
                object(ts, "timestamping");
                if (ts.has("mode")) {
                    mode = optional(ts.get("mode")).map(v -> parseEnum(TimestampingMode.class, v, "timestamping.mode"));
                }
                if (ts.has("uncapped")) {
                    uncapped = optional(ts.get("uncapped")).map(v -> bool(v, "timestamping.uncapped"));
                }
            }
        }
        OptionalLong doe = s.deleteOnEmptyMinAgeSecs();
        if (p.has("delete_on_empty")) {
            JsonNode d = p.get("delete_on_empty");
            if (d.isNull()) {
                doe = OptionalLong.empty();
            } else {
                object(d, "delete_on_empty");
                if (d.has("min_age_secs")) {
                    Optional<Long> v = optional(d.get("min_age_secs")).map(x -> unsigned(x, "delete_on_empty.min_age_secs"));
                    doe = v.isPresent() ? OptionalLong.of(v.get()) : OptionalLong.empty();
                }
            }
        }
        return new StreamConfigSpec(storage, retention, mode, uncapped, doe);
    }

    private static RetentionPolicy parseRetention(JsonNode n) {
        object(n, "retention_policy");
        if (n.has("age")) {
            long age = unsigned(n.get("age"), "retention_policy.age");
            if (age == 0) {
                throw S2Error.invalid("age must be greater than 0 seconds");
            }
            return new RetentionPolicy.Age(age);
        }
        if (n.has("infinite")) {
            return new RetentionPolicy.Infinite();
        }
        throw badJson("retention_policy must be {\"age\": seconds} or {\"infinite\": {}}");
    }

    private static OptionalLong parseDeleteOnEmpty(JsonNode n) {
        if (n == null || n.isNull()) {
            return OptionalLong.empty();
        }
        object(n, "delete_on_empty");
        JsonNode v = n.get("min_age_secs");
        return v == null || v.isNull() ? OptionalLong.of(0) : OptionalLong.of(unsigned(v, "delete_on_empty.min_age_secs"));
    }

    // ---------------------------------------------------------------- helpers

    static String kebab(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static <E extends Enum<E>> E parseEnum(Class<E> type, JsonNode v, String field) {
        if (!v.isTextual()) {
            throw badJson(field + ": expected a string");
        }
        for (E e : type.getEnumConstants()) {
            if (kebab(e).equals(v.asText())) {
                return e;
            }
        }
        throw badJson(field + ": unknown variant `" + v.asText() + "`");
    }

    private static Optional<JsonNode> optional(JsonNode n) {
        return n == null || n.isNull() ? Optional.empty() : Optional.of(n);
    }

    private static void object(JsonNode n, String what) {
        if (n == null || !n.isObject()) {
            throw badJson(what + ": expected an object");
        }
    }

    private static boolean bool(JsonNode n, String field) {
        if (n == null || !n.isBoolean()) {
            throw badJson(field + ": expected a boolean");
        }
        return n.booleanValue();
    }

    static long unsigned(JsonNode n, String field) {
        if (n == null || !n.canConvertToExactIntegral() || !n.canConvertToLong() || n.asLong() < 0) {
            throw badJson(field + ": expected a non-negative integer");
        }
        return n.asLong();
    }

    static S2Error badJson(String message) {
        return new S2Error(ErrorCode.BAD_JSON, message);
    }
}
