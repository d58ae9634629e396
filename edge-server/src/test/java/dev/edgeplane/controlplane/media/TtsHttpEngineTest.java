package dev.edgeplane.controlplane.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP TTS provider client against a loopback provider: the request it sends (JSON, bearer
 * token), success, retries on 5xx and 429, immediate failure on 401 (token scrubbed from the message),
 * bounded attempts and timeouts; then {@code /admin/tts/generate} on a server configured with
 * {@code EDGEPLANE_TTS_ENGINE=http}.
 */
class TtsHttpEngineTest
{
    static final String TOKEN = "provider-secret-token-42";
    static final String ADMIN_TOKEN = "tts-http-admin-token-0123456789";
    static final byte[] WAV = wav(2_000);

    /** What the provider answers next: a queue of statuses, then {@link #fallback} for every later request. */
    static final ConcurrentLinkedQueue<Integer> script = new ConcurrentLinkedQueue<>();
    static volatile int fallback = 200;
    static volatile long delayMillis;
    static volatile byte[] okBody = WAV;
    static final AtomicInteger requests = new AtomicInteger();
    static final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();

    @TempDir
    static Path dataDir;
    static HttpServer provider;
    static URI providerUrl;
    static EdgeServer server;

    @BeforeAll
    static void start() throws IOException
    {
        provider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        provider.createContext("/v1/speech", TtsHttpEngineTest::answer);
        provider.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        provider.start();
        providerUrl = URI.create("http://127.0.0.1:" + provider.getAddress().getPort() + "/v1/speech");
        server = TestServers.start(dataDir, TestPostgres.freshDatabaseUrl("tts_http"), Map.of(
            "ADMIN_TOKEN", ADMIN_TOKEN,
            MediaSettings.TTS_ENGINE, "http",
            MediaSettings.TTS_URL, providerUrl.toString(),
            MediaSettings.TTS_TOKEN, TOKEN,
            MediaSettings.TTS_RETRIES, "1"));
    }

    @AfterAll
    static void stop()
    {
        if (server != null)
        {
            server.close();
        }
        provider.stop(0);
    }

    @BeforeEach
    void reset()
    {
        script.clear();
        fallback = 200;
        delayMillis = 0;
        okBody = WAV;
        requests.set(0);
        seen.clear();
    }

