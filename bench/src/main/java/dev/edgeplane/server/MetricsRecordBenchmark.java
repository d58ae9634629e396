package dev.edgeplane.server;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Recorder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * The per-request cost of recording one answer on a route (issue 15): {@link RouteMetrics#record} on the
 * Prometheus Java client (a status-class counter add and a classic histogram observe on held series) against
 * the recorder it replaced (a {@link LongAdder} per status class and an HdrHistogram {@link Recorder}, the
 * logic of the old {@code RouteMetrics.record} copied here as the baseline). One route shared by all threads,
 * as the event loops share it; single-threaded and two threads (this machine's cores).
 *
 * <p>Mode: average time per record in nanoseconds; {@code -prof gc} gives bytes allocated per record.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MetricsRecordBenchmark
{
    /** Service times cycled through: 40 µs to ~80 ms, so the observations spread over the buckets. */
    private static final long[] NANOS = new long[1024];

    static
    {
        long seed = 42;
        for (int i = 0; i < NANOS.length; i++)
        {
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            final double u = (seed >>> 11) / (double)(1L << 53);
            NANOS[i] = (long)(40_000 * Math.pow(2000, u * u * u));
        }
    }

    /** The pre-issue-15 recorder, as {@code RouteMetrics.record} was. */
    static final class HdrRouteRecorder
    {
        private static final long HIGHEST_TRACKABLE_NANOS = 60_000_000_000L;

        private final LongAdder[] byClass = new LongAdder[6];
        private final Recorder recorder = new Recorder(HIGHEST_TRACKABLE_NANOS, 3);

        HdrRouteRecorder()
        {
            for (int i = 0; i < byClass.length; i++)
            {
                byClass[i] = new LongAdder();
            }
        }

        void record(final int status, final long nanos)
        {
            byClass[Math.min(5, Math.max(0, status / 100))].increment();
            recorder.recordValue(Math.min(Math.max(nanos, 0), HIGHEST_TRACKABLE_NANOS));
        }
    }

    /** One route, shared by every benchmark thread. */
    @State(Scope.Benchmark)
    public static class Route
    {
        HdrRouteRecorder hdr;
        RouteMetrics prometheus;

        @Setup
        public void setUp()
        {
            hdr = new HdrRouteRecorder();
            prometheus = new HttpMetrics().route("control-plane", "POST", "/route");
            prometheus.record(200, 1); // resolve the series, as the route's first answer does
        }
    }

    /** Each thread's position in {@link #NANOS}. */
    @State(Scope.Thread)
    public static class Cursor
    {
        int i;

        long next()
        {
            return NANOS[i++ & (NANOS.length - 1)];
        }
    }

    @Benchmark
    @Threads(1)
    public void hdrHistogram(final Route route, final Cursor cursor)
    {
        route.hdr.record(200, cursor.next());
    }

    @Benchmark
    @Threads(1)
    public void prometheusClient(final Route route, final Cursor cursor)
    {
        route.prometheus.record(200, cursor.next());
    }

    @Benchmark
    @Threads(2)
    public void hdrHistogramTwoThreads(final Route route, final Cursor cursor)
    {
        route.hdr.record(200, cursor.next());
    }

    @Benchmark
    @Threads(2)
    public void prometheusClientTwoThreads(final Route route, final Cursor cursor)
    {
        route.prometheus.record(200, cursor.next());
    }
}
