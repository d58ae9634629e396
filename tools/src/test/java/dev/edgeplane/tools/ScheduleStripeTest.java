package dev.edgeplane.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The open-loop schedule split over event loops: every intended send time once, at t0 + i / rate. */
class ScheduleStripeTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void shouldGiveEveryScheduledRequestToExactlyOneStripeAtItsIntendedTime()
    {
        final OpenLoopSchedule schedule = new OpenLoopSchedule(7, 10 * SECOND, 0);
        final Set<Long> seen = new HashSet<>();
        long total = 0;
        for (int stripe = 0; stripe < 3; stripe++)
        {
            final ScheduleStripe share = new ScheduleStripe(schedule, stripe, 3);
            total += share.size();
            for (long j = 0; j < share.size(); j++)
            {
                final long index = share.scheduleIndex(j);
                assertTrue(seen.add(index), "index " + index + " twice");
                assertEquals(Math.round(index * 1e9 / 7), share.offsetNanos(j));
            }
        }
        assertEquals(70, total);
        assertEquals(70, seen.size());
    }

    @Test
    void shouldSizeStripesWhenTheScheduleDoesNotDivideEvenly()
    {
        final OpenLoopSchedule schedule = new OpenLoopSchedule(5, SECOND, 0);

        assertEquals(2, new ScheduleStripe(schedule, 0, 3).size());
        assertEquals(2, new ScheduleStripe(schedule, 1, 3).size());
        assertEquals(1, new ScheduleStripe(schedule, 2, 3).size());
        assertEquals(0, new ScheduleStripe(new OpenLoopSchedule(1, SECOND, 0), 1, 2).size());
        assertThrows(IllegalArgumentException.class, () -> new ScheduleStripe(schedule, 3, 3));
    }

    @Test
    void shouldMakeRequestsDueAtTheirIntendedTimeAndNotBefore()
    {
        // 1000/s: request i is due at i ms.
        final ScheduleStripe single = new ScheduleStripe(new OpenLoopSchedule(1000, SECOND, 0), 0, 1);

        assertEquals(1, single.dueUpTo(0, 0));
        assertEquals(1, single.dueUpTo(0, 999_999));
        assertEquals(2, single.dueUpTo(1, 1_000_000));
        assertEquals(11, single.dueUpTo(2, 10_500_000), "a late wake-up makes every request it missed due at once");
        assertEquals(1000, single.dueUpTo(11, 5 * SECOND), "never past the end of the run");

        // Stripe 1 of 2 at 1000/s owns requests 1, 3, 5…: due at 1 ms, 3 ms, 5 ms.
        final ScheduleStripe odd = new ScheduleStripe(new OpenLoopSchedule(1000, SECOND, 0), 1, 2);
        assertEquals(0, odd.dueUpTo(0, 999_999));
        assertEquals(1, odd.dueUpTo(0, 1_000_000));
        assertEquals(2, odd.dueUpTo(1, 4_999_999));
        assertEquals(3, odd.dueUpTo(2, 5_000_000));
    }

    @Test
    void shouldKeepTheWarmupOutOfTheMeasuredCount()
    {
        // 200/s for 2.5 s with 0.5 s warm-up: the measured window holds exactly 400 intended times.
        final OpenLoopSchedule schedule = new OpenLoopSchedule(200, 2_500_000_000L, 0);
        long measured = 0;
        for (int stripe = 0; stripe < 2; stripe++)
        {
            final ScheduleStripe share = new ScheduleStripe(schedule, stripe, 2);
            for (long j = 0; j < share.size(); j++)
            {
                if (share.offsetNanos(j) >= 500_000_000L)
                {
                    measured++;
                }
            }
        }
        assertEquals(400, measured);
    }
}
