package dev.edgeplane.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Everything one load run measures, per endpoint of the scenario: latency and errors of the measured window and, kept
 * apart, of the warm-up ({@link EndpointStats}, HdrHistogram recorders), plus the counters of the live progress line
 * and the route decisions seen.
 *
 * <p>Thread-safe: the event loops record; the reporting thread samples and reads.
 */
final class LoadRecorder
{
    /** Route decisions counted by {@link #routeDecision}. */
    enum Decision
    {
        FLOW, PROXY, OUTBOUND, REJECT, OTHER
    }

    private static final String[] STATUS_KINDS = new String[600];

    static
    {
        for (int s = 0; s < STATUS_KINDS.length; s++)
        {
            STATUS_KINDS[s] = Integer.toString(s);
        }
    }

    private final EndpointStats[] measured;
    private final EndpointStats[] warmup;
    private final EndpointStats sendLag = new EndpointStats("send lag (intended time to write)");
    private final LongAdder primaryAnswered = new LongAdder();
    private final LongAdder requestsSent = new LongAdder();
    private final LongAdder connectionsLost = new LongAdder();
    private final LongAdder[] decisions = new LongAdder[Decision.values().length];
    private final AtomicLongArray rejectCodes = new AtomicLongArray(STATUS_KINDS.length);

    /**
     * @param endpointNames display names, the primary endpoint first.
     */
    LoadRecorder(final List<String> endpointNames)
    {
        measured = new EndpointStats[endpointNames.size()];
        warmup = new EndpointStats[endpointNames.size()];
        for (int e = 0; e < measured.length; e++)
        {
            measured[e] = new EndpointStats(endpointNames.get(e));
            warmup[e] = new EndpointStats(endpointNames.get(e));
        }
        for (int d = 0; d < decisions.length; d++)
        {
            decisions[d] = new LongAdder();
        }
    }

    /**
     * @param status an HTTP status.
     * @return its error kind ("503"), without allocating for 0 to 599.
     */
    static String statusKind(final int status)
    {
        return status >= 0 && status < STATUS_KINDS.length ? STATUS_KINDS[status] : Integer.toString(status);
    }

    /**
     * Record one answered exchange.
     *
     * @param endpoint    endpoint index.
     * @param measured    false for the warm-up.
     * @param micros      latency.
     * @param error       null when the answer was a success, else its error kind.
     */
    void record(final int endpoint, final boolean measured, final long micros, final String error)
    {
        final EndpointStats stats = measured ? this.measured[endpoint] : warmup[endpoint];
        if (error == null)
        {
            stats.record(micros);
        }
        else
        {
            stats.recordError(error, micros);
        }
        if (endpoint == 0)
        {
            primaryAnswered.increment();
        }
    }

    /**
     * Record exchanges that got no answer (timeout, connection lost, never sent).
     *
     * @param endpoint endpoint index.
     * @param measured false for the warm-up.
     * @param kind     what happened.
     * @param count    how many.
     */
    void recordUnanswered(final int endpoint, final boolean measured, final String kind, final long count)
    {
        final EndpointStats stats = measured ? this.measured[endpoint] : warmup[endpoint];
        for (long i = 0; i < count; i++)
        {
            stats.recordError(kind, -1);
        }
    }

    /** One request written. */
    void sent()
    {
        requestsSent.increment();
    }

    /**
     * @param micros how late a measured primary request was written after its intended time (open loop): the
     *               generator's own delay, waiting for a free connection included.
     */
    void sendLag(final long micros)
    {
        sendLag.record(micros);
    }

    /**
     * @return the send lags of the measured window.
     */
    EndpointStats sendLag()
    {
        return sendLag;
    }

    /** A connection closed while the run needed it. */
    void connectionLost()
    {
        connectionsLost.increment();
    }

    /**
     * @param decision the rtjson action of a measured {@code /route} answer.
     * @param code     the reject code, or -1.
     */
    void routeDecision(final Decision decision, final int code)
    {
        decisions[decision.ordinal()].increment();
        if (decision == Decision.REJECT && code >= 0 && code < STATUS_KINDS.length)
        {
            rejectCodes.incrementAndGet(code);
        }
    }

    /** Fold recorded latencies into the totals (reporting thread). */
    void sample()
    {
        for (int e = 0; e < measured.length; e++)
        {
            measured[e].sample();
            warmup[e].sample();
        }
        sendLag.sample();
    }

    /**
     * @return measured stats per endpoint, primary first.
     */
    List<EndpointStats> measured()
    {
        return List.of(measured);
    }

    /**
     * @return warm-up stats per endpoint, primary first.
     */
    List<EndpointStats> warmup()
    {
        return List.of(warmup);
    }

    /**
     * @return answers of the primary endpoint so far, warm-up included.
     */
    long primaryAnswered()
    {
        return primaryAnswered.sum();
    }

    /**
     * @return requests written so far.
     */
    long requestsSent()
    {
        return requestsSent.sum();
    }

    /**
     * @return connections lost during the run.
     */
    long connectionsLost()
    {
        return connectionsLost.sum();
    }

    /**
     * @return failures of every endpoint, warm-up included.
     */
    long errorCount()
    {
        long sum = 0;
        for (int e = 0; e < measured.length; e++)
        {
            sum += measured[e].errorCount() + warmup[e].errorCount();
        }
        return sum;
    }

    /**
     * @return route decisions of the measured window by label ({@code flow}, {@code reject 480}, …), sorted; empty
     *         when the scenario does not route.
     */
    Map<String, Long> routeDecisions()
    {
        final Map<String, Long> out = new TreeMap<>();
        for (final Decision d : Decision.values())
        {
            final long n = decisions[d.ordinal()].sum();
            if (n > 0 && d != Decision.REJECT)
            {
                out.put(d.name().toLowerCase(java.util.Locale.ROOT), n);
            }
        }
        for (int code = 0; code < STATUS_KINDS.length; code++)
        {
            final long n = rejectCodes.get(code);
            if (n > 0)
            {
                out.put("reject " + code, n);
            }
        }
        final long rejects = decisions[Decision.REJECT.ordinal()].sum();
        long coded = 0;
        for (final Map.Entry<String, Long> e : out.entrySet())
        {
            if (e.getKey().startsWith("reject "))
            {
                coded += e.getValue();
            }
        }
        if (rejects > coded)
        {
            out.put("reject", rejects - coded);
        }
        return out;
    }

    /**
     * @return every endpoint's error kinds summed over endpoints, measured window and warm-up.
     */
    Map<String, Long> errorsByKind()
    {
        final Map<String, Long> out = new TreeMap<>();
        final List<EndpointStats> all = new ArrayList<>(measured());
        all.addAll(warmup());
        for (final EndpointStats stats : all)
        {
            stats.errors().forEach((kind, n) -> out.merge(kind, n, Long::sum));
        }
        return out;
    }
}
