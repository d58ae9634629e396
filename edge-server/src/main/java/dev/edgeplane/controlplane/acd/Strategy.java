package dev.edgeplane.controlplane.acd;

/**
 * How a queue picks among its eligible agents (available, idle, reachable, serving the queue).
 * The wire names are {@code QueueConfig.STRATEGIES}.
 *
 * <p>Immutable and thread-safe.
 */
enum Strategy
{
    /** Offer the caller to every eligible agent at once; the first claim wins. */
    RING_ALL("ring_all"),
    /** The agent idle the longest (ties: configuration order). */
    LONGEST_IDLE("longest_idle"),
    /** The next eligible agent after the one picked last, in configuration order, wrapping. */
    ROUND_ROBIN("round_robin"),
    /** The agent with the fewest calls taken since login (ties: longest idle). */
    FEWEST_CALLS("fewest_calls"),
    /** Any eligible agent, uniformly. */
    RANDOM("random");

    private static final Strategy[] VALUES = values();

    final String wireName;

    Strategy(final String wireName)
    {
        this.wireName = wireName;
    }

    /** @return the strategy, {@link #RING_ALL} for an unknown name (configuration validation refuses those). */
    static Strategy byName(final String name)
    {
        for (final Strategy s : VALUES)
        {
            if (s.wireName.equals(name))
            {
                return s;
            }
        }
        return RING_ALL;
    }
}
