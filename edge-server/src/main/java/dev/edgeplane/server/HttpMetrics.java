package dev.edgeplane.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

import org.HdrHistogram.Histogram;

/**
 * The server's metrics and their Prometheus text rendering: per-route counts and latency
 * percentiles, unrouted answers, open connections, and gauges other layers register (journal lag,
 * queue depths, state store fill).
 *
 * <p>Threading: recording is safe from any thread; registration happens at start-up;
 * {@link #render()} is called by one scraper at a time.
 */
public final class HttpMetrics
{
    private static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999};

    private final List<RouteMetrics> routes = new CopyOnWriteArrayList<>();
    private final Map<String, LongAdder> unrouted = new ConcurrentHashMap<>();
    private final AtomicLong openConnections = new AtomicLong();
    private final LongAdder acceptedConnections = new LongAdder();
    private final List<Gauge> gauges = new CopyOnWriteArrayList<>();

    private record Gauge(String name, String help, String labels, DoubleSupplier value)
    {
    }

    RouteMetrics route(final String surface, final String method, final String pattern)
    {
        final RouteMetrics m = new RouteMetrics(surface, method, pattern);
        routes.add(m);
        return m;
    }

    void unrouted(final String surface, final int status)
    {
        unrouted.computeIfAbsent(surface + "|" + Math.min(5, status / 100), k -> new LongAdder()).increment();
    }

    void connectionOpened()
    {
        openConnections.incrementAndGet();
        acceptedConnections.increment();
    }

    void connectionClosed()
    {
        openConnections.decrementAndGet();
    }

    /** @return connections open now. */
    public long openConnections()
    {
        return openConnections.get();
    }

    /**
     * Registers a gauge.
     *
     * @param name   metric name, {@code edgeplane_…}.
     * @param labels rendered label set without braces (e.g. {@code shard="0"}), or empty.
     */
    public void gauge(final String name, final String help, final String labels, final DoubleSupplier value)
    {
        gauges.add(new Gauge(name, help, labels, value));
    }

    /** @return all metrics in the Prometheus text exposition format 0.0.4. */
    public String render()
    {
        final StringBuilder out = new StringBuilder(8192);
        out.append("# HELP edgeplane_http_requests_total Requests answered, by route and status class.\n")
            .append("# TYPE edgeplane_http_requests_total counter\n");
        final List<Histogram> histograms = new ArrayList<>(routes.size());
        for (final RouteMetrics r : routes)
        {
            histograms.add(r.snapshot());
            for (int c = 1; c <= 5; c++)
            {
                final long n = r.count(c);
                if (n > 0)
                {
                    labels(out.append("edgeplane_http_requests_total{"), r).append(",code=\"").append(c).append("xx\"} ")
                        .append(n).append('\n');
                }
            }
        }
        for (final Map.Entry<String, LongAdder> e : unrouted.entrySet())
        {
            final String[] parts = e.getKey().split("\\|");
            out.append("edgeplane_http_requests_total{surface=\"").append(parts[0])
                .append("\",route=\"unmatched\",method=\"\",code=\"").append(parts[1]).append("xx\"} ")
                .append(e.getValue().sum()).append('\n');
        }

        out.append("# HELP edgeplane_http_request_duration_seconds Time from a request's first byte to its answer.\n")
            .append("# TYPE edgeplane_http_request_duration_seconds summary\n");
        for (int i = 0; i < routes.size(); i++)
        {
            final RouteMetrics r = routes.get(i);
            final Histogram h = histograms.get(i);
            if (h.getTotalCount() == 0)
            {
                continue;
            }
            for (final double q : QUANTILES)
            {
                labels(out.append("edgeplane_http_request_duration_seconds{"), r).append(",quantile=\"").append(q)
                    .append("\"} ").append(seconds(h.getValueAtPercentile(q * 100.0))).append('\n');
            }
            labels(out.append("edgeplane_http_request_duration_seconds_sum{"), r).append("} ")
                .append(seconds((long)(h.getMean() * h.getTotalCount()))).append('\n');
            labels(out.append("edgeplane_http_request_duration_seconds_count{"), r).append("} ")
                .append(h.getTotalCount()).append('\n');
            labels(out.append("edgeplane_http_request_duration_max_seconds{"), r).append("} ")
                .append(seconds(h.getMaxValue())).append('\n');
        }

        out.append("# HELP edgeplane_connections_open HTTP connections open now.\n")
            .append("# TYPE edgeplane_connections_open gauge\n")
            .append("edgeplane_connections_open ").append(openConnections.get()).append('\n')
            .append("# HELP edgeplane_connections_accepted_total HTTP connections accepted since start.\n")
            .append("# TYPE edgeplane_connections_accepted_total counter\n")
            .append("edgeplane_connections_accepted_total ").append(acceptedConnections.sum()).append('\n');

        String last = null;
        for (final Gauge g : gauges)
        {
            if (!g.name.equals(last))
            {
                out.append("# HELP ").append(g.name).append(' ').append(g.help).append('\n')
                    .append("# TYPE ").append(g.name).append(" gauge\n");
                last = g.name;
            }
            out.append(g.name);
            if (!g.labels.isEmpty())
            {
                out.append('{').append(g.labels).append('}');
            }
            out.append(' ').append(format(g.value.getAsDouble())).append('\n');
        }
        return out.toString();
    }

    private static StringBuilder labels(final StringBuilder out, final RouteMetrics r)
    {
        return out.append("surface=\"").append(r.surface()).append("\",route=\"").append(r.pattern())
            .append("\",method=\"").append(r.method()).append('"');
    }

    private static String seconds(final long nanos)
    {
        return format(nanos / 1e9);
    }

    private static String format(final double v)
    {
        if (v == Math.rint(v) && Math.abs(v) < 1e15)
        {
            return Long.toString((long)v);
        }
        return Double.toString(v);
    }
}
