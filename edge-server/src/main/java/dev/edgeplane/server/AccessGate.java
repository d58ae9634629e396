package dev.edgeplane.server;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;

/**
 * Who may call the non-public routes (docs/ARCHITECTURE.md, "Security model"): the control plane's CIDR
 * allowlist or the admin token; media routes by media-node CIDRs; {@code /admin/*} by the admin token.
 *
 * <p>Immutable and thread-safe. Tokens are compared in constant time and never logged.
 */
public final class AccessGate
{
    public static final AsciiString ADMIN_TOKEN_HEADER = AsciiString.cached("x-admin-token");

    private final CidrAllowList controlPlane;
    private final CidrAllowList mediaNodes;
    private final byte[] adminToken;

    AccessGate(final EdgeSettings settings)
    {
        this.controlPlane = settings.controlPlaneAllow();
        this.mediaNodes = settings.mediaNodes();
        this.adminToken = settings.adminToken().getBytes(StandardCharsets.UTF_8);
    }

    /** @return true when the request carries the configured admin token (never true with no token set). */
    public boolean hasAdminToken(final HttpExchange ex)
    {
        final String presented = ex.header(ADMIN_TOKEN_HEADER);
        return adminToken.length > 0 && presented != null
            && MessageDigest.isEqual(adminToken, presented.getBytes(StandardCharsets.UTF_8));
    }

    /** @return true when the peer is in the control-plane allowlist. */
    public boolean fromControlPlaneNetwork(final HttpExchange ex)
    {
        return controlPlane.contains(ex.remoteAddress());
    }

    /** @return true when the peer is a media node. */
    public boolean fromMediaNode(final HttpExchange ex)
    {
        return mediaNodes.contains(ex.remoteAddress());
    }

    /**
     * Control-plane gate: allowlisted address or admin token. Answers 403 and returns false otherwise.
     */
    public boolean requireControlPlane(final HttpExchange ex)
    {
        if (fromControlPlaneNetwork(ex) || hasAdminToken(ex))
        {
            return true;
        }
        forbid(ex, "this endpoint is restricted to the control-plane network or the admin token");
        return false;
    }

    /** Admin gate: the {@code x-admin-token} header must match. Answers 401 and returns false otherwise. */
    public boolean requireAdmin(final HttpExchange ex)
    {
        if (hasAdminToken(ex))
        {
            return true;
        }
        ex.respondError(HttpResponseStatus.UNAUTHORIZED, "unauthorized",
            adminToken.length == 0 ? "no admin token is configured (ADMIN_TOKEN)" : "missing or wrong x-admin-token", null);
        return false;
    }

    private static void forbid(final HttpExchange ex, final String message)
    {
        final String peer = ex.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress() : "?";
        ex.respondError(HttpResponseStatus.FORBIDDEN, "forbidden", message + " (peer " + peer + ")", null);
    }
}
