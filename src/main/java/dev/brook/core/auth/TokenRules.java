package dev.brook.core.auth;

import dev.brook.core.Names;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The rules for issuing access tokens (spec §3.4) and for the stream-name prefixing of tokens that
 * auto-prefix. Each check returns the message for the first rule broken, or empty.
 *
 * <p>An issue request is checked in this order: {@link #invalid(TokenSpec, long)} on the request as
 * the client sent it (422 {@code invalid}, naming what the client wrote), then
 * {@link #withDefaults}, then {@link #escalation} against the requesting token (403
 * {@code permission_denied}). Whether the requester may issue a token with this id at all is the
 * ordinary operation check, {@code scope.allows(ISSUE_ACCESS_TOKEN, null, null, id)}.
 *
 * <p>Resource sets in a token's scope always hold stored names, also when the issuing token
 * auto-prefixes: only the stream-name arguments of stream operations and listings are prefixed
 * ({@link #toStored}), so a scope means the same whoever reads it, and {@code list-access-tokens}
 * shows scopes that compare directly.
 */
public final class TokenRules {

    private TokenRules() {}

    private static final String PERMISSIONS_EMPTY = "Access token permissions cannot be empty";
    private static final String AUTO_PREFIX_NEEDS_PREFIX = "Auto prefixing is only allowed for streams with prefix matching";
    private static final String EXPIRES_NOT_FUTURE = "expires_at must be in the future";

    private static final String REQUESTER_EXPIRED = "the requesting access token has expired";
    private static final String OPS_NOT_PERMITTED =
            "access token cannot be granted operations the requester is not permitted: ";
    private static final String BASINS_WIDER = "access token basins scope exceeds the requester's";
    private static final String STREAMS_WIDER = "access token streams scope exceeds the requester's";
    private static final String ACCESS_TOKENS_WIDER = "access token access_tokens scope exceeds the requester's";
    private static final String EXPIRES_LATER = "access token cannot expire later than the requester's token";
    private static final String MUST_EXPIRE = "access token must expire, since the requester's token does";
    private static final String MUST_AUTO_PREFIX = "access token must auto-prefix streams, since the requester's token does";

    /**
     * Why S2 would refuse this token with 422 {@code invalid}, not looking at time: no permitted
     * operation at all, or auto-prefixing without a streams prefix to add. A bad id
     * ({@link Names#accessTokenId}) comes first: S2 refuses it while parsing the body, so the http
     * layer may answer it with 400 {@code bad_json} before calling this; it is repeated here so a
     * request built any other way is covered too.
     */
    public static Optional<String> invalid(TokenSpec spec) {
        Optional<String> id = Names.accessTokenId(spec.id());
        if (id.isPresent()) {
            return id;
        }
        if (spec.scope().permitted().isEmpty()) {
            return Optional.of(PERMISSIONS_EMPTY);
        }
        if (spec.autoPrefixStreams() && !(spec.scope().streams() instanceof ResourceSet.Prefix)) {
            return Optional.of(AUTO_PREFIX_NEEDS_PREFIX);
        }
        return Optional.empty();
    }

    /**
     * {@link #invalid(TokenSpec)}, and an expiry at or before {@code nowMs}: a token that is dead on
     * arrival is a mistake in the request, not a lack of permission, so it is a 422 rather than a 403.
     */
    public static Optional<String> invalid(TokenSpec spec, long nowMs) {
        Optional<String> timeless = invalid(spec);
        if (timeless.isPresent()) {
            return timeless;
        }
        if (spec.expiresAtMs().isPresent() && spec.expiresAtMs().getAsLong() <= nowMs) {
            return Optional.of(EXPIRES_NOT_FUTURE);
        }
        return Optional.empty();
    }

    /** S2's default (spec §3.4): a request without {@code expires_at} gets the requester's expiry. */
    public static TokenSpec withDefaults(TokenSpec requested, TokenSpec requester) {
        if (requested.expiresAtMs().isPresent()) {
            return requested;
        }
        return requested.withExpiresAtMs(requester.expiresAtMs());
    }

    /**
     * Why the requested token would have a power its issuer lacks, for a 403
     * {@code permission_denied}; empty when it has none. Expects a {@code requested} that passed
     * {@link #invalid(TokenSpec, long)}, defaults applied. A token can do no more than its issuer
     * when all of these hold:
     *
     * <ul>
     *   <li>the issuer has not expired ({@code nowMs} is normally checked at authentication already;
     *       checking again keeps a long request from issuing past its own token's life);
     *   <li>its scope is {@linkplain Scope#isWithin within} the issuer's: operations, basins,
     *       streams and access tokens;
     *   <li>it expires no later than the issuer, and does expire if the issuer does: otherwise a
     *       short-lived token could mint itself a permanent successor;
     *   <li>it auto-prefixes streams if the issuer does. Auto-prefixing does not change which stored
     *       streams a scope reaches (every prefixed name matches the streams prefix, and the scope
     *       is checked on stored names), so the prefix itself is covered by the streams rule above.
     *       What it changes is the view: the holder names streams relative to the prefix, never
     *       sees the prefix, and cannot name the stream called exactly the prefix (nor prefix + "."
     *       or prefix + ".."), which an unprefixed token with the same set can. A tenant confined
     *       to a namespace must not escape that view by issuing itself an unprefixed token, so
     *       dropping auto-prefix counts as more power; adding it, or narrowing the prefix, does not.
     * </ul>
     */
    public static Optional<String> escalation(TokenSpec requested, TokenSpec requester, long nowMs) {
        OptionalLong requesterExpiry = requester.expiresAtMs();
        if (requesterExpiry.isPresent() && requesterExpiry.getAsLong() <= nowMs) {
            return Optional.of(REQUESTER_EXPIRED);
        }
        Optional<String> scope = scopeEscalation(requested.scope(), requester.scope());
        if (scope.isPresent()) {
            return scope;
        }
        if (requesterExpiry.isPresent()) {
            if (requested.expiresAtMs().isEmpty()) {
                return Optional.of(MUST_EXPIRE);
            }
            if (requested.expiresAtMs().getAsLong() > requesterExpiry.getAsLong()) {
                return Optional.of(EXPIRES_LATER);
            }
        }
        if (requester.autoPrefixStreams() && !requested.autoPrefixStreams()) {
            return Optional.of(MUST_AUTO_PREFIX);
        }
        return Optional.empty();
    }

    /** The first way {@code requested} is not within {@code requester}, named for the client. */
    private static Optional<String> scopeEscalation(Scope requested, Scope requester) {
        Set<Operation> permitted = requester.permitted();
        String extra = requested.permitted().stream()
                .filter(op -> !permitted.contains(op))
                .map(Operation::wire)
                .collect(Collectors.joining(", "));
        if (!extra.isEmpty()) {
            return Optional.of(OPS_NOT_PERMITTED + extra);
        }
        if (!requested.basins().isWithin(requester.basins())) {
            return Optional.of(BASINS_WIDER);
        }
        if (!requested.streams().isWithin(requester.streams())) {
            return Optional.of(STREAMS_WIDER);
        }
        if (!requested.accessTokens().isWithin(requester.accessTokens())) {
            return Optional.of(ACCESS_TOKENS_WIDER);
        }
        return Optional.empty();
    }

    /**
     * The stored name for a stream name a client sent: the token's streams prefix added when it
     * auto-prefixes, unchanged otherwise. The result may be longer than the 512-byte stream name
     * limit even when the client's name is not; the caller validates the stored name too.
     */
    public static String toStored(String clientStreamName, Scope scope, boolean autoPrefix) {
        Objects.requireNonNull(clientStreamName, "clientStreamName");
        return autoPrefix ? autoPrefixOf(scope) + clientStreamName : clientStreamName;
    }

    /**
     * The name a client sees for a stored stream: the prefix stripped when the token auto-prefixes.
     * Empty when the client could not name the stream: it lacks the prefix, or what is left is not
     * a valid stream name (empty, "." or ".."), so a listing skips it rather than show a name that
     * cannot be used.
     */
    public static Optional<String> toClient(String storedName, Scope scope, boolean autoPrefix) {
        Objects.requireNonNull(storedName, "storedName");
        if (!autoPrefix) {
            return Optional.of(storedName);
        }
        String prefix = autoPrefixOf(scope);
        if (!storedName.startsWith(prefix)) {
            return Optional.empty();
        }
        String clientName = storedName.substring(prefix.length());
        if (Names.streamName(clientName).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(clientName);
    }

    /**
     * A listing's {@code prefix} in stored names. Prepending one string to every name keeps their
     * order, so the stored listing, stripped, is the client's listing.
     */
    public static String storedPrefix(String clientPrefix, Scope scope, boolean autoPrefix) {
        return toStored(clientPrefix, scope, autoPrefix);
    }

    /**
     * A listing's {@code start_after} in stored names; an empty one becomes the bare prefix, which
     * only skips the stream named exactly the prefix, hidden from the client anyway.
     */
    public static String storedStartAfter(String clientStartAfter, Scope scope, boolean autoPrefix) {
        return toStored(clientStartAfter, scope, autoPrefix);
    }

    private static String autoPrefixOf(Scope scope) {
        if (scope.streams() instanceof ResourceSet.Prefix prefix) {
            return prefix.prefix();
        }
        throw new IllegalArgumentException("auto-prefixing needs a streams prefix set, which TokenRules.invalid "
                + "demands, but the scope has " + scope.streams());
    }
}
