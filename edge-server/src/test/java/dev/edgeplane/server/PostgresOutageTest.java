package dev.edgeplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import dev.edgeplane.persistence.EmbeddedPostgresServer;
import dev.edgeplane.persistence.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With PostgreSQL stopped the server keeps answering and acknowledging journaled writes, {@code /health}
 * reports the outage and the lag, and once PostgreSQL is back the backlog drains by itself.
 */
class PostgresOutageTest
{
    @TempDir
    Path dataDir;
    @TempDir
    Path pgDir;

    @Test
    @SuppressWarnings("unchecked")
    void shouldKeepServingWhilePostgresIsDownAndCatchUpAfter() throws Exception
    {
        EmbeddedPostgresServer postgres = TestPostgres.dedicated(pgDir);
        final String databaseUrl = postgres.jdbcUrl();
        try (EdgeServer server = TestServers.start(dataDir, databaseUrl, Map.of()))
        {
            final int port = server.port(SurfaceKind.TELAPI);
            for (int i = 0; i < 20; i++)
            {
                assertEquals(200, TestServers.post(port, "/test/events", "application/json", "{\"id\":\"before-" + i + "\"}").statusCode());
            }
            TestServers.await("the first writes to flush", 20_000,
                () -> server.runtime().flusher().status().lagEvents() == 0);

            postgres.stop();
            for (int i = 0; i < 200; i++)
            {
                final HttpResponse<String> r = TestServers.post(port, "/test/events", "application/json", "{\"id\":\"during-" + i + "\"}");
                assertEquals(200, r.statusCode(), "writes are acknowledged from the journal while PostgreSQL is down");
            }
            TestServers.await("/health to report the outage and the backlog", 20_000, () ->
            {
                final Map<String, Object> h = healthOf(port);
                final Map<String, Map<String, Object>> c = (Map<String, Map<String, Object>>)h.get("checks");
                return h.get("status").equals("degraded") && ((Number)c.get("journal").get("lag_events")).longValue() >= 200;
            });
            final HttpResponse<String> health = TestServers.get(port, "/health");
            assertEquals(200, health.statusCode(), "a degraded server still takes traffic");
            final Map<String, Map<String, Object>> checks = (Map<String, Map<String, Object>>)TestServers.json(health.body()).get("checks");
            assertEquals("down", checks.get("postgres").get("status"));
            assertTrue(((Number)checks.get("journal").get("lag_events")).longValue() >= 200, health.body());

            postgres = TestPostgres.restart(postgres);
            TestServers.await("the backlog to drain", 60_000, () -> server.runtime().flusher().status().lagEvents() == 0);
            assertEquals(220, TestServers.count(databaseUrl, "SELECT count(*) FROM event_log WHERE type = 'test.event'"));
            TestServers.await("/health to recover", 20_000, () -> healthOf(port).get("status").equals("ok"));
        }
        finally
        {
            postgres.close();
        }
    }

    private static Map<String, Object> healthOf(final int port)
    {
        try
        {
            return TestServers.json(TestServers.get(port, "/health").body());
        }
        catch (final Exception e)
        {
            throw new IllegalStateException(e);
        }
    }
}
