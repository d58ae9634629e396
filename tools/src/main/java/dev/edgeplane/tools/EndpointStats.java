package dev.edgeplane.tools;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;

/**
 * Latency (microseconds) and outcomes of one endpoint as the simulator saw them: any thread records into an
 * HdrHistogram {@link Recorder}; the reporting thread folds the recorder's interval histograms into a running total
 * with {@link #sample()}.
 *
 * <p>Thread-safe: {@link #record} and {@link #recordError} from any thread; {@link #sample()} and the readers of the
 * total are synchronized, meant for the one reporting thread and the final summary.
 */
final class EndpointStats
{
    private final String name;
    private final Recorder recorder = new Recorder(3);
    private final Histogram total = new Histogram(3);
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private Histogram interval;

    /**
     * @param name how the endpoint is shown, e.g. {@code POST /route}.
     */
    EndpointStats(final String name)
    {
        this.name = name;
    }

    /**
     * @return the endpoint's display name.
     */
    String name()
    {
        return name;
    }

    /**
     * Record one answered exchange.
     *
     * @param micros latency in microseconds.
     */
    void record(final long micros)
    {
        recorder.recordValue(Math.max(0, micros));
    }

    /**
     * Record one failed exchange; its latency is recorded too when known (use a negative value when not).
     *
     * @param kind   what went wrong, e.g. {@code 503} or {@code timeout}.
     * @param micros latency in microseconds, negative if there is none (no answer).
     */
    void recordError(final String kind, final long micros)
    {
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
        if (micros >= 0)
        {
            recorder.recordValue(micros);
        }
    }

    /**
     * Fold everything recorded since the last call into the total.
     */
    synchronized void sample()
    {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
    }

    /**
     * @return exchanges recorded up to the last {@link #sample()}, failures with a latency included.
     */
    synchronized long count()
    {
        return total.getTotalCount();
    }

    /**
     * @param percentile 0 to 100.
     * @return the latency at that percentile in milliseconds, up to the last {@link #sample()}; 0 if empty.
     */
    synchronized double percentileMillis(final double percentile)
    {
        return total.getValueAtPercentile(percentile) / 1000.0;
    }

    /**
     * @param percentile 0 to 100.
     * @return the latency at that percentile in milliseconds over the interval the last {@link #sample()} folded in,
     *         or NaN if nothing was recorded in it.
     */
    synchronized double lastIntervalPercentileMillis(final double percentile)
    {
        if (interval == null || interval.getTotalCount() == 0)
        {
            return Double.NaN;
        }
        return interval.getValueAtPercentile(percentile) / 1000.0;
    }

    /**
     * Append the interval the last {@link #sample()} folded in to an HdrHistogram interval log (nothing before the first
     * sample). Values are microseconds, so the log's {@code Interval_Max} column is written in milliseconds.
     *
     * @param log the log, its base time set.
     */
    synchronized void writeLastInterval(final HistogramLogWriter log)
    {
        if (interval != null)
        {
            log.outputIntervalHistogram((interval.getStartTimeStamp() - log.getBaseTime()) / 1000.0,
                (interval.getEndTimeStamp() - log.getBaseTime()) / 1000.0, interval, 1000.0);
        }
    }

    /**
     * @return the largest latency in milliseconds up to the last {@link #sample()}; 0 if empty.
     */
    synchronized double maxMillis()
    {
        return total.getMaxValue() / 1000.0;
    }

    /**
     * @return failures by kind, sorted by kind.
     */
    Map<String, Long> errors()
    {
        final Map<String, Long> copy = new TreeMap<>();
        errors.forEach((kind, n) -> copy.put(kind, n.sum()));
        return copy;
    }

    /**
     * @return the number of failures of every kind.
     */
    long errorCount()
    {
        long sum = 0;
        for (final LongAdder n : errors.values())
        {
            sum += n.sum();
        }
        return sum;
    }
}
