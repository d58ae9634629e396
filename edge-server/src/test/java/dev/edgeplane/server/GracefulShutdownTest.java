package dev.edgeplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.edgeplane.persistence.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shutdown stops accepting, lets the request in flight finish, flushes the journal, and a restart
 * finds the off-heap state where it was.
 */
class GracefulShutdownTest
{
    @TempDir
    Path dataDir;

    @Test
    void shouldFinishInFlightRequestsAndStopAccepting() throws Exception
    {
        final String databaseUrl = TestPostgres.freshDatabaseUrl("shutdown");
        final EdgeServer server = TestServers.start(dataDir, databaseUrl, Map.of());
        final int port = server.port(SurfaceKind.TELAPI);
        assertEquals(200, TestServers.post(port, "/test/events", "application/json", "{\"id\":\"kept\"}").statusCode());

        final CompletableFuture<HttpResponse<String>> slow = TestServers.CLIENT.sendAsync(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/test/slow?ms=700")).build(),
            HttpResponse.BodyHandlers.ofString());
        TestServers.await("the slow request to be in flight", 10_000, () -> server.runtime().inFlight() == 1);

        final Thread closer = new Thread(server::close);
        closer.start();
        TestServers.await("the listener to close", 10_000, () -> !accepts(port));

        final HttpResponse<String> finished = slow.get(10, TimeUnit.SECONDS);
        assertEquals(200, finished.statusCode(), "the in-flight request completes during shutdown");
        assertEquals("close", finished.headers().firstValue("connection").orElse(""));
        closer.join(30_000);
        assertThrows(ConnectException.class, () -> new Socket().connect(new InetSocketAddress("127.0.0.1", port), 1000));
        assertEquals(1, TestServers.count(databaseUrl, "SELECT count(*) FROM event_log WHERE type = 'test.event'"),
            "shutdown flushes the journal");

        try (EdgeServer again = TestServers.start(dataDir, databaseUrl, Map.of()))
        {
            final HttpResponse<String> r = TestServers.get(again.port(SurfaceKind.TELAPI), "/test/events/kept");
            assertEquals(200, r.statusCode(), "off-heap state survives a restart");
            assertEquals(1L, TestServers.json(r.body()).get("seq"));
        }
    }

    private static boolean accepts(final int port)
    {
        try (Socket s = new Socket())
        {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        }
        catch (final IOException e)
        {
            return false;
        }
    }
}
