package dev.edgeplane.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeplane.relay.state.RelayAccount;
import org.junit.jupiter.api.Test;

/** Time Bank arithmetic: drawing, cycle roll-over (splitting a stretch at the boundary), expiry, entitlement. */
class TimeBankTest
{
    private static final long S = 1000;

    private static RelayAccount account(final String status, final long start, final long length, final long included)
    {
        final RelayAccount a = new RelayAccount();
        a.plan = "starter";
        a.status = status;
        a.cycleStartMillis = start;
        a.cycleLengthMillis = length;
        a.cycleEndMillis = start + length;
        a.includedSeconds = included;
        return a;
    }

    @Test
    void shouldSplitAStretchAtTheCycleBoundary()
    {
        final RelayAccount a = account("active", 0, 100 * S, 1000);
        TimeBank.charge(a, 30 * S, 90 * S);
        assertEquals(60, TimeBank.usedSeconds(a));
        TimeBank.charge(a, 90 * S, 130 * S); // 10 s in the old cycle, 30 s in the new one
        assertEquals(100 * S, a.cycleStartMillis);
        assertEquals(200 * S, a.cycleEndMillis);
        assertEquals(30, TimeBank.usedSeconds(a));
        assertEquals(970, TimeBank.remainingSeconds(a));
        TimeBank.charge(a, 130 * S, 450 * S); // across three boundaries: only the last cycle's 150 s remain
        assertEquals(400 * S, a.cycleStartMillis);
        assertEquals(50, TimeBank.usedSeconds(a));
    }

    @Test
    void shouldExpireACancelledSubscriptionAtTheEndOfItsCycle()
    {
        final RelayAccount a = account("cancelled", 0, 100 * S, 1000);
        a.addonSeconds = 500;
        assertEquals(TimeBank.Entitlement.OK, TimeBank.check(a, 99 * S));
        assertEquals(TimeBank.Entitlement.ENTITLEMENT_REQUIRED, TimeBank.check(a, 100 * S));
        assertEquals("expired", a.status);
        assertEquals(0, TimeBank.remainingSeconds(a));
    }

    @Test
    void shouldReportWhyAStartIsRefused()
    {
        assertEquals(TimeBank.Entitlement.ENTITLEMENT_REQUIRED, TimeBank.check(new RelayAccount(), 0));
        final RelayAccount due = account("past_due", 0, 100 * S, 1000);
        assertEquals(TimeBank.Entitlement.PAYMENT_PAST_DUE, TimeBank.check(due, 10 * S));
        final RelayAccount empty = account("active", 0, 100 * S, 10);
        TimeBank.charge(empty, 0, 10 * S);
        assertTrue(TimeBank.empty(empty));
        assertEquals(TimeBank.Entitlement.TIME_BANK_EMPTY, TimeBank.check(empty, 10 * S));
        assertEquals(TimeBank.Entitlement.OK, TimeBank.check(empty, 100 * S), "a new cycle refills the bank");
    }
}
