package dev.brook.app;

import dev.brook.cli.BrookCli;
import dev.brook.engine.auth.Keygen;
import dev.brook.http.gate.Authenticator;
import dev.brook.http.ServedGroups;
import dev.brook.store.ObjectStore;
import dev.brook.store.StoreCheck;
import dev.brook.store.StoreException;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.OptionalLong;
import org.jboss.logging.Logger;

/**
 * Starts Brook: checks the store and access control before anything relies on them, and exits
 * non-zero with one line naming the problem when either cannot be used (a bad BROOK_STORE, an
 * unreachable endpoint, a missing bucket, an unwritable directory, conditional writes not honoured;
 * BROOK_AUTH=required without keys, a malformed key). {@code keygen <dir>} instead writes a key
 * pair and prints an admin token, without starting a server. A CLI command ({@code create-basin},
 * {@code append}, {@code read}, ...), {@code help}, {@code --help} or {@code --version} runs the
 * {@code brook} CLI (docs/CLI.md) and exits, also without starting a server.
 */
@QuarkusMain
public class BrookMain {

    public static final int EXIT_STORE_UNUSABLE = 2;
    public static final int EXIT_AUTH_UNUSABLE = 3;
    public static final int EXIT_USAGE = 64;

    public static void main(String... args) {
        if (BrookCli.wants(args)) {
            BrookCli.main(args);
        }
        if (args.length > 0 && args[0].equals("keygen")) {
            System.exit(keygen(args));
        }
        if (args.length > 0 && args[0].equals("janitor")) {
            // One pass over the due work, then exit (docs/LIFECYCLE.md): nothing to serve, so listen
            // on loopback only, on any free port.
            System.setProperty("quarkus.http.host", "127.0.0.1");
            System.setProperty("quarkus.http.port", "0");
        }
        Quarkus.run(Server.class, args);
    }

    /** {@code keygen <dir>}: a new key pair in {@code dir} and an admin token on stdout. */
    static int keygen(String... args) {
        if (args.length != 2) {
            System.err.println("usage: brook keygen <dir>   (writes " + Keygen.PUBLIC_FILE + " and " + Keygen.PRIVATE_FILE
                    + ", prints an admin token)");
            return EXIT_USAGE;
        }
        try {
            Keygen.generate(Path.of(args[1]), System.getProperty("brook.auth.issuer", "brook"), OptionalLong.empty(),
                    System.currentTimeMillis(), new SecureRandom()).printTo(System.out);
            return 0;
        } catch (Exception e) {
            System.err.println("brook: keygen failed: " + e.getMessage());
            return 1;
        }
    }

    /** The server. */
    public static class Server implements QuarkusApplication {

        private static final Logger LOG = Logger.getLogger(BrookMain.class);

        @Inject
        Instance<ObjectStore> store;

        @Inject
        Instance<Authenticator> authenticator;

        @Inject
        Instance<ServedGroups.Group> groups;

        @Inject
        Instance<JanitorSchedule> janitor;

        @Override
        public int run(String... args) {
            ObjectStore objectStore;
            try {
                objectStore = store.get();
                StoreCheck.verify(objectStore);
            } catch (StoreException e) {
                System.err.println("brook: cannot start: " + e.getMessage());
                return EXIT_STORE_UNUSABLE;
            }
            boolean auth;
            try {
                auth = authenticator.get().enabled();
            } catch (AuthProducer.AuthConfigException e) {
                System.err.println("brook: cannot start: " + e.getMessage());
                return EXIT_AUTH_UNUSABLE;
            }
            if (!auth) {
                LOG.warn("AUTH IS OFF: every request acts with every permission. Fine on a laptop; anywhere else set "
                        + "BROOK_AUTH=required and BROOK_AUTH_PUBLIC_KEY (generate keys with `keygen <dir>`).");
            }
            if (args.length > 0 && args[0].equals("janitor")) {
                return janitor.get().invocation();
            }
            ServedGroups.Selection selection = ServedGroups.of(groups);
            janitor.get().start(selection.function().equals("all"));
            LOG.infof("brook ready: function %s, store %s, auth %s", selection.function(), objectStore.describe(), auth ? "required" : "off");
            Quarkus.waitForExit();
            return 0;
        }
    }
}
