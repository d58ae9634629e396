package dev.edgeplane.telapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Asterisk unreachable at start-up: the gateway keeps retrying, and a browser that joined meanwhile is resynchronised. */
class LateAriTest
{
    @TempDir
    Path dataDir;

    @Test
    void shouldResyncBrowsersThatJoinedBeforeAriWasReachable() throws Exception
    {
        final int ariPort;
        try (ServerSocket probe = new ServerSocket(0))
        {
            ariPort = probe.getLocalPort(); // free now; nothing listens until the stub starts
        }
        try (EdgeServer server = TestServers.start(dataDir, TestPostgres.freshDatabaseUrl("telapi_late"), Map.of(
            "EDGEPLANE_SURFACES", "telapi",
            "JWT_SECRET", TokenVectors.secret(),
            "DOMAIN_TELPRO", "telpro.example.com",
            "ARI_URL", "http://127.0.0.1:" + ariPort,
            "ARI_USERNAME", "asterisk", "ARI_PASSWORD", "ari-secret", "ARI_APP", "late",
            "TELAPI_ARI_RECONNECT_MIN_MS", "50", "TELAPI_ARI_RECONNECT_MAX_MS", "200",
            "OTEL_ENABLED", "false")))
        {
            final int port = server.port(SurfaceKind.TELAPI);
            final HttpResponse<String> r = TestServers.CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/tokens/call"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + TokenVectors.nextAuth("valid"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"channelId\":\"late-1\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(201, r.statusCode(), r.body());
            final BrowserClient b = BrowserClient.connect(port, (String)TestServers.json(r.body()).get("token"));
            assertTrue(b.await("\"type\":\"hello\"").contains("\"ari\":\"disconnected\""));
            b.send("{\"op\":\"answer\",\"id\":\"early\"}");
            assertTrue(b.await("\"id\":\"early\"").contains("ARI unreachable"), "a command while ARI is down is refused, not lost");

            try (AriStub ari = new AriStub("asterisk", "ari-secret", "late", ariPort))
            {
                ari.channels.put("late-1", "{\"id\":\"late-1\",\"state\":\"Ringing\"}");
                final String resync = b.await("\"type\":\"resync\"");
                assertTrue(resync.contains("\"state\":\"Ringing\""), resync);
                ari.send(AriStub.channelEvent("ChannelStateChange", "late-1", "Up"));
                b.await("\"state\":\"Up\"");
            }
            b.close();
        }
    }
}
