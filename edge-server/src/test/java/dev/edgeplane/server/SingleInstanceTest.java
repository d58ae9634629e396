package dev.edgeplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import dev.edgeplane.persistence.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One process per port and per data directory: a second instance fails to start, with a clear reason. */
class SingleInstanceTest
{
    @TempDir
    Path first;
    @TempDir
    Path second;

    @Test
    void shouldRefuseASecondInstanceOnTheSamePortOrDataDirectory() throws Exception
    {
        final String db = TestPostgres.freshDatabaseUrl("single_instance");
        try (EdgeServer running = TestServers.start(first, db, Map.of()))
        {
            final int port = running.port(SurfaceKind.TELAPI);
            final IllegalStateException samePort = assertThrows(IllegalStateException.class,
                () -> TestServers.start(second, db, Map.of(SurfaceKind.TELAPI.portVariable(), String.valueOf(port))));
            assertTrue(samePort.getMessage().contains("cannot listen") && samePort.getMessage().contains(String.valueOf(port)),
                samePort.getMessage());

            final IllegalStateException sameData = assertThrows(IllegalStateException.class,
                () -> TestServers.start(first, db, Map.of()));
            assertTrue(sameData.getMessage().contains("in use by another Edgeplane process")
                && sameData.getMessage().contains("pid " + ProcessHandle.current().pid()), sameData.getMessage());

            assertEquals(200, TestServers.get(port, "/health").statusCode(), "the running instance is untouched");
        }
        try (EdgeServer restarted = TestServers.start(first, db, Map.of()))
        {
            assertEquals(200, TestServers.get(restarted.port(SurfaceKind.TELAPI), "/health").statusCode(),
                "the lock goes with the process that held it");
        }
    }
}
