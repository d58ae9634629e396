package dev.edgeplane.persistence.config;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Opening hours of an account, referenced by DIDs: {@code POST /route} sends a call to the DID's after-hours target
 * while {@link #isOpen} is false.
 *
 * <p>Rules, in the schedule's own time zone: a holiday is closed all day; any other day is open inside one of that
 * weekday's {@link TimeWindow windows}; a weekday absent from {@code weekly} (or with no windows) is closed. Daylight
 * saving needs no special care: the instant is converted to local date and time first, so a window means the same
 * wall-clock hours on the day the clocks change.
 *
 * <p>Immutable and thread-safe: {@code weekly} is copied into an unmodifiable {@link EnumMap} (Monday first) with
 * copied window lists, {@code holidays} into an unmodifiable sorted set; null collections become empty.
 *
 * @param id       schedule id, e.g. {@code sch_…}; unique within the account.
 * @param timezone IANA zone id such as {@code America/New_York}; {@link ConfigRepository#apply} refuses unknown ones.
 * @param weekly   open windows per weekday.
 * @param holidays local dates on which the schedule is closed.
 */
public record ScheduleConfig(
    String id, String timezone, Map<DayOfWeek, List<TimeWindow>> weekly, Set<LocalDate> holidays)
{
    /**
     * Copies the collections.
     */
    public ScheduleConfig
    {
        final EnumMap<DayOfWeek, List<TimeWindow>> days = new EnumMap<>(DayOfWeek.class);
        if (null != weekly)
        {
            for (final Map.Entry<DayOfWeek, List<TimeWindow>> day : weekly.entrySet())
            {
                days.put(day.getKey(), AccountConfig.copy(day.getValue()));
            }
        }
        weekly = Collections.unmodifiableMap(days);
        holidays = null == holidays ?
            Collections.emptySortedSet() : Collections.unmodifiableSortedSet(new TreeSet<>(holidays));
    }

    /**
     * @param at an instant.
     * @return true if the schedule is open at {@code at}.
     * @throws java.time.DateTimeException if {@code timezone} is not a valid zone id (never the case for schedules
     *                                     that went through {@link ConfigRepository#apply}).
     */
    public boolean isOpen(final Instant at)
    {
        final ZonedDateTime local = at.atZone(ZoneId.of(timezone));
        if (holidays.contains(local.toLocalDate()))
        {
            return false;
        }
        final List<TimeWindow> windows = weekly.get(local.getDayOfWeek());
        if (null == windows)
        {
            return false;
        }
        for (int i = 0; i < windows.size(); i++)
        {
            if (windows.get(i).contains(local.toLocalTime()))
            {
                return true;
            }
        }
        return false;
    }
}
