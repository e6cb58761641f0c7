package dev.brook.engine;

/** Where a basin or stream name stands. A deleted name is free for a new incarnation. */
public enum Lifecycle { ACTIVE, DELETING, DELETED }
