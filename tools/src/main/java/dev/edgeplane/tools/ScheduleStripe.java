package dev.edgeplane.tools;

/**
 * The share of an {@link OpenLoopSchedule} one event loop of the load generator sends: with {@code stripes} loops,
 * loop {@code stripe} owns requests {@code stripe}, {@code stripe + stripes}, {@code stripe + 2 * stripes}, … of the
 * schedule, so the loops together send every scheduled request exactly once, each at its own intended time
 * {@code t0 + round(i * 1e9 / rate)}.
 *
 * <p>Positions {@code j} count this stripe's requests from 0. Immutable and thread-safe.
 */
final class ScheduleStripe
{
    private final OpenLoopSchedule schedule;
    private final int stripe;
    private final int stripes;
    private final long size;

    /**
     * @param schedule the whole run's schedule.
     * @param stripe   this stripe's number, 0 to {@code stripes - 1}.
     * @param stripes  how many stripes share the schedule, 1 or more.
     * @throws IllegalArgumentException on a stripe out of range.
     */
    ScheduleStripe(final OpenLoopSchedule schedule, final int stripe, final int stripes)
    {
        if (stripes < 1 || stripe < 0 || stripe >= stripes)
        {
            throw new IllegalArgumentException("stripe " + stripe + " of " + stripes);
        }
        this.schedule = schedule;
        this.stripe = stripe;
        this.stripes = stripes;
        final long total = schedule.totalCalls();
        this.size = total <= stripe ? 0 : (total - stripe + stripes - 1) / stripes;
    }

    /**
     * @return how many requests this stripe sends.
     */
    long size()
    {
        return size;
    }

    /**
     * @param position the request's position in this stripe, from 0.
     * @return its index in the whole schedule.
     */
    long scheduleIndex(final long position)
    {
        return stripe + stripes * position;
    }

    /**
     * @param position the request's position in this stripe, from 0.
     * @return its intended send time in ns after the run's start.
     */
    long offsetNanos(final long position)
    {
        return schedule.offsetNanos(scheduleIndex(position));
    }

    /**
     * How far the stripe is due after {@code elapsedNanos}: every position before the answer has an intended time at or
     * before {@code elapsedNanos}.
     *
     * @param from         a position known to be not yet due (or {@link #size()}); the search starts there.
     * @param elapsedNanos time since the run's start.
     * @return the first position not yet due, or {@link #size()} when all are due.
     */
    long dueUpTo(final long from, final long elapsedNanos)
    {
        long position = from;
        while (position < size && offsetNanos(position) <= elapsedNanos)
        {
            position++;
        }
        return position;
    }
}
