package dev.brook.http.gate;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.Command;
import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import dev.brook.core.auth.Operation;
import dev.brook.core.auth.ResourceSet;
import dev.brook.core.auth.TokenRules;
import dev.brook.core.auth.TokenSpec;
import dev.brook.core.Names;
import java.util.Optional;

/**
 * The access checks only a resource can make, after {@link AuthGate} admitted the request: names
 * read from bodies, the commands inside an append, listings narrowed to the token's sets.
 */
public final class Authz {

    private Authz() {}

    /** A refusal that names the operation, never the resource (whether it exists is not the token's business). */
    public static S2Error denied(Operation op) {
        return new S2Error(ErrorCode.PERMISSION_DENIED, "the access token does not permit `" + op.wire() + "` here");
    }

    /**
     * The stream name as stored for a name as the client wrote it: with the token's streams prefix
     * in front when it auto-prefixes (spec §3.4), checked against the name rules once prefixed.
     */
    public static String stored(TokenSpec token, String clientStream) {
        String stored = TokenRules.toStored(clientStream, token.scope(), token.autoPrefixStreams());
        if (token.autoPrefixStreams()) {
            Names.streamName(stored).ifPresent(problem -> {
                throw new S2Error(ErrorCode.BAD_PATH, "with the access token's stream prefix, " + problem);
            });
        }
        return stored;
    }

    /** The name a client sees for a stored stream (the token's prefix stripped); empty when it cannot name it. */
    public static Optional<String> client(TokenSpec token, String storedStream) {
        return TokenRules.toClient(storedStream, token.scope(), token.autoPrefixStreams());
    }

    public static void require(TokenSpec token, Operation op, String basin, String stream, String tokenId) {
        if (!token.scope().allows(op, basin, stream, tokenId)) {
            throw denied(op);
        }
    }

    /** Each record of a batch needs its operation: {@code fence} and {@code trim} for those commands, {@code append} for the rest. */
    public static void requireRecords(TokenSpec token, AppendBatch batch, String basin, String stream) {
        for (AppendRecord r : batch.records()) {
            Operation op = Command.parse(r) instanceof Command.IsCommand c
                    ? (c.command() instanceof Command.Fence ? Operation.FENCE : Operation.TRIM) : Operation.APPEND;
            require(token, op, basin, stream, null);
        }
    }

    /**
     * How to list within a resource set: the prefix and limit to ask the catalog for, and which
     * names to keep. A page then holds only names the token may see, and {@code has_more} tells
     * nothing about the others.
     */
    public record Listing(String prefix, int limit, Optional<String> exact) {
        public boolean keeps(String name) {
            return exact.isEmpty() || exact.get().equals(name);
        }

        public boolean hasMore(boolean pageHasMore) {
            return exact.isEmpty() && pageHasMore; // one name at most
        }
    }

    /** Empty when the set and the client's prefix share no name: the answer is an empty page. */
    public static Optional<Listing> listing(ResourceSet set, String prefix, int limit) {
        return narrow(set, prefix).map(p -> set instanceof ResourceSet.Exact e
                ? new Listing(p, 1, Optional.of(e.name())) // the exact name sorts first among names it prefixes
                : new Listing(p, limit, Optional.empty()));
    }

    /** A listing's prefix narrowed to a resource set; empty when they share no name. */
    public static Optional<String> narrow(ResourceSet set, String prefix) {
        if (set instanceof ResourceSet.Prefix p) {
            if (p.prefix().startsWith(prefix)) {
                return Optional.of(p.prefix());
            }
            return prefix.startsWith(p.prefix()) ? Optional.of(prefix) : Optional.empty();
        }
        if (set instanceof ResourceSet.Exact e && !e.name().isEmpty() && e.name().startsWith(prefix)) {
            return Optional.of(e.name());
        }
        return Optional.empty();
    }
}
