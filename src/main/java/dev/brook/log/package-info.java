/**
 * The stream-log protocol over objects (docs/LOG.md): the commit chain with group
 * commit, the deletion floor and its guard, validate-after-read, tail discovery, reads and trims.
 */
package dev.brook.log;
