package dev.brook.core;

/** Why a batch was not accepted: each carries what the client needs to act on it. */
public sealed interface Rejection {

    /** The batch's fencing token differs from the stream's; {@code current} is the stream's. */
    record FencingTokenMismatch(String current) implements Rejection {}

    /** The batch's match_seq_num differs from the next sequence number, {@code expected}. */
    record SeqNumMismatch(long expected) implements Rejection {}

    /** The batch breaks a rule (limits, commands, required timestamps); {@code message} says which. */
    record Invalid(String message) implements Rejection {}

    /** The stream is being deleted: it accepts no more records. */
    record StreamSealed() implements Rejection {}
}
