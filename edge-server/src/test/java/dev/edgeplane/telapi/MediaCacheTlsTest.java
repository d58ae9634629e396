package dev.edgeplane.telapi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The TTS media cache client over HTTPS with a private CA (test PKI under {@code telapi/pki}, made by
 * keytool): the right bundle raw and base64, an empty bundle, a wrong CA, a garbage bundle, and a
 * self-signed media host.
 */
class MediaCacheTlsTest
{
    static final String UPLOAD_TOKEN = "media-upload-token-0123";
    static HttpsServer media;
    static HttpsServer selfSigned;
    static final Map<String, byte[]> stored = new ConcurrentHashMap<>();

    static String resource(final String name) throws IOException
    {
        try (InputStream in = MediaCacheTlsTest.class.getResourceAsStream("/telapi/pki/" + name))
        {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    static HttpsServer https(final String keystore) throws Exception
    {
        final KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = MediaCacheTlsTest.class.getResourceAsStream("/telapi/pki/" + keystore))
        {
            ks.load(in, "changeit".toCharArray());
        }
        final KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        final SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        final HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        s.setHttpsConfigurator(new HttpsConfigurator(ctx));
        s.createContext("/", ex ->
        {
            final String key = ex.getRequestURI().getPath().substring(1);
            final String method = ex.getRequestMethod();
            final boolean authorized = ("Bearer " + UPLOAD_TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"));
            byte[] body = new byte[0];
            int status;
            if (method.equals("HEAD"))
            {
                status = 200;
            }
            else if (method.equals("GET"))
            {
                body = stored.get(key);
                status = body == null ? 404 : 200;
                body = body == null ? new byte[0] : body;
            }
            else if (!authorized)
            {
                status = 401;
            }
            else if (method.equals("PUT"))
            {
                stored.put(key, ex.getRequestBody().readAllBytes());
                status = 201;
            }
            else if (method.equals("DELETE"))
            {
                status = stored.remove(key) == null ? 404 : 204;
            }
            else
            {
                status = 405;
            }
            ex.sendResponseHeaders(status, status == 204 || method.equals("HEAD") ? -1 : body.length);
            if (body.length > 0)
            {
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        s.start();
        return s;
    }

    @BeforeAll
    static void start() throws Exception
    {
        media = https("media-host.p12");
        selfSigned = https("self-signed-host.p12");
    }

    @AfterAll
    static void stop()
    {
        media.stop(0);
        selfSigned.stop(0);
    }

    static TtsMediaCache client(final HttpsServer server, final String bundle)
    {
        return new TtsMediaCache("https://localhost:" + server.getAddress().getPort(), UPLOAD_TOKEN,
            MediaCacheTls.fromBundle(bundle), Duration.ofSeconds(5));
    }

    @Test
    void shouldWriteReadAndDeleteTrustingARawPemBundle() throws Exception
    {
        try (TtsMediaCache cache = client(media, resource("media-ca.pem")))
        {
            assertEquals(MediaCacheTls.MODE_RAW, cache.tls().mode());
            assertTrue(cache.tls().looksLikePem());
            final byte[] wav = "RIFF....WAVEfmt ".getBytes(StandardCharsets.US_ASCII);
            final TtsMediaCache.Result put = cache.put("prompts/en/female/menu.wav", wav, "audio/wav");
            assertTrue(put.ok(), put.error());
            assertArrayEquals(wav, stored.get("prompts/en/female/menu.wav"), "the bearer write reached the media host");
            final TtsMediaCache.Result get = cache.get("prompts/en/female/menu.wav");
            assertEquals(200, get.status());
            assertArrayEquals(wav, get.body());
            assertEquals(204, cache.delete("prompts/en/female/menu.wav").status());
            assertEquals(404, cache.get("prompts/en/female/menu.wav").status());
        }
    }

    @Test
    void shouldTrustABase64Bundle() throws Exception
    {
        final String b64 = Base64.getEncoder().encodeToString(resource("media-ca.pem").getBytes(StandardCharsets.US_ASCII));
        try (TtsMediaCache cache = client(media, b64))
        {
            assertEquals(MediaCacheTls.MODE_BASE64, cache.tls().mode());
            assertEquals(resource("media-ca.pem").length(), cache.tls().decodedLength(), "decoded length counts the PEM bytes");
            assertTrue(cache.tls().looksLikePem());
            final TtsMediaCache.Result probe = cache.probe();
            assertEquals(200, probe.status(), probe.error());
        }
    }

    @Test
    void shouldReportAnEmptyBundleInTheDiagAndFailAgainstAPrivateCa() throws Exception
    {
        try (TtsMediaCache cache = client(media, ""))
        {
            final Map<String, Object> diag = cache.diag();
            assertEquals(MediaCacheTls.MODE_SYSTEM, diag.get("mediaCacheTlsMode"));
            assertEquals(0, diag.get("decodedCaBundleByteLength"));
            assertEquals(false, diag.get("decodedCaLooksLikePem"));
            assertTrue(((String)diag.get("problem")).contains("TTS_MEDIA_CACHE_CA_BUNDLE is empty"), diag.toString());
            final TtsMediaCache.Result r = cache.get("prompts/x.wav");
            assertEquals(0, r.status());
            assertTrue(r.error().contains("self-signed or unknown CA") && r.error().contains("TTS_MEDIA_CACHE_CA_BUNDLE is empty"), r.error());
        }
    }

    @Test
    void shouldExplainAWrongCa() throws Exception
    {
        try (TtsMediaCache cache = client(media, resource("other-ca.pem")))
        {
            final TtsMediaCache.Result r = cache.put("prompts/x.wav", new byte[] {1}, "audio/wav");
            assertEquals(0, r.status());
            assertTrue(r.error().contains("does not chain to a trusted CA") && r.error().contains("CN=Some Other CA"), r.error());
            assertFalse(stored.containsKey("prompts/x.wav"));
        }
        // A self-signed media host is refused even with the right private CA, and the diagnostics show why.
        try (TtsMediaCache cache = client(selfSigned, resource("media-ca.pem")))
        {
            assertTrue(cache.probe().error().contains("self-signed or unknown CA"));
        }
        final List<String> chain = MediaCacheTls.presentedChain("127.0.0.1", selfSigned.getAddress().getPort(), 5000);
        assertTrue(chain.get(0).contains("(self-signed)"), chain.toString());
        final List<String> good = MediaCacheTls.presentedChain("127.0.0.1", media.getAddress().getPort(), 5000);
        assertTrue(good.get(0).contains("issuer=CN=Edgeplane Test Media CA"), good.toString());
    }

    @Test
    void shouldFailClosedOnAGarbageBundleAndNeverLogSecrets()
    {
        try (TtsMediaCache cache = client(media, "not a certificate at all"))
        {
            assertTrue(cache.tls().mode().startsWith(MediaCacheTls.MODE_INVALID), cache.tls().mode());
            assertNull(cache.tls().context());
            assertNotNull(cache.configProblem());
            assertTrue(cache.get("a.wav").error().contains("TTS_MEDIA_CACHE_CA_BUNDLE"));
            final String diag = TelapiGateway.diagText(cache.diag());
            assertFalse(diag.contains(UPLOAD_TOKEN), diag);
            assertFalse(diag.contains("not a certificate"), diag);
        }
        try (TtsMediaCache cache = new TtsMediaCache("http://localhost:1", UPLOAD_TOKEN, MediaCacheTls.fromBundle(null), Duration.ofSeconds(1)))
        {
            assertTrue(cache.get("a.wav").error().contains("https://"));
        }
    }

    @Test
    void shouldRefuseWritesWithoutAnUploadToken() throws Exception
    {
        try (TtsMediaCache cache = new TtsMediaCache("https://localhost:" + media.getAddress().getPort(), null,
            MediaCacheTls.fromBundle(resource("media-ca.pem")), Duration.ofSeconds(5)))
        {
            assertTrue(cache.put("a.wav", new byte[] {1}, null).error().contains("TTS_MEDIA_CACHE_UPLOAD_TOKEN"));
            assertEquals(404, cache.get("never-stored.wav").status(), "reads need no token");
        }
    }
}
