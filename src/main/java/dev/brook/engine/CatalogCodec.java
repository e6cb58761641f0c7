package dev.brook.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brook.core.Cipher;
import dev.brook.core.StreamConfigSpec;
import dev.brook.core.Timestamping;
import dev.brook.core.TimestampingMode;
import dev.brook.store.StoreException;
import java.io.IOException;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Version objects of the catalog, as JSON documents with a format number (persistent: a new
 * layout gets a new number). The configuration inside uses S2's own JSON (ConfigJson).
 */
final class CatalogCodec {

    static final int FORMAT_1 = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private CatalogCodec() {}

    static byte[] encode(BasinRecord r) {
        ObjectNode n = common(r.state(), r.createdAtMs(), r.deletedAtMs(), r.requestToken(), r.requestHash());
        n.set("config", ConfigJson.basinConfig(r.config()));
        return bytes(n);
    }

    static byte[] encode(StreamRecord r) {
        ObjectNode n = common(r.state(), r.createdAtMs(), r.deletedAtMs(), r.requestToken(), r.requestHash());
        n.put("sid", r.sid());
        n.set("config", ConfigJson.streamConfig(r.config()));
        n.put("cipher", r.cipher().map(ConfigJson::kebab).orElse(null));
        n.putObject("genesis").put("mode", ConfigJson.kebab(r.genesis().mode())).put("uncapped", r.genesis().uncapped())
                .put("version", r.genesisVersion());
        return bytes(n);
    }

    static BasinRecord decodeBasin(String key, long version, byte[] body) {
        try {
            JsonNode n = parse(key, body);
            return new BasinRecord(version, Lifecycle.valueOf(n.get("state").asText()), n.get("created_at_ms").asLong(),
                    optionalLong(n.get("deleted_at_ms")), ConfigJson.parseBasinConfig(n.get("config")),
                    optionalText(n.get("request_token")), optionalText(n.get("request_hash")));
        } catch (RuntimeException e) {
            throw damaged(key, e);
        }
    }

    static StreamRecord decodeStream(String key, long version, byte[] body) {
        try {
            JsonNode n = parse(key, body);
            JsonNode g = n.get("genesis");
            StreamConfigSpec config = ConfigJson.parseSpec(n.get("config"));
            return new StreamRecord(version, Lifecycle.valueOf(n.get("state").asText()), n.get("sid").asText(),
                    n.get("created_at_ms").asLong(), optionalLong(n.get("deleted_at_ms")),
                    config.resolve(StreamConfigSpec.EMPTY),
                    optionalText(n.get("cipher")).map(c -> ConfigJson.parseEnum(Cipher.class, n.get("cipher"), "cipher")),
                    new Timestamping(ConfigJson.parseEnum(TimestampingMode.class, g.get("mode"), "genesis.mode"), g.get("uncapped").asBoolean()),
                    // Absent in versions written before it was recorded: their logs start at config version 0.
                    g.path("version").asLong(0),
                    optionalText(n.get("request_token")), optionalText(n.get("request_hash")));
        } catch (RuntimeException e) {
            throw damaged(key, e);
        }
    }

    private static ObjectNode common(Lifecycle state, long createdAtMs, OptionalLong deletedAtMs, Optional<String> token,
                                     Optional<String> hash) {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", FORMAT_1);
        n.put("state", state.name());
        n.put("created_at_ms", createdAtMs);
        if (deletedAtMs.isPresent()) {
            n.put("deleted_at_ms", deletedAtMs.getAsLong());
        }
        token.ifPresent(t -> n.put("request_token", t));
        hash.ifPresent(h -> n.put("request_hash", h));
        return n;
    }

    private static JsonNode parse(String key, byte[] body) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || n.path("format").asInt() != FORMAT_1) {
                throw new IllegalArgumentException("unknown format " + (n == null ? null : n.get("format")));
            }
            return n;
        } catch (IOException e) {
            throw damaged(key, e);
        }
    }

    private static byte[] bytes(ObjectNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    private static OptionalLong optionalLong(JsonNode n) {
        return n == null || n.isNull() ? OptionalLong.empty() : OptionalLong.of(n.asLong());
    }

    private static Optional<String> optionalText(JsonNode n) {
        return n == null || n.isNull() ? Optional.empty() : Optional.of(n.asText());
    }

    private static StoreException damaged(String key, Exception e) {
        return new StoreException(StoreException.Kind.CORRUPT, "catalog object `" + key + "` is damaged: " + e.getMessage(), e);
    }
}
