package dev.edgeplane.services;

import static dev.edgeplane.server.ServerRoutes.notImplemented;

import dev.edgeplane.server.EdgeRuntime;
import dev.edgeplane.server.Routes;
import dev.edgeplane.server.ServerRoutes;
import dev.edgeplane.server.Surface;
import dev.edgeplane.server.SurfaceKind;

/**
 * The services API (seed 002, SPEC-services-telapi.md) that provisions Railway, OpenRouter,
 * AgentMail and Telnyx resources for the pool manager.
 *
 * <p>{@code GET /healthz} (open, no bearer token) reports the server's health; the provisioning
 * endpoints answer {@code 501} until built.
 */
public final class ServicesSurface implements Surface
{
    @Override
    public SurfaceKind kind()
    {
        return SurfaceKind.SERVICES;
    }

    @Override
    public void register(final Routes routes, final EdgeRuntime runtime)
    {
        routes
            .get("/healthz", ServerRoutes::health)
            .get("/registry", notImplemented("GET /registry"))
            .post("/create-instance", notImplemented("POST /create-instance"))
            .delete("/destroy/{instanceId}", notImplemented("DELETE /destroy/:instanceId"))
            .post("/status/batch", notImplemented("POST /status/batch"))
            .post("/configure/{instanceId}", notImplemented("POST /configure/:instanceId"))
            .post("/redeploy/{instanceId}", notImplemented("POST /redeploy/:instanceId"));
    }
}
