package dev.brook.core;

/** How an append's record timestamps are chosen (spec §6, step 4). */
public enum TimestampingMode {
    /** The client's timestamp when given, else the arrival time. The default. */
    CLIENT_PREFER,
    /** The client's timestamp; a batch with any record lacking one is rejected. */
    CLIENT_REQUIRE,
    /** Always the arrival time. */
    ARRIVAL
}
