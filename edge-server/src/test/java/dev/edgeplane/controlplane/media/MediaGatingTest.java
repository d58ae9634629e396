package dev.edgeplane.controlplane.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gates: media routes admit media-node addresses only (here loopback is not one, so 403 even with
 * the admin token, and nothing is written); {@code /admin/tts/generate} needs the admin token (401),
 * refuses bad parameters (400) and, with no engine, answers 503 {@code tts_unavailable}.
 */
class MediaGatingTest
{
    static final String ADMIN_TOKEN = "media-admin-token-0123456789";

    @TempDir
    static Path dataDir;
    static EdgeServer server;
    static int port;

    @BeforeAll
    static void start()
    {
        server = TestServers.start(dataDir, TestPostgres.freshDatabaseUrl("media_gating"), Map.of(
            "ADMIN_TOKEN", ADMIN_TOKEN,
            "MEDIA_NODE_CIDRS", "192.0.2.0/24",
            MediaSettings.TTS_ENGINE, "none"));
        port = server.port(SurfaceKind.CONTROL_PLANE);
    }

    @AfterAll
    static void stop()
    {
        server.close();
    }

    static HttpResponse<String> send(final String method, final String path, final String token, final byte[] body)
        throws Exception
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(20))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null)
        {
            b.header("x-admin-token", token);
        }
        return TestServers.CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String errorCode(final HttpResponse<String> r)
    {
        @SuppressWarnings("unchecked")
        final Map<String, Object> error = (Map<String, Object>)TestServers.json(r.body()).get("error");
        return (String)error.get("code");
    }

    @Test
    void shouldForbidMediaRoutesToAddressesOutsideTheMediaNodes() throws Exception
    {
        final HttpResponse<String> get = send("GET", "/media/prompts/en/male/menu.wav", null, null);
        assertEquals(403, get.statusCode(), get.body());
        assertEquals("forbidden", errorCode(get));
        assertTrue(get.body().contains("MEDIA_NODE_CIDRS"), get.body());

        final HttpResponse<String> put = send("PUT", "/media/vm/rec.wav", null, new byte[1000]);
        assertEquals(403, put.statusCode(), put.body());
        final HttpResponse<String> withToken = send("PUT", "/media/vm/rec.wav", ADMIN_TOKEN, new byte[1000]);
        assertEquals(403, withToken.statusCode(), "the admin token does not open media routes: " + withToken.body());
        assertFalse(Files.exists(dataDir.resolve("media/vm")), "a refused upload writes nothing");
    }

    @Test
    void shouldRequireTheAdminTokenForTtsGeneration() throws Exception
    {
        assertEquals(401, send("POST", "/admin/tts/generate", null, null).statusCode());
        final HttpResponse<String> wrong = send("POST", "/admin/tts/generate?lang=en", "not-the-token", null);
        assertEquals(401, wrong.statusCode());
        assertEquals("unauthorized", errorCode(wrong));
    }

    @Test
    void shouldRejectBadTtsParameters() throws Exception
    {
        for (final String query : new String[] {"lang=xx", "lang=EN", "gender=robot", "gender=Male", "force=maybe",
            "language=en", "lang=en&lang=es", "lang=%C3%28"})
        {
            final HttpResponse<String> r = send("POST", "/admin/tts/generate?" + query, ADMIN_TOKEN, null);
            assertEquals(400, r.statusCode(), query + ": " + r.body());
            assertEquals("invalid_request", errorCode(r), query);
        }
        assertFalse(Files.exists(dataDir.resolve("media/prompts")));
    }

    @Test
    void shouldAnswer503WithoutAnEngine() throws Exception
    {
        final HttpResponse<String> r = send("POST", "/admin/tts/generate?lang=en&gender=female", ADMIN_TOKEN, null);
        assertEquals(503, r.statusCode(), r.body());
        assertEquals("tts_unavailable", errorCode(r));
    }
}
