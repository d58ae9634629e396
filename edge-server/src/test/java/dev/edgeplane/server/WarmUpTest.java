package dev.edgeplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.state.OffHeapStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up warm-up runs the control plane's call path against a throwaway server before the
 * listeners open, every warm-up request succeeds, and nothing of it reaches the real server: its
 * stores, its database and its data directory are as a server that never warmed up leaves them.
 */
class WarmUpTest
{
    @TempDir
    Path dataDir;

    @Test
    void shouldWarmUpOnAThrowawayServerAndLeaveTheRealOneUntouched() throws Exception
    {
        final String databaseUrl = TestPostgres.freshDatabaseUrl("warmup");
        try (EdgeServer server = TestServers.start(dataDir, databaseUrl, Map.of(EdgeSettings.WARMUP_S, "2")))
        {
            final WarmUp.Result result = server.warmUp();
            assertNull(result.note(), "ran in full: " + result);
            assertTrue(result.requests() > 100, "calls replayed: " + result); // how many depends on the machine
            assertEquals(0, result.failed(), "every warm-up request answered 2xx: " + result);
            assertTrue(result.millis() >= 2_000, result.toString());

            for (final OffHeapStore<?> store : server.runtime().stores())
            {
                assertEquals(0, store.size(), "no warm-up entry in the real store " + store.name());
            }
            for (final String table : new String[] {"event_log", "call_traces", "call_records", "accounts"})
            {
                assertEquals(0, TestServers.count(databaseUrl, "SELECT count(*) FROM " + table), "real " + table);
            }
            assertEquals(0, TestServers.count(databaseUrl, "SELECT count(*) FROM pg_database WHERE datname LIKE 'edgeplane_warmup%'"),
                "the throwaway database is dropped");
            assertFalse(Files.exists(dataDir.resolve("warmup")), "the throwaway data directory is deleted");
            assertEquals(0, server.runtime().journal().lastSeq(), "nothing journaled by the real server");

            // The real server serves once the warm-up is over.
            assertEquals(200, TestServers.get(server.port(SurfaceKind.CONTROL_PLANE), "/health/ready").statusCode());
        }
    }
}
