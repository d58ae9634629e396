package dev.edgeplane.telapi;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.regex.Pattern;

import dev.edgeplane.codec.DecodeException;
import dev.edgeplane.codec.Json;
import dev.edgeplane.server.WebSocketListener;
import dev.edgeplane.server.WebSocketSession;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;

/**
 * One browser's {@code /ws/channel} WebSocket, bound by its call token to one ARI channel
 * (docs/SPEC-telapi.md, "GET /ws/channel"). Server → browser: the channel's ARI events as JSON, a
 * {@code hello} on open, {@code resync} / {@code ari} frames around ARI drops, and one ack per
 * command. Browser → server: commands, each mapped to one ARI REST call on the token's channel (the
 * browser never names a channel, so it can only ever act on its own):
 *
 * <pre>
 * answer            POST   /channels/{id}/answer
 * hangup            DELETE /channels/{id}[?reason=]
 * dtmf   "dtmf"     POST   /channels/{id}/dtmf?dtmf=
 * play   "media"    POST   /channels/{id}/play?media=
 * hold / unhold     POST / DELETE /channels/{id}/hold
 * mute / unmute     POST / DELETE /channels/{id}/mute[?direction=in|out|both]
 * </pre>
 *
 * answered by {@code {"type":"ack","id":…,"ok":true}} or {@code {"type":"ack","id":…,"ok":false,"error":…}}.
 *
 * <p>Threading: listener callbacks run on the connection's event loop; ARI calls are asynchronous
 * (the ARI client's threads complete them and offer the ack to the session, which is thread-safe).
 */
final class ChannelSocket implements WebSocketListener
{
    private static final Pattern DTMF = Pattern.compile("[0-9A-Da-d*#,]{1,64}");
    private static final Pattern MEDIA = Pattern.compile("[a-z]+:[^\\s]{1,512}");
    /** Largest command frame accepted (a command is a few fields). */
    static final int MAX_COMMAND_CHARS = 4096;

    private final ChannelHub hub;
    private final AriClient ari;
    private final TelapiTelemetry telemetry;
    private final CallTokens.Claims claims;
    private final String channelPath;
    private ScheduledFuture<?> expiry;

    ChannelSocket(final ChannelHub hub, final AriClient ari, final TelapiTelemetry telemetry, final CallTokens.Claims claims)
    {
        this.hub = hub;
        this.ari = ari;
        this.telemetry = telemetry;
        this.claims = claims;
        this.channelPath = "/channels/" + AriClient.enc(claims.channelId());
    }

    @Override
    public void onOpen(final WebSocketSession session)
    {
        expiry = hub.watch(claims.channelId(), session, claims.expiresAtMillis());
        final Map<String, Object> hello = new LinkedHashMap<>();
        hello.put("type", "hello");
        hello.put("channelId", claims.channelId());
        hello.put("user", claims.userId());
        hello.put("ari", hub.ariConnected() ? "connected" : "disconnected");
        hello.put("expiresAt", claims.expiresAtMillis() / 1000);
        session.offer(Json.write(hello));
    }

    @Override
    public void onClose(final WebSocketSession session)
    {
        hub.unwatch(claims.channelId(), session);
        if (expiry != null)
        {
            expiry.cancel(false);
        }
    }

