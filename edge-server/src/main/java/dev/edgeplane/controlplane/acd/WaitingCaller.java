package dev.edgeplane.controlplane.acd;

/**
 * A caller in a queue: waiting in line, or holding an {@link Offer}. Identified by Call-ID plus the
 * flow step at which its session entered the enqueue node ({@code joinStep}), so a late message about
 * an earlier visit to a queue never touches a later one.
 *
 * <p>Not thread-safe: owned by its {@link AccountDistributor}, touched only on the account's shard
 * writer.
 */
final class WaitingCaller
{
    final String callId;
    final String queueId;
    final int joinStep;
    /** When the flow entered the enqueue node (from the session, so it survives restarts). */
    final long joinedAtMillis;
    long lastPollMillis;
    /** The live offer, or null while waiting in line. */
    Offer offer;
    /** Set when the caller's max wait passed; the next poll answers {@code queue:timeout}. */
    boolean timedOut;
    long timedOutAtMillis;

    WaitingCaller(final String callId, final String queueId, final int joinStep, final long joinedAtMillis)
    {
        this.callId = callId;
        this.queueId = queueId;
        this.joinStep = joinStep;
        this.joinedAtMillis = joinedAtMillis;
    }
}
