package dev.brook.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

class FileObjectStoreContractTest extends ObjectStoreContract {

    private Path dir;

    @Override
    protected ObjectStore openAdapter() throws Exception {
        dir = Files.createTempDirectory("brook-file-contract-");
        return FileObjectStore.open(dir, 8, System::currentTimeMillis, SEED);
    }

    @Override
    protected void cleanUp() throws Exception {
        deleteTree(dir);
    }

    static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
