package dev.edgeplane.server;

import java.nio.charset.StandardCharsets;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;

/**
 * Routes every listener shares or that report the server itself: {@code /metrics} (Prometheus text,
 * control-plane gate) on every listener, and the health handler the TelAPI ({@code /health}) and
 * services ({@code /healthz}) surfaces mount.
 */
public final class ServerRoutes
{
    private static final AsciiString PROMETHEUS = AsciiString.cached("text/plain; version=0.0.4; charset=utf-8");

    private ServerRoutes()
    {
    }

    static void registerShared(final Routes routes, final EdgeRuntime runtime)
    {
        routes.get("/metrics", ex ->
        {
            if (runtime.gate().requireControlPlane(ex))
            {
                ex.respond(HttpResponseStatus.OK, PROMETHEUS,
                    runtime.httpMetrics().render().getBytes(StandardCharsets.UTF_8));
            }
        });
    }

    /** Answers with the latest health report (no I/O on the event loop). */
    public static void health(final HttpExchange ex)
    {
        final HealthReport report = ex.runtime().health();
        ex.respondJson(report.status(), report.body());
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
