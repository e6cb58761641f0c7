/**
 * Access-token scopes (spec §3.4, DESIGN.md §6) as pure values: which operations a token may
 * perform on which basins, streams and tokens, and which tokens it may issue. Signing, parsing and
 * revocation live outside core; these types only decide.
 */
package dev.brook.core.auth;
