package dev.brook.engine.auth;

import dev.brook.engine.CatalogKeys;
import java.util.Optional;

/**
 * The token key families, encoded in one place. Persistent: never renumber.
 *
 * <pre>
 *   tokens/issued/{encoded id}    an issued token's public info (never its secret), never deleted
 *   tokens/revoked/{encoded id}   a revocation, never deleted
 * </pre>
 *
 * Ids are encoded as stream names are ({@link CatalogKeys#encode}: base32hex of the UTF-8 bytes, which
 * keeps byte order and has no '/'). An id is at most 96 bytes, so its encoding (at most 154
 * characters) is one key segment, and both families are leaves at a fixed depth.
 */
final class TokenRegistryKeys {

    static final String ISSUED = "tokens/issued/";
    static final String REVOKED = "tokens/revoked/";

    private TokenRegistryKeys() {}

    static String issued(String id) {
        return ISSUED + CatalogKeys.encode(TokenFormat.checkId(id));
    }

    static String revoked(String id) {
        return REVOKED + CatalogKeys.encode(TokenFormat.checkId(id));
    }

    /** The LIST prefix of issued ids starting with {@code idPrefix} (whole 5-byte groups; callers filter). */
    static String issuedListPrefix(String idPrefix) {
        return ISSUED + CatalogKeys.encodePrefix(idPrefix);
    }

    static String revokedListPrefix(String idPrefix) {
        return REVOKED + CatalogKeys.encodePrefix(idPrefix);
    }

    /** A LIST startAfter in the issued family: every id after {@code id} in byte order sorts after it. */
    static String issuedAfter(String id) {
        return ISSUED + CatalogKeys.encode(id);
    }

    /** The same position in the revoked family as {@code issuedKey}, an issued key or LIST startAfter. */
    static String revokedAt(String issuedKey) {
        return issuedKey.startsWith(ISSUED) ? REVOKED + issuedKey.substring(ISSUED.length()) : "";
    }

    static Optional<String> parseIssued(String key) {
        return parse(ISSUED, key);
    }

    static Optional<String> parseRevoked(String key) {
        return parse(REVOKED, key);
    }

    private static Optional<String> parse(String family, String key) {
        if (!key.startsWith(family) || key.indexOf('/', family.length()) >= 0) {
            return Optional.empty();
        }
        return CatalogKeys.decode(key.substring(family.length())).filter(id -> !id.isEmpty());
    }
}
