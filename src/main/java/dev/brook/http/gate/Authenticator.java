package dev.brook.http.gate;

import dev.brook.core.auth.TokenSpec;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Who a request is (docs/SECURITY.md): a bearer token verified with the public key alone, and not
 * revoked. Empty {@link #enabled()} answers mean the embedded dev run without keys, where every
 * request acts with every permission (and Brook said so loudly at start).
 */
public interface Authenticator {

    boolean enabled();

    /**
     * The verified token of an {@code authorization} header ({@code Bearer <token>}); throws
     * {@code S2Error(AUTHN)} for a missing, malformed, forged, expired or wrongly issued one.
     */
    TokenSpec authenticate(String authorizationHeader);

    /** Whether the token id was revoked, as of at most the revocation cache's bound ago. */
    CompletionStage<Boolean> revoked(String tokenId);

    /** Signs a new token (the caller has checked it); empty when this process holds no private key. */
    Optional<String> sign(TokenSpec token);
}
