package dev.edgeplane.tools;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.edgeplane.codec.Json;

/**
 * The end-of-run report of {@code edgeplane load}: a table for people and a JSON summary for the comparison script.
 *
 * <p>JSON summary (one object; latencies in microseconds, rates in requests per second, all figures of the measured
 * window unless named {@code warmup_…}):
 * <pre>
 * {"tool":"edgeplane load","scenario":"route","mode":"open","url":"http://127.0.0.1:3000","transport":"epoll",
 *  "connections":64,"threads":1,"target_rate":2000.0,"achieved_rate":1999.8,"duration_s":10.0,"warmup_s":5.0,
 *  "measured_s":10.0,"count":20000,"errors":0,"errors_by_status":{},"warmup_errors":0,"connections_lost":0,
 *  "endpoints":[{"name":"POST /route","primary":true,"count":20000,"errors":0,"errors_by_status":{},
 *                "achieved_rate":1999.8,"latency_us":{"p50":180,"p90":260,"p99":610,"p99_9":1900,"max":4100}},
 *               {"name":"POST /presence/event dialog terminated","primary":false,…}],
 *  "route_decisions":{"flow":5000,"outbound":10000,"reject 480":5000}}
 * </pre>
 * {@code mode} is {@code open} (fixed rate, latency from the intended send time) or {@code closed} (saturation,
 * {@code target_rate} 0, latency from the actual send). {@code count} and {@code achieved_rate} are the primary
 * endpoint's; {@code errors_by_status} keys are HTTP statuses or what went wrong ({@code timeout},
 * {@code connection closed}, {@code not sent}, {@code auth replay}, …). {@code route_decisions} appears for the route
 * scenario only.
 *
 * <p>Immutable once built; build it after the recorder's final sample.
 */
final class LoadReport
{
    private final LoadGenerator.Settings settings;
    private final String transport;
    private final LoadRecorder recorder;
    private final double measuredSeconds;

    /**
     * @param settings        the run's settings.
     * @param transport       the transport used ({@code epoll}, {@code nio}).
     * @param recorder        the run's results, sampled for the last time.
     * @param measuredSeconds the time the achieved rates are computed over.
     */
    LoadReport(final LoadGenerator.Settings settings, final String transport, final LoadRecorder recorder,
        final double measuredSeconds)
    {
        this.settings = settings;
        this.transport = transport;
        this.recorder = recorder;
        this.measuredSeconds = measuredSeconds;
    }

    /**
     * @return the primary endpoint's answers per second over the measured window.
     */
    double achievedRate()
    {
        return recorder.measured().get(0).count() / measuredSeconds;
    }

