package dev.brook.store;

/** The two final outcomes of a conditional create. */
public enum PutOutcome {
    /** This call's object is stored under the key. */
    CREATED,
    /** Another object held the key first; this call's object is not stored. */
    ALREADY_EXISTS
}
