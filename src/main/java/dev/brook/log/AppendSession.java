package dev.brook.log;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Links the batches of one append session (a client pipelines batches 1..n on one connection without
 * waiting for acks). S2 promises that once batch k fails, in any way, no later batch of the session is
 * applied, while the batches before k are acknowledged as usual. The committer enforces that with
 * this link: it breaks the session when one of its batches is rejected, fails, or ends with an
 * unknown outcome, and never decides a batch of a broken session. One link per session, used with
 * one stream's log; the log compares links by identity.
 */
public final class AppendSession {

    private final AtomicReference<String> brokenBy = new AtomicReference<>();

    /** True once a batch of this session failed: its later batches are never applied. */
    public boolean broken() {
        return brokenBy.get() != null;
    }

    /** What broke the session first, for messages; empty while it is whole. */
    public Optional<String> why() {
        return Optional.ofNullable(brokenBy.get());
    }

    /**
     * Breaks the session; only the first reason is kept. Only the committer breaks sessions, and it
     * does so before it completes the failing batch, so whoever sees that completion sees the
     * session broken; and never while it takes or decides a group, so a group sees a stable flag.
     */
    void breakWith(String reason) {
        brokenBy.compareAndSet(null, reason);
    }

    /**
     * Breaks the session from outside (its client's token was revoked, its connection idled out):
     * no batch of it that group commit has not yet decided will be applied. A batch already in a
     * commit being written may still land, as it would have had the client gone away. Breaking only
     * ever removes a suffix of the session's batches, so the prefix rule holds whenever it happens.
     */
    public void cancel(String reason) {
        breakWith(reason);
    }

    @Override
    public String toString() {
        return "AppendSession[" + why().map(w -> "broken: " + w).orElse("whole") + "]";
    }
}
