package dev.edgeplane.relay;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.edgeplane.relay.state.RelayAccount;

/**
 * Time Bank arithmetic over a {@link RelayAccount}: a cycle {@code [cycle_start, cycle_end)} grants the plan's
 * included seconds plus the add-on seconds; relay time in {@code active} and {@code grace} is drawn from it;
 * when the clock passes {@code cycle_end} a renewing subscription rolls into a new cycle of the same length
 * with nothing used (a cancelled one expires instead). A stretch of relay time that spans a cycle boundary is
 * split: the part before the boundary is drawn from the old cycle, the rest from the new one.
 *
 * <p>Stateless; the account passed in is shard-confined (call only on the user's shard).
 */
final class TimeBank
{
    /** Why a user may not start a relay; {@link #OK} when they may. */
    enum Entitlement
    {
        OK(null, null),
        ENTITLEMENT_REQUIRED("entitlement_required", "an active plan is required to start a relay"),
        PAYMENT_PAST_DUE("payment_past_due", "the last payment failed; update the payment method to start a relay"),
        TIME_BANK_EMPTY("time_bank_empty", "the Time Bank of this cycle is used up");

        final String code;
        final String message;

        Entitlement(final String code, final String message)
        {
            this.code = code;
            this.message = message;
        }
    }

    private TimeBank()
    {
    }

    /** Rolls the account into the cycle that contains {@code now} (or expires a cancelled subscription). */
    static void advance(final RelayAccount a, final long now)
    {
        while (a.cycleEndMillis > 0 && now >= a.cycleEndMillis)
        {
            if (renews(a.status) && a.cycleLengthMillis > 0)
            {
                a.cycleStartMillis = a.cycleEndMillis;
                a.cycleEndMillis += a.cycleLengthMillis;
                a.usedMillis = 0;
            }
            else
            {
                if ("cancelled".equals(a.status))
                {
                    a.status = "expired";
                    a.includedSeconds = 0;
                    a.addonSeconds = 0;
                }
                return;
            }
        }
    }

    private static boolean renews(final String status)
    {
        return "active".equals(status) || "on_trial".equals(status) || "past_due".equals(status);
    }

    /** Draws relay time {@code [from, to)} from the account, splitting it at cycle boundaries. */
    static void charge(final RelayAccount a, final long from, final long to)
    {
        long at = from;
        while (at < to)
        {
            advance(a, at);
            final long segmentEnd = a.cycleEndMillis > at ? Math.min(to, a.cycleEndMillis) : to;
            a.usedMillis += segmentEnd - at;
            at = segmentEnd;
        }
        advance(a, to);
    }

    static long grantedSeconds(final RelayAccount a)
    {
        return a.includedSeconds + a.addonSeconds;
    }

    static long usedSeconds(final RelayAccount a)
    {
        return a.usedMillis / 1000;
    }

    static long remainingSeconds(final RelayAccount a)
    {
        return Math.max(0, grantedSeconds(a) - usedSeconds(a));
    }

    /** @return true when no relay time is left in this cycle (to the millisecond). */
    static boolean empty(final RelayAccount a)
    {
        return grantedSeconds(a) * 1000 - a.usedMillis <= 0;
    }

    /** @return whether the user may start a relay now; advances the cycle first. */
    static Entitlement check(final RelayAccount a, final long now)
    {
        advance(a, now);
        if (a.plan.isEmpty())
        {
            return Entitlement.ENTITLEMENT_REQUIRED;
        }
        switch (a.status)
        {
            case "active", "on_trial", "cancelled":
                break;
            case "past_due", "unpaid":
                return Entitlement.PAYMENT_PAST_DUE;
            default:
                return Entitlement.ENTITLEMENT_REQUIRED;
        }
        return empty(a) ? Entitlement.TIME_BANK_EMPTY : Entitlement.OK;
    }

    /** @return the {@code GET /usage/current} body. */
    static Map<String, Object> usage(final RelayAccount a)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("cycle_start", RelayRequests.iso(a.cycleStartMillis));
        m.put("cycle_end", RelayRequests.iso(a.cycleEndMillis));
        m.put("included_seconds", a.includedSeconds);
        m.put("addon_seconds", a.addonSeconds);
        m.put("used_seconds", usedSeconds(a));
        m.put("remaining_seconds", remainingSeconds(a));
        return m;
    }

    /** @return the entitlement part of {@code GET /auth/session}. */
    static Map<String, Object> entitlement(final RelayAccount a, final long now)
    {
        final Entitlement e = check(a, now);
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("plan", a.plan.isEmpty() ? null : a.plan);
        m.put("status", a.status);
        m.put("can_start_relay", e == Entitlement.OK);
        m.put("reason", e.code);
        return m;
    }
}
