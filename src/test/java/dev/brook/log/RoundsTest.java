package dev.brook.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Shared rounds (docs/LOG.md, fan-out): a caller's round starts after it called; one runs at a time. */
class RoundsTest {

    /** A source whose rounds finish when the test says; counts the rounds started. */
    static final class Source {
        final List<CompletableFuture<Integer>> started = new ArrayList<>();

        synchronized CompletionStage<Integer> next() {
            CompletableFuture<Integer> f = new CompletableFuture<>();
            started.add(f);
            return f;
        }
    }

    @Test
    void callersDuringARoundShareTheNextOneNeverTheRunningOne() {
        Source source = new Source();
        Rounds<Integer> rounds = new Rounds<>(source::next);
        CompletableFuture<Integer> first = rounds.next().toCompletableFuture();
        assertEquals(1, source.started.size());
        List<CompletableFuture<Integer>> later = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            later.add(rounds.next().toCompletableFuture());
        }
        assertEquals(1, source.started.size(), "one round at a time");
        source.started.get(0).complete(1);
        assertEquals(1, first.join());
        later.forEach(f -> assertFalse(f.isDone(), "a caller that arrived during round 1 never gets round 1's answer"));
        assertEquals(2, source.started.size(), "the next round starts when the running one ends");
        source.started.get(1).complete(2);
        later.forEach(f -> assertEquals(2, f.join()));
    }

    @Test
    void aRoundThatFailsFailsItsCallersAndTheNextRoundRuns() {
        AtomicInteger calls = new AtomicInteger();
        Rounds<Integer> rounds = new Rounds<>(() -> {
            if (calls.incrementAndGet() == 1) {
                throw new StackOverflowError("a broken source");
            }
            return CompletableFuture.completedFuture(7);
        });
        CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                () -> rounds.next().toCompletableFuture().join());
        assertInstanceOf(StackOverflowError.class, e.getCause());
        assertEquals(7, rounds.next().toCompletableFuture().join(), "not stuck");
    }
}
