package dev.brook.log;

/** What one trim run did: the floor it left, how many commits it deleted, and whether more remain. */
public record TrimReport(CommitKey floor, int deleted, boolean more) {}
