package dev.edgeplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * Requests the grace period did not see through are answered 503 (not cut): one whose body is
     * still arriving (nothing applied), one whose answer is not ready, one whose head is not complete.
     */
    @Test
    void shouldAnswerWhatIsStillArrivingOrInFlightWhenTheGraceEnds() throws Exception
    {
        final EdgeServer server = TestServers.start(dataDir, TestPostgres.freshDatabaseUrl("shutdown_cut"),
            Map.of("EDGEPLANE_SHUTDOWN_GRACE_MS", "500", "EDGEPLANE_REQUEST_TIMEOUT_MS", "20000"));
        final int port = server.port(SurfaceKind.TELAPI);
        try (RawHttp partialBody = new RawHttp(port); RawHttp inFlight = new RawHttp(port); RawHttp partialHead = new RawHttp(port))
        {
            partialBody.send("POST /test/events HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                + "Content-Length: 40\r\n\r\n{\"id\":\"never");
            inFlight.send("GET /test/slow?ms=5000 HTTP/1.1\r\nHost: t\r\n\r\n");
            partialHead.send("GET /test/slow HTTP/1.1\r\nHost: t\r\nX-Half: ");
            TestServers.await("the slow request to be in flight", 10_000, () -> server.runtime().inFlight() == 1);

            final Thread closer = new Thread(server::close);
            closer.start();
            for (final RawHttp client : new RawHttp[] {partialBody, inFlight, partialHead})
            {
                final RawHttp.Response r = client.read();
                assertEquals(503, r.status(), r.body());
                assertTrue(r.body().contains("\"shutting_down\""), r.body());
                assertEquals("close", r.headers().get("connection"));
                assertEquals("1", r.headers().get("retry-after"), r.headers().toString());
            }
            closer.join(30_000);
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
