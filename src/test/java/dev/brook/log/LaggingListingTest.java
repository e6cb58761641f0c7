package dev.brook.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.brook.core.AppendBatch;
import dev.brook.core.AppendRecord;
import dev.brook.core.SequencedRecord;
import dev.brook.core.StreamState;
import dev.brook.core.Timestamping;
import dev.brook.store.ListPage;
import dev.brook.store.MemoryObjectStore;
import dev.brook.store.ObjectStore;
import dev.brook.store.PutOutcome;
import dev.brook.testing.ForwardingStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * A listing that misses the newest keys must not make a reader skip commits. Found by the split
 * deployment on S3Proxy: a live follower asked for seq 322, the LIST after it showed nothing though
 * the commit at 324 (and the one holding 322) existed, the reader started at the tail commit, and
 * the follower was handed 324 after 321. Reads seek with a LIST, then follow the chain by HEADs.
 */
class LaggingListingTest {

    static final String SID = "1a1a0000000000000000000000000001";

    /** Lists as the store does, minus the newest {@code hidden} commit keys (HEAD and GET see everything). */
    static final class LaggingListing extends ForwardingStore {
        private final ObjectStore store;
        private final List<String> created = new ArrayList<>();
        private final Set<String> hidden = ConcurrentHashMap.newKeySet();

        LaggingListing() {
            this(new MemoryObjectStore(() -> 0));
        }

        private LaggingListing(ObjectStore store) {
            super(store);
            this.store = store;
        }

        synchronized void hideNewest(int n) {
            hideNewest("/c/", n);
        }

        /** Hides the newest {@code n} keys whose name contains {@code kind} ({@code /c/} commits, {@code /f/} floors). */
        synchronized void hideNewest(String kind, int n) {
            hidden.clear();
            List<String> commits = created.stream().filter(k -> k.contains(kind)).toList();
            hidden.addAll(commits.subList(Math.max(0, commits.size() - n), commits.size()));
        }

        @Override
        public CompletionStage<PutOutcome> putIfAbsent(String key, byte[] body, Map<String, String> metadata) {
            synchronized (this) {
                created.add(key);
            }
            return store.putIfAbsent(key, body, metadata);
        }

        @Override
        public CompletionStage<ListPage> list(String prefix, String startAfter, int limit) {
            return store.list(prefix, startAfter, 1000).thenApply(page -> {
                List<ListPage.Entry> shown = page.objects().stream().filter(e -> !hidden.contains(e.key())).limit(limit).toList();
                boolean more = page.next().isPresent() || page.objects().stream().filter(e -> !hidden.contains(e.key())).count() > limit;
                return new ListPage(shown, more && !shown.isEmpty() ? Optional.of(shown.get(shown.size() - 1).key()) : Optional.empty());
            });
        }
    }

    private static StreamLog log(ObjectStore store) {
        LogEnv env = new LogEnv(store, () -> 1_000, System::nanoTime, ms -> CompletableFuture.completedFuture(null),
                new Random(1), LogSettings.DEFAULT);
        return new StreamLog(env, SID, StreamState.empty(1, Timestamping.DEFAULT));
    }

    private static AppendBatch batch(int first, int n) {
        List<AppendRecord> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            records.add(new AppendRecord(OptionalLong.empty(), List.of(), Integer.toString(first + i).getBytes()));
        }
        return new AppendBatch(records, OptionalLong.empty(), Optional.empty(), 1_000);
    }

    @Test
    void aReadFromEverySequenceNumberStartsThereWhateverTheListingMisses() {
        LaggingListing store = new LaggingListing();
        StreamLog writer = log(store);
        int commits = 20;
        int perCommit = 3;
        for (int c = 0; c < commits; c++) {
            assertInstanceOf(AppendOutcome.Acked.class, writer.append(batch(c * perCommit, perCommit)).toCompletableFuture().join());
        }
        for (int hidden : new int[]{0, 1, 5, commits - 1}) {
            store.hideNewest(hidden);
            StreamLog reader = log(store); // another process: nothing cached
            for (int seq = 0; seq < commits * perCommit; seq++) {
                ReadOutcome.Records read = assertInstanceOf(ReadOutcome.Records.class, reader.read(new ReadRequest(
                        new ReadRequest.Start.SeqNum(seq), 1_000, 1 << 20, OptionalLong.empty(), false)).toCompletableFuture().join());
                List<SequencedRecord> records = read.records();
                assertEquals(seq, records.get(0).seqNum(), "a read from " + seq + " with the newest " + hidden + " commits unlisted");
                assertEquals(Integer.toString(seq), new String(records.get(0).body()));
                assertEquals(commits * perCommit - 1, records.get(records.size() - 1).seqNum(), "read to the tail");
            }
        }
    }

    @Test
    void aFloorReadFarBehindFindsTheLatestVersionWhateverTheListingMisses() {
        LaggingListing store = new LaggingListing();
        LogKeys keys = new LogKeys(SID);
        Floors deleter = new Floors(store, keys, LogSettings.DEFAULT, System::nanoTime);
        int versions = 3 * LogSettings.DEFAULT.floorHopsMax();
        for (int v = 1; v <= versions; v++) {
            deleter.raiseTo(new CommitKey(v, 0)).toCompletableFuture().join();
        }
        for (int hidden : new int[]{0, 1, 3}) {
            store.hideNewest("/f/", hidden);
            Floors.View seen = new Floors(store, keys, LogSettings.DEFAULT, System::nanoTime).read().toCompletableFuture().join();
            assertEquals(versions, seen.version(), "with the newest " + hidden + " floor versions unlisted");
            assertEquals(new CommitKey(versions, 0), seen.floor());
        }
    }
}
