package dev.edgeplane.server;

import java.nio.charset.StandardCharsets;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;

/**
 * Routes every listener shares, registered before each surface's own: {@code /metrics} (Prometheus text,
 * control-plane gate), and health: {@code GET /health} and {@code /health/ready} (the probe's verdict:
 * whether to send traffic here) and {@code /health/live} (the process and this event loop answer; never
 * depends on PostgreSQL, so an orchestrator does not restart a node for a database outage). The services
 * surface mounts {@link #health} on its seed's {@code /healthz} as well.
 *
 * <p>The health body carries internal details (latencies, journal lag, store fill, database errors) only
 * for a caller the control plane trusts (allowlisted address or admin token); anyone else gets the verdict
 * and one status word per check ({@link HealthReport}).
 */
public final class ServerRoutes
{
    private static final AsciiString PROMETHEUS = AsciiString.cached("text/plain; version=0.0.4; charset=utf-8");
    private static final byte[] LIVE = "{\"status\":\"ok\"}".getBytes(StandardCharsets.US_ASCII);

    private ServerRoutes()
    {
    }

    static void registerShared(final Routes routes, final EdgeRuntime runtime)
    {
        routes.get("/metrics", ex ->
        {
            if (runtime.gate().requireControlPlane(ex))
            {
                ex.respond(HttpResponseStatus.OK, PROMETHEUS, runtime.httpMetrics().scrape());
            }
        });
        routes
            .get("/health", ServerRoutes::health)
            .get("/health/ready", ServerRoutes::health)
            .get("/health/live", ServerRoutes::live);
    }

    /**
     * Readiness: answers with the latest health report (no I/O on the event loop), detailed only for a caller
     * the control plane trusts.
     */
    public static void health(final HttpExchange ex)
    {
        final HealthReport report = ex.runtime().health();
        final AccessGate gate = ex.runtime().gate();
        final boolean trusted = gate.fromControlPlaneNetwork(ex) || gate.hasAdminToken(ex);
        ex.respondJson(report.status(), trusted ? report.body() : report.publicBody());
    }

    /** Liveness: 200 whenever an event loop can answer, draining included. */
    static void live(final HttpExchange ex)
    {
        ex.respondJson(HttpResponseStatus.OK, LIVE);
    }

    /**
     * A route named in a seed whose capability is not built yet: an honest {@code 501}.
     */
    public static HttpHandler notImplemented(final String what)
    {
        final String message = what + " is not implemented in this build";
        return ex -> ex.respondError(HttpResponseStatus.NOT_IMPLEMENTED, "not_implemented", message, null);
    }
}
