package dev.edgeplane.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import java.util.function.Function;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The server's metrics registry (the Prometheus Java client) and its {@code /metrics} text: request counts
 * by status class and a latency histogram per route, unrouted answers, connections, JVM and process
 * metrics, build info, and the gauges and counters other layers register (journal lag, queue depths, state
 * store fill, SIP verdicts).
 *
 * <p>Threading: recording is lock-free from any thread ({@link RouteMetrics} holds its series);
 * registration happens at start-up; {@link #scrape()} may run on any thread, one scraper at a time or
 * several (the client's collection is thread-safe).
 */
public final class HttpMetrics
{
    /**
     * Upper bounds (seconds) of the request latency histogram: a control plane answers in well under a
     * millisecond when healthy, tens of milliseconds when waiting for a journal fsync, seconds only when
     * something is wrong.
     */
    public static final double[] LATENCY_BUCKETS_SECONDS = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    /** Status class label values, index = {@link #statusClass} (1..5; 0 unused). */
    static final String[] STATUS_CLASSES = {null, "1xx", "2xx", "3xx", "4xx", "5xx"};

    private static final String UNMATCHED = "unmatched";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter requests;
    private final Histogram duration;
    private final Map<String, CounterDataPoint[]> unrouted = new ConcurrentHashMap<>();
    private final Function<String, CounterDataPoint[]> newUnrouted = this::unroutedPoints;
    private final AtomicLong openConnections = new AtomicLong();
    private final LongAdder acceptedConnections = new LongAdder();
    private final Map<String, Family> families = new HashMap<>();
    private volatile int lastScrapeBytes = 16 * 1024;

    /**
     * JVM and process metrics: one set per process, shared by every server in it (the start-up warm-up and the
     * tests start several). The client keeps each registry it instruments for ever and adds a GC listener per
     * registration, so they are not registered per server.
     */
    private static final class Jvm
    {
        static final PrometheusRegistry REGISTRY = new PrometheusRegistry();

        static
        {
            JvmMetrics.builder().register(REGISTRY);
        }
    }

    /** The series registered under one callback metric name: one HELP and TYPE line, many label sets. */
    private record Family(String help, boolean counter, List<String> labelNames, List<Series> series)
    {
        /** Hands every series' current value to a scrape's callback. */
        void report(final SeriesSink sink)
        {
            for (final Series s : series)
            {
                sink.call(s.value.getAsDouble(), s.labelValues);
            }
        }
    }

    /** What a callback metric's scrape takes one series' value through (both client callbacks fit). */
    @FunctionalInterface
    private interface SeriesSink
    {
        void call(double value, String[] labelValues);
    }

    private record Series(String[] labelValues, DoubleSupplier value)
    {
    }

    public HttpMetrics()
    {
        requests = Counter.builder()
            .name("edgeplane_http_requests_total")
            .help("HTTP requests answered, by route and status class.")
            .labelNames("surface", "route", "method", "code")
            .withoutExemplars()
            .register(registry);
        duration = Histogram.builder()
            .name("edgeplane_http_request_duration_seconds")
            .help("Time from a request's first byte to its answer.")
            .labelNames("surface", "route", "method")
            .classicOnly()
            .classicUpperBounds(LATENCY_BUCKETS_SECONDS)
            .withoutExemplars()
            .register(registry);
        GaugeWithCallback.builder()
            .name("edgeplane_connections_open")
            .help("HTTP connections open now.")
            .callback(cb -> cb.call(openConnections.get()))
            .register(registry);
        CounterWithCallback.builder()
            .name("edgeplane_connections_accepted_total")
            .help("HTTP connections accepted since start.")
            .callback(cb -> cb.call(acceptedConnections.sum()))
            .register(registry);
        Info.builder()
            .name("edgeplane_build_info")
            .help("The running Edgeplane build.")
            .labelNames("version")
            .register(registry)
            .setLabelValues(buildVersion());
    }

    /** @return the registry, for a layer that registers its own instruments (the control plane's SIP counters). */
    public PrometheusRegistry registry()
    {
        return registry;
    }

    /** Registers a route: its instruments, which hold their series once resolved (see {@link RouteMetrics}). */
    RouteMetrics route(final String surface, final String method, final String pattern)
    {
        return new RouteMetrics(surface, method, pattern, requests, duration);
    }

    /** Counts an answer given without a route (404, 405, a request refused before routing). */
    void unrouted(final String surface, final int status)
    {
        unrouted.computeIfAbsent(surface, newUnrouted)[statusClass(status)].inc();
    }

    private CounterDataPoint[] unroutedPoints(final String surface)
    {
        final CounterDataPoint[] byClass = new CounterDataPoint[STATUS_CLASSES.length];
        for (int c = 1; c < byClass.length; c++)
        {
            byClass[c] = requests.labelValues(surface, UNMATCHED, "", STATUS_CLASSES[c]);
        }
        return byClass;
    }

    static int statusClass(final int status)
    {
        return Math.min(5, Math.max(1, status / 100));
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
     * Registers a gauge without labels, read at each scrape.
     *
     * @param name metric name, {@code edgeplane_…}, in base units ({@code _seconds}, {@code _bytes}).
     */
    public void gauge(final String name, final String help, final DoubleSupplier value)
    {
        add(name, help, false, new String[0], new String[0], value);
    }

    /**
     * Registers one labelled series of a gauge read at each scrape; further calls with the same name add
     * series to the same metric (same help, same label name).
     */
    public void gauge(final String name, final String help, final String labelName, final String labelValue,
        final DoubleSupplier value)
    {
        add(name, help, false, new String[] {labelName}, new String[] {labelValue}, value);
    }

    /**
     * Registers a counter without labels whose value (monotonic since start) is read at each scrape.
     *
     * @param name metric name ending in {@code _total}.
     */
    public void counter(final String name, final String help, final DoubleSupplier value)
    {
        add(name, help, true, new String[0], new String[0], value);
    }

    /** Registers one labelled series of a counter read at each scrape (see {@link #gauge(String, String, String, String, DoubleSupplier)}). */
    public void counter(final String name, final String help, final String labelName, final String labelValue,
        final DoubleSupplier value)
    {
        add(name, help, true, new String[] {labelName}, new String[] {labelValue}, value);
    }

    /**
     * Registers one series of a callback metric: the first call for a name registers the metric, later calls
     * add series to it, so each name has one HELP and one TYPE line.
     *
     * @throws IllegalArgumentException when the name was registered with another kind, help or label names, or
     *                                  a counter's name does not end in {@code _total}.
     */
    private synchronized void add(final String name, final String help, final boolean counter, final String[] labelNames,
        final String[] labelValues, final DoubleSupplier value)
    {
        if (labelNames.length != labelValues.length)
        {
            throw new IllegalArgumentException(name + ": " + labelNames.length + " label names, " + labelValues.length + " values");
        }
        if (counter && !name.endsWith("_total"))
        {
            throw new IllegalArgumentException("a counter's name ends in _total: " + name);
        }
        final Family existing = families.get(name);
        if (existing != null)
        {
            if (existing.counter != counter || !existing.help.equals(help) || !existing.labelNames.equals(List.of(labelNames)))
            {
                throw new IllegalArgumentException(name + " is already registered with another type, help or labels");
            }
            existing.series.add(new Series(labelValues.clone(), value));
            return;
        }
        final Family family = new Family(help, counter, List.of(labelNames), new CopyOnWriteArrayList<>());
        family.series.add(new Series(labelValues.clone(), value));
        families.put(name, family);
        if (counter)
        {
            CounterWithCallback.builder().name(name).help(help).labelNames(labelNames)
                .callback(cb -> family.report(cb::call)).register(registry);
        }
        else
        {
            GaugeWithCallback.builder().name(name).help(help).labelNames(labelNames)
                .callback(cb -> family.report(cb::call)).register(registry);
        }
    }

    /** @return all metrics in the Prometheus text exposition format 0.0.4. */
    public byte[] scrape()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(lastScrapeBytes + 1024);
        try
        {
            writer.write(out, registry.scrape());
            writer.write(out, Jvm.REGISTRY.scrape()); // the text format concatenates; the names are disjoint
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
        }
        lastScrapeBytes = out.size();
        return out.toByteArray();
    }

    /** @return this build's version: Maven's project version, filtered into a resource at build time. */
    static String buildVersion()
    {
        try (InputStream in = HttpMetrics.class.getResourceAsStream("/edgeplane-build.properties"))
        {
            if (in != null)
            {
                final Properties p = new Properties();
                p.load(in);
                final String v = p.getProperty("version");
                if (v != null && !v.isBlank() && !v.startsWith("${"))
                {
                    return v;
                }
            }
        }
        catch (final IOException e)
        {
            // fall through: an unknown version is still a build_info sample
        }
        final String manifest = HttpMetrics.class.getPackage().getImplementationVersion();
        return manifest != null ? manifest : "unknown";
    }
}
