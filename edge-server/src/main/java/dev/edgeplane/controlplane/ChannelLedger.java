package dev.edgeplane.controlplane;

import java.util.HashMap;
import java.util.Map;

import dev.edgeplane.controlplane.state.CallEntry;

/**
 * CAC counters of the accounts one shard owns: active channels, split inbound/outbound.
 *
 * <p>Not thread-safe: confined to its shard's writer thread. The counters are derived state: the
 * durable truth is the off-heap call entries with {@code admitted} set, from which the ledger is
 * rebuilt at start-up, so a crash can never leave a counter that disagrees with the calls.
 */
final class ChannelLedger
{
    /** One account's counters. */
    static final class Channels
    {
        int active;
        int inbound;
        int outbound;
    }

    private final Map<String, Channels> byAccount = new HashMap<>();

    Channels channels(final String accountId)
    {
        return byAccount.computeIfAbsent(accountId, k -> new Channels());
    }

    /** @return the counters, or null when the account holds no channel. */
    Channels peek(final String accountId)
    {
        return byAccount.get(accountId);
    }

    /** Takes a channel if one is free. */
    boolean admit(final String accountId, final byte direction, final int limit)
    {
        final Channels c = channels(accountId);
        if (c.active >= limit)
        {
            return false;
        }
        add(c, direction, 1);
        return true;
    }

    /** Takes a channel unconditionally (rebuilding from the call entries at start-up). */
    void restore(final String accountId, final byte direction)
    {
        add(channels(accountId), direction, 1);
    }

    void release(final String accountId, final byte direction)
    {
        final Channels c = byAccount.get(accountId);
        if (c != null)
        {
            add(c, direction, -1);
            if (c.active <= 0)
            {
                byAccount.remove(accountId);
            }
        }
    }

    void reset(final String accountId)
    {
        byAccount.remove(accountId);
    }

    private static void add(final Channels c, final byte direction, final int delta)
    {
        c.active = Math.max(0, c.active + delta);
        if (direction == CallEntry.OUTBOUND)
        {
            c.outbound = Math.max(0, c.outbound + delta);
        }
        else
        {
            c.inbound = Math.max(0, c.inbound + delta);
        }
    }
}
