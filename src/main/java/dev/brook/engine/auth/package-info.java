/**
 * Access tokens (docs/SECURITY.md, S2 spec §3.4): ES256 key pairs ({@link dev.brook.engine.auth.TokenKeys}),
 * signing and verification of compact JWS tokens ({@link dev.brook.engine.auth.TokenSigner},
 * {@link dev.brook.engine.auth.TokenVerifier}), the registry of issued and revoked ids in the object
 * store ({@link dev.brook.engine.auth.TokenRegistry}) and the bootstrap key generator
 * ({@link dev.brook.engine.auth.Keygen}). The scope is carried as opaque JSON text: what it allows is
 * decided elsewhere.
 */
package dev.brook.engine.auth;
