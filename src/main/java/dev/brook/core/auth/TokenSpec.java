package dev.brook.core.auth;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * An access token's claims apart from its secret: the id, the scope, whether stream names are
 * auto-prefixed, and the expiry in epoch milliseconds (empty: never expires). Describes both a
 * token being issued ({@code IssueAccessTokenRequest}) and the token of the request issuing it.
 */
public record TokenSpec(String id, Scope scope, boolean autoPrefixStreams, OptionalLong expiresAtMs) {

    public TokenSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(expiresAtMs, "expiresAtMs");
    }

    /** The same claims with another expiry. */
    public TokenSpec withExpiresAtMs(OptionalLong expiresAt) {
        return new TokenSpec(id, scope, autoPrefixStreams, expiresAt);
    }
}
