package dev.edgeplane.controlplane.flow;

import java.util.Map;

/**
 * One node's {@code next}: which node an outcome leads to. Matching tries the exact patterns
 * ({@code digit:1}, {@code timeout}), then the prefix wildcards ({@code digit:*}) longest
 * first, then the default {@code *} (docs/SPEC-control-plane.md, "Outcome matching").
 *
 * <p>Immutable and thread-safe.
 */
final class OutcomeTable
{
    /** The table of a node without {@code next}: every outcome ends the flow. */
    static final OutcomeTable NONE = new OutcomeTable(Map.of(), new String[0], new int[0], -1);

    private final Map<String, Integer> exact;
    /** Prefixes without the trailing '*', longest first. */
    private final String[] prefixes;
    private final int[] prefixTargets;
    private final int fallback;

    /**
     * @param exact         exact pattern to node index; owned by this table.
     * @param prefixes      prefixes (pattern less its '*'), sorted longest first.
     * @param prefixTargets node index of each prefix.
     * @param fallback      node index of {@code *}, or -1.
     */
    OutcomeTable(final Map<String, Integer> exact, final String[] prefixes, final int[] prefixTargets, final int fallback)
    {
        this.exact = exact;
        this.prefixes = prefixes;
        this.prefixTargets = prefixTargets;
        this.fallback = fallback;
    }

    /**
     * @param outcome the outcome reported by the media engine.
     * @return the index of the next node, or -1 if nothing matches.
     */
    int resolve(final String outcome)
    {
        final Integer target = exact.get(outcome);
        if (target != null)
        {
            return target;
        }
        for (int i = 0; i < prefixes.length; i++)
        {
            if (outcome.startsWith(prefixes[i]))
            {
                return prefixTargets[i];
            }
        }
        return fallback;
    }
}
