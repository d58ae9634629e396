package dev.edgeplane.persistence;

/**
 * Outcome of {@link Database#probe(long)}. Immutable.
 *
 * @param up           whether {@code SELECT 1} succeeded within the timeout.
 * @param latencyNanos time the probe took, including borrowing a connection.
 * @param error        short, sanitized reason when down (no URL credentials, one line), null when up.
 */
public record ProbeResult(boolean up, long latencyNanos, String error)
{
    /**
     * @return the latency in (fractional) milliseconds.
     */
    public double latencyMillis()
    {
        return latencyNanos / 1_000_000.0;
    }
}
