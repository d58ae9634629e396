package dev.edgeplane.persistence.config;

import java.time.LocalTime;
import java.util.Objects;

/**
 * A half-open interval of local time-of-day, {@code [start, end)}, in which a schedule is open. A document's
 * {@code "24:00"} is {@code end = LocalTime.MAX}, which closes the day inclusively, so {@code ["00:00","24:00"]} is
 * open all day.
 *
 * <p>Windows do not wrap past midnight: one whose {@code start} is not before its {@code end} contains nothing, and
 * {@link ConfigRepository#apply} refuses it (write {@code 22:00-24:00} on one day and {@code 00:00-06:00} on the next).
 *
 * <p>Immutable and thread-safe.
 *
 * @param start first local time inside the window.
 * @param end   first local time after the window, or {@link LocalTime#MAX} for the end of the day.
 */
public record TimeWindow(LocalTime start, LocalTime end)
{
    /**
     * @throws NullPointerException if {@code start} or {@code end} is null.
     */
    public TimeWindow
    {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
    }

    /**
     * @param time a local time of day.
     * @return true if {@code start <= time < end}, or {@code start <= time} when {@code end} is
     *         {@link LocalTime#MAX}.
     */
    public boolean contains(final LocalTime time)
    {
        if (time.isBefore(start) || !start.isBefore(end))
        {
            return false;
        }
        return LocalTime.MAX.equals(end) || time.isBefore(end);
    }
}
