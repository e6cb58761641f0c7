package dev.brook.engine.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brook.engine.auth.TokenRejected.Reason;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeygenTest {

    static final long NOW_MS = 1_700_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void writesAKeyPairAndAnAdminTokenThatVerifiesWithThePublicKey() throws Exception {
        Path keys = dir.resolve("keys");
        Keygen.Result result = Keygen.generate(keys, "brook", OptionalLong.empty(), NOW_MS, TokenKeysTest.seeded(11));
        assertEquals(keys.resolve(Keygen.PUBLIC_FILE), result.publicKeyFile());
        assertEquals(keys.resolve(Keygen.PRIVATE_FILE), result.privateKeyFile());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        result.printTo(new PrintStream(out, true, StandardCharsets.UTF_8));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size(), lines.toString());
        String printedToken = lines.get(0);

        TokenKeys publicOnly = TokenKeys.fromPem(Files.readString(result.publicKeyFile()), Optional.empty());
        TokenVerifier.Verified admin = new TokenVerifier(publicOnly, "brook").verify(printedToken, Long.MAX_VALUE / 2);
        assertEquals(Keygen.ADMIN_TOKEN_ID, admin.id());
        assertEquals(OptionalLong.empty(), admin.expiresAtMs());
        ObjectMapper json = new ObjectMapper();
        assertEquals(json.readTree(Keygen.ADMIN_SCOPE_JSON), json.readTree(admin.scopeJson()));
        assertEquals("", json.readTree(admin.scopeJson()).at("/streams/prefix").asText());
        assertTrue(json.readTree(admin.scopeJson()).at("/op_groups/account/write").asBoolean());

        TokenKeys both = TokenKeys.fromPem(Files.readString(result.publicKeyFile()), Optional.of(Files.readString(result.privateKeyFile())));
        assertTrue(both.canSign());
        assertEquals(result.keyId(), both.keyId());
        assertFalse(result.toString().contains(printedToken));
        if (Files.getFileStore(keys).supportsFileAttributeView("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(result.privateKeyFile())));
        }
    }

    @Test
    void anExpiringAdminTokenExpires() throws Exception {
        Keygen.Result result = Keygen.generate(dir, "brook", OptionalLong.of(NOW_MS + 3_600_000), NOW_MS, TokenKeysTest.seeded(12));
        TokenVerifier verifier = new TokenVerifier(TokenKeys.fromPem(Files.readString(result.publicKeyFile()), Optional.empty()), "brook");
        assertEquals(OptionalLong.of(NOW_MS + 3_600_000), verifier.verify(result.adminToken(), NOW_MS).expiresAtMs());
        TokenRejected e = assertThrows(TokenRejected.class, () -> verifier.verify(result.adminToken(), NOW_MS + 3_600_000));
        assertEquals(Reason.EXPIRED, e.reason());
    }

    @Test
    void refusesToOverwriteEitherKeyFile() throws Exception {
        Keygen.Result first = Keygen.generate(dir, "brook", OptionalLong.empty(), NOW_MS, TokenKeysTest.seeded(13));
        String publicPem = Files.readString(first.publicKeyFile());
        String privatePem = Files.readString(first.privateKeyFile());
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
                () -> Keygen.generate(dir, "brook", OptionalLong.empty(), NOW_MS, TokenKeysTest.seeded(14)));
        assertTrue(e.getMessage().contains("refusing to overwrite"), e.getMessage());
        assertEquals(publicPem, Files.readString(first.publicKeyFile()));
        assertEquals(privatePem, Files.readString(first.privateKeyFile()));

        // only the public file left: still refused, and no private key is written beside it
        Files.delete(first.privateKeyFile());
        assertThrows(FileAlreadyExistsException.class,
                () -> Keygen.generate(dir, "brook", OptionalLong.empty(), NOW_MS, TokenKeysTest.seeded(15)));
        assertFalse(Files.exists(first.privateKeyFile()));
        assertEquals(publicPem, Files.readString(first.publicKeyFile()));
    }
}
