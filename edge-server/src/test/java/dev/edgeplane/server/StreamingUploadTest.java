package dev.edgeplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;

import dev.edgeplane.persistence.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Streamed request bodies: delivered whole and in order, bounded, refused early, aborted cleanly. */
class StreamingUploadTest
{
    @TempDir
    static Path dataDir;
    static EdgeServer server;
    static int port;

    @BeforeAll
    static void start()
    {
        server = TestServers.start(dataDir, TestPostgres.freshDatabaseUrl("streaming"), Map.of(EdgeSettings.REQUEST_TIMEOUT_MS, "2000"));
        port = server.port(SurfaceKind.TELAPI);
    }

    @AfterAll
    static void stop()
    {
        server.close();
    }

    @Test
    void shouldStreamALargeBodyWithoutBufferingIt() throws Exception
    {
        final byte[] body = new byte[5 << 20]; // larger than the aggregated-body limit of 1 MiB
        new Random(42).nextBytes(body);
        final CRC32 crc = new CRC32();
        crc.update(body);
        final HttpResponse<String> r = TestServers.CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/test/upload/a"))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals((long)body.length, TestServers.json(r.body()).get("bytes"));
        assertEquals(crc.getValue(), TestServers.json(r.body()).get("crc"));
    }

    @Test
    void shouldRefuseAnOversizeUploadBeforeReadingIt() throws Exception
    {
        try (RawHttp raw = new RawHttp(port))
        {
            raw.send("PUT /test/upload/big HTTP/1.1\r\nHost: t\r\nContent-Length: " + (TestSurface.UPLOAD_LIMIT + 1) + "\r\n\r\n");
            HttpErrorContractTest.assertError(413, "payload_too_large", raw.read());
        }
    }

    @Test
    void shouldAbortAChunkedUploadThatCrossesTheLimit() throws Exception
    {
        final int before = TestSurface.UPLOADS_ABORTED.get();
        try (RawHttp raw = new RawHttp(port))
        {
            raw.send("PUT /test/upload/chunky HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
            final byte[] chunk = new byte[1 << 20];
            final String size = Integer.toHexString(chunk.length) + "\r\n";
            try
            {
                for (int i = 0; i < 9; i++)
                {
                    raw.send(size);
                    raw.send(chunk);
                    raw.send("\r\n");
                }
            }
            catch (final java.io.IOException closedUnderUs)
            {
                // the server may close while we are still sending
            }
            HttpErrorContractTest.assertError(413, "payload_too_large", raw.read());
        }
        TestServers.await("the sink to see the abort", 10_000, () -> TestSurface.UPLOADS_ABORTED.get() > before);
    }

    @Test
    void shouldAbortWhenTheClientGoesAway() throws Exception
    {
        final int before = TestSurface.UPLOADS_ABORTED.get();
        try (RawHttp raw = new RawHttp(port))
        {
            raw.send("PUT /test/upload/gone HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n");
            raw.send(new byte[1000]);
        }
        TestServers.await("the sink to see the abort", 10_000, () -> TestSurface.UPLOADS_ABORTED.get() > before);
    }

    @Test
    void shouldAnswerARefusalWithoutReadingTheBody() throws Exception
    {
        final HttpResponse<String> r = TestServers.CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/test/upload/refuse"))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[100])).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.body().contains("refused before the body"));
    }
}
