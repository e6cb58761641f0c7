/**
 * The stream-log protocol over objects: chain commits, tail discovery, seek, trim (DESIGN.md §5).
 * Arrives with the stream-log issue; LayeringTest already holds it to its place.
 */
package dev.brook.log;
