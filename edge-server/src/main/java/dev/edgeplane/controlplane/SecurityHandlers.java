package dev.edgeplane.controlplane;

import dev.edgeplane.server.HttpExchange;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * {@code POST /security/report}, {@code GET /security/bans}, {@code GET|POST /security/allow},
 * {@code DELETE /security/allow/{ip}} (SPEC-control-plane.md, "Security"). Not built yet: 501.
 */
final class SecurityHandlers
{
    private final ControlPlane cp;

    SecurityHandlers(final ControlPlane cp)
    {
        this.cp = cp;
    }

    void report(final HttpExchange ex)
    {
        notBuilt(ex, "POST /security/report");
    }

    void bans(final HttpExchange ex)
    {
        notBuilt(ex, "GET /security/bans");
    }

    void allowList(final HttpExchange ex)
    {
        notBuilt(ex, "GET /security/allow");
    }

    void allow(final HttpExchange ex)
    {
        notBuilt(ex, "POST /security/allow");
    }

    void disallow(final HttpExchange ex)
    {
        notBuilt(ex, "DELETE /security/allow/{ip}");
    }

    private static void notBuilt(final HttpExchange ex, final String what)
    {
        ex.respondError(HttpResponseStatus.NOT_IMPLEMENTED, "not_implemented", what + " is not implemented in this build", null);
    }
}
