/**
 * Access-token scopes (S2 spec §3.4, docs/SECURITY.md) as pure values: which operations a token may
 * perform on which basins, streams and tokens, and which tokens it may issue. Signing, parsing and
 * revocation live outside core; these types only decide.
 */
package dev.brook.core.auth;
