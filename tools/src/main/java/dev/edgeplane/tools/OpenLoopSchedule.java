package dev.edgeplane.tools;

/**
 * When each simulated call is meant to start: call {@code i} at {@code round(i * 1e9 / rate)} ns after the run's
 * start, for every {@code i} whose offset falls inside the run. Open loop: the schedule never moves because answers
 * are slow; a call that cannot start on time starts as soon as it can and is counted late, so the load offered stays
 * the load asked for and a slow server shows up as latency and late starts instead of as a lower rate (the
 * coordinated-omission trap of closed-loop load generators).
 *
 * <p>Immutable and thread-safe.
 */
final class OpenLoopSchedule
{
    /** A start less than this much after its intended time is on time (timer slack, not server slowness). */
    static final long DEFAULT_LATE_TOLERANCE_NANOS = 5_000_000L;

    private final double ratePerSecond;
    private final long durationNanos;
    private final long lateToleranceNanos;

    /**
     * @param ratePerSecond      calls per second, greater than 0.
     * @param durationNanos      length of the run, greater than 0.
     * @param lateToleranceNanos how late a start may be before it counts as late, 0 or more.
     * @throws IllegalArgumentException on a value out of range.
     */
    OpenLoopSchedule(final double ratePerSecond, final long durationNanos, final long lateToleranceNanos)
    {
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond))
        {
            throw new IllegalArgumentException("rate must be a positive number");
        }
        if (durationNanos <= 0)
        {
            throw new IllegalArgumentException("duration must be positive");
        }
        if (lateToleranceNanos < 0)
        {
            throw new IllegalArgumentException("late tolerance must not be negative");
        }
        this.ratePerSecond = ratePerSecond;
        this.durationNanos = durationNanos;
        this.lateToleranceNanos = lateToleranceNanos;
    }

    /**
     * @param index call number, from 0.
     * @return the call's intended start, in ns after the run's start.
     */
    long offsetNanos(final long index)
    {
        // Computed from the index, never by adding periods: no drift, whatever the rate's fraction.
        return Math.round(index * (1e9 / ratePerSecond));
    }

    /**
     * @param index call number, from 0.
     * @return true if the call starts inside the run.
     */
    boolean includes(final long index)
    {
        return index >= 0 && offsetNanos(index) < durationNanos;
    }

    /**
     * @return how many calls the run holds.
     */
    long totalCalls()
    {
        // The estimate is exact up to floating-point rounding at the boundary; settle it with includes().
        long n = (long)Math.ceil(durationNanos / 1e9 * ratePerSecond);
        while (n > 0 && !includes(n - 1))
        {
            n--;
        }
        while (includes(n))
        {
            n++;
        }
        return n;
    }

    /**
     * @param intendedNanos the intended start (any time base).
     * @param actualNanos   the actual start (same base).
     * @return how late the start was, 0 if it was early or on time.
     */
    static long lateness(final long intendedNanos, final long actualNanos)
    {
        return Math.max(0, actualNanos - intendedNanos);
    }

    /**
     * @param intendedNanos the intended start.
     * @param actualNanos   the actual start.
     * @return true if the start was more than the tolerance late.
     */
    boolean isLate(final long intendedNanos, final long actualNanos)
    {
        return lateness(intendedNanos, actualNanos) > lateToleranceNanos;
    }

    /**
     * @return calls per second.
     */
    double ratePerSecond()
    {
        return ratePerSecond;
    }

    /**
     * @return the run's length in ns.
     */
    long durationNanos()
    {
        return durationNanos;
    }
}
