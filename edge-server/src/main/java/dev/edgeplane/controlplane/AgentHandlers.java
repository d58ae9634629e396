package dev.edgeplane.controlplane;

import dev.edgeplane.server.HttpExchange;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Agents and ACD (SPEC-control-plane.md, "Agents and ACD"): {@code POST /agent}, {@code GET /agent},
 * {@code GET /presence/users}, the confirm and claim hooks. Not built yet: 501.
 */
final class AgentHandlers
{
    private final ControlPlane cp;

    AgentHandlers(final ControlPlane cp)
    {
        this.cp = cp;
    }

    void agentEvent(final HttpExchange ex)
    {
        notBuilt(ex, "POST /agent");
    }

    void agent(final HttpExchange ex)
    {
        notBuilt(ex, "GET /agent");
    }

    void roster(final HttpExchange ex)
    {
        notBuilt(ex, "GET /presence/users");
    }

    void confirm(final HttpExchange ex)
    {
        notBuilt(ex, "the agent confirm hook");
    }

    void claim(final HttpExchange ex)
    {
        notBuilt(ex, "the agent claim hook");
    }

    private static void notBuilt(final HttpExchange ex, final String what)
    {
        ex.respondError(HttpResponseStatus.NOT_IMPLEMENTED, "not_implemented", what + " is not implemented in this build", null);
    }
}
