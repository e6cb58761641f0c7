package dev.brook.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brook.core.ErrorCode;
import dev.brook.core.Limits;
import dev.brook.core.S2Error;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class AdmissionTest {

    static final long MIB = 1 << 20;

    @Test
    void sessionsAreCappedAndSlotsComeBack() {
        Admission a = new Admission(2, 4 * MIB);
        assertTrue(a.openSession());
        assertTrue(a.openSession());
        assertFalse(a.openSession(), "the third session is over the cap");
        a.closeSession();
        assertTrue(a.openSession(), "a closed session's slot is free again");
        assertEquals(2, a.openSessions());
    }

    @Test
    void inflightBytesAreCappedAndARefusedReservationTakesNothing() {
        Admission a = new Admission(10, 2 * MIB);
        assertTrue(a.reserve(MIB));
        assertTrue(a.reserve(MIB / 2));
        assertFalse(a.reserve(MIB), "over the cap");
        assertEquals(MIB + MIB / 2, a.inflightBytes(), "the refused reservation took nothing");
        assertTrue(a.reserve(MIB / 2), "exactly at the cap is fine");
        a.release(MIB);
        assertTrue(a.reserve(MIB));
    }

    @Test
    void waitersAreToldWhenRoomIsMadeAndNeverWaitForNothing() {
        Admission a = new Admission(10, 2 * MIB);
        List<String> woken = new ArrayList<>();
        a.whenReleased(() -> woken.add("idle"));
        assertEquals(List.of("idle"), woken, "nothing in flight: run at once");
        a.reserve(2 * MIB);
        a.whenReleased(() -> woken.add("first"));
        a.whenReleased(() -> woken.add("second"));
        assertEquals(List.of("idle"), woken);
        a.release(MIB);
        assertEquals(List.of("idle", "first", "second"), woken);
        a.release(MIB);
        assertEquals(3, woken.size(), "each waiter is told once");
    }

    @Test
    void admittingRefusesWithRateLimitedAndHoldsAnAppendsBytesUntilItIsAnswered() {
        Admission a = new Admission(1, 2 * MIB);
        a.admitSession();
        S2Error full = assertThrows(S2Error.class, a::admitSession);
        assertEquals(ErrorCode.RATE_LIMITED, full.code());
        assertEquals("this server already serves its maximum of 1 sessions; retry later or on another instance", full.getMessage());

        CompletableFuture<String> pending = new CompletableFuture<>();
        a.admitAppend(2 * MIB, () -> pending);
        assertEquals(2 * MIB, a.inflightBytes(), "held while the append is unanswered");
        S2Error over = assertThrows(S2Error.class, () -> a.admitAppend(1, () -> CompletableFuture.completedFuture("x")));
        assertEquals(ErrorCode.RATE_LIMITED, over.code());
        assertEquals("this server already holds its maximum of " + 2 * MIB
                + " appended bytes in flight; retry later or on another instance", over.getMessage());
        pending.complete("acked");
        assertEquals(0, a.inflightBytes(), "released once answered");
        assertThrows(IllegalStateException.class, () -> a.admitAppend(MIB, () -> {
            throw new IllegalStateException("failed before it started");
        }));
        assertEquals(0, a.inflightBytes(), "released when the append throws at once");
    }

    @Test
    void capsBelowOneBatchAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Admission(0, 4 * MIB));
        assertThrows(IllegalArgumentException.class, () -> new Admission(1, Limits.BATCH_METERED_BYTES_MAX - 1));
    }
}