    @Override
    public void onText(final WebSocketSession session, final String text)
    {
        if (text.length() > MAX_COMMAND_CHARS)
        {
            session.offer(ack(null, false, "a command is at most " + MAX_COMMAND_CHARS + " characters"));
            return;
        }
        final Map<?, ?> command;
        try
        {
            final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            if (!(Json.parse(bytes, 0, bytes.length) instanceof Map<?, ?> m))
            {
                session.offer(ack(null, false, "a command is a JSON object {\"op\",\"id\",…}"));
                return;
            }
            command = m;
        }
        catch (final DecodeException e)
        {
            session.offer(ack(null, false, "not JSON: " + e.getMessage()));
            return;
        }
        final Object id = command.get("id") instanceof String || command.get("id") instanceof Long ? command.get("id") : null;
        final Object op = command.get("op");
        final String method;
        final String path;
        if (!(op instanceof String name))
        {
            session.offer(ack(id, false, "op is required: answer, hangup, dtmf, play, hold, unhold, mute or unmute"));
            return;
        }
        switch (name)
        {
            case "answer" -> { method = "POST"; path = channelPath + "/answer"; }
            case "hangup" ->
            {
                method = "DELETE";
                final String reason = text(command, "reason");
                if (reason != null && !reason.matches("[a-z_]{1,32}"))
                {
                    session.offer(ack(id, false, "reason must be an ARI hangup reason such as normal, busy, congestion"));
                    return;
                }
                path = reason == null ? channelPath : channelPath + "?reason=" + reason;
            }
            case "dtmf" ->
            {
                final String dtmf = text(command, "dtmf");
                if (dtmf == null || !DTMF.matcher(dtmf).matches())
                {
                    session.offer(ack(id, false, "dtmf must be 1-64 of 0-9 A-D * # ,"));
                    return;
                }
                method = "POST";
                path = channelPath + "/dtmf?dtmf=" + AriClient.enc(dtmf);
            }
            case "play" ->
            {
                final String media = text(command, "media");
                if (media == null || !MEDIA.matcher(media).matches())
                {
                    session.offer(ack(id, false, "media must be an ARI media URI such as sound:hello-world"));
                    return;
                }
                method = "POST";
                path = channelPath + "/play?media=" + AriClient.enc(media);
            }
            case "hold" -> { method = "POST"; path = channelPath + "/hold"; }
            case "unhold" -> { method = "DELETE"; path = channelPath + "/hold"; }
            case "mute", "unmute" ->
            {
                final String direction = text(command, "direction");
                if (direction != null && !direction.equals("in") && !direction.equals("out") && !direction.equals("both"))
                {
                    session.offer(ack(id, false, "direction must be in, out or both"));
                    return;
                }
                method = name.equals("mute") ? "POST" : "DELETE";
                path = channelPath + "/mute?direction=" + (direction == null ? "both" : direction);
            }
            default ->
            {
                session.offer(ack(id, false, "unknown op '" + name + "': answer, hangup, dtmf, play, hold, unhold, mute or unmute"));
                return;
            }
        }
        final Span span = telemetry.clientSpan("telapi.command " + name, Context.root());
        span.setAttribute("telapi.channel_id", claims.channelId());
        span.setAttribute("http.request.method", method);
        final String[] traceparent = new String[1];
        TelapiTelemetry.inject(span, (k, v) -> traceparent[0] = "traceparent".equals(k) ? v : traceparent[0]);
        final CompletableFuture<AriClient.Reply> call = ari.request(method, path, traceparent[0]);
        call.thenAccept(reply ->
        {
            span.setAttribute("http.response.status_code", (long)reply.status());
            if (!reply.ok())
            {
                span.setStatus(StatusCode.ERROR, describe(reply));
            }
            span.end();
            session.offer(reply.ok() ? ack(id, true, null) : ack(id, false, describe(reply)));
        });
    }

    private static String text(final Map<?, ?> command, final String field)
    {
        return command.get(field) instanceof String s ? s : null;
    }

    /** ARI's own error text when it sent one ({@code {"message":…}}), else the status. */
    private static String describe(final AriClient.Reply reply)
    {
        if (reply.status() == 0)
        {
            return reply.body();
        }
        String message = null;
        try
        {
            final byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            if (body.length > 0 && Json.parse(body, 0, body.length) instanceof Map<?, ?> m && m.get("message") instanceof String s)
            {
                message = s;
            }
        }
        catch (final DecodeException e)
        {
            // not JSON: the status says enough
        }
        return "ARI answered " + reply.status() + (message == null ? "" : ": " + message);
    }

    static byte[] ack(final Object id, final boolean ok, final String error)
    {
        final Map<String, Object> frame = new LinkedHashMap<>();
        frame.put("type", "ack");
        frame.put("id", id);
        frame.put("ok", ok);
        if (error != null)
        {
            frame.put("error", error);
        }
        return Json.write(frame);
    }
}
