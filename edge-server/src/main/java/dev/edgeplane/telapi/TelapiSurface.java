package dev.edgeplane.telapi;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Json;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.server.EdgeRuntime;
import dev.edgeplane.server.HttpExchange;
import dev.edgeplane.server.Routes;
import dev.edgeplane.server.Surface;
import dev.edgeplane.server.SurfaceKind;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.opentelemetry.api.trace.Span;

/**
 * The TelAPI gateway (seed 000, docs/SPEC-telapi.md) on {@code TELAPI_PORT}: {@code GET /health},
 * {@code POST /tokens/call} (web user → call token + WebRTC configuration) and {@code GET /ws/channel}
 * (browser ↔ ARI channel WebSocket), plus the TTS media cache client and its start-up {@code tlsDiag}
 * line. The HTTP glue stays here; tokens, ARI, fan-out and the cache client are plain classes.
 *
 * <p>Threading: {@link #register} runs once at start-up; handlers run on event loops and never block
 * (token checks are CPU only; ARI and the cache run on their own executors).
 */
public final class TelapiSurface implements Surface
{
    private static final Pattern CHANNEL_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern ENDPOINT = Pattern.compile("[A-Za-z0-9._:@/+-]{1,128}");
    /** NextAuth.js v4 session cookies, read when no Authorization header is sent. */
    private static final String[] SESSION_COOKIES = {"__Secure-next-auth.session-token", "next-auth.session-token"};

    private volatile TelapiGateway gateway;

    @Override
    public SurfaceKind kind()
    {
        return SurfaceKind.TELAPI;
    }

    /** @return the running gateway (tests and the benchmark read its counters), null before register. */
    public TelapiGateway gateway()
    {
        return gateway;
    }

    @Override
    public void register(final Routes routes, final EdgeRuntime runtime)
    {
        final TelapiSettings settings = TelapiSettings.from(runtime.settings().environment());
        final TelapiGateway g = TelapiGateway.start(settings, Clock.systemUTC());
        runtime.closeOnShutdown(g);
        gateway = g;
        final ChannelHub hub = g.hub();
        runtime.httpMetrics().gauge("edgeplane_telapi_channel_sessions", "Browser channel WebSockets open.", hub::sessions);
        runtime.httpMetrics().gauge("edgeplane_telapi_ari_connected", "1 while the ARI events WebSocket is up.",
            () -> hub.ariConnected() ? 1 : 0);
        runtime.httpMetrics().counter("edgeplane_telapi_ari_events_total", "ARI events received.", hub::eventsIn);
        runtime.httpMetrics().counter("edgeplane_telapi_events_delivered_total", "ARI events queued to browsers.", hub::delivered);
        runtime.httpMetrics().counter("edgeplane_telapi_events_unrouted_total", "ARI events no browser watched.", hub::unrouted);
        // GET /health (the load balancer's check) is one of the routes every listener shares (ServerRoutes).
        routes
            .add("POST", "/tokens/call", this::callToken, 16 * 1024)
            .get("/ws/channel", this::channel);
    }

    /** {@code POST /tokens/call} body {@code {"channelId"?, "endpoint"?}} → 201 {@code {"token","expiresAt","channelId","webrtc"}}. */
    private void callToken(final HttpExchange ex)
    {
        final Span span = gateway.telemetry().serverSpan("POST /tokens/call", ex);
        TelapiTelemetry.end(span, issueCallToken(ex));
    }

