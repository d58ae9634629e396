package dev.edgeplane.controlplane.acd;

import java.util.List;

/**
 * The account shard's answer to a {@code queue:poll}, for the call shard to render: keep waiting
 * ({@code noop}), ring these agents ({@code dial} with a lease), the caller's wait is over
 * ({@code queue:timeout} advances the flow), or the poll does not apply (the caller is already
 * bridged, or the poll is about an earlier visit to the queue).
 *
 * <p>Immutable and thread-safe.
 *
 * @param kind      what to do.
 * @param position  1-based place in line for {@link Kind#WAIT}, else 0.
 * @param leaseId   the lease for {@link Kind#OFFER}, else null.
 * @param epoch     the lease's epoch for {@link Kind#OFFER}.
 * @param targets   SIP URIs to ring for {@link Kind#OFFER} (one per agent, in {@code agents} order).
 * @param agents    the offered agents' user ids for {@link Kind#OFFER}.
 * @param timeoutMs how long to ring for {@link Kind#OFFER}: what is left of the ring timeout.
 * @param traceSeq  journal sequence to await before answering (0: nothing new was journaled).
 * @param message   why, for {@link Kind#BRIDGED} and {@link Kind#STALE}.
 */
public record PollDecision(Kind kind, int position, String leaseId, long epoch, List<String> targets, List<String> agents,
    long timeoutMs, long traceSeq, String message)
{
    /** What the caller's next command is. */
    public enum Kind
    {
        /** No agent yet: {@code noop}. */
        WAIT,
        /** An agent (or, for ring_all, several) was picked: {@code dial} with the lease. */
        OFFER,
        /** Max wait reached (or the queue no longer exists): step the flow with {@code queue:timeout}. */
        TIMEOUT,
        /** The caller is already bridged to an agent: 409. */
        BRIDGED,
        /** The poll is about an earlier visit to the queue, which has ended: 409. */
        STALE
    }

    static PollDecision waiting(final int position)
    {
        return new PollDecision(Kind.WAIT, position, null, 0, List.of(), List.of(), 0, 0, null);
    }

    static PollDecision timeout(final long traceSeq)
    {
        return new PollDecision(Kind.TIMEOUT, 0, null, 0, List.of(), List.of(), 0, traceSeq, null);
    }

    static PollDecision refused(final Kind kind, final String message)
    {
        return new PollDecision(kind, 0, null, 0, List.of(), List.of(), 0, 0, message);
    }
}
