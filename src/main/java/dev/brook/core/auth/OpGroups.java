package dev.brook.core.auth;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * A token's {@code op_groups}: read and write for the account, basin and stream levels. A group
 * grants every {@link Operation} whose {@link Operation#group()} and {@link Operation#access()} it
 * names; absent groups on the wire are false.
 */
public record OpGroups(boolean accountRead, boolean accountWrite, boolean basinRead, boolean basinWrite,
        boolean streamRead, boolean streamWrite) {

    public static final OpGroups NONE = new OpGroups(false, false, false, false, false, false);
    public static final OpGroups ALL = new OpGroups(true, true, true, true, true, true);

    /** Whether the group for this level and access is granted. */
    public boolean grants(Operation.Group group, Operation.Access access) {
        boolean read = access == Operation.Access.READ;
        return switch (group) {
            case ACCOUNT -> read ? accountRead : accountWrite;
            case BASIN -> read ? basinRead : basinWrite;
            case STREAM -> read ? streamRead : streamWrite;
        };
    }

    /** Whether the groups grant this operation. */
    public boolean grants(Operation op) {
        return grants(op.group(), op.access());
    }

    /** Every operation the granted groups cover, unmodifiable. */
    public Set<Operation> operations() {
        EnumSet<Operation> ops = EnumSet.noneOf(Operation.class);
        for (Operation op : Operation.values()) {
            if (grants(op)) {
                ops.add(op);
            }
        }
        return Collections.unmodifiableSet(ops);
    }
}