    /** @return the status answered. */
    private int issueCallToken(final HttpExchange ex)
    {
        final TelapiGateway g = gateway;
        final TokenCheck<WebUser> user = g.webUsers().verify(bearer(ex));
        if (!user.ok())
        {
            unauthorized(ex, user);
            return 401;
        }
        if (g.callTokens() == null)
        {
            ex.respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "auth_unconfigured", "JWT_SECRET is not set", null);
            return 503;
        }
        if (g.webrtc() == null)
        {
            ex.respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "webrtc_unconfigured",
                "DOMAIN_TELPRO is not set, so no WebRTC configuration can be built for a call", null);
            return 503;
        }
        final Fields body = ex.bodyLength() == 0 ? Fields.empty() : ex.decodeBody();
        if (body == null)
        {
            return 400; // or 415: decodeBody answered
        }
        final Problems p = new Problems();
        final String channelId = body.optString("channelId", null, p);
        final String endpoint = body.optString("endpoint", null, p);
        if (channelId != null && !CHANNEL_ID.matcher(channelId).matches())
        {
            p.add("channelId", "must be 1-128 of [A-Za-z0-9._:-] (an ARI channel id)");
        }
        if (endpoint != null && !ENDPOINT.matcher(endpoint).matches())
        {
            p.add("endpoint", "must be 1-128 of [A-Za-z0-9._:@/+-] (e.g. PJSIP/1001)");
        }
        for (final String name : body.names())
        {
            if (!name.equals("channelId") && !name.equals("endpoint"))
            {
                p.add(name, "is not a field of this request (channelId, endpoint)");
            }
        }
        if (!p.isEmpty())
        {
            ex.respondError(HttpResponseStatus.BAD_REQUEST, "invalid_request",
                p.size() == 1 ? p.path(0) + " " + p.message(0) : "the request has " + p.size() + " problems", p);
            return 400;
        }
        // No channel yet (an outbound call): the token binds a fresh id the call is then originated with
        // (ARI lets the originator choose the channel id).
        final String channel = channelId != null ? channelId : "telapi-" + UUID.randomUUID();
        final CallTokens.Issued issued = g.callTokens().issue(user.value().id(), channel, endpoint);
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("token", issued.token());
        out.put("expiresAt", issued.expiresAt().toString());
        out.put("channelId", channel);
        out.put("webrtc", g.webrtc());
        ex.responseHeaders().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        ex.respondJson(HttpResponseStatus.CREATED, Json.write(out));
        return 201;
    }

    /** {@code GET /ws/channel?token=}: 401 before the upgrade for a bad token; then {@link ChannelSocket}. */
    private void channel(final HttpExchange ex)
    {
        final Span span = gateway.telemetry().serverSpan("GET /ws/channel", ex);
        TelapiTelemetry.end(span, openChannel(ex));
    }

    /** @return the status answered (101 for an upgrade). */
    private int openChannel(final HttpExchange ex)
    {
        final TelapiGateway g = gateway;
        if (g.callTokens() == null)
        {
            ex.respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "auth_unconfigured", "JWT_SECRET is not set", null);
            return 503;
        }
        final TokenCheck<CallTokens.Claims> claims = g.callTokens().verify(ex.query().optString("token", null, new Problems()));
        if (!claims.ok())
        {
            unauthorized(ex, claims);
            return 401;
        }
        if (g.ari() == null)
        {
            ex.respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "ari_unconfigured",
                "ARI_URL is not set, so no channel can be bridged", null);
            return 503;
        }
        ex.upgradeToWebSocket(new ChannelSocket(g.hub(), g.ari(), g.telemetry(), claims.value()));
        return ex.responded() && ex.header(HttpHeaderNames.UPGRADE) != null ? 101 : 400;
    }

    private static void unauthorized(final HttpExchange ex, final TokenCheck<?> check)
    {
        ex.responseHeaders().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
        final Map<String, Object> details = new LinkedHashMap<>();
        if (TokenCheck.SECRET_MISMATCH.equals(check.code()))
        {
            details.put("likely_cause", "JWT_SECRET drift between API and TelWeb");
            details.put("check", "both must read the same Secrets Manager value");
        }
        ex.respondError(HttpResponseStatus.UNAUTHORIZED, check.code(), check.message(), details.isEmpty() ? null : details);
    }

    /** @return the bearer of {@code Authorization}, else a NextAuth session cookie, else null. */
    static String bearer(final HttpExchange ex)
    {
        final String auth = ex.header(HttpHeaderNames.AUTHORIZATION);
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7))
        {
            return auth.substring(7).trim();
        }
        final String cookies = ex.header(HttpHeaderNames.COOKIE);
        if (cookies != null)
        {
            for (final String part : cookies.split(";"))
            {
                final String c = part.trim();
                for (final String name : SESSION_COOKIES)
                {
                    if (c.startsWith(name + "="))
                    {
                        return c.substring(name.length() + 1);
                    }
                }
            }
        }
        return null;
    }
}
