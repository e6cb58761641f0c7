package dev.brook.core;

/** Record encryption a basin assigns to the streams it creates (spec §4.3). */
public enum Cipher { AEGIS_256, AES_256_GCM }
