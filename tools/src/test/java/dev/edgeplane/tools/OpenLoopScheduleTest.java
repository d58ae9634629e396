package dev.edgeplane.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class OpenLoopScheduleTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void shouldSpaceStartsEvenlyFromTheRunStart()
    {
        final OpenLoopSchedule schedule = new OpenLoopSchedule(20, 30 * SECOND, 0);

        assertEquals(0, schedule.offsetNanos(0));
        assertEquals(50_000_000L, schedule.offsetNanos(1));
        assertEquals(950_000_000L, schedule.offsetNanos(19));
        assertEquals(29_950_000_000L, schedule.offsetNanos(599));
        assertEquals(600, schedule.totalCalls());
    }

    @Test
    void shouldNotDriftWhenThePeriodIsNotAWholeNumberOfNanoseconds()
    {
        final OpenLoopSchedule schedule = new OpenLoopSchedule(3, 10 * SECOND, 0);

        assertEquals(333_333_333L, schedule.offsetNanos(1));
        assertEquals(666_666_667L, schedule.offsetNanos(2));
        assertEquals(SECOND, schedule.offsetNanos(3));
        assertEquals(10 * SECOND, schedule.offsetNanos(30));
        assertEquals(30, schedule.totalCalls());
    }

    @Test
    void shouldIncludeOnlyStartsInsideTheRun()
    {
        final OpenLoopSchedule slow = new OpenLoopSchedule(0.5, 3 * SECOND, 0);
        assertTrue(slow.includes(1));
        assertFalse(slow.includes(2));
        assertEquals(2, slow.totalCalls());

        final OpenLoopSchedule odd = new OpenLoopSchedule(7, SECOND, 0);
        assertEquals(7, odd.totalCalls());
        assertFalse(odd.includes(-1));

        final OpenLoopSchedule shortRun = new OpenLoopSchedule(1000, 1, 0);
        assertEquals(1, shortRun.totalCalls());
    }

    @Test
    void shouldCountAStartLateOnlyBeyondTheTolerance()
    {
        final OpenLoopSchedule schedule = new OpenLoopSchedule(10, SECOND, 5_000_000L);

        assertEquals(0, OpenLoopSchedule.lateness(1_000, 900));
        assertEquals(7_000_000L, OpenLoopSchedule.lateness(1_000_000L, 8_000_000L));
        assertFalse(schedule.isLate(1_000_000L, 6_000_000L));
        assertTrue(schedule.isLate(1_000_000L, 6_000_001L));
        assertFalse(schedule.isLate(1_000_000L, 0));
    }

    @Test
    void shouldRejectARateOrDurationOutOfRange()
    {
        assertThrows(IllegalArgumentException.class, () -> new OpenLoopSchedule(0, SECOND, 0));
        assertThrows(IllegalArgumentException.class, () -> new OpenLoopSchedule(Double.NaN, SECOND, 0));
        assertThrows(IllegalArgumentException.class, () -> new OpenLoopSchedule(Double.POSITIVE_INFINITY, SECOND, 0));
        assertThrows(IllegalArgumentException.class, () -> new OpenLoopSchedule(1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new OpenLoopSchedule(1, SECOND, -1));
    }
}
