package dev.edgeplane.server;

import java.util.concurrent.atomic.AtomicReferenceArray;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;

/**
 * One route's instruments: its series of the request counter (one per status class) and of the latency
 * histogram. A series is resolved the first time the route answers with that status class and held from then
 * on, so a scrape lists only routes that were called (pre-creating every registered route's series would export
 * ~22 zero series per route, two thousand on a full server) and recording looks no label up after the first
 * answer.
 *
 * <p>Threading: {@link #record} is lock-free from any number of event loops (the client's striped adders) and
 * allocates nothing once the series is held; two loops racing on the first answer resolve the same series.
 */
public final class RouteMetrics
{
    private static final double NANOS_PER_SECOND = 1e9;

    private final String surface;
    private final String method;
    private final String pattern;
    private final Counter requests;
    private final Histogram duration;
    private final AtomicReferenceArray<CounterDataPoint> byClass = new AtomicReferenceArray<>(HttpMetrics.STATUS_CLASSES.length);
    private volatile DistributionDataPoint latency;

    RouteMetrics(final String surface, final String method, final String pattern, final Counter requests,
        final Histogram duration)
    {
        this.surface = surface;
        this.method = method;
        this.pattern = pattern;
        this.requests = requests;
        this.duration = duration;
    }

    /** Records one answered request: its status and the time from its first byte to the answer. */
    public void record(final int status, final long nanos)
    {
        final int statusClass = HttpMetrics.statusClass(status);
        CounterDataPoint count = byClass.get(statusClass);
        if (count == null)
        {
            count = requests.labelValues(surface, pattern, method, HttpMetrics.STATUS_CLASSES[statusClass]);
            byClass.set(statusClass, count);
        }
        count.inc();
        DistributionDataPoint l = latency;
        if (l == null)
        {
            l = duration.labelValues(surface, pattern, method);
            latency = l;
        }
        l.observe(Math.max(nanos, 0) / NANOS_PER_SECOND);
    }
}
