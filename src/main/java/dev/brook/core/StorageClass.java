package dev.brook.core;

/** Accepted, stored and returned; Brook serves both classes the same way (as S2 Lite does). */
public enum StorageClass { STANDARD, EXPRESS }
