package dev.brook.log;

/**
 * A commit this instance won, after its floor guard: the records {@code [start, end)} and the tail
 * after them. What a writer tells the followers in other processes (docs/LOG.md, "Wake-ups").
 */
public record CommitNotice(long start, long end, long lastTimestamp) {}
