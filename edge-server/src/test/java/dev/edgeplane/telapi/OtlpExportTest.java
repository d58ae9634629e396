package dev.edgeplane.telapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code OTEL_ENABLED=true}: TelAPI spans and metrics reach an OTLP/HTTP receiver on loopback; a
 * request's W3C {@code traceparent} becomes the span's parent; browser commands carry a
 * {@code traceparent} to ARI.
 */
class OtlpExportTest
{
    @TempDir
    static Path dataDir;
    static HttpServer collector;
    static final List<byte[]> traces = new CopyOnWriteArrayList<>();
    static final List<byte[]> metrics = new CopyOnWriteArrayList<>();
    static AriStub ari;
    static EdgeServer server;
    static int port;

    @BeforeAll
    static void start() throws Exception
    {
        collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        collector.createContext("/v1/traces", ex ->
        {
            traces.add(ex.getRequestBody().readAllBytes());
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        collector.createContext("/v1/metrics", ex ->
        {
            metrics.add(ex.getRequestBody().readAllBytes());
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        collector.start();
        ari = new AriStub("asterisk", "ari-secret", "telapi-otel");
        final Map<String, String> env = new java.util.HashMap<>(Map.of(
            "EDGEPLANE_SURFACES", "telapi",
            "JWT_SECRET", TokenVectors.secret(),
            "DOMAIN_TELPRO", "telpro.example.com",
            "ARI_URL", ari.url(), "ARI_USERNAME", "asterisk", "ARI_PASSWORD", "ari-secret", "ARI_APP", "telapi-otel"));
        env.put("OTEL_ENABLED", "true");
        env.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collector.getAddress().getPort());
        env.put("OTEL_BSP_SCHEDULE_DELAY", "50");
        env.put("OTEL_METRIC_EXPORT_INTERVAL", "200");
        server = TestServers.start(dataDir, TestPostgres.freshDatabaseUrl("telapi_otel"), env);
        port = server.port(SurfaceKind.TELAPI);
        TestServers.await("the ARI events connection", 10_000, () -> ari.eventSockets() == 1);
    }

    @AfterAll
    static void stop()
    {
        if (server != null)
        {
            server.close();
        }
        ari.close();
        collector.stop(0);
    }

    private static boolean contains(final List<byte[]> bodies, final byte[] needle)
    {
        for (final byte[] body : bodies)
        {
            outer:
            for (int i = 0; i + needle.length <= body.length; i++)
            {
                for (int j = 0; j < needle.length; j++)
                {
                    if (body[i + j] != needle[j])
                    {
                        continue outer;
                    }
                }
                return true;
            }
        }
        return false;
    }

    @Test
    void shouldExportSpansParentedByTraceparentAndMetrics() throws Exception
    {
        final String traceId = "0af7651916cd43dd8448eb211c80319c";
        final HttpResponse<String> r = TestServers.CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/tokens/call"))
            .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + TokenVectors.hs256("valid"))
            .header("traceparent", "00-" + traceId + "-b7ad6b7169203331-01")
            .POST(HttpRequest.BodyPublishers.ofString("{\"channelId\":\"otel-1\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        final byte[] traceIdBytes = HexFormat.of().parseHex(traceId);
        final byte[] spanName = "POST /tokens/call".getBytes(StandardCharsets.UTF_8);
        TestServers.await("the span in the caller's trace at the collector", 10_000,
            () -> contains(traces, traceIdBytes) && contains(traces, spanName));

        // A browser command: a client span, and its traceparent on the ARI call.
        ari.channels.put("otel-1", "{\"id\":\"otel-1\",\"state\":\"Ring\"}");
        final BrowserClient b = BrowserClient.connect(port, (String)TestServers.json(r.body()).get("token"));
        b.await("\"type\":\"hello\"");
        b.send("{\"op\":\"answer\",\"id\":\"a1\"}");
        assertTrue(b.await("\"id\":\"a1\"").contains("\"ok\":true"));
        assertTrue(ari.traceparents.stream().anyMatch(t -> t.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01")), ari.traceparents.toString());
        TestServers.await("the command span", 10_000, () -> contains(traces, "telapi.command answer".getBytes(StandardCharsets.UTF_8)));
        TestServers.await("the gateway's metrics", 10_000,
            () -> contains(metrics, "telapi.channel.sessions".getBytes(StandardCharsets.UTF_8))
                && contains(metrics, "edgeplane-telapi".getBytes(StandardCharsets.UTF_8)));
        b.close();
    }
}
