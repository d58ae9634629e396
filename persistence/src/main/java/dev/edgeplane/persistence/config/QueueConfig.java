package dev.edgeplane.persistence.config;

import java.util.Set;

/**
 * An ACD queue of an account (docs/SPEC-control-plane.md, "Agents and ACD").
 *
 * <p>Immutable and thread-safe.
 *
 * @param id           queue id, e.g. {@code q_…}; unique within the account.
 * @param name         display name; may be null.
 * @param strategy     one of {@link #STRATEGIES}.
 * @param ringTimeoutS seconds an offered agent may ring before the next is tried.
 * @param wrapupS      seconds an agent rests after a call.
 * @param maxWaitS     seconds a caller waits before the flow gets {@code queue:timeout}.
 */
public record QueueConfig(String id, String name, String strategy, int ringTimeoutS, int wrapupS, int maxWaitS)
{
    /** The distribution strategies the ACD implements, by wire name. */
    public static final Set<String> STRATEGIES =
        Set.of("ring_all", "longest_idle", "round_robin", "fewest_calls", "random");
}
