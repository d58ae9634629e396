package dev.edgeplane.tools;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import dev.edgeplane.server.Transport;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.HdrHistogram.HistogramLogWriter;

/**
 * The {@code edgeplane load} engine (docs/PERFORMANCE.md): a Netty HTTP/1.1 client that drives one endpoint scenario
 * ({@link LoadScenario}) over {@code connections} keep-alive connections with one request in flight each, spread over
 * {@code threads} event loops ({@link LoadWorker}).
 *
 * <p>Open loop (rate &gt; 0): request {@code i} is due at {@code t0 + i / rate}; its latency counts from that intended
 * time, so time spent waiting for a free connection or for a late timer is latency, not a lower offered rate
 * (coordinated omission corrected). Closed loop (rate 0): every connection sends its next chain as soon as the last one
 * is answered, for saturation throughput. The first {@code warmup} seconds are run but not recorded; the run then lasts
 * {@code duration} seconds, waits at most one request timeout for the answers in flight, and stops.
 *
 * <p>A progress line is rewritten on the progress stream once per second; at the end a table goes to the output stream,
 * and optionally a JSON summary ({@link LoadReport}) and an HdrHistogram interval log of the primary endpoint.
 *
 * <p>Threading: {@link #run()} runs on the caller's thread, which only sets up, waits and reports; requests run on the
 * workers' event loops; a reporter thread prints progress. One instance runs once.
 */
final class LoadGenerator
{
    /** Lead between setting up and the schedule's time zero, so every loop starts on the same clock. */
    private static final long START_LEAD_NANOS = 20_000_000L;
    private static final long CONNECT_WAIT_MS = 10_000;

    /**
     * What one run does.
     *
     * @param scenario      the scenario.
     * @param remote        the server's address (the only one ever connected to).
     * @param url           the base URL as given, for reports.
     * @param host          the {@code Host} header.
     * @param basePath      the URL's path without a trailing slash.
     * @param rate          chains started per second; 0 for closed loop.
     * @param durationNanos measured duration.
     * @param warmupNanos   warm-up before it (run, not recorded).
     * @param connections   keep-alive connections.
     * @param threads       event loops.
     * @param steps         flow steps after the start.
     * @param adminToken    sent as {@code x-admin-token} when not null.
     * @param timeoutNanos  how long a request may wait for its answer.
     * @param transport     {@code auto}, {@code epoll} or {@code nio}.
     * @param hdrLog        HdrHistogram interval log of the primary endpoint, or null.
     * @param json          JSON summary, or null.
     * @param progress      where the live progress line goes (stderr).
     * @param out           where the summary table goes (stdout).
     */
    record Settings(LoadScenario.Kind scenario, InetSocketAddress remote, String url, String host, String basePath,
                    double rate, long durationNanos, long warmupNanos, int connections, int threads, int steps,
                    String adminToken, long timeoutNanos, String transport, Path hdrLog, Path json,
                    PrintStream progress, PrintStream out)
    {
        /**
         * @return true for open loop (a fixed rate).
         */
        boolean openLoop()
        {
            return rate > 0;
        }
    }

    private final Settings settings;
    private final LoadTargets targets;
    private final LoadRecorder recorder;
    private final List<String> endpointNames;
    /** Wall-clock creation time of the recorders: the HdrHistogram log's base time, so intervals start at 0. */
    private final long createdMillis;

    private long runStartNanos;
    private long lastTickNanos;
    private long lastTickAnswered;
    private HistogramLogWriter hdrLog;

    /**
     * @param settings  what to do.
     * @param directory the configuration requests draw from (unused by {@code bare}, may then be null).
     * @throws IllegalArgumentException if the configuration cannot feed the scenario or a setting is out of range.
     */
    LoadGenerator(final Settings settings, final CallDirectory directory)
    {
        if (settings.connections() < 1 || settings.threads() < 1 || settings.threads() > settings.connections())
        {
            throw new IllegalArgumentException("need at least one connection per thread");
        }
        if (!(settings.rate() >= 0) || Double.isInfinite(settings.rate()))
        {
            throw new IllegalArgumentException("rate must be 0 (closed loop) or a positive number");
        }
        if (settings.durationNanos() <= 0 || settings.warmupNanos() < 0 || settings.timeoutNanos() <= 0)
        {
            throw new IllegalArgumentException("duration and timeout must be positive, warmup not negative");
        }
        if (settings.scenario() != LoadScenario.Kind.BARE)
        {
            final String why = LoadScenario.unsupported(settings.scenario(), directory);
            if (why != null)
            {
                throw new IllegalArgumentException(why);
            }
        }
        this.settings = settings;
        this.targets = settings.scenario() == LoadScenario.Kind.BARE ? null : LoadTargets.of(directory);
        this.endpointNames = LoadScenario.endpointNames(settings.scenario(), settings.basePath());
        this.createdMillis = System.currentTimeMillis();
        this.recorder = new LoadRecorder(endpointNames);
    }

