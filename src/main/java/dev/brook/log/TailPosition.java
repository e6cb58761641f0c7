package dev.brook.log;

/** A stream's tail as check-tail reports it: the next sequence number and the last timestamp. */
public record TailPosition(long seqNum, long timestamp) {}
