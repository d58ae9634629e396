package dev.edgeplane.telapi;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's one connection to Asterisk ARI: the events WebSocket ({@code /ari/events?app=}) and the
 * REST calls ({@code /ari/channels/...}), both with HTTP basic auth ({@code ARI_USERNAME:ARI_PASSWORD};
 * the password never goes into a URL or a log line).
 *
 * <p>The events connection reconnects by itself with exponential backoff from
 * {@code TELAPI_ARI_RECONNECT_MIN_MS} to {@code TELAPI_ARI_RECONNECT_MAX_MS}, each wait drawn from the
 * upper half of the current step ("equal jitter"), so a fleet of nodes does not reconnect in lock step
 * after an Asterisk restart. Asterisk does not queue events for a disconnected application, so every
 * connect after the first is reported to {@link EventSink#onConnected} with {@code resumed = true}: the
 * caller must resynchronise what it watches.
 *
 * <p>Threading: nothing here runs on a Netty event loop. The JDK HTTP client runs on its own small
 * executor; {@link EventSink} callbacks come from it, one at a time and in arrival order;
 * {@link #request} completes there too. {@link #request} and {@link #close} are safe from any thread.
 */
public final class AriClient implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(AriClient.class);

    /** Receives the events stream. Callbacks never overlap. */
    public interface EventSink
    {
        /** The events WebSocket is open; {@code resumed} when an earlier connection was lost (events were missed). */
        void onConnected(boolean resumed);

        /** One ARI event, the UTF-8 JSON text as Asterisk sent it (the array is not reused). */
        void onEvent(byte[] json);

        /** The events WebSocket was lost; a reconnect is scheduled. */
        void onDisconnected(String reason);
    }

    /** One REST answer: the status (0 when no answer came) and the body or the failure's description. */
    public record Reply(int status, String body)
    {
        public boolean ok()
        {
            return status >= 200 && status < 300;
        }
    }

    private final URI base;
    private final String eventsUrl;
    private final String authorization;
    private final Duration timeout;
    private final long minBackoffMs;
    private final long maxBackoffMs;
    private final EventSink sink;
    private final ExecutorService executor;
    private final ScheduledExecutorService timer;
    private final HttpClient http;
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicLong connects = new AtomicLong();
    private volatile WebSocket events;
    private volatile boolean closed;

    public AriClient(final TelapiSettings settings, final EventSink sink)
    {
        this.base = settings.ariUrl();
        final String wsScheme = "https".equals(base.getScheme()) ? "wss" : "ws";
        this.eventsUrl = wsScheme + base.toString().substring(base.getScheme().length()) + "/ari/events?app="
            + URLEncoder.encode(settings.ariApp(), StandardCharsets.UTF_8);
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(
            (settings.ariUsername() + ":" + settings.ariPassword()).getBytes(StandardCharsets.UTF_8));
        this.timeout = settings.ariTimeout();
        this.minBackoffMs = settings.reconnectMinMs();
        this.maxBackoffMs = settings.reconnectMaxMs();
        this.sink = sink;
        this.executor = Executors.newFixedThreadPool(2, daemon("telapi-ari"));
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("telapi-ari-reconnect"));
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
            .connectTimeout(timeout).build();
    }

    private static java.util.concurrent.ThreadFactory daemon(final String name)
    {
        final AtomicInteger n = new AtomicInteger();
        return r ->
        {
            final Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Opens the events connection (asynchronously; failures retry with backoff). */
    public void start()
    {
        LOG.info("ARI events: connecting to {} as user {}", eventsUrl, "'" + authorizationUser() + "'");
        timer.execute(this::connect);
    }

    private String authorizationUser()
    {
        final String decoded = new String(Base64.getDecoder().decode(authorization.substring(6)), StandardCharsets.UTF_8);
        return decoded.substring(0, decoded.indexOf(':'));
    }

    /** @return true while the events WebSocket is open. */
    public boolean connected()
    {
        final WebSocket ws = events;
        return ws != null && !ws.isInputClosed();
    }

    /** @return how many times the events WebSocket has opened. */
    public long connects()
    {
        return connects.get();
    }

    private void connect()
    {
        if (closed)
        {
            return;
        }
        http.newWebSocketBuilder()
            .header("Authorization", authorization)
            .connectTimeout(timeout)
            .buildAsync(URI.create(eventsUrl), new Listener())
            .whenComplete((ws, error) ->
            {
                if (error != null)
                {
                    LOG.warn("ARI events: cannot connect to {}: {}", eventsUrl, rootMessage(error));
                    scheduleReconnect();
                }
            });
    }

    private void scheduleReconnect()
    {
        if (closed)
        {
            return;
        }
        final int n = failures.getAndIncrement();
        final long step = Math.min(maxBackoffMs, minBackoffMs << Math.min(n, 20));
        final long delay = step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1);
        try
        {
            timer.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        }
        catch (final java.util.concurrent.RejectedExecutionException e)
        {
            // closing
        }
    }

    private final class Listener implements WebSocket.Listener
    {
        private final StringBuilder partial = new StringBuilder();
        private boolean lost;

        @Override
        public void onOpen(final WebSocket ws)
        {
            events = ws;
            failures.set(0);
            final boolean resumed = connects.getAndIncrement() > 0;
            LOG.info("ARI events: connected to {}{}", eventsUrl, resumed ? " (resumed: resynchronising watched channels)" : "");
            sink.onConnected(resumed);
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(final WebSocket ws, final CharSequence data, final boolean last)
        {
            if (last && partial.length() == 0)
            {
                deliver(data.toString());
            }
            else
            {
                partial.append(data);
                if (last)
                {
                    deliver(partial.toString());
                    partial.setLength(0);
                }
            }
            ws.request(1);
            return null;
        }

        private void deliver(final String text)
        {
            try
            {
                sink.onEvent(text.getBytes(StandardCharsets.UTF_8));
            }
            catch (final RuntimeException e)
            {
                LOG.warn("ARI events: an event could not be dispatched: {}", e.toString());
            }
        }

        @Override
        public CompletionStage<?> onClose(final WebSocket ws, final int statusCode, final String reason)
        {
            lost("closed by Asterisk (" + statusCode + (reason == null || reason.isEmpty() ? "" : " " + reason) + ")");
            return null;
        }

        @Override
        public void onError(final WebSocket ws, final Throwable error)
        {
            lost(rootMessage(error));
        }

        private void lost(final String reason)
        {
            if (lost)
            {
                return;
            }
            lost = true;
            events = null;
            if (!closed)
            {
                LOG.warn("ARI events: connection lost: {}; reconnecting", reason);
                sink.onDisconnected(reason);
                scheduleReconnect();
            }
        }
    }

    /**
     * Calls ARI REST, e.g. {@code request("POST", "/channels/" + enc(id) + "/answer")}; never blocks.
     *
     * @param pathAndQuery below {@code /ari}, already percent-encoded.
     * @return the answer; a transport failure or timeout completes with status 0 and its description.
     */
    public CompletableFuture<Reply> request(final String method, final String pathAndQuery)
    {
        return request(method, pathAndQuery, null);
    }

    /** As {@link #request(String, String)}, with a W3C {@code traceparent} header when not null. */
    public CompletableFuture<Reply> request(final String method, final String pathAndQuery, final String traceparent)
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/ari" + pathAndQuery))
            .timeout(timeout)
            .header("Authorization", authorization)
            .method(method, HttpRequest.BodyPublishers.noBody());
        if (traceparent != null)
        {
            b.header("traceparent", traceparent);
        }
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
            .handle((r, e) -> e != null ? new Reply(0, "ARI unreachable: " + rootMessage(e)) : new Reply(r.statusCode(), r.body()));
    }

    /** @return a path segment percent-encoded for a URL. */
    public static String enc(final String segment)
    {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String rootMessage(final Throwable e)
    {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t)
        {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    @Override
    public void close()
    {
        closed = true;
        final WebSocket ws = events;
        if (ws != null)
        {
            ws.abort();
        }
        timer.shutdownNow();
        executor.shutdownNow();
    }
}
