package dev.edgeplane.controlplane.acd;

import dev.edgeplane.server.EdgeSettings;

/**
 * The ACD's knobs as name + default pairs (read once at start-up).
 *
 * @param pollWaitMillis  {@code waitMs} of the {@code noop} a waiting caller gets: how soon it should
 *                        poll again ({@value #POLL_WAIT_MS}, default 1000).
 * @param stalePollMillis a waiting caller that has not polled for this long is passed over when
 *                        agents are picked (it keeps its place; {@value #STALE_POLL_MS}, default
 *                        15000), so a media engine that went quiet does not hold agents ringing.
 */
public record AcdSettings(long pollWaitMillis, long stalePollMillis)
{
    public static final String POLL_WAIT_MS = "EDGEPLANE_ACD_POLL_WAIT_MS";
    public static final String STALE_POLL_MS = "EDGEPLANE_ACD_STALE_POLL_MS";

    /** Defaults, for tests and tools. */
    public static final AcdSettings DEFAULTS = new AcdSettings(1_000, 15_000);

    public static AcdSettings from(final EdgeSettings s)
    {
        return new AcdSettings(
            number(s, POLL_WAIT_MS, DEFAULTS.pollWaitMillis, 600_000),
            number(s, STALE_POLL_MS, DEFAULTS.stalePollMillis, Long.MAX_VALUE / 4));
    }

    private static long number(final EdgeSettings s, final String name, final long dflt, final long max)
    {
        final String v = s.value(name, null);
        if (v == null)
        {
            return dflt;
        }
        try
        {
            final long n = Long.parseLong(v.trim());
            if (n <= 0 || n > max)
            {
                throw new NumberFormatException();
            }
            return n;
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException(name + " must be a positive integer up to " + max + ", not '" + v + "'");
        }
    }
}
