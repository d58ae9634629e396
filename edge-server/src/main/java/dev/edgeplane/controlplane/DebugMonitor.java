package dev.edgeplane.controlplane;

import java.util.concurrent.CopyOnWriteArrayList;

import dev.edgeplane.codec.Problems;
import dev.edgeplane.server.HttpExchange;
import dev.edgeplane.server.WebSocketListener;
import dev.edgeplane.server.WebSocketSession;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * {@code GET /debug}: a WebSocket live monitor of the control plane's call events (route decisions,
 * CAC, flow steps, presence, ACD — everything that goes into a call trace), optionally filtered by
 * {@code accountId} and/or {@code callId} query parameters. Each message is the trace event's JSON
 * ({@code {"call_id","account_id","ts","kind","detail"}}).
 *
 * <p>Threading: {@link #publish} is called by whichever thread records a trace event (shard
 * writers, event loops); it costs a volatile read when nobody watches, and never blocks: a watcher
 * whose queue is full is dropped (see {@link WebSocketSession}).
 */
final class DebugMonitor
{
    /** A watcher and its filters (null = everything). */
    private record Watch(WebSocketSession session, String accountId, String callId)
    {
        boolean wants(final String account, final String call)
        {
            return (accountId == null || accountId.equals(account)) && (callId == null || callId.equals(call));
        }
    }

    private final CopyOnWriteArrayList<Watch> watches = new CopyOnWriteArrayList<>();

    /** @return true when at least one client watches (lets publishers skip copying). */
    boolean watched()
    {
        return !watches.isEmpty();
    }

    /** Offers one encoded event to every watcher whose filter matches; {@code json} must not change afterwards. */
    void publish(final String accountId, final String callId, final byte[] json)
    {
        for (final Watch w : watches)
        {
            if (w.wants(accountId, callId))
            {
                w.session().offer(json);
            }
        }
    }

    /** @return the listener for one new watcher with its filters. */
    WebSocketListener watcher(final String accountId, final String callId)
    {
        return new WebSocketListener()
        {
            @Override
            public void onOpen(final WebSocketSession session)
            {
                final Watch watch = new Watch(session, accountId, callId);
                session.attach(watch);
                watches.add(watch);
                session.offer("{\"kind\":\"debug.hello\",\"filter\":{\"accountId\":" + quote(accountId) + ",\"callId\":"
                    + quote(callId) + "}}");
            }

            @Override
            public void onClose(final WebSocketSession session)
            {
                watches.remove(session.attachment());
            }
        };
    }

    private static String quote(final String s)
    {
        return s == null ? "null" : new String(dev.edgeplane.codec.Json.write(s), java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * {@code GET /debug?accountId=&callId=}: validates the filters and upgrades to WebSocket. A
     * browser page may watch only from an allowlisted origin ({@code EDGEPLANE_DEBUG_ORIGINS}):
     * otherwise any page an operator on an allowlisted host visits could read live call events.
     */
    void handle(final HttpExchange ex)
    {
        final String origin = ex.header(HttpHeaderNames.ORIGIN);
        if (!ex.runtime().settings().debugOriginAllowed(origin))
        {
            ex.respondError(HttpResponseStatus.FORBIDDEN, "origin_not_allowed",
                "pages from this origin may not open the debug monitor (EDGEPLANE_DEBUG_ORIGINS)", null);
            return;
        }
        final Problems p = new Problems();
        final String accountId = Requests.text(ex.query(), "accountId", false, p);
        final String callId = Requests.text(ex.query(), "callId", false, p);
        if (!p.isEmpty())
        {
            ex.send(Requests.invalid(p));
            return;
        }
        ex.upgradeToWebSocket(watcher(accountId, callId));
    }

    /** @return watchers connected now. */
    int watchers()
    {
        return watches.size();
    }
}
