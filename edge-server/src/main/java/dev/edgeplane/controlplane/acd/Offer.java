package dev.edgeplane.controlplane.acd;

import java.util.ArrayList;
import java.util.List;

/**
 * One offer of a waiting caller to one agent (or, for {@code ring_all}, to several at once) under a
 * lease {@code {leaseId, epoch}}. The offer is {@link State#LIVE} until an agent is bridged
 * (confirm or claim), the ring timeout passes, or it is revoked (agent logged out or paused, caller
 * gone); ended offers are remembered for a while so late hooks get a precise 409.
 *
 * <p>Not thread-safe: owned by its {@link AccountDistributor}, touched only on the account's shard
 * writer.
 */
final class Offer
{
    /** The life of an offer. */
    enum State
    {
        LIVE,
        CONFIRMED,
        EXPIRED,
        REVOKED
    }

    final String leaseId;
    final long epoch;
    final WaitingCaller caller;
    final boolean ringAll;
    /** Agents still ringing, in pick order. */
    final List<Agent> agents;
    final long createdAtMillis;
    /**
     * When the ring timeout passes. An offer can be made while the caller is between polls (first
     * come, first served); its clock restarts when the caller first hears of it, so the agent rings
     * for the whole ring timeout, and an offer nobody fetches still ends one ring timeout after it
     * was made.
     */
    long expiresAtMillis;
    /** When the caller's poll first carried the offer (0: not yet). */
    long deliveredAtMillis;
    State state = State.LIVE;
    Agent winner;
    /** Journal sequence of the {@code acd.offer} trace event (the first answer waits for it). */
    long traceSeq;

    Offer(final String leaseId, final long epoch, final WaitingCaller caller, final boolean ringAll, final List<Agent> agents,
        final long createdAtMillis, final long expiresAtMillis)
    {
        this.leaseId = leaseId;
        this.epoch = epoch;
        this.caller = caller;
        this.ringAll = ringAll;
        this.agents = new ArrayList<>(agents);
        this.createdAtMillis = createdAtMillis;
        this.expiresAtMillis = expiresAtMillis;
    }
}
