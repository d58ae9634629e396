package dev.edgeplane.relay;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in for the cloud (the default): a launch answers after {@code RELAY_SIM_LAUNCH_MS} with a
 * made-up instance; when {@code RELAY_SIM_REPORT_HEALTH} is on, the "instance" boots for
 * {@code RELAY_SIM_BOOT_MS} and then reports health through the same verification path as
 * {@code POST /relay/health} (with its {@code X-Relay-Auth} secret), every third of the health timeout,
 * until it is terminated.
 *
 * <p>Thread-safe: timers on the relay's scheduler; the running instances in a concurrent map.
 */
final class SimulatedProvisioner implements RelayProvisioner
{
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedProvisioner.class);

    /** Where a simulated instance sends its health reports (the relay's own health path). */
    interface HealthSink
    {
        void report(String sessionId, String instanceId, String publicIp, String relayAuth);
    }

    private final ScheduledExecutorService timers;
    private final long launchMillis;
    private final long bootMillis;
    private final long reportEveryMillis;
    private final boolean reportsHealth;
    private final HealthSink health;
    private final AtomicLong counter = new AtomicLong();
    private final Map<String, ScheduledFuture<?>> running = new ConcurrentHashMap<>();

    SimulatedProvisioner(final ScheduledExecutorService timers, final long launchMillis, final long bootMillis,
        final long healthTimeoutMillis, final boolean reportsHealth, final HealthSink health)
    {
        this.timers = timers;
        this.launchMillis = launchMillis;
        this.bootMillis = bootMillis;
        this.reportEveryMillis = Math.max(100, healthTimeoutMillis / 3);
        this.reportsHealth = reportsHealth;
        this.health = health;
    }

    @Override
    public String name()
    {
        return "sim";
    }

    @Override
    public CompletableFuture<Launched> launch(final LaunchRequest request)
    {
        final CompletableFuture<Launched> launched = new CompletableFuture<>();
        timers.schedule(() ->
        {
            final long n = counter.incrementAndGet();
            final Launched instance = new Launched(String.format("i-sim%013x", System.nanoTime() ^ (n << 40)),
                "198.51.100." + (1 + n % 250));
            // Registered before the launch completes, so a terminate that follows at once finds the reporter. The
            // first report cannot overtake the launch result: it runs on this same single timer thread, after this
            // task has queued the result on the session's shard.
            if (reportsHealth)
            {
                running.put(instance.instanceId(), timers.scheduleWithFixedDelay(() ->
                {
                    try
                    {
                        health.report(request.sessionId(), instance.instanceId(), instance.publicIp(), request.relayAuth());
                    }
                    catch (final RuntimeException e)
                    {
                        LOG.warn("simulated relay {} could not report health", instance.instanceId(), e);
                    }
                }, bootMillis, reportEveryMillis, TimeUnit.MILLISECONDS));
            }
            launched.complete(instance);
        }, launchMillis, TimeUnit.MILLISECONDS);
        return launched;
    }

    @Override
    public CompletableFuture<Void> terminate(final String region, final String instanceId)
    {
        final ScheduledFuture<?> reports = running.remove(instanceId);
        if (reports != null)
        {
            reports.cancel(false);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close()
    {
        running.values().forEach(f -> f.cancel(false));
        running.clear();
    }
}
