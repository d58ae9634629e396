package dev.edgeplane.controlplane;

import static dev.edgeplane.controlplane.ControlPlaneFixture.ACCOUNT;
import static dev.edgeplane.controlplane.ControlPlaneFixture.DOMAIN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.RawWebSocket;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /debug} with real WebSocket clients: live events, filters, and a slow client dropped. */
class DebugMonitorTest
{
    @TempDir
    static Path dataDir;
    static EdgeServer server;
    static ControlPlaneFixture cp;

    @BeforeAll
    static void start() throws Exception
    {
        server = TestServers.start(dataDir, TestPostgres.freshDatabaseUrl("debug_ws"),
            Map.of("ADMIN_TOKEN", ControlPlaneFixture.ADMIN_TOKEN, "EDGEPLANE_DEBUG_ORIGINS", "https://NOC.example.com"));
        cp = new ControlPlaneFixture(server.port(SurfaceKind.CONTROL_PLANE));
        cp.applyConfig(ControlPlaneFixture.document(1_000_000, ""));
    }

    @AfterAll
    static void stop()
    {
        server.close();
    }

    /** A JDK WebSocket client that collects text messages. */
    static final class Collector implements WebSocket.Listener
    {
        final List<String> messages = new CopyOnWriteArrayList<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(final WebSocket ws, final CharSequence data, final boolean last)
        {
            partial.append(data);
            if (last)
            {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        boolean sawCall(final String callId)
        {
            return messages.stream().anyMatch(m -> m.contains("\"call_id\":\"" + callId + "\""));
        }
    }

    private static WebSocket connect(final String query, final Collector collector) throws Exception
    {
        return TestServers.CLIENT.newWebSocketBuilder()
            .buildAsync(URI.create("ws://127.0.0.1:" + cp.port + "/debug" + query), collector).get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldStreamCallEventsLiveAndFilterThem() throws Exception
    {
        final Collector all = new Collector();
        final Collector oneCall = new Collector();
        final WebSocket a = connect("?accountId=" + ACCOUNT, all);
        final WebSocket b = connect("?callId=watched-1", oneCall);
        TestServers.await("both hellos", 10_000, () -> all.messages.size() >= 1 && oneCall.messages.size() >= 1);

        cp.route("watched-1", "+14155551234", "carrier.example", "+12025550123");
        cp.route("other-1", "1001", DOMAIN, "+12125550100");
        TestServers.await("events for both calls", 10_000, () -> all.sawCall("watched-1") && all.sawCall("other-1"));
        TestServers.await("the filtered watcher's events", 10_000, () -> oneCall.sawCall("watched-1"));
        assertTrue(all.messages.stream().anyMatch(m -> m.contains("\"kind\":\"route.decision\"")), all.messages.toString());
        assertTrue(oneCall.messages.stream().noneMatch(m -> m.contains("other-1")), "the callId filter holds");
        a.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        b.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
    }

    @Test
    void shouldRefuseAPlainHttpRequest() throws Exception
    {
        final var r = cp.get("/debug");
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("websocket_required"));
    }

    /** An upgrade without Sec-WebSocket-Key is a 400, and the connection does not linger past it. */
    @Test
    void shouldRefuseAnUpgradeWithoutAKey() throws Exception
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", cp.port), 5000);
            socket.setSoTimeout(10_000);
            final OutputStream out = socket.getOutputStream();
            out.write(("GET /debug HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final String head = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 400", head);
        }
    }

    /** A browser page from another origin is refused before the upgrade; an allowlisted origin is upgraded. */
    @Test
    void shouldUpgradeOnlyAllowlistedBrowserOrigins() throws Exception
    {
        assertEquals("HTTP/1.1 403", upgradeStatus("Origin: https://evil.example\r\n"));
        assertEquals("HTTP/1.1 403", upgradeStatus("Origin: null\r\n"));
        assertEquals("HTTP/1.1 403", upgradeStatus("Origin: https://noc.example.com.evil.example\r\n"));
        assertEquals("HTTP/1.1 101", upgradeStatus("Origin: https://noc.example.COM\r\n"));
        assertEquals("HTTP/1.1 101", upgradeStatus(""));
    }

    private static String upgradeStatus(final String extraHeaders) throws Exception
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", cp.port), 5000);
            socket.setSoTimeout(10_000);
            final OutputStream out = socket.getOutputStream();
            out.write(("GET /debug HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + extraHeaders
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
        }
    }

    /** A watcher that never reads is dropped with close 1008; the server keeps answering meanwhile. */
    @Test
    void shouldDropASlowWatcher() throws Exception
    {
        try (Socket slow = new Socket())
        {
            slow.setReceiveBufferSize(4096);
            slow.connect(new InetSocketAddress("127.0.0.1", cp.port), 5000);
            slow.setSoTimeout(30_000);
            final OutputStream out = slow.getOutputStream();
            out.write(("GET /debug HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();

            // Produce far more events than the watcher's queue and socket buffers hold.
            final ExecutorService pool = Executors.newFixedThreadPool(8);
            try
            {
                final List<Future<?>> calls = new CopyOnWriteArrayList<>();
                for (int i = 0; i < 14_000; i++)
                {
                    final String callId = "flood-" + i;
                    calls.add(pool.submit(() -> cp.route(callId, "+14155551234", "carrier.example", "+12025550123")));
                }
                for (final Future<?> f : calls)
                {
                    f.get(60, TimeUnit.SECONDS); // every /route was answered while the watcher stalled
                }
            }
            finally
            {
                pool.shutdownNow();
            }

            // Now read: the 101, then text frames, then the server's close frame with 1008.
            final int closeCode = RawWebSocket.readUntilClose(slow.getInputStream()).code();
            assertEquals(1008, closeCode, "a watcher that cannot keep up is dropped with policy violation");
        }
    }
}
