package dev.edgeplane.controlplane.acd;

import java.util.List;

import dev.edgeplane.persistence.config.AgentConfig;

/**
 * One configured agent's live ACD state.
 *
 * <p>Not thread-safe: owned by its {@link AccountDistributor}, touched only on the account's shard
 * writer.
 */
final class Agent
{
    final String userId;
    AgentConfig config;
    /** Position in the account's agent list (tie-breaks and round-robin order). */
    int order;

    AgentStatus status = AgentStatus.LOGGED_OUT;
    AgentState state = AgentState.IDLE;
    /** Lease epoch: bumped for every offer, never reused (fencing for {@code /agent/confirm}). */
    long epoch;
    /** Calls taken since login ({@code fewest_calls}). */
    int callsTaken;
    /** Order in which agents last became idle; smaller is idle longer ({@code longest_idle}). */
    long idleSeq;
    long stateSinceMillis;
    long wrapUntilMillis;
    /** This session's queues, or null for the configured ones. */
    List<String> queueOverride;

    /** The offer ringing this agent, while {@link AgentState#OFFERED}. */
    Offer offer;
    /** The caller's Call-ID while on call or wrapping up, else null. */
    String callId;
    String callQueueId;
    int callJoinStep;

    Agent(final String userId)
    {
        this.userId = userId;
    }

    /** @return the queues this agent serves now: the session override, else the configured ones. */
    List<String> queues()
    {
        return queueOverride != null ? queueOverride : config.queues();
    }

    boolean serves(final String queueId)
    {
        return queues().contains(queueId);
    }

    /** @return true when a strategy may pick this agent (reachability is checked separately). */
    boolean ready()
    {
        return status == AgentStatus.AVAILABLE && state == AgentState.IDLE;
    }

    String device()
    {
        return config.device();
    }
}
