package dev.edgeplane.telapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /admin/tts/generate} on a server with {@code TTS_MEDIA_CACHE_*} set: every generated
 * prompt is also written to the media cache over private-CA HTTPS with the upload token.
 */
class TtsGeneratePublishTest
{
    static final String ADMIN_TOKEN = "tts-publish-admin-token-0123456789";
    @TempDir
    static Path dataDir;
    static HttpServer provider;
    static HttpsServer media;
    static EdgeServer server;

    @BeforeAll
    static void start() throws Exception
    {
        provider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        provider.createContext("/v1/speech", ex ->
        {
            ex.getRequestBody().readAllBytes();
            final byte[] wav = MediaCachePublishTest.wav("prompt");
            ex.getResponseHeaders().set("Content-Type", "audio/wav");
            ex.sendResponseHeaders(200, wav.length);
            ex.getResponseBody().write(wav);
            ex.close();
        });
        provider.start();
        media = MediaCacheTlsTest.https("media-host.p12");
        server = TestServers.start(dataDir, TestPostgres.freshDatabaseUrl("tts_publish"), Map.of(
            "EDGEPLANE_SURFACES", "control-plane,telapi",
            "ADMIN_TOKEN", ADMIN_TOKEN,
            "EDGEPLANE_TTS_ENGINE", "http",
            "EDGEPLANE_TTS_URL", "http://127.0.0.1:" + provider.getAddress().getPort() + "/v1/speech",
            "TTS_MEDIA_CACHE_BASE_URL", "https://localhost:" + media.getAddress().getPort(),
            "TTS_MEDIA_CACHE_UPLOAD_TOKEN", MediaCacheTlsTest.UPLOAD_TOKEN,
            "TTS_MEDIA_CACHE_CA_BUNDLE", MediaCacheTlsTest.resource("media-ca.pem"),
            "OTEL_ENABLED", "false"));
    }

    @AfterAll
    static void stop()
    {
        if (server != null)
        {
            server.close();
        }
        provider.stop(0);
        media.stop(0);
    }

    @Test
    void shouldPublishGeneratedPromptsIntoTheMediaCache() throws Exception
    {
        MediaCacheTlsTest.stored.clear();
        final HttpResponse<String> r = TestServers.CLIENT.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + server.port(SurfaceKind.CONTROL_PLANE) + "/admin/tts/generate?lang=en&gender=female"))
            .timeout(Duration.ofSeconds(60)).header("x-admin-token", ADMIN_TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        final Map<String, Object> body = TestServers.json(r.body());
        assertEquals(List.of(), body.get("failed"), r.body());
        @SuppressWarnings("unchecked")
        final List<String> generated = (List<String>)body.get("generated");
        assertFalse(generated.isEmpty());
        for (final String key : generated)
        {
            assertTrue(MediaCacheTlsTest.stored.containsKey(key), key + " was published; the cache holds " + MediaCacheTlsTest.stored.keySet());
        }
    }
}