    private static void answer(final HttpExchange ex) throws IOException
    {
        requests.incrementAndGet();
        final String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        seen.add(ex.getRequestMethod() + " " + ex.getRequestHeaders().getFirst("Authorization") + " "
            + ex.getRequestHeaders().getFirst("Content-Type") + " " + body);
        if (delayMillis > 0)
        {
            try
            {
                Thread.sleep(delayMillis);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        }
        final Integer scripted = script.poll();
        final int status = scripted != null ? scripted : fallback;
        final byte[] out = status == 200 ? okBody
            : ("{\"error\":\"status " + status + "\",\"echo\":\"" + ex.getRequestHeaders().getFirst("Authorization") + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", status == 200 ? "audio/wav" : "application/json");
        if (status == 429)
        {
            ex.getResponseHeaders().set("Retry-After", "0");
        }
        ex.sendResponseHeaders(status, out.length);
        try (OutputStream os = ex.getResponseBody())
        {
            os.write(out);
        }
    }

    /** A valid 8 kHz mono 16-bit WAV with {@code samples} silent samples. */
    static byte[] wav(final int samples)
    {
        final ByteBuffer b = ByteBuffer.allocate(44 + samples * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + samples * 2).put("WAVE".getBytes(StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short)1).putShort((short)1).putInt(8000)
            .putInt(16000).putShort((short)2).putShort((short)16);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(samples * 2);
        return b.array();
    }

    static HttpTtsEngine engine(final int retries, final long timeoutMillis)
    {
        return new HttpTtsEngine(providerUrl, TOKEN, timeoutMillis, retries, 10, 1 << 20);
    }

    @Test
    void shouldPostJsonWithTheBearerTokenAndReturnTheAudio() throws Exception
    {
        final byte[] audio = engine(2, 5_000).synthesize("Hello there", "en", VoiceGender.FEMALE);
        assertArrayEquals(WAV, audio);
        assertEquals(1, requests.get());
        final String request = seen.poll();
        assertTrue(request.startsWith("POST Bearer " + TOKEN + " application/json "), request);
        final Map<String, Object> json = TestServers.json(request.substring(request.indexOf('{')));
        assertEquals(Map.of("text", "Hello there", "lang", "en", "gender", "female"), json);
    }

    @Test
    void shouldRetryA500AndSucceed() throws Exception
    {
        script.add(500);
        assertArrayEquals(WAV, engine(2, 5_000).synthesize("x", "en", VoiceGender.MALE));
        assertEquals(2, requests.get());
    }

    @Test
    void shouldRetryA429HonouringRetryAfter() throws Exception
    {
        script.add(429);
        script.add(503);
        assertArrayEquals(WAV, engine(2, 5_000).synthesize("x", "es", VoiceGender.MALE));
        assertEquals(3, requests.get());
    }

    @Test
    void shouldGiveUpAfterTheLastRetry() throws Exception
    {
        fallback = 503;
        final TtsException e = assertThrows(TtsException.class, () -> engine(2, 5_000).synthesize("x", "en", VoiceGender.MALE));
        assertEquals(3, requests.get());
        assertTrue(e.getMessage().contains("503") && e.getMessage().contains("3 attempts"), e.getMessage());
    }

    @Test
    void shouldFailAt401WithoutRetryingOrRevealingTheToken() throws Exception
    {
        fallback = 401;
        final TtsException e = assertThrows(TtsException.class, () -> engine(2, 5_000).synthesize("x", "en", VoiceGender.MALE));
        assertEquals(1, requests.get(), "a 401 is not retried");
        assertTrue(e.getMessage().contains("401"), e.getMessage());
        assertFalse(e.getMessage().contains(TOKEN), "the provider echoed the token; the message must not: " + e.getMessage());
    }

    @Test
    void shouldTimeOutASlowProvider() throws Exception
    {
        delayMillis = 2_000;
        final long start = System.nanoTime();
        final TtsException e = assertThrows(TtsException.class, () -> engine(0, 300).synthesize("x", "en", VoiceGender.MALE));
        assertTrue(System.nanoTime() - start < 1_900_000_000L, "the timeout bounds the wait");
        assertTrue(e.getMessage().contains("could not be reached"), e.getMessage());
    }

    @Test
    void shouldGenerateThroughTheHttpEngineAndReportFailures() throws Exception
    {
        fallback = 401;
        final Map<String, Object> refused = generate("lang=es&gender=male");
        assertEquals("http", refused.get("engine"));
        assertEquals(List.of(), refused.get("generated"));
        @SuppressWarnings("unchecked")
        final List<Map<String, Object>> failed = (List<Map<String, Object>>)refused.get("failed");
        assertEquals(TtsGenerateTest.keys("es", "male").size(), failed.size());
        assertEquals("prompts/es/male/menu.wav", failed.get(0).get("key"));
        assertTrue(((String)failed.get(0).get("error")).contains("401"), failed.toString());
        assertFalse(failed.toString().contains(TOKEN));
        assertFalse(Files.exists(dataDir.resolve("media/prompts/es/male/menu.wav")));

        fallback = 200;
        script.add(500); // the first prompt needs the one retry the server is configured with
        final Map<String, Object> ok = generate("lang=es&gender=male");
        assertEquals(TtsGenerateTest.keys("es", "male"), ok.get("generated"));
        assertEquals(List.of(), ok.get("failed"));
        assertArrayEquals(WAV, Files.readAllBytes(dataDir.resolve("media/prompts/es/male/menu.wav")));
        assertTrue(seen.stream().anyMatch(s -> s.contains("\"lang\":\"es\"") && s.contains("\"gender\":\"male\"")
            && s.contains("Gracias por llamar")), "the Spanish catalog text was sent");
    }

    @Test
    void shouldRunOneGenerationAtATime() throws Exception
    {
        delayMillis = 300; // 8 prompts: the first generation holds for over 2 s
        final java.util.concurrent.CompletableFuture<Map<String, Object>> first =
            java.util.concurrent.CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return generate("lang=en&gender=female&force=1");
                }
                catch (final Exception e)
                {
                    throw new IllegalStateException(e);
                }
            });
        TestServers.await("the first generation to reach the provider", 10_000, () -> requests.get() > 0);
        final HttpResponse<String> second = send("lang=es&gender=female");
        assertEquals(409, second.statusCode(), second.body());
        assertTrue(second.body().contains("tts_in_progress"), second.body());
        assertEquals(TtsGenerateTest.keys("en", "female"), first.get(30, java.util.concurrent.TimeUnit.SECONDS).get("generated"));
        delayMillis = 0;
        assertEquals(200, send("lang=es&gender=female").statusCode(), "free again once the first has answered");
    }

    @Test
    void shouldRefuseToStoreSomethingOtherThanWav() throws Exception
    {
        okBody = "ID3\u0004 an mp3 where a WAV was expected, long enough to pass the size check...".getBytes(StandardCharsets.US_ASCII);
        final Map<String, Object> r = generate("lang=en&gender=male&force=1");
        assertEquals(List.of(), r.get("generated"));
        @SuppressWarnings("unchecked")
        final List<Map<String, Object>> failed = (List<Map<String, Object>>)r.get("failed");
        assertEquals(8, failed.size());
        assertTrue(((String)failed.get(0).get("error")).contains("not a RIFF/WAVE file"), failed.toString());
        assertFalse(Files.exists(dataDir.resolve("media/prompts/en/male")), "nothing stored");
        assertTrue(PromptSynthesizer.wavProblem(new byte[10]) != null);
        assertEquals(null, PromptSynthesizer.wavProblem(WAV));
    }

    static Map<String, Object> generate(final String query) throws Exception
    {
        final HttpResponse<String> r = send(query);
        assertEquals(200, r.statusCode(), r.body());
        return TestServers.json(r.body());
    }

    static HttpResponse<String> send(final String query) throws Exception
    {
        return TestServers.CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port(SurfaceKind.CONTROL_PLANE) + "/admin/tts/generate?" + query))
                .timeout(Duration.ofSeconds(60)).header("x-admin-token", ADMIN_TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
    }
}
