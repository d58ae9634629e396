package dev.edgeplane.telapi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import dev.edgeplane.codec.DecodeException;
import dev.edgeplane.codec.Json;
import dev.edgeplane.server.WebSocketSession;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans the node's one ARI events stream out to the browser WebSockets whose call token covers each
 * event's channel: an event reaches exactly the sessions subscribed to a channel it names
 * ({@code channel.id}, {@code peer.id}, {@code caller.id}, or a playback / recording
 * {@code target_uri} of {@code channel:<id>}); an event naming no channel reaches nobody. The event's
 * bytes are forwarded as Asterisk sent them, one shared array for every recipient.
 *
 * <p>After ARI comes back from a drop, each watched channel is re-read ({@code GET /channels/{id}}) and
 * its browsers get {@code {"type":"resync","channelId","channel":{…}|null,"gone"?}}; while ARI is down
 * they get {@code {"type":"ari","state":"disconnected"}} once.
 *
 * <p>Slow browsers cannot slow the others: offering is a non-blocking enqueue onto the session's bounded
 * queue, and a session whose queue overflows is dropped with close 1008 ({@link WebSocketSession}).
 *
 * <p>Threading: {@link AriClient.EventSink} callbacks come from the ARI client's thread, one at a time;
 * {@link #watch} / {@link #unwatch} from event loops. The subscription map is concurrent; each channel's
 * set is copy-on-write (few subscribers per channel, read on every event).
 */
public final class ChannelHub implements AriClient.EventSink, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ChannelHub.class);
    /** Close code for a call token that expired while its socket was open (private-use range, RFC 6455 7.4.2). */
    public static final int TOKEN_EXPIRED = 4001;
    private static final byte[] ARI_DISCONNECTED = "{\"type\":\"ari\",\"state\":\"disconnected\"}".getBytes(StandardCharsets.UTF_8);

    private final Map<String, Set<WebSocketSession>> byChannel = new ConcurrentHashMap<>();
    private final ScheduledExecutorService expiry = Executors.newSingleThreadScheduledExecutor(r ->
    {
        final Thread t = new Thread(r, "telapi-token-expiry");
        t.setDaemon(true);
        return t;
    });
    private final LongAdder eventsIn = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder unrouted = new LongAdder();
    private volatile AriClient ari;
    private volatile boolean ariUp;

    /** Sets the ARI client used for resynchronisation (it is built with this hub as its sink). */
    void ari(final AriClient client)
    {
        this.ari = client;
    }

    /** @return true while the ARI events connection is up. */
    public boolean ariConnected()
    {
        return ariUp;
    }

    /** Subscribes a browser session to a channel and closes it with {@link #TOKEN_EXPIRED} at its token's expiry. */
    ScheduledFuture<?> watch(final String channelId, final WebSocketSession session, final long expiresAtMillis)
    {
        byChannel.computeIfAbsent(channelId, k -> new CopyOnWriteArraySet<>()).add(session);
        final long delay = Math.max(0, expiresAtMillis - System.currentTimeMillis());
        return expiry.schedule(() -> session.close(new WebSocketCloseStatus(TOKEN_EXPIRED, "call token expired"),
            "call token expired"), delay, TimeUnit.MILLISECONDS);
    }

    void unwatch(final String channelId, final WebSocketSession session)
    {
        byChannel.computeIfPresent(channelId, (k, set) ->
        {
            set.remove(session);
            return set.isEmpty() ? null : set;
        });
    }

    /** @return browser sessions watching now. */
    public int sessions()
    {
        int n = 0;
        for (final Set<WebSocketSession> set : byChannel.values())
        {
            n += set.size();
        }
        return n;
    }

    public long eventsIn()
    {
        return eventsIn.sum();
    }

    public long delivered()
    {
        return delivered.sum();
    }

    public long unrouted()
    {
        return unrouted.sum();
    }

    @Override
    public void onEvent(final byte[] json)
    {
        eventsIn.increment();
        final Object tree;
        try
        {
            tree = Json.parse(json, 0, json.length);
        }
        catch (final DecodeException e)
        {
            unrouted.increment();
            return;
        }
        if (!(tree instanceof Map<?, ?> event))
        {
            unrouted.increment();
            return;
        }
        final String a = objectId(event.get("channel"));
        final String b = objectId(event.get("peer"));
        final String c = objectId(event.get("caller"));
        final String d = targetChannel(event.get("playback"));
        final String e = targetChannel(event.get("recording"));
        int sent = fanOut(a, json);
        if (b != null && !b.equals(a))
        {
            sent += fanOut(b, json);
        }
        if (c != null && !c.equals(a) && !c.equals(b))
        {
            sent += fanOut(c, json);
        }
        if (d != null && !d.equals(a))
        {
            sent += fanOut(d, json);
        }
        if (e != null && !e.equals(a) && !e.equals(d))
        {
            sent += fanOut(e, json);
        }
        if (sent == 0)
        {
            unrouted.increment();
        }
    }

    private int fanOut(final String channelId, final byte[] json)
    {
        if (channelId == null)
        {
            return 0;
        }
        final Set<WebSocketSession> set = byChannel.get(channelId);
        if (set == null)
        {
            return 0;
        }
        int n = 0;
        for (final WebSocketSession s : set)
        {
            if (s.offer(json))
            {
                n++;
            }
        }
        delivered.add(n);
        return n;
    }

    private static String objectId(final Object o)
    {
        return o instanceof Map<?, ?> m && m.get("id") instanceof String id ? id : null;
    }

    private static String targetChannel(final Object o)
    {
        return o instanceof Map<?, ?> m && m.get("target_uri") instanceof String uri && uri.startsWith("channel:")
            ? uri.substring("channel:".length()) : null;
    }

    @Override
    public void onConnected(final boolean resumed)
    {
        ariUp = true;
        final AriClient client = ari;
        if (!resumed || client == null)
        {
            return;
        }
        for (final String channelId : new ArrayList<>(byChannel.keySet()))
        {
            client.request("GET", "/channels/" + AriClient.enc(channelId)).thenAccept(reply -> resynced(channelId, reply));
        }
    }

    private void resynced(final String channelId, final AriClient.Reply reply)
    {
        final Map<String, Object> frame = new java.util.LinkedHashMap<>();
        frame.put("type", "resync");
        frame.put("channelId", channelId);
        if (reply.ok())
        {
            try
            {
                final byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
                frame.put("channel", Json.parse(body, 0, body.length));
            }
            catch (final DecodeException e)
            {
                frame.put("channel", null);
                frame.put("error", "ARI answered a channel that is not JSON");
            }
        }
        else if (reply.status() == 404)
        {
            frame.put("channel", null);
            frame.put("gone", true);
        }
        else
        {
            frame.put("channel", null);
            frame.put("error", reply.status() == 0 ? reply.body() : "ARI answered " + reply.status());
        }
        final byte[] json = Json.write(frame);
        final Set<WebSocketSession> set = byChannel.get(channelId);
        if (set != null)
        {
            for (final WebSocketSession s : set)
            {
                s.offer(json);
            }
        }
    }

    @Override
    public void onDisconnected(final String reason)
    {
        ariUp = false;
        final List<WebSocketSession> all = new ArrayList<>();
        byChannel.values().forEach(all::addAll);
        for (final WebSocketSession s : all)
        {
            s.offer(ARI_DISCONNECTED);
        }
        LOG.info("ARI events lost ({}): {} browser session(s) told, resync follows the reconnect", reason, all.size());
    }

    @Override
    public void close()
    {
        expiry.shutdownNow();
    }
}
