package dev.edgeplane.controlplane.acd;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.edgeplane.codec.Json;
import dev.edgeplane.controlplane.CallTrace;

/**
 * Where ACD history goes: every agent change is journaled as an {@code agent.transition} entry (the
 * flusher writes it behind into {@code event_log}), and every step of a queued call is appended to
 * the call's trace as an {@code acd.*} event.
 *
 * <p>Thread-safe (the journal serializes appends); called from account shard writers.
 */
final class AgentHistory
{
    /** Journal entry type of agent transitions. */
    static final String TRANSITION_TYPE = "agent.transition";

    private final CallTrace trace;

    AgentHistory(final CallTrace trace)
    {
        this.trace = trace;
    }

    /**
     * Journals one agent change.
     *
     * @param cause   what moved the agent: an {@link AgentEvent} name, or {@code offer}, {@code bridge},
     *                {@code ring_timeout}, {@code revoked}, {@code offer_ended}, {@code call_end},
     *                {@code wrap_up_end}, {@code removed}.
     * @param callId  the call involved, or null.
     * @param leaseId the lease involved, or null.
     * @param reason  the agent's reason (pause reasons), or null.
     * @return the journal sequence.
     */
    long transition(final String accountId, final Agent agent, final AgentStatus fromStatus, final AgentState fromState,
        final String cause, final String callId, final String leaseId, final String reason, final long nowMillis)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("ts", nowMillis);
        m.put("account_id", accountId);
        m.put("user_id", agent.userId);
        m.put("device", agent.device());
        m.put("cause", cause);
        m.put("from_status", fromStatus.wireName());
        m.put("from_state", fromState.wireName());
        m.put("status", agent.status.wireName());
        m.put("state", agent.state.wireName());
        m.put("epoch", agent.epoch);
        if (callId != null)
        {
            m.put("call_id", callId);
        }
        if (leaseId != null)
        {
            m.put("lease_id", leaseId);
        }
        if (reason != null)
        {
            m.put("reason", reason);
        }
        return trace.journal().append(TRANSITION_TYPE, Json.write(m));
    }

    /** Appends an {@code acd.*} event to a call's trace; @return the journal sequence. */
    long call(final String callId, final String accountId, final String kind, final Map<String, Object> detail)
    {
        return trace.record(callId, accountId, kind, detail);
    }

    /** @return the sequence of the last journal entry (of any writer). */
    long lastSeq()
    {
        return trace.journal().lastSeq();
    }
}
