package dev.edgeplane.controlplane.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /admin/tts/generate} with the real espeak-ng (Debian package {@code espeak-ng}, which
 * {@code .ci/run} installs): real WAV files land in the media store, a second run skips them,
 * {@code force=1} regenerates them, and the media node can fetch them.
 *
 * <p>Without espeak-ng on the PATH these tests fail with a message saying how to install it, rather than
 * passing by running nothing; {@code -Dedgeplane.tts.skip=true} skips them explicitly (a machine that cannot
 * install it).
 */
class TtsGenerateTest
{
    static final String ADMIN_TOKEN = "tts-admin-token-0123456789";

    @TempDir
    static Path dataDir;
    static EdgeServer server;
    static int port;

    @BeforeAll
    static void start()
    {
        Assumptions.assumeFalse(Boolean.getBoolean("edgeplane.tts.skip"), "TTS generation tests skipped (-Dedgeplane.tts.skip=true)");
        if (EspeakEngine.findProgram() == null)
        {
            throw new AssertionError("espeak-ng is not on the PATH, so the TTS generation tests cannot run: install it "
                + "(Debian/Ubuntu: apt-get install espeak-ng; .ci/run does this) or skip them explicitly with "
                + "-Dedgeplane.tts.skip=true");
        }
        server = TestServers.start(dataDir, TestPostgres.freshDatabaseUrl("tts_generate"), Map.of("ADMIN_TOKEN", ADMIN_TOKEN));
        port = server.port(SurfaceKind.CONTROL_PLANE);
    }

    @AfterAll
    static void stop()
    {
        if (server != null)
        {
            server.close();
        }
    }

    static Map<String, Object> generate(final String query) throws Exception
    {
        final HttpResponse<String> r = TestServers.CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/tts/generate?" + query))
                .timeout(Duration.ofSeconds(120)).header("x-admin-token", ADMIN_TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return TestServers.json(r.body());
    }

    static List<String> keys(final String lang, final String gender)
    {
        final List<String> keys = new ArrayList<>();
        for (final PromptCatalog.Prompt p : PromptCatalog.load().prompts())
        {
            keys.add(PromptCatalog.key(lang, VoiceGender.byWireName(gender), p.id()));
        }
        return keys;
    }

    static void assertRealWav(final Path file) throws Exception
    {
        final byte[] b = Files.readAllBytes(file);
        assertTrue(b.length > 10_000, file + " is only " + b.length + " bytes");
        assertEquals("RIFF", new String(b, 0, 4, java.nio.charset.StandardCharsets.US_ASCII), file.toString());
        assertEquals("WAVE", new String(b, 8, 4, java.nio.charset.StandardCharsets.US_ASCII), file.toString());
        assertEquals("fmt ", new String(b, 12, 4, java.nio.charset.StandardCharsets.US_ASCII), file.toString());
    }

    @Test
    void shouldGenerateSkipAndRegenerateWithEspeak() throws Exception
    {
        final List<String> expected = keys("en", "female");
        assertEquals(8, expected.size());

        final Map<String, Object> first = generate("lang=en&gender=female");
        assertEquals(expected, first.get("generated"), first.toString());
        assertEquals(List.of(), first.get("skipped"));
        assertEquals(List.of(), first.get("failed"));
        assertEquals("espeak-ng", first.get("engine"));
        final List<Object> inodes = new ArrayList<>();
        for (final String key : expected)
        {
            final Path file = dataDir.resolve("media").resolve(key);
            assertRealWav(file);
            inodes.add(Files.readAttributes(file, BasicFileAttributes.class).fileKey());
        }

        final HttpResponse<byte[]> fetched = TestServers.CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/media/prompts/en/female/menu.wav")).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, fetched.statusCode());
        assertEquals("audio/wav", fetched.headers().firstValue("content-type").orElse(null));
        final String etag = fetched.headers().firstValue("etag").orElseThrow();

        final Map<String, Object> second = generate("lang=en&gender=female");
        assertEquals(List.of(), second.get("generated"));
        assertEquals(expected, second.get("skipped"));
        for (int i = 0; i < expected.size(); i++)
        {
            assertEquals(inodes.get(i), Files.readAttributes(dataDir.resolve("media").resolve(expected.get(i)),
                BasicFileAttributes.class).fileKey(), "skipped files are left alone");
        }

        final Map<String, Object> forced = generate("lang=en&gender=female&force=1");
        assertEquals(expected, forced.get("generated"));
        assertEquals(List.of(), forced.get("skipped"));
        for (final String key : expected)
        {
            assertRealWav(dataDir.resolve("media").resolve(key));
        }
        final HttpResponse<byte[]> again = TestServers.CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/media/prompts/en/female/menu.wav")).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertNotEquals(etag, again.headers().firstValue("etag").orElseThrow(), "force=1 wrote a new version");
    }

    @Test
    void shouldGenerateSpanishWithAMaleVoice() throws Exception
    {
        final Map<String, Object> r = generate("lang=es&gender=male");
        assertEquals(keys("es", "male"), r.get("generated"), r.toString());
        assertEquals(List.of(), r.get("failed"));
        for (final String key : keys("es", "male"))
        {
            assertRealWav(dataDir.resolve("media").resolve(key));
        }
    }
}
