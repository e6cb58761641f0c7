/**
 * Use cases: append, read, tail, follow, control plane, tokens.
 * Arrives with the stream-log issue; LayeringTest already holds it to its place.
 */
package dev.brook.engine;
