package dev.brook.app;

import dev.brook.http.ServedGroups;
import dev.brook.store.ObjectStore;
import dev.brook.store.StoreCheck;
import dev.brook.store.StoreException;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Starts Brook: checks the store before anything relies on it, and exits non-zero with one line
 * naming the problem when it cannot be used (a bad BROOK_STORE, an unreachable endpoint, a missing
 * bucket, an unwritable directory, conditional writes not honoured).
 */
@QuarkusMain
public class BrookMain implements QuarkusApplication {

    public static final int EXIT_STORE_UNUSABLE = 2;
    private static final Logger LOG = Logger.getLogger(BrookMain.class);

    @Inject
    Instance<ObjectStore> store;

    @Inject
    Instance<ServedGroups.Group> groups;

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
        ServedGroups.Selection selection = ServedGroups.of(groups);
        LOG.infof("brook ready: function %s, store %s", selection.function(), objectStore.describe());
        Quarkus.waitForExit();
        return 0;
    }
}
