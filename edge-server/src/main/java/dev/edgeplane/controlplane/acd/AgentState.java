package dev.edgeplane.controlplane.acd;

/**
 * What an agent is doing with calls (docs/SPEC-control-plane.md, "Agents and ACD"): {@code idle},
 * {@code offered} (a caller rings the agent under a lease), {@code on_call} (bridged) or
 * {@code wrap_up} (resting after a call for the queue's {@code wrapup_s}).
 *
 * <p>Immutable and thread-safe.
 */
public enum AgentState
{
    IDLE("idle"),
    OFFERED("offered"),
    ON_CALL("on_call"),
    WRAP_UP("wrap_up");

    private static final AgentState[] VALUES = values();

    private final String wireName;

    AgentState(final String wireName)
    {
        this.wireName = wireName;
    }

    /** @return the name on the wire, e.g. {@code on_call}. */
    public String wireName()
    {
        return wireName;
    }

    static AgentState byCode(final int code)
    {
        return code >= 0 && code < VALUES.length ? VALUES[code] : IDLE;
    }
}
