/**
 * The pure domain: names, limits, records, error codes, decisions. No I/O, no framework, no clock
 * of its own: LayeringTest keeps it that way.
 */
package dev.brook.core;
