package dev.brook.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import dev.brook.core.auth.TokenSpec;
import dev.brook.engine.auth.TokenKeys;
import dev.brook.engine.auth.TokenRegistry;
import dev.brook.engine.auth.TokenRejected;
import dev.brook.engine.auth.TokenSigner;
import dev.brook.engine.auth.TokenVerifier;
import dev.brook.http.gate.Authenticator;
import dev.brook.http.gate.ScopeJson;
import dev.brook.log.LogEnv;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Access control's configuration (docs/SECURITY.md): {@code BROOK_AUTH} is {@code required} (refuse to
 * start without a public key; the deployed functions' setting), {@code off} (every request acts
 * with every permission), or {@code auto} (the default: required when a key is configured, else
 * off with a loud warning: the embedded dev run). Keys are PEM text or a path to a PEM file.
 */
@Singleton
public class AuthProducer {

    /** Access control cannot be set up as configured; BrookMain stops with one line. */
    public static final class AuthConfigException extends RuntimeException {
        AuthConfigException(String message) {
            super(message, null, false, false);
        }
    }

    public enum Mode { AUTO, REQUIRED, OFF }

    @ConfigProperty(name = "brook.auth", defaultValue = "auto")
    String mode;

    @ConfigProperty(name = "brook.auth.public-key")
    Optional<String> publicKey;

    @ConfigProperty(name = "brook.auth.private-key")
    Optional<String> privateKey;

    @ConfigProperty(name = "brook.auth.issuer", defaultValue = "brook")
    String issuer;

    Mode mode() {
        try {
            return Mode.valueOf(mode.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new AuthConfigException("BROOK_AUTH `" + mode + "` is not valid: expected required, off or auto");
        }
    }

    /** Issued tokens and revocations, in the store (any process reads them). */
    @Produces
    @Singleton
    TokenRegistry tokenRegistry(LogEnv env) {
        return new TokenRegistry(env.store(), env.nanoClock());
    }

    @Produces
    @Singleton
    Authenticator authenticator(LogEnv env, TokenRegistry registry) {
        Mode m = mode();
        if (m == Mode.OFF || (m == Mode.AUTO && publicKey.isEmpty())) {
            if (privateKey.isPresent() && publicKey.isEmpty()) {
                throw new AuthConfigException("BROOK_AUTH_PRIVATE_KEY is set without BROOK_AUTH_PUBLIC_KEY");
            }
            return new Off();
        }
        if (publicKey.isEmpty()) {
            throw new AuthConfigException("BROOK_AUTH=required but BROOK_AUTH_PUBLIC_KEY is not set; generate keys with "
                    + "`java -jar quarkus-run.jar keygen <dir>`");
        }
        TokenKeys keys;
        try {
            keys = TokenKeys.fromPem(pem(publicKey.get(), "BROOK_AUTH_PUBLIC_KEY"), privateKey.map(k -> pem(k, "BROOK_AUTH_PRIVATE_KEY")));
        } catch (IllegalArgumentException e) {
            throw new AuthConfigException(e.getMessage());
        }
        return new Tokens(new TokenVerifier(keys, issuer), keys.canSign() ? Optional.of(new TokenSigner(keys, issuer)) : Optional.empty(),
                registry, env.wallClockMs());
    }

    /** PEM text as it is, or the contents of the file a path names. */
    private static String pem(String value, String variable) {
        if (value.strip().startsWith("-----BEGIN")) {
            return value;
        }
        try {
            return Files.readString(Path.of(value.strip()));
        } catch (IOException | RuntimeException e) {
            throw new AuthConfigException(variable + " is neither PEM text nor a readable file: " + value.strip());
        }
    }

    /** Auth off: every request acts with every permission. */
    static final class Off implements Authenticator {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public TokenSpec authenticate(String authorizationHeader) {
            throw new IllegalStateException("auth is off");
        }

        @Override
        public CompletionStage<Boolean> revoked(String tokenId) {
            return CompletableFuture.completedFuture(false);
        }

        @Override
        public Optional<String> sign(TokenSpec token) {
            return Optional.empty();
        }
    }

    /** Bearer JWTs verified with the public key, revocations from the store. */
    static final class Tokens implements Authenticator {
        private static final ObjectMapper JSON = new ObjectMapper();
        private static final String BEARER = "bearer ";

        private final TokenVerifier verifier;
        private final Optional<TokenSigner> signer;
        private final TokenRegistry registry;
        private final LongSupplier clockMs;

        Tokens(TokenVerifier verifier, Optional<TokenSigner> signer, TokenRegistry registry, LongSupplier clockMs) {
            this.verifier = verifier;
            this.signer = signer;
            this.registry = registry;
            this.clockMs = clockMs;
        }

        @Override
        public boolean enabled() {
            return true;
        }

        @Override
        public TokenSpec authenticate(String header) {
            if (header == null || header.isBlank()) {
                throw new S2Error(ErrorCode.AUTHN, "missing access token: send `Authorization: Bearer <token>`");
            }
            String h = header.strip();
            if (!h.regionMatches(true, 0, BEARER, 0, BEARER.length()) || h.substring(BEARER.length()).isBlank()) {
                throw new S2Error(ErrorCode.AUTHN, "malformed `Authorization` header: expected `Bearer <token>`");
            }
            TokenVerifier.Verified v;
            try {
                v = verifier.verify(h.substring(BEARER.length()).strip(), clockMs.getAsLong());
            } catch (TokenRejected e) {
                throw new S2Error(ErrorCode.AUTHN, e.reason() == TokenRejected.Reason.EXPIRED ? "access token has expired" : "invalid access token");
            }
            try {
                return new TokenSpec(v.id(), ScopeJson.parse(JSON.readTree(v.scopeJson())), v.autoPrefixStreams(), v.expiresAtMs());
            } catch (IOException | RuntimeException e) {
                throw new S2Error(ErrorCode.AUTHN, "invalid access token");
            }
        }

        @Override
        public CompletionStage<Boolean> revoked(String tokenId) {
            return registry.isRevoked(tokenId);
        }

        @Override
        public Optional<String> sign(TokenSpec token) {
            return signer.map(s -> s.sign(token.id(), ScopeJson.render(token.scope()).toString(), token.autoPrefixStreams(),
                    token.expiresAtMs(), clockMs.getAsLong()));
        }
    }
}
