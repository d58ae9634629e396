package dev.edgeplane.server;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes PostgreSQL, the journal and the stores on its own thread at a fixed period and publishes a
 * {@link HealthReport}; health routes only read the latest report, so a slow database never blocks
 * an event loop.
 *
 * <p>Threading: one daemon thread, "health-probe".
 */
final class HealthMonitor implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);
    private static final long PROBE_TIMEOUT_MS = 800;

    private final EdgeRuntime runtime;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r ->
    {
        final Thread t = new Thread(r, "health-probe");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean journalOpen = true;
    private String lastVerdict = "";

    HealthMonitor(final EdgeRuntime runtime)
    {
        this.runtime = runtime;
    }

    /** Runs one probe now (so the first report exists before listeners bind), then periodically. */
    void start()
    {
        // A full journal disk (and its end) shows in the report at once, not at the next period.
        runtime.journal().onAvailabilityChange(this::refresh);
        probe();
        final long period = runtime.settings().healthProbeMs();
        executor.scheduleWithFixedDelay(this::probe, period, period, TimeUnit.MILLISECONDS);
    }

    void journalClosed()
    {
        journalOpen = false;
        probe();
    }

    /** Re-evaluates at once (shutdown state changes). */
    void refresh()
    {
        try
        {
            executor.execute(this::probe);
        }
        catch (final java.util.concurrent.RejectedExecutionException e)
        {
            // closed: nothing left to report to
        }
    }

    private void probe()
    {
        try
        {
            final HealthReport report = HealthReport.evaluate(
                runtime, runtime.database().probe(PROBE_TIMEOUT_MS), runtime.flusher().status(), journalOpen);
            runtime.health(report);
            if (!report.verdict().equals(lastVerdict))
            {
                LOG.info("health {} -> {}", lastVerdict.isEmpty() ? "start" : lastVerdict, report.verdict());
                lastVerdict = report.verdict();
            }
        }
        catch (final RuntimeException e)
        {
            LOG.warn("health probe failed", e);
        }
    }

    @Override
    public void close()
    {
        runtime.journal().onAvailabilityChange(null);
        executor.shutdownNow();
        try
        {
            // A probe still running would read stores and the journal that are closed right after this.
            if (!executor.awaitTermination(2, TimeUnit.SECONDS))
            {
                LOG.warn("health probe still running at shutdown");
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }
}
