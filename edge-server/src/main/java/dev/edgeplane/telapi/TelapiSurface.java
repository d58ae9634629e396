package dev.edgeplane.telapi;

import static dev.edgeplane.server.ServerRoutes.notImplemented;

import dev.edgeplane.server.EdgeRuntime;
import dev.edgeplane.server.Routes;
import dev.edgeplane.server.ServerRoutes;
import dev.edgeplane.server.Surface;
import dev.edgeplane.server.SurfaceKind;

/**
 * The TelAPI gateway (seed 000, SPEC-services-telapi.md): health for the load balancer, call tokens,
 * the browser to ARI channel WebSocket.
 *
 * <p>{@code GET /health} is served from the health monitor's latest report; the rest answer
 * {@code 501} until built.
 */
public final class TelapiSurface implements Surface
{
    @Override
    public SurfaceKind kind()
    {
        return SurfaceKind.TELAPI;
    }

    @Override
    public void register(final Routes routes, final EdgeRuntime runtime)
    {
        routes
            .get("/health", ServerRoutes::health)
            .post("/tokens/call", notImplemented("POST /tokens/call"))
            .get("/ws/channel", notImplemented("the channel WebSocket"));
    }
}
