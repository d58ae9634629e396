package dev.edgeplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.edgeplane.persistence.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each listener holds at most its cap of connections: one over it is answered 503 and closed, while
 * the other listeners (the control plane Kamailio reaches) keep answering, and a freed slot is used again.
 */
class ConnectionLimitTest
{
    @TempDir
    Path dataDir;

    @Test
    void shouldRefuseConnectionsOverTheCapAndKeepOtherListenersServing() throws Exception
    {
        final int cap = 8;
        try (EdgeServer server = TestServers.start(dataDir, TestPostgres.freshDatabaseUrl("connection_limit"),
            Map.of(EdgeSettings.MAX_CONNECTIONS, String.valueOf(cap))))
        {
            final int telapi = server.port(SurfaceKind.TELAPI);
            final List<RawHttp> idle = new ArrayList<>();
            try
            {
                for (int i = 0; i < cap; i++)
                {
                    idle.add(new RawHttp(telapi));
                }
                // The slots are taken when the server accepts, which may trail connect(): ask on each.
                for (final RawHttp connection : idle)
                {
                    connection.send("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n");
                    assertEquals(200, connection.read().status());
                }
                try (RawHttp over = new RawHttp(telapi))
                {
                    final RawHttp.Response r = over.read();
                    HttpErrorContractTest.assertError(503, "too_many_connections", r);
                    assertEquals("1", r.header("retry-after"));
                    assertTrue(over.closedByServer());
                }
                assertEquals(200, TestServers.get(server.port(SurfaceKind.CONTROL_PLANE), "/metrics").statusCode(),
                    "the control plane listener has its own connections");

                idle.remove(0).close();
                final long deadline = System.nanoTime() + 5_000_000_000L;
                int status;
                do
                {
                    try (RawHttp again = new RawHttp(telapi))
                    {
                        again.send("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n");
                        status = again.read().status();
                    }
                }
                while (status != 200 && System.nanoTime() < deadline);
                assertEquals(200, status, "a closed connection gives its slot back");
            }
            finally
            {
                for (final RawHttp connection : idle)
                {
                    connection.close();
                }
            }
        }
    }
}
