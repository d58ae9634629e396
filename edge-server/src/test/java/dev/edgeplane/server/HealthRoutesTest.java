package dev.edgeplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.edgeplane.Edgeplane;
import dev.edgeplane.persistence.testing.TestPostgres;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health on every listener: {@code /health} and {@code /health/ready} answer the probe's verdict, {@code /health/live}
 * only that the process answers; a caller the control plane does not trust (here loopback, since the allowlist is
 * set elsewhere) sees the verdict and one word per check, the admin token sees the details.
 */
class HealthRoutesTest
{
    private static final String ADMIN_TOKEN = "health-admin-token-0123456789";
    private static final String PUBLIC_OK = "{\"status\":\"ok\",\"checks\":{\"postgres\":\"up\",\"journal\":\"ok\",\"state\":\"ok\"}}";

    @TempDir
    static Path dataDir;
    static EdgeServer server;

    @BeforeAll
    static void start()
    {
        server = EdgeServer.start(EdgeSettings.from(TestServers.environment(dataDir, TestPostgres.freshDatabaseUrl("health"),
            Map.of("CONTROL_PLANE_ALLOW_CIDRS", "192.0.2.0/24", "ADMIN_TOKEN", ADMIN_TOKEN, "OTEL_ENABLED", "false",
                // One probe at start-up only, so the report a test publishes stays until it puts the real one back.
                EdgeSettings.HEALTH_PROBE_MS, "3600000"))), Edgeplane.surfaces());
    }

    @AfterAll
    static void stop()
    {
        if (server != null)
        {
            server.close();
        }
    }

    @Test
    void shouldAnswerHealthOnEveryListenerWithoutInternalDetailsForAnUntrustedCaller() throws Exception
    {
        for (final SurfaceKind kind : SurfaceKind.values())
        {
            final int port = server.port(kind);
            for (final String path : new String[] {"/health", "/health/ready"})
            {
                final HttpResponse<String> r = get(port, path, null);
                assertEquals(200, r.statusCode(), kind.label() + path);
                assertEquals(PUBLIC_OK, r.body(), kind.label() + path);
            }
            final HttpResponse<String> live = get(port, "/health/live", null);
            assertEquals(200, live.statusCode(), kind.label());
            assertEquals("{\"status\":\"ok\"}", live.body(), kind.label());
        }
        assertEquals(PUBLIC_OK, get(server.port(SurfaceKind.SERVICES), "/healthz", null).body(), "the services seed's /healthz");
        assertEquals(403, get(server.port(SurfaceKind.CONTROL_PLANE), "/cac?accountId=x", null).statusCode(),
            "the caller really is outside the control-plane allowlist");
    }

    @Test
    void shouldShowTheDetailsToTheAdminToken() throws Exception
    {
        final HttpResponse<String> r = get(server.port(SurfaceKind.CONTROL_PLANE), "/health", ADMIN_TOKEN);
        assertEquals(200, r.statusCode());
        final Map<String, Object> checks = checks(r.body());
        final Map<?, ?> postgres = assertInstanceOf(Map.class, checks.get("postgres"));
        assertEquals("up", postgres.get("status"));
        assertTrue(postgres.containsKey("latency_ms"), r.body());
        final Map<?, ?> journal = assertInstanceOf(Map.class, checks.get("journal"));
        assertTrue(journal.containsKey("lag_events"), r.body());

        final HttpResponse<String> wrongToken = get(server.port(SurfaceKind.CONTROL_PLANE), "/health", "not-the-token");
        assertEquals(PUBLIC_OK, wrongToken.body());
    }

    @Test
    void shouldTakeTheNodeOutOfRotationWhileStillLive() throws Exception
    {
        final HealthReport healthy = server.runtime().health();
        final byte[] detailed = "{\"status\":\"unavailable\",\"checks\":{\"journal\":{\"status\":\"closed\",\"last_seq\":7}}}"
            .getBytes(StandardCharsets.UTF_8);
        final byte[] shown = "{\"status\":\"unavailable\",\"checks\":{\"journal\":\"closed\"}}".getBytes(StandardCharsets.UTF_8);
        server.runtime().health(new HealthReport(HttpResponseStatus.SERVICE_UNAVAILABLE, detailed, shown, "unavailable"));
        try
        {
            for (final SurfaceKind kind : SurfaceKind.values())
            {
                final int port = server.port(kind);
                final HttpResponse<String> ready = get(port, "/health/ready", null);
                assertEquals(503, ready.statusCode(), kind.label());
                assertEquals(new String(shown, StandardCharsets.UTF_8), ready.body());
                assertEquals(503, get(port, "/health", null).statusCode(), kind.label());
                assertEquals(200, get(port, "/health/live", null).statusCode(), kind.label() + ": still live");
            }
            assertEquals(new String(detailed, StandardCharsets.UTF_8),
                get(server.port(SurfaceKind.RELAY), "/health", ADMIN_TOKEN).body());
        }
        finally
        {
            server.runtime().health(healthy);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> checks(final String body)
    {
        return (Map<String, Object>)TestServers.json(body).get("checks");
    }

    private static HttpResponse<String> get(final int port, final String path, final String adminToken) throws Exception
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(20)).GET();
        if (adminToken != null)
        {
            b.header("x-admin-token", adminToken);
        }
        return TestServers.CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
