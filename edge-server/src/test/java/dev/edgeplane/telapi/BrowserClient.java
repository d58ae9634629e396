package dev.edgeplane.telapi;

import java.net.URI;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import dev.edgeplane.server.TestServers;

/** A browser-side channel WebSocket (the JDK's client): collects frames and the close code. */
final class BrowserClient implements WebSocket.Listener
{
    final List<String> frames = new CopyOnWriteArrayList<>();
    volatile int closeCode = -1;
    volatile String closeReason;
    private final StringBuilder partial = new StringBuilder();
    WebSocket ws;

    static BrowserClient connect(final int port, final String token) throws Exception
    {
        final BrowserClient c = new BrowserClient();
        c.ws = TestServers.CLIENT.newWebSocketBuilder()
            .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/channel?token=" + token), c).get(10, TimeUnit.SECONDS);
        return c;
    }

    @Override
    public CompletionStage<?> onText(final WebSocket webSocket, final CharSequence data, final boolean last)
    {
        partial.append(data);
        if (last)
        {
            frames.add(partial.toString());
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(final WebSocket webSocket, final int statusCode, final String reason)
    {
        closeReason = reason;
        closeCode = statusCode;
        return null;
    }

    void send(final String json) throws Exception
    {
        ws.sendText(json, true).get(5, TimeUnit.SECONDS);
    }

    long count(final Predicate<String> p)
    {
        return frames.stream().filter(p).count();
    }

    boolean saw(final String fragment)
    {
        return frames.stream().anyMatch(f -> f.contains(fragment));
    }

    /** Waits for a frame containing {@code fragment} and returns it. */
    String await(final String fragment) throws InterruptedException
    {
        TestServers.await("a frame with " + fragment + " (got " + frames + ")", 10_000, () -> saw(fragment));
        return frames.stream().filter(f -> f.contains(fragment)).findFirst().orElseThrow();
    }

    void close()
    {
        if (ws != null && !ws.isOutputClosed())
        {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
    }
}
