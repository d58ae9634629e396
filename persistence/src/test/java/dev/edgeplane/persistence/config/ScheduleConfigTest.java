package dev.edgeplane.persistence.config;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScheduleConfigTest
{
    private static final TimeWindow NINE_TO_FIVE = window("09:00", "17:00");

    @Test
    void shouldEvaluateWindowsInTheSchedulesOwnZone()
    {
        // Wednesday 2026-01-14: 09:30 in New York (EST, UTC-5) is 14:30Z; 09:30 in Tokyo (UTC+9) is 00:30Z.
        final ScheduleConfig newYork = weekdays("America/New_York", NINE_TO_FIVE);
        final ScheduleConfig tokyo = weekdays("Asia/Tokyo", NINE_TO_FIVE);

        assertTrue(newYork.isOpen(Instant.parse("2026-01-14T14:30:00Z")));
        assertFalse(tokyo.isOpen(Instant.parse("2026-01-14T14:30:00Z")));   // 23:30 in Tokyo
        assertTrue(tokyo.isOpen(Instant.parse("2026-01-14T00:30:00Z")));
        assertFalse(newYork.isOpen(Instant.parse("2026-01-14T00:30:00Z"))); // 19:30 on Tuesday in New York
    }

    @Test
    void shouldTreatStartAsInsideAndEndAsOutside()
    {
        final ScheduleConfig newYork = weekdays("America/New_York", NINE_TO_FIVE);

        assertFalse(newYork.isOpen(Instant.parse("2026-01-14T13:59:59Z")));
        assertTrue(newYork.isOpen(Instant.parse("2026-01-14T14:00:00Z")));
        assertTrue(newYork.isOpen(Instant.parse("2026-01-14T21:59:59.999Z")));
        assertFalse(newYork.isOpen(Instant.parse("2026-01-14T22:00:00Z")));
    }

    @Test
    void shouldKeepWallClockHoursAcrossDaylightSavingChange()
    {
        // US clocks spring forward on Sunday 2026-03-08 at 02:00 EST; the schedule is open every day 09:00-17:00.
        final ScheduleConfig schedule = everyDay("America/New_York", NINE_TO_FIVE);

        // Saturday, EST (UTC-5): 09:00 local = 14:00Z.
        assertFalse(schedule.isOpen(Instant.parse("2026-03-07T13:30:00Z")));
        assertTrue(schedule.isOpen(Instant.parse("2026-03-07T14:00:00Z")));
        // Sunday, the DST day, EDT (UTC-4): 09:00 local = 13:00Z, 17:00 local = 21:00Z.
        assertTrue(schedule.isOpen(Instant.parse("2026-03-08T13:30:00Z")));
        assertFalse(schedule.isOpen(Instant.parse("2026-03-08T12:59:00Z")));
        assertTrue(schedule.isOpen(Instant.parse("2026-03-08T20:59:00Z")));
        assertFalse(schedule.isOpen(Instant.parse("2026-03-08T21:30:00Z")));
    }

    @Test
    void shouldCoverTheSkippedHourWindowOnTheDstDay()
    {
        // A window 01:00-03:00 on the spring-forward day lasts one real hour: 02:00-03:00 local does not exist.
        final ScheduleConfig schedule = new ScheduleConfig("sch_night", "America/New_York",
            Map.of(DayOfWeek.SUNDAY, List.of(window("01:00", "03:00"))), Set.of());

        assertTrue(schedule.isOpen(Instant.parse("2026-03-08T06:30:00Z")));   // 01:30 EST
        assertFalse(schedule.isOpen(Instant.parse("2026-03-08T07:00:00Z")));  // 03:00 EDT
        assertFalse(schedule.isOpen(Instant.parse("2026-03-08T05:59:00Z")));  // 00:59 EST
    }

    @Test
    void shouldCloseHolidaysAllDayInLocalDate()
    {
        final ScheduleConfig schedule = new ScheduleConfig("sch_1", "America/New_York",
            Map.of(DayOfWeek.FRIDAY, List.of(window("00:00", "24:00"))), Set.of(LocalDate.parse("2026-12-25")));

        // Friday 2026-12-25 is a holiday in New York from 05:00Z on the 25th to 05:00Z on the 26th.
        assertFalse(schedule.isOpen(Instant.parse("2026-12-25T15:00:00Z")));
        assertFalse(schedule.isOpen(Instant.parse("2026-12-26T04:59:00Z")));
        // Still Thursday the 24th in New York (not in the schedule), then the next Friday is open.
        assertFalse(schedule.isOpen(Instant.parse("2026-12-25T04:00:00Z")));
        assertTrue(schedule.isOpen(Instant.parse("2027-01-01T15:00:00Z")));
    }

    @Test
    void shouldOpenInEitherOfTwoWindowsOfOneDay()
    {
        final ScheduleConfig schedule = new ScheduleConfig("sch_split", "Europe/Berlin",
            Map.of(DayOfWeek.MONDAY, List.of(window("08:00", "12:00"), window("13:00", "17:30"))), Set.of());

        // Monday 2026-01-12, CET (UTC+1).
        assertTrue(schedule.isOpen(Instant.parse("2026-01-12T07:00:00Z")));   // 08:00
        assertFalse(schedule.isOpen(Instant.parse("2026-01-12T11:30:00Z")));  // 12:30, lunch
        assertTrue(schedule.isOpen(Instant.parse("2026-01-12T12:00:00Z")));   // 13:00
        assertTrue(schedule.isOpen(Instant.parse("2026-01-12T16:29:00Z")));   // 17:29
        assertFalse(schedule.isOpen(Instant.parse("2026-01-12T16:30:00Z")));  // 17:30
        // Tuesday is absent from weekly: closed.
        assertFalse(schedule.isOpen(Instant.parse("2026-01-13T09:00:00Z")));
    }

    @Test
    void shouldRunTwentyFourHundredToTheVeryEndOfTheDay()
    {
        final ScheduleConfig schedule = new ScheduleConfig("sch_late", "UTC",
            Map.of(DayOfWeek.WEDNESDAY, List.of(window("18:00", "24:00"))), Set.of());

        assertTrue(schedule.isOpen(Instant.parse("2026-01-14T23:59:59.999999999Z")));
        assertTrue(schedule.isOpen(Instant.parse("2026-01-14T18:00:00Z")));
        assertFalse(schedule.isOpen(Instant.parse("2026-01-14T17:59:59Z")));
        assertFalse(schedule.isOpen(Instant.parse("2026-01-15T00:00:00Z")));  // Thursday
    }

    @Test
    void shouldTreatEmptyOrBackwardsWindowAsContainingNothing()
    {
        assertFalse(window("17:00", "09:00").contains(LocalTime.of(20, 0)));
        assertFalse(window("09:00", "09:00").contains(LocalTime.of(9, 0)));
        assertTrue(window("00:00", "24:00").contains(LocalTime.MIDNIGHT));
    }

    @Test
    void shouldCopyCollectionsAndCompareByValue()
    {
        final List<TimeWindow> windows = new ArrayList<>(List.of(NINE_TO_FIVE));
        final Map<DayOfWeek, List<TimeWindow>> weekly = new EnumMap<>(DayOfWeek.class);
        weekly.put(DayOfWeek.MONDAY, windows);
        final Set<LocalDate> holidays = new HashSet<>(Set.of(LocalDate.parse("2026-12-25")));
        final ScheduleConfig schedule = new ScheduleConfig("sch_1", "UTC", weekly, holidays);

        windows.add(window("18:00", "19:00"));
        weekly.put(DayOfWeek.TUESDAY, List.of());
        holidays.clear();

        assertEquals(new ScheduleConfig("sch_1", "UTC", Map.of(DayOfWeek.MONDAY, List.of(NINE_TO_FIVE)),
            Set.of(LocalDate.parse("2026-12-25"))), schedule);
        assertThrows(UnsupportedOperationException.class, () -> schedule.weekly().put(DayOfWeek.SUNDAY, List.of()));
        assertThrows(UnsupportedOperationException.class, () -> schedule.holidays().clear());
        assertThrows(UnsupportedOperationException.class, () -> schedule.weekly().get(DayOfWeek.MONDAY).clear());
        assertEquals(new ScheduleConfig("x", "UTC", null, null), new ScheduleConfig("x", "UTC", Map.of(), Set.of()));
    }

    static TimeWindow window(final String start, final String end)
    {
        return new TimeWindow(LocalTime.parse(start), "24:00".equals(end) ? LocalTime.MAX : LocalTime.parse(end));
    }

    private static ScheduleConfig weekdays(final String zone, final TimeWindow window)
    {
        final Map<DayOfWeek, List<TimeWindow>> weekly = new EnumMap<>(DayOfWeek.class);
        for (final DayOfWeek day : List.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY,
            DayOfWeek.THURSDAY, DayOfWeek.FRIDAY))
        {
            weekly.put(day, List.of(window));
        }
        return new ScheduleConfig("sch_weekdays", zone, weekly, Set.of());
    }

    private static ScheduleConfig everyDay(final String zone, final TimeWindow window)
    {
        final Map<DayOfWeek, List<TimeWindow>> weekly = new EnumMap<>(DayOfWeek.class);
        for (final DayOfWeek day : DayOfWeek.values())
        {
            weekly.put(day, List.of(window));
        }
        return new ScheduleConfig("sch_daily", zone, weekly, Set.of());
    }
}
