package dev.brook.core.auth;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What a token may do (spec §3.4): the operations it is permitted and the basins, streams and
 * access tokens it may do them to. The wire's {@code null}s are mapped before construction: a
 * missing resource set is {@link ResourceSet#NONE}, missing groups {@link OpGroups#NONE}, missing
 * ops the empty set.
 *
 * <p>Stream names here are always stored names: for a token that auto-prefixes streams, the
 * caller adds the prefix ({@link TokenRules#toStored}) before asking {@link #allows}.
 */
public record Scope(ResourceSet basins, ResourceSet streams, ResourceSet accessTokens, OpGroups opGroups,
        Set<Operation> ops) {

    /** Everything: the scope of an operator's root token. */
    public static final Scope ADMIN = new Scope(ResourceSet.ALL, ResourceSet.ALL, ResourceSet.ALL, OpGroups.ALL,
            EnumSet.allOf(Operation.class));

    /** Nothing at all: what a request has that did not present a valid token. */
    public static final Scope NOTHING = new Scope(ResourceSet.NONE, ResourceSet.NONE, ResourceSet.NONE, OpGroups.NONE,
            EnumSet.noneOf(Operation.class));

    public Scope {
        Objects.requireNonNull(basins, "basins");
        Objects.requireNonNull(streams, "streams");
        Objects.requireNonNull(accessTokens, "accessTokens");
        Objects.requireNonNull(opGroups, "opGroups");
        Objects.requireNonNull(ops, "ops");
        EnumSet<Operation> copy = EnumSet.noneOf(Operation.class);
        copy.addAll(ops);
        ops = Collections.unmodifiableSet(copy);
    }

    /** S2's effective permission: the union of {@code ops} and every operation of a granted group. */
    public Set<Operation> permitted() {
        EnumSet<Operation> all = EnumSet.noneOf(Operation.class);
        all.addAll(ops);
        all.addAll(opGroups.operations());
        return Collections.unmodifiableSet(all);
    }

    /** Whether the operation is permitted at all, before looking at the resource it names. */
    public boolean allows(Operation op) {
        return ops.contains(op) || opGroups.grants(op);
    }

    /**
     * Whether the operation is permitted on the resource it names. The arguments its
     * {@link Operation#target()} needs must be given (the stored stream name for stream
     * operations); the others are ignored and may be {@code null}.
     *
     * @throws IllegalArgumentException when a needed name is {@code null}: a caller that forgot to
     *     pass it has a bug, which should fail loudly rather than read as a refusal
     */
    public boolean allows(Operation op, String basin, String stream, String tokenId) {
        if (!allows(op)) {
            return false;
        }
        return switch (op.target()) {
            case NONE -> true;
            case BASIN -> basins.matches(required(op, "basin", basin));
            case BASIN_AND_STREAM -> basins.matches(required(op, "basin", basin))
                    && streams.matches(required(op, "stream", stream));
            case ACCESS_TOKEN -> accessTokens.matches(required(op, "access token id", tokenId));
        };
    }

    /**
     * Whether a token with this scope could do nothing a token with {@code other} cannot: its
     * effective operations are a subset and each resource set is within the other's. Comparing
     * {@link #permitted()} rather than groups and ops separately means a group may be narrowed to
     * the explicit ops it stands for, and the reverse.
     *
     * <p>Each resource set is compared even when no permitted operation uses it, which refuses a
     * few harmless scopes (a stream-only token asking for every access token) but keeps the rule
     * one line and leaves nothing to reason about when a later operation starts using the set.
     */
    public boolean isWithin(Scope other) {
        Objects.requireNonNull(other, "other");
        return other.permitted().containsAll(permitted())
                && basins.isWithin(other.basins)
                && streams.isWithin(other.streams)
                && accessTokens.isWithin(other.accessTokens);
    }

    private static String required(Operation op, String what, String name) {
        if (name == null) {
            throw new IllegalArgumentException(op.wire() + " is checked against a " + what + ", but none was given");
        }
        return name;
    }
}
