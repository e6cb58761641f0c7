package dev.brook.http.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.brook.core.StreamConfigSpec;
import dev.brook.engine.DataPlane;
import dev.brook.log.ReadRequest;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A follower's timers (docs/DECISIONS.md 48): woken by every commit, a read session waits at the tail
 * a hundred times a second, and used to set a timer on the shared timer queue for each wait (its
 * heartbeat), dropped again when the commit woke it. It now keeps one timer of its own event loop
 * per quiet spell, and its waits set none; a session that ends takes its wait out of the watch at once.
 */
class ReadSessionTimersTest {

    private final Vertx vertx = Vertx.vertx();
    /** Timers of the shared queue (the watches' polls, and before, every wait), fired only when the test says. */
    static final class Timers implements dev.brook.store.ResilientObjectStore.Delay {
        final List<CompletableFuture<Void>> pending = new ArrayList<>();
        int set;

        @Override
        public synchronized java.util.concurrent.CompletionStage<Void> after(long millis) {
            set++;
            CompletableFuture<Void> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }

        void fireAll() {
            List<CompletableFuture<Void>> now;
            synchronized (this) {
                now = new ArrayList<>(pending);
                pending.clear();
            }
            now.forEach(f -> f.complete(null));
        }
    }

    private final Timers delay = new Timers();

    @AfterEach
    void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private int timersSet() {
        synchronized (delay) {
            return delay.set;
        }
    }

    private int timersPending() {
        synchronized (delay) {
            return (int) delay.pending.stream().filter(f -> !f.isDone()).count();
        }
    }

    @Test
    void aFollowerWokenByEveryCommitSetsNoSharedTimerPerWaitAndLeavesTheWatchWhenItEnds() {
        DataPlane data = ReadSessionBackpressureTest.dataPlane(delay);
        ReadSessionBackpressureTest.Wire wire = new ReadSessionBackpressureTest.Wire();
        List<Handler<Void>> closeHandlers = new ArrayList<>();
        HttpServerResponse inner = ReadSessionBackpressureTest.response(wire);
        HttpServerResponse response = (HttpServerResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServerResponse.class}, (proxy, method, args) -> {
                    if (method.getName().equals("closeHandler")) {
                        @SuppressWarnings("unchecked")
                        Handler<Void> h = (Handler<Void>) args[0];
                        closeHandlers.add(h);
                        return proxy;
                    }
                    Object r = method.invoke(inner, args);
                    return r == inner ? proxy : r;
                });
        Context context = vertx.getOrCreateContext();
        SessionQuery follow = new SessionQuery(new ReadRequest.Start.SeqNum(0), false, OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.empty(), 0, 0);
        ReadSession session = new ReadSession(data, ReadSessionBackpressureTest.OUTPUT, context, response, ReadSessionBackpressureTest.BASIN,
                "s", Optional.empty(), StreamConfigSpec.EMPTY, follow, () -> 1_000_000L, new Random(2), () -> { });
        context.runOnContext(v -> session.start());
        ReadSessionBackpressureTest.settle(context);
        int polls = timersSet(); // the watch's safety-net poll, which this test never fires
        assertEquals(1, polls, "the watch polls while someone waits");

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String body = "r" + i;
            CompletableFuture<Void> appended = new CompletableFuture<>();
            context.runOnContext(v -> {
                ReadSessionBackpressureTest.append(data, body);
                appended.complete(null);
            });
            appended.orTimeout(10, TimeUnit.SECONDS).join();
            ReadSessionBackpressureTest.settle(context);
            expected.add("batch " + i);
        }
        assertEquals(expected, wire.batches(), "woken by each commit, every record once");
        assertEquals(polls, timersSet(), "twenty waits, no timer set on the shared queue for any of them");

        assertEquals(1, closeHandlers.size());
        context.runOnContext(v -> closeHandlers.get(0).handle(null)); // the client goes away while the session waits
        ReadSessionBackpressureTest.settle(context);
        delay.fireAll(); // the poll: it finds nobody waiting any more, and sets no next one
        ReadSessionBackpressureTest.settle(context);
        assertEquals(0, timersPending(), "the ended session's wait left the watch at once, so its polling stopped");
        assertNotNull(session);
    }
}