    /**
     * Connect, run warm-up and measured window, wait for the answers in flight, report.
     *
     * @return 0 if no request failed, 1 otherwise (including when the server cannot be reached).
     * @throws IOException if the JSON summary or the HdrHistogram log cannot be written.
     */
    int run() throws IOException
    {
        final Transport transport = Transport.select(settings.transport());
        final Class<? extends SocketChannel> channelClass =
            "epoll".equals(transport.name()) ? EpollSocketChannel.class : NioSocketChannel.class;
        final EventLoopGroup group = transport.newGroup(settings.threads(), "load-io");
        final ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "load-report");
            thread.setDaemon(true);
            return thread;
        });
        try
        {
            final LoadScenario.Setup setup = new LoadScenario.Setup(settings.scenario(), settings.host(),
                settings.basePath(), settings.adminToken(), targets, runId(), settings.steps());
            final long runNanos = settings.warmupNanos() + settings.durationNanos();
            final OpenLoopSchedule schedule = settings.openLoop()
                ? new OpenLoopSchedule(settings.rate(), runNanos, 0)
                : null;
            final List<LoadWorker> workers = new ArrayList<>(settings.threads());
            for (int w = 0; w < settings.threads(); w++)
            {
                final int share = settings.connections() / settings.threads()
                    + (w < settings.connections() % settings.threads() ? 1 : 0);
                workers.add(new LoadWorker((EventLoop)group.next(), channelClass, settings.remote(),
                    LoadScenario.create(setup, w), recorder,
                    schedule == null ? null : new ScheduleStripe(schedule, w, settings.threads()), share,
                    settings.timeoutNanos()));
            }

            final String connectProblem = connectAll(workers);
            if (connectProblem != null)
            {
                settings.progress().println("load: cannot connect to " + settings.url() + ": " + connectProblem);
                return 1;
            }

            openHdrLog();
            runStartNanos = System.nanoTime() + START_LEAD_NANOS;
            lastTickNanos = runStartNanos;
            for (final LoadWorker worker : workers)
            {
                worker.start(runStartNanos, settings.warmupNanos(), runNanos);
            }
            reporter.scheduleAtFixedRate(() -> tick(workers), START_LEAD_NANOS + 1_000_000_000L, 1_000_000_000L,
                TimeUnit.NANOSECONDS);

            // Bounded: the schedule ends at runNanos; answers in flight then get at most one timeout (plus the
            // timeout check's period) before what is left counts as failed.
            final long endNanos = runStartNanos + runNanos;
            final long drainDeadline = endNanos + settings.timeoutNanos() + 500_000_000L;
            sleepUntil(endNanos);
            while (!allDone(workers) && System.nanoTime() < drainDeadline)
            {
                sleepUntil(System.nanoTime() + 2_000_000L);
            }
            for (final LoadWorker worker : workers)
            {
                worker.finish();
            }
            reporter.shutdownNow();
            awaitQuietly(reporter);
            recorder.sample();
            writeHdrInterval();
            settings.progress().println();

            long lastAnswer = 0;
            for (final LoadWorker worker : workers)
            {
                lastAnswer = Math.max(lastAnswer, worker.lastMeasuredAnswerNanos());
            }
            final long measuredStart = runStartNanos + settings.warmupNanos();
            // Achieved rate over the measured window, stretched when a backlog was still being answered after it.
            final double seconds = Math.max(settings.durationNanos(), lastAnswer - measuredStart) / 1e9;
            final LoadReport report = new LoadReport(settings, transport.name(), recorder, seconds);
            settings.out().print(report.table());
            if (settings.json() != null)
            {
                Files.write(settings.json(), report.json());
            }
            return recorder.errorCount() == 0 ? 0 : 1;
        }
        finally
        {
            reporter.shutdownNow();
            if (hdrLog != null)
            {
                hdrLog.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** @return null when every connection is up, else why one is not. */
    private String connectAll(final List<LoadWorker> workers)
    {
        final List<ChannelFuture> futures = new ArrayList<>();
        for (final LoadWorker worker : workers)
        {
            futures.addAll(worker.connect());
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CONNECT_WAIT_MS);
        for (final ChannelFuture future : futures)
        {
            final long remaining = deadline - System.nanoTime();
            if (!future.awaitUninterruptibly(Math.max(0, remaining), TimeUnit.NANOSECONDS))
            {
                return "connect timed out";
            }
            if (!future.isSuccess())
            {
                final Throwable cause = future.cause();
                return cause == null ? "connect failed" : cause.getMessage();
            }
        }
        return null;
    }

    private static boolean allDone(final List<LoadWorker> workers)
    {
        for (final LoadWorker worker : workers)
        {
            if (!worker.done())
            {
                return false;
            }
        }
        return true;
    }

    private void openHdrLog() throws FileNotFoundException
    {
        if (settings.hdrLog() == null)
        {
            return;
        }
        hdrLog = new HistogramLogWriter(settings.hdrLog().toFile());
        final long startMillis = createdMillis;
        hdrLog.outputComment("edgeplane load " + settings.scenario().optionName() + " against " + settings.url()
            + ": " + endpointNames.get(0) + ", values in microseconds (Interval_Max in ms), measured window only");
        hdrLog.outputLogFormatVersion();
        hdrLog.setBaseTime(startMillis);
        hdrLog.outputStartTime(startMillis);
        hdrLog.outputLegend();
    }

    private void writeHdrInterval()
    {
        if (hdrLog != null)
        {
            recorder.measured().get(0).writeLastInterval(hdrLog);
        }
    }

    /** Reporter thread, once per second. */
    private void tick(final List<LoadWorker> workers)
    {
        try
        {
            recorder.sample();
            final long now = System.nanoTime();
            final boolean warming = now - runStartNanos < settings.warmupNanos();
            if (!warming)
            {
                writeHdrInterval();
            }
            final long answered = recorder.primaryAnswered();
            final double rate = (answered - lastTickAnswered) / ((now - lastTickNanos) / 1e9);
            lastTickAnswered = answered;
            lastTickNanos = now;
            int inFlight = 0;
            long waiting = 0;
            for (final LoadWorker worker : workers)
            {
                inFlight += worker.inFlight();
                waiting += worker.waiting();
            }
            final EndpointStats primary = (warming ? recorder.warmup() : recorder.measured()).get(0);
            settings.progress().print(String.format(Locale.ROOT,
                "\r[%4ds] %-7s | %8.0f req/s | in flight %4d | waiting %6d | errors %d | %s p50 %s p99 %s ms (last 1 s)   ",
                (now - runStartNanos) / 1_000_000_000L, warming ? "warmup" : "measure", rate, inFlight, waiting,
                recorder.errorCount(), endpointNames.get(0),
                orDash(primary.lastIntervalPercentileMillis(50)), orDash(primary.lastIntervalPercentileMillis(99))));
            settings.progress().flush();
        }
        catch (final RuntimeException ex)
        {
            // A reporting glitch must not cancel the periodic task (and with it all later progress lines).
            settings.progress().print("\rprogress unavailable: " + ex);
        }
    }

    private static String orDash(final double millis)
    {
        return Double.isNaN(millis) ? "-" : String.format(Locale.ROOT, "%.2f", millis);
    }

    /** @return 8 hex digits that keep this run's Call-IDs and nonces apart from any earlier run's. */
    private static String runId()
    {
        return String.format(Locale.ROOT, "%08x", ThreadLocalRandom.current().nextInt());
    }

    private static void sleepUntil(final long deadlineNanos)
    {
        long remaining;
        while ((remaining = deadlineNanos - System.nanoTime()) > 0)
        {
            java.util.concurrent.locks.LockSupport.parkNanos(remaining);
        }
    }

    private static void awaitQuietly(final ScheduledExecutorService executor)
    {
        try
        {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
