package dev.brook.engine.auth;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.OptionalLong;

/**
 * Bootstrap: a new key pair written as {@value #PUBLIC_FILE} and {@value #PRIVATE_FILE} (owner-only
 * where the file system has POSIX permissions), and an admin token signed with it that may do
 * everything. The admin token is not recorded in any registry (there may be no store yet): it is
 * revoked with {@code TokenRegistry.revoke(ADMIN_TOKEN_ID, true)}.
 *
 * <p>Existing key files are never overwritten: replacing a key silently invalidates every token.
 * The caller supplies the clock and randomness (a CLI passes the system's).
 */
public final class Keygen {

    public static final String PUBLIC_FILE = "brook-auth-public.pem";
    public static final String PRIVATE_FILE = "brook-auth-private.pem";
    public static final String ADMIN_TOKEN_ID = "admin";

    /** Every resource, both directions of every op group, and every operation (spec §3.4). */
    public static final String ADMIN_SCOPE_JSON = "{\"basins\":{\"prefix\":\"\"},\"streams\":{\"prefix\":\"\"},"
            + "\"access_tokens\":{\"prefix\":\"\"},\"op_groups\":{\"account\":{\"read\":true,\"write\":true},"
            + "\"basin\":{\"read\":true,\"write\":true},\"stream\":{\"read\":true,\"write\":true}},"
            + "\"ops\":[\"list-basins\",\"create-basin\",\"delete-basin\",\"reconfigure-basin\",\"get-basin-config\","
            + "\"issue-access-token\",\"revoke-access-token\",\"list-access-tokens\",\"list-streams\",\"create-stream\","
            + "\"delete-stream\",\"get-stream-config\",\"reconfigure-stream\",\"check-tail\",\"append\",\"read\",\"trim\","
            + "\"fence\",\"account-metrics\",\"basin-metrics\",\"stream-metrics\",\"list-locations\",\"get-default-location\","
            + "\"set-default-location\"]}";

    /** What was written and the admin token (a secret: print it once, store it nowhere). */
    public record Result(Path publicKeyFile, Path privateKeyFile, String keyId, String adminTokenId, String adminToken) {

        /** The token on a line of its own, then one line of instructions. */
        public void printTo(PrintStream out) {
            out.println(adminToken);
            out.println("Admin access token `" + adminTokenId + "` above (key " + keyId + "): keep it secret; serve with the public key "
                    + publicKeyFile + ", issue tokens with the private key " + privateKeyFile
                    + ", and send it as `Authorization: Bearer <token>`.");
        }

        @Override
        public String toString() {
            return "Keygen.Result[" + publicKeyFile + ", " + privateKeyFile + ", kid=" + keyId + ", token=<secret>]";
        }
    }

    private Keygen() {}

    /**
     * Generates keys into {@code dir} (created if absent) and signs the admin token.
     *
     * @throws FileAlreadyExistsException when either key file exists; nothing is written then
     */
    public static Result generate(Path dir, String issuer, OptionalLong expiresAtMs, long nowMs, SecureRandom random)
            throws IOException {
        Path publicFile = dir.resolve(PUBLIC_FILE);
        Path privateFile = dir.resolve(PRIVATE_FILE);
        for (Path file : new Path[] {privateFile, publicFile}) {
            if (Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw refusal(file);
            }
        }
        TokenKeys keys = TokenKeys.generate(random);
        String token = new TokenSigner(keys, issuer).sign(ADMIN_TOKEN_ID, ADMIN_SCOPE_JSON, false, expiresAtMs, nowMs);
        Files.createDirectories(dir);
        writeNew(privateFile, keys.privatePem().orElseThrow(), true);
        try {
            writeNew(publicFile, keys.publicPem(), false);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(privateFile); // a private key without its public half is of no use
            throw e;
        }
        return new Result(publicFile, privateFile, keys.keyId(), ADMIN_TOKEN_ID, token);
    }

    /** Creates {@code file} (failing if it exists), owner-only from its first byte when {@code secret}. */
    private static void writeNew(Path file, String text, boolean secret) throws IOException {
        boolean posix = Files.getFileStore(file.toAbsolutePath().getParent()).supportsFileAttributeView("posix");
        try {
            if (secret && posix) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file);
            }
        } catch (FileAlreadyExistsException e) {
            throw refusal(file);
        }
        try {
            if (secret && posix) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------")); // whatever the umask did
            }
            Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file); // ours: created above
            throw e;
        }
    }

    private static FileAlreadyExistsException refusal(Path file) {
        return new FileAlreadyExistsException(file.toString(), null,
                "refusing to overwrite an existing key (every token signed with it would stop verifying); move it away or pick another directory");
    }
}
