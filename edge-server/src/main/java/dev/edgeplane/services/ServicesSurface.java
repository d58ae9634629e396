package dev.edgeplane.services;

import javax.sql.DataSource;

import dev.edgeplane.server.EdgeRuntime;
import dev.edgeplane.server.Routes;
import dev.edgeplane.server.ServerRoutes;
import dev.edgeplane.server.Surface;
import dev.edgeplane.server.SurfaceKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The services API (seed 002, docs/SPEC-services.md) that provisions Railway, OpenRouter, AgentMail and Telnyx
 * resources for the pool manager, on {@code PORT} (3002).
 *
 * <p>{@code GET /healthz} is open; every other route needs {@code Authorization: Bearer <SERVICES_API_KEY>}. At
 * start-up the services tables are migrated (in {@code SERVICE_DATABASE_URL}, or the server's own database) and
 * sagas a crash interrupted are recovered in the background on the services workers.
 *
 * <p>Threading: {@link #register} runs once on the starting thread.
 */
public final class ServicesSurface implements Surface
{
    private static final Logger LOG = LoggerFactory.getLogger(ServicesSurface.class);
    /** Create / configure bodies are small JSON documents (env maps). */
    static final int MAX_BODY_BYTES = 256 * 1024;

    private final SagaHooks hooks;

    public ServicesSurface()
    {
        this(SagaHooks.NONE);
    }

    /** A surface whose create saga calls {@code hooks} (tests simulate crashes with it). */
    public ServicesSurface(final SagaHooks hooks)
    {
        this.hooks = hooks;
    }

    @Override
    public SurfaceKind kind()
    {
        return SurfaceKind.SERVICES;
    }

    @Override
    public void register(final Routes routes, final EdgeRuntime runtime)
    {
        final ServicesSettings settings = ServicesSettings.from(runtime.settings().environment());
        final DataSource db;
        if (settings.serviceDatabaseUrl() != null)
        {
            final ServicesDatabase own = ServicesDatabase.open(settings.serviceDatabaseUrl(), "services");
            runtime.closeOnShutdown(own);
            db = own.dataSource();
        }
        else
        {
            db = runtime.database().dataSource();
        }
        final int applied = ServicesSchema.migrate(db);
        final InstanceProvisioner provisioner = new InstanceProvisioner(settings, new ServicesRepository(db), hooks);
        final ServicesWorkers workers = new ServicesWorkers(settings.workers(), settings.queue());
        runtime.closeOnShutdown(workers);
        runtime.httpMetrics().gauge("edgeplane_services_queue_depth", "Provisioning tasks waiting for a services worker.",
            workers::queueDepth);
        workers.offer(() ->
        {
            try
            {
                final int n = provisioner.recoverAll();
                if (n > 0)
                {
                    LOG.warn("services: recovered {} interrupted saga(s)", n);
                }
            }
            catch (final RuntimeException e)
            {
                LOG.warn("services: recovery of interrupted sagas did not finish ({}); retried on the next request per instance",
                    e.getMessage());
            }
        });
        LOG.info("services: schema up to date ({} migration(s) now); {}", applied, settings);

        final ServicesHandlers h = new ServicesHandlers(new ServicesAuth(settings.apiKey()), workers, () -> provisioner,
            settings.runtimeImage(), runtime.settings().retryAfterSeconds());
        routes
            .get("/healthz", ServerRoutes::health)
            .get("/registry", h::registry)
            .add("POST", "/create-instance", h::create, MAX_BODY_BYTES)
            .delete("/destroy/{instanceId}", h::destroy)
            .add("POST", "/status/batch", h::statusBatch, MAX_BODY_BYTES)
            .add("POST", "/configure/{instanceId}", h::configure, MAX_BODY_BYTES)
            .add("POST", "/redeploy/{instanceId}", h::redeploy, MAX_BODY_BYTES);
    }
}