    /**
     * @return the human-readable summary: the run, the achieved rate and a latency table per endpoint.
     */
    String table()
    {
        final StringBuilder text = new StringBuilder(1024);
        final String nl = System.lineSeparator();
        final List<EndpointStats> measured = recorder.measured();
        text.append(String.format(Locale.ROOT, "edgeplane load: scenario %s, %s, %d connections on %d event loop(s) (%s), %s%n",
            settings.scenario().optionName(),
            settings.openLoop()
                ? String.format(Locale.ROOT, "open loop at %.1f req/s (latency from the intended send time)", settings.rate())
                : "closed loop (saturation; latency from the actual send)",
            settings.connections(), settings.threads(), transport, settings.url()));
        text.append(String.format(Locale.ROOT, "measured %.1f s after %.1f s warm-up: %d %s answered, %.1f req/s achieved,"
                + " %d errors%n",
            settings.durationNanos() / 1e9, settings.warmupNanos() / 1e9, measured.get(0).count(), measured.get(0).name(),
            achievedRate(), measuredErrors()));
        final Map<String, Long> decisions = recorder.routeDecisions();
        if (!decisions.isEmpty())
        {
            final StringBuilder listed = new StringBuilder();
            decisions.forEach((decision, n) -> listed.append(listed.length() == 0 ? "" : ", ").append(decision)
                .append('=').append(n));
            text.append("route decisions: ").append(listed).append(nl);
        }
        final long warmupErrors = warmupErrors();
        if (warmupErrors > 0)
        {
            text.append("warm-up errors: ").append(warmupErrors).append(nl);
        }
        if (settings.openLoop())
        {
            final EndpointStats lag = recorder.sendLag();
            text.append(String.format(Locale.ROOT, "send lag (intended time to write, included in the latencies):"
                + " p50 %s p99 %s max %s ms%n", millis(lag.percentileMillis(50)), millis(lag.percentileMillis(99)),
                millis(lag.maxMillis())));
        }
        if (recorder.connectionsLost() > 0)
        {
            text.append("connections lost and re-opened: ").append(recorder.connectionsLost()).append(nl);
        }
        text.append(nl);

        final List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"endpoint", "count", "errors", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "req/s"});
        for (final EndpointStats stats : measured)
        {
            final Map<String, Long> errors = stats.errors();
            cells.add(new String[] {
                stats.name(),
                Long.toString(stats.count()),
                errors.isEmpty() ? "-" : joined(errors),
                millis(stats.percentileMillis(50)),
                millis(stats.percentileMillis(90)),
                millis(stats.percentileMillis(99)),
                millis(stats.percentileMillis(99.9)),
                millis(stats.maxMillis()),
                String.format(Locale.ROOT, "%.1f", stats.count() / measuredSeconds)});
        }
        final int columns = cells.get(0).length;
        final int[] width = new int[columns];
        for (final String[] row : cells)
        {
            for (int c = 0; c < columns; c++)
            {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        for (final String[] row : cells)
        {
            for (int c = 0; c < columns; c++)
            {
                // Text columns left-aligned, numbers right-aligned.
                final String format = c == 0 || c == 2 ? "%-" + width[c] + "s" : "%" + width[c] + "s";
                text.append(String.format(Locale.ROOT, format, row[c]));
                text.append(c == columns - 1 ? nl : "  ");
            }
        }
        return text.toString();
    }

    /**
     * @return the JSON summary, UTF-8, with a final newline.
     */
    byte[] json()
    {
        final Map<String, Object> root = new LinkedHashMap<>();
        root.put("tool", "edgeplane load");
        root.put("scenario", settings.scenario().optionName());
        root.put("mode", settings.openLoop() ? "open" : "closed");
        root.put("url", settings.url());
        root.put("transport", transport);
        root.put("connections", (long)settings.connections());
        root.put("threads", (long)settings.threads());
        root.put("target_rate", settings.rate());
        root.put("achieved_rate", round1(achievedRate()));
        root.put("duration_s", settings.durationNanos() / 1e9);
        root.put("warmup_s", settings.warmupNanos() / 1e9);
        root.put("measured_s", Math.round(measuredSeconds * 1000) / 1000.0);
        root.put("count", recorder.measured().get(0).count());
        root.put("errors", measuredErrors());
        final Map<String, Long> byStatus = new java.util.TreeMap<>();
        for (final EndpointStats stats : recorder.measured())
        {
            stats.errors().forEach((kind, n) -> byStatus.merge(kind, n, Long::sum));
        }
        root.put("errors_by_status", byStatus);
        root.put("warmup_errors", warmupErrors());
        root.put("connections_lost", recorder.connectionsLost());
        if (settings.openLoop())
        {
            final Map<String, Object> lag = new LinkedHashMap<>();
            lag.put("p50", micros(recorder.sendLag().percentileMillis(50)));
            lag.put("p99", micros(recorder.sendLag().percentileMillis(99)));
            lag.put("max", micros(recorder.sendLag().maxMillis()));
            root.put("send_lag_us", lag);
        }
        final List<Object> endpoints = new ArrayList<>();
        boolean primary = true;
        for (final EndpointStats stats : recorder.measured())
        {
            final Map<String, Object> endpoint = new LinkedHashMap<>();
            endpoint.put("name", stats.name());
            endpoint.put("primary", primary);
            endpoint.put("count", stats.count());
            endpoint.put("errors", stats.errorCount());
            endpoint.put("errors_by_status", stats.errors());
            endpoint.put("achieved_rate", round1(stats.count() / measuredSeconds));
            final Map<String, Object> latency = new LinkedHashMap<>();
            latency.put("p50", micros(stats.percentileMillis(50)));
            latency.put("p90", micros(stats.percentileMillis(90)));
            latency.put("p99", micros(stats.percentileMillis(99)));
            latency.put("p99_9", micros(stats.percentileMillis(99.9)));
            latency.put("max", micros(stats.maxMillis()));
            endpoint.put("latency_us", latency);
            endpoints.add(endpoint);
            primary = false;
        }
        root.put("endpoints", endpoints);
        if (settings.scenario() == LoadScenario.Kind.ROUTE)
        {
            root.put("route_decisions", recorder.routeDecisions());
        }
        final byte[] json = Json.write(root);
        final byte[] withNewline = java.util.Arrays.copyOf(json, json.length + 1);
        withNewline[json.length] = '\n';
        return withNewline;
    }

    private long measuredErrors()
    {
        long sum = 0;
        for (final EndpointStats stats : recorder.measured())
        {
            sum += stats.errorCount();
        }
        return sum;
    }

    private long warmupErrors()
    {
        long sum = 0;
        for (final EndpointStats stats : recorder.warmup())
        {
            sum += stats.errorCount();
        }
        return sum;
    }

    private static String joined(final Map<String, Long> counts)
    {
        final StringBuilder sb = new StringBuilder();
        counts.forEach((kind, n) ->
        {
            if (sb.length() > 0)
            {
                sb.append(", ");
            }
            sb.append(kind).append(" x").append(n);
        });
        return sb.toString();
    }

    private static String millis(final double value)
    {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    private static long micros(final double millis)
    {
        return Math.round(millis * 1000);
    }

    private static double round1(final double value)
    {
        return Math.round(value * 10) / 10.0;
    }
}
