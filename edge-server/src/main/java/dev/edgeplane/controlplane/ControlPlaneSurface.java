package dev.edgeplane.controlplane;

import static dev.edgeplane.server.ServerRoutes.notImplemented;

import dev.edgeplane.server.EdgeRuntime;
import dev.edgeplane.server.Routes;
import dev.edgeplane.server.Surface;
import dev.edgeplane.server.SurfaceKind;

/**
 * The control plane (seed 001, SPEC-control-plane.md) called by the SIP edge, the media engine,
 * agent apps and operators.
 *
 * <p>Every endpoint of the contract is routed so that callers get a precise answer; the ones whose
 * capability is not built yet answer {@code 501 not_implemented}. {@code /v1/*} and
 * {@code /hooks/carrier} are roadmap stubs and stay 501 by contract.
 */
public final class ControlPlaneSurface implements Surface
{
    @Override
    public SurfaceKind kind()
    {
        return SurfaceKind.CONTROL_PLANE;
    }

    @Override
    public void register(final Routes routes, final EdgeRuntime runtime)
    {
        routes
            .post("/auth", notImplemented("POST /auth"))
            .post("/route", notImplemented("POST /route"))
            .post("/flow", notImplemented("POST /flow"))
            .post("/presence/event", notImplemented("POST /presence/event"))
            .post("/agent", notImplemented("POST /agent"))
            .get("/agent", notImplemented("GET /agent"))
            .get("/presence/users", notImplemented("GET /presence/users"))
            .get("/agent/confirm/{accountId}/{leaseId}/{epoch}", notImplemented("the agent confirm hook"))
            .get("/agent/claim/{accountId}/{agentId}/{callId}", notImplemented("the agent claim hook"))
            .get("/cac", notImplemented("GET /cac"))
            .post("/cac/reset", notImplemented("POST /cac/reset"))
            .get("/calls/{callId}/trace", notImplemented("GET /calls/{callId}/trace"))
            .get("/debug", notImplemented("the /debug monitor"))
            .post("/security/report", notImplemented("POST /security/report"))
            .get("/security/bans", notImplemented("GET /security/bans"))
            .get("/security/allow", notImplemented("GET /security/allow"))
            .post("/security/allow", notImplemented("POST /security/allow"))
            .delete("/security/allow/{ip}", notImplemented("DELETE /security/allow/{ip}"))
            .get("/media/{key}", notImplemented("GET /media/{key}"))
            .add("PUT", "/media/{key}", notImplemented("PUT /media/{key}"), runtime.settings().maxBodyBytes())
            .post("/admin/config", notImplemented("POST /admin/config"))
            .get("/admin/config/{accountId}", notImplemented("GET /admin/config/{accountId}"))
            .post("/admin/tts/generate", notImplemented("POST /admin/tts/generate"));
        // Roadmap stubs (SPEC-control-plane.md, "Roadmap stubs"): the public REST API and carrier hooks.
        final int bodyLimit = runtime.settings().maxBodyBytes();
        for (final String method : new String[] {"GET", "POST", "PUT", "PATCH", "DELETE"})
        {
            routes.add(method, "/v1/*", notImplemented("the public REST API (/v1)"), bodyLimit);
            routes.add(method, "/hooks/carrier", notImplemented("inbound carrier webhooks"), bodyLimit);
        }
    }
}
