package dev.edgeplane.controlplane.acd;

/**
 * What an agent (or its app) reports with {@code POST /agent} or a presence {@code agent} event.
 *
 * <p>Transitions, on the agent's {@link AgentStatus}; anything else is {@code 409 invalid_transition}:
 * <ul>
 *   <li>{@code login}: logged_out → available (optionally serving other queues for this session);
 *   <li>{@code logout}: available or paused → logged_out (an offer in flight is revoked);
 *   <li>{@code pause}: available → paused (an offer in flight is revoked);
 *   <li>{@code unpause}: paused → available;
 *   <li>{@code available}: paused → available, or available in wrap_up → idle (wrap-up ends early).
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public enum AgentEvent
{
    LOGIN("login"),
    LOGOUT("logout"),
    AVAILABLE("available"),
    PAUSE("pause"),
    UNPAUSE("unpause");

    /** The accepted names, for the "must be one of" message. */
    public static final String NAMES = "login, logout, available, pause or unpause";

    private static final AgentEvent[] VALUES = values();

    private final String wireName;

    AgentEvent(final String wireName)
    {
        this.wireName = wireName;
    }

    /** @return the name on the wire, e.g. {@code login}. */
    public String wireName()
    {
        return wireName;
    }

    /** @return the event with this wire name, or null. */
    public static AgentEvent byName(final String name)
    {
        for (final AgentEvent e : VALUES)
        {
            if (e.wireName.equals(name))
            {
                return e;
            }
        }
        return null;
    }
}
