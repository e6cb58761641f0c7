/**
 * Use cases over the log and the store: the catalog of basins and streams (versions claimed with
 * put-if-absent), and the data plane that maps S2 requests onto stream logs.
 */
package dev.brook.engine;
