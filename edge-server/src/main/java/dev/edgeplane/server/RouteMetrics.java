package dev.edgeplane.server;

import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Request counts by status class and an HdrHistogram of service time for one route.
 *
 * <p>Threading: {@link #record} is wait-free from any number of event loops (a {@link Recorder} and
 * {@link LongAdder}s); {@link #snapshot} is for the single metrics scraper (synchronized).
 */
public final class RouteMetrics
{
    /** Highest latency tracked without saturating: one minute, in nanoseconds. */
    private static final long HIGHEST_TRACKABLE_NANOS = 60_000_000_000L;

    private final String surface;
    private final String method;
    private final String pattern;
    private final LongAdder[] byClass = new LongAdder[6];
    private final Recorder recorder = new Recorder(HIGHEST_TRACKABLE_NANOS, 3);
    private final Histogram total = new Histogram(HIGHEST_TRACKABLE_NANOS, 3);
    private Histogram interval;

    RouteMetrics(final String surface, final String method, final String pattern)
    {
        this.surface = surface;
        this.method = method;
        this.pattern = pattern;
        for (int i = 0; i < byClass.length; i++)
        {
            byClass[i] = new LongAdder();
        }
    }

    /** Records one answered request. */
    public void record(final int status, final long nanos)
    {
        byClass[Math.min(5, Math.max(0, status / 100))].increment();
        recorder.recordValue(Math.min(Math.max(nanos, 0), HIGHEST_TRACKABLE_NANOS));
    }

    public String surface()
    {
        return surface;
    }

    public String method()
    {
        return method;
    }

    public String pattern()
    {
        return pattern;
    }

    /** @return requests answered with a status in {@code statusClass}xx. */
    public long count(final int statusClass)
    {
        return byClass[statusClass].sum();
    }

    /** @return the latency histogram since start (a copy, for the scraper). */
    public synchronized Histogram snapshot()
    {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        return total.copy();
    }
}
