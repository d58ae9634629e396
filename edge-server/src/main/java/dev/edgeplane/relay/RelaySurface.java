package dev.edgeplane.relay;

import static dev.edgeplane.server.ServerRoutes.notImplemented;

import dev.edgeplane.server.EdgeRuntime;
import dev.edgeplane.server.Routes;
import dev.edgeplane.server.ServerRoutes;
import dev.edgeplane.server.Surface;
import dev.edgeplane.server.SurfaceKind;

/**
 * The relay control plane for the OBS plugin (seed 003, SPEC-relay.md), base path {@code /api/v1}.
 *
 * <p>{@code GET /health} serves the health report (the seed's smoke test calls it on this port);
 * the API answers {@code 501} until built.
 */
public final class RelaySurface implements Surface
{
    private static final String BASE = "/api/v1";

    @Override
    public SurfaceKind kind()
    {
        return SurfaceKind.RELAY;
    }

    @Override
    public void register(final Routes routes, final EdgeRuntime runtime)
    {
        routes.get("/health", ServerRoutes::health);
        final String[][] endpoints = {
            {"GET", "/auth/session"},
            {"POST", "/auth/plugin/login/start"},
            {"POST", "/auth/plugin/login/poll"},
            {"POST", "/auth/refresh"},
            {"POST", "/auth/logout"},
            {"POST", "/relay/start"},
            {"GET", "/relay/active"},
            {"POST", "/relay/stop"},
            {"GET", "/relay/manifest"},
            {"POST", "/relay/health"},
            {"POST", "/billing/checkout"},
            {"POST", "/billing/webhook"},
            {"GET", "/usage/current"},
            {"GET", "/capacity/status"},
        };
        for (final String[] e : endpoints)
        {
            routes.add(e[0], BASE + e[1], notImplemented(e[0] + " " + BASE + e[1]), runtime.settings().maxBodyBytes());
        }
    }
}
