package dev.edgeplane.server;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;

/**
 * One route's instruments: the request counter's series per status class and the latency histogram's
 * series, resolved once when the route is registered ({@link HttpMetrics#route}).
 *
 * <p>Threading: {@link #record} is lock-free from any number of event loops (the client's striped adders);
 * it allocates nothing and looks no label up.
 */
public final class RouteMetrics
{
    private static final double NANOS_PER_SECOND = 1e9;

    private final String surface;
    private final String method;
    private final String pattern;
    private final CounterDataPoint[] byClass;
    private final DistributionDataPoint latency;

    RouteMetrics(final String surface, final String method, final String pattern, final CounterDataPoint[] byClass,
        final DistributionDataPoint latency)
    {
        this.surface = surface;
        this.method = method;
        this.pattern = pattern;
        this.byClass = byClass;
        this.latency = latency;
    }

    /** Records one answered request: its status and the time from its first byte to the answer. */
    public void record(final int status, final long nanos)
    {
        byClass[HttpMetrics.statusClass(status)].inc();
        latency.observe(Math.max(nanos, 0) / NANOS_PER_SECOND);
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

    /** @return requests answered with a status in {@code statusClass}xx (1 to 5). */
    public long count(final int statusClass)
    {
        return byClass[statusClass].getLongValue();
    }
}
