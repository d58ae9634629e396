package dev.edgeplane.controlplane.acd;

/**
 * Whether an agent wants calls (docs/SPEC-control-plane.md, "Agents and ACD"): {@code logged_out},
 * {@code available} or {@code paused}. Only {@code available} agents are offered callers.
 *
 * <p>Immutable and thread-safe.
 */
public enum AgentStatus
{
    LOGGED_OUT("logged_out"),
    AVAILABLE("available"),
    PAUSED("paused");

    private static final AgentStatus[] VALUES = values();

    private final String wireName;

    AgentStatus(final String wireName)
    {
        this.wireName = wireName;
    }

    /** @return the name on the wire, e.g. {@code logged_out}. */
    public String wireName()
    {
        return wireName;
    }

    static AgentStatus byCode(final int code)
    {
        return code >= 0 && code < VALUES.length ? VALUES[code] : LOGGED_OUT;
    }
}
