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
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
 * <p>Whenever the ARI events connection opens (after a drop, or late at start-up), each watched channel is re-read ({@code GET /channels/{id}}) and
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
        final String[] ids = channelIds(json);
        if (ids == null)
        {
            unrouted.increment();
            return;
        }
        int sent = 0;
        for (int i = 0; i < ids.length; i++)
        {
            final String id = ids[i];
            if (id == null)
            {
                continue;
            }
            boolean seen = false;
            for (int j = 0; j < i; j++)
            {
                seen |= id.equals(ids[j]);
            }
            if (!seen)
            {
                sent += fanOut(id, json);
            }
        }
        if (sent == 0)
        {
            unrouted.increment();
        }
    }

    /**
     * The channels an ARI event names, read with a streaming parser that skips everything else (no
     * tree per event): {@code channel.id}, {@code peer.id}, {@code caller.id}, and
     * {@code playback.target_uri} / {@code recording.target_uri} of the form {@code channel:<id>}.
     *
     * @return five slots (null where absent), or null when the event is not a JSON object.
     */
    static String[] channelIds(final byte[] json)
    {
        final String[] ids = new String[5];
        try (JsonParser p = Json.factory().createParser(json))
        {
            if (p.nextToken() != JsonToken.START_OBJECT)
            {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME)
            {
                final String name = p.currentName();
                final JsonToken value = p.nextToken();
                final int slot = switch (name)
                {
                    case "channel" -> 0;
                    case "peer" -> 1;
                    case "caller" -> 2;
                    case "playback" -> 3;
                    case "recording" -> 4;
                    default -> -1;
                };
                if (slot < 0 || value != JsonToken.START_OBJECT)
                {
                    p.skipChildren();
                    continue;
                }
                final String wanted = slot < 3 ? "id" : "target_uri";
                while (p.nextToken() == JsonToken.FIELD_NAME)
                {
                    final String inner = p.currentName();
                    if (p.nextToken() == JsonToken.VALUE_STRING && inner.equals(wanted))
                    {
                        final String v = p.getText();
                        ids[slot] = slot < 3 ? v : v.startsWith("channel:") ? v.substring(8) : null;
                    }
                    else
                    {
                        p.skipChildren();
                    }
                }
            }
            return ids;
        }
        catch (final java.io.IOException e)
        {
            return null;
        }
    }

    private int fanOut(final String channelId, final byte[] json)
    {
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

    @Override
    public void onConnected(final boolean resumed)
    {
        ariUp = true;
        final AriClient client = ari;
        if (client == null)
        {
            return;
        }
        // Every connect, not only a resumed one: browsers may have joined while ARI was still unreachable.
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
