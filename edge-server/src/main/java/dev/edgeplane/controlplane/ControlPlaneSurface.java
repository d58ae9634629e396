package dev.edgeplane.controlplane;

import static dev.edgeplane.server.ServerRoutes.notImplemented;

import dev.edgeplane.server.AccessGate;
import dev.edgeplane.server.AnswerHandler;
import dev.edgeplane.server.EdgeRuntime;
import dev.edgeplane.server.HttpHandler;
import dev.edgeplane.server.Routes;
import dev.edgeplane.server.Surface;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.WarmUpScenario;

/**
 * The control plane (seed 001, docs/SPEC-control-plane.md) called by the SIP edge, the media engine,
 * agent apps and operators: digest auth, the routing brain with CAC, the call-flow command loop,
 * presence, call traces, configuration import/export.
 *
 * <p>Gating (docs/ARCHITECTURE.md, "Security model"): every route needs an address in
 * {@code CONTROL_PLANE_ALLOW_CIDRS} or the admin token; {@code /admin/*} needs the admin token.
 * Endpoints whose capability is not built yet answer {@code 501}; {@code /v1/*} and
 * {@code /hooks/carrier} are roadmap stubs and stay 501 by contract.
 */
public final class ControlPlaneSurface implements Surface
{
    private static final WarmUpScenario WARM_UP = new ControlPlaneWarmUp();

    @Override
    public SurfaceKind kind()
    {
        return SurfaceKind.CONTROL_PLANE;
    }

    @Override
    public WarmUpScenario warmUp()
    {
        return WARM_UP;
    }

    @Override
    public void register(final Routes routes, final EdgeRuntime runtime)
    {
        final ControlPlane cp = new ControlPlane(runtime);
        runtime.closeOnShutdown(cp);
        runtime.closeOnShutdown(new CallSweeper(cp).start());
        final String help = "Entries the sweeper visited because their expiry was due.";
        final String visited = "edgeplane_sweep_visited_total";
        runtime.httpMetrics().counter(visited, help, "kind", "calls", () -> cp.expiryVisits(e -> e.calls.visited()));
        runtime.httpMetrics().counter(visited, help, "kind", "registrations", () -> cp.expiryVisits(e -> e.registrations.visited()));
        runtime.httpMetrics().counter(visited, help, "kind", "flow_sessions", () -> cp.expiryVisits(e -> e.sessions.visited()));
        runtime.httpMetrics().counter(visited, help, "kind", "nonces", () -> cp.expiryVisits(e -> e.nonces.visited()));
        runtime.httpMetrics().counter(visited, help, "kind", "auth_guards", () -> cp.expiryVisits(e -> e.guards.visited()));
        runtime.httpMetrics().gauge("edgeplane_sweep_indexed", "Entries waiting in the sweeper's expiry indexes.",
            () -> cp.expiryVisits(e -> e.calls.size() + e.registrations.size() + e.sessions.size() + e.nonces.size()
                + e.guards.size()));
        HistorySinks.all().forEach(runtime::registerSink);
        final SipMetrics sip = new SipMetrics(runtime.httpMetrics().registry());
        final AuthHandler auth = new AuthHandler(cp, sip);
        runtime.httpMetrics().counter("edgeplane_auth_guard_overflow_total", "Auth failures not counted because the failure "
            + "store was full.", auth::overflows);

        final AccessGate gate = runtime.gate();
        final OperatorHandlers operator = new OperatorHandlers(cp);
        final AdminConfigHandlers admin = new AdminConfigHandlers(cp);
        final AgentHandlers agents = new AgentHandlers(cp);
        final SecurityHandlers security = new SecurityHandlers(cp);
        final int body = runtime.settings().maxBodyBytes();
        routes
            .post("/auth", gated(gate, auth))
            .post("/route", gated(gate, new RouteHandler(cp, sip)))
            .post("/flow", gated(gate, new FlowHandler(cp, sip)))
            .post("/presence/event", gated(gate, new PresenceHandler(cp)))
            .get("/cac", gated(gate, operator::cac))
            .post("/cac/reset", gated(gate, operator::cacReset))
            .get("/calls/{callId}/trace", gated(gate, operator::trace))
            .add("POST", "/admin/config", admin(gate, admin::apply), AdminConfigHandlers.MAX_DOCUMENT_BYTES)
            .get("/admin/config/{accountId}", admin(gate, admin::export))
            .post("/agent", gated(gate, agents::agentEvent))
            .get("/agent", gated(gate, agents::agent))
            .get("/presence/users", gated(gate, agents::roster))
            .get("/agent/confirm/{accountId}/{leaseId}/{epoch}", gated(gate, agents::confirm))
            .get("/agent/claim/{accountId}/{agentId}/{callId}", gated(gate, agents::claim))
            .get("/debug", gatedHttp(gate, cp.trace.monitor()::handle))
            .add("POST", "/security/report", gated(gate, security::report), SecurityHandlers.MAX_REPORT_BYTES)
            .get("/security/bans", gated(gate, security::bans))
            .get("/security/allow", gated(gate, security::allowList))
            .post("/security/allow", gated(gate, security::allow))
            .delete("/security/allow/{ip}", gated(gate, security::disallow))
            .get("/media/*", dev.edgeplane.controlplane.media.MediaHandlers.of(runtime).download())
            .stream("PUT", "/media/*", dev.edgeplane.controlplane.media.MediaHandlers.of(runtime).upload(),
                dev.edgeplane.controlplane.media.MediaHandlers.of(runtime).maxUploadBytes())
            .post("/admin/tts/generate", adminHttp(gate, dev.edgeplane.controlplane.media.MediaHandlers.of(runtime).ttsGenerate()));
        // Roadmap stubs (docs/SPEC-control-plane.md, "Roadmap stubs"): the public REST API and carrier hooks.
        for (final String method : new String[] {"GET", "POST", "PUT", "PATCH", "DELETE"})
        {
            routes.add(method, "/v1/*", notImplemented("the public REST API (/v1)"), body);
            routes.add(method, "/hooks/carrier", notImplemented("inbound carrier webhooks"), body);
        }
    }

    /** A route whose handler returns its answer (sent by the server, after the journal when it says so). */
    private static HttpHandler gated(final AccessGate gate, final AnswerHandler handler)
    {
        return gatedHttp(gate, AnswerHandler.http(handler));
    }

    private static HttpHandler admin(final AccessGate gate, final AnswerHandler handler)
    {
        return adminHttp(gate, AnswerHandler.http(handler));
    }

    private static HttpHandler gatedHttp(final AccessGate gate, final HttpHandler handler)
    {
        return ex ->
        {
            if (gate.requireControlPlane(ex))
            {
                handler.handle(ex);
            }
        };
    }

    private static HttpHandler adminHttp(final AccessGate gate, final HttpHandler handler)
    {
        return ex ->
        {
            if (gate.requireAdmin(ex))
            {
                handler.handle(ex);
            }
        };
    }
}
