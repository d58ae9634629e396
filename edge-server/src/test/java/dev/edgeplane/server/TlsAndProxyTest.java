package dev.edgeplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import dev.edgeplane.persistence.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on a listener (a real TLS client, the certificate reloaded when its files change), the PROXY
 * protocol v1 and v2 on another (the allowlist sees the client the header names), and
 * {@code X-Forwarded-For} taken only from a trusted proxy. {@code /metrics} is the probe: it is served on
 * every listener to the control-plane network (loopback here) and refused with 403 to anyone else.
 */
class TlsAndProxyTest
{
    private static final String PKI = "/telapi/pki/";

    @TempDir
    static Path dir;
    static EdgeServer server;
    static Path cert;
    static Path key;

    @BeforeAll
    static void start() throws Exception
    {
        cert = dir.resolve("server.pem");
        key = dir.resolve("server.key");
        writePem("media-host.p12", "media", cert, key);
        server = TestServers.start(dir.resolve("data"), TestPostgres.freshDatabaseUrl("tls_proxy"), Map.of(
            EdgeSettings.TLS_CERT_FILE, cert.toString(),
            EdgeSettings.TLS_KEY_FILE, key.toString(),
            EdgeSettings.TLS_LISTENERS, "telapi",
            EdgeSettings.TLS_RELOAD_MS, "200",
            EdgeSettings.PROXY_PROTOCOL, "control-plane",
            EdgeSettings.TRUSTED_PROXIES, "127.0.0.1/32"));
    }

    @AfterAll
    static void stop()
    {
        server.close();
    }

    @Test
    void shouldServeHttpsWithTheConfiguredCertificateAndReloadIt() throws Exception
    {
        final int telapi = server.port(SurfaceKind.TELAPI);
        final HttpClient client = HttpClient.newBuilder().sslContext(trusting("media-ca.pem")).connectTimeout(Duration.ofSeconds(5)).build();
        final HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + telapi + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("edgeplane_"), "a metrics page");
        assertTrue(subjectOf(telapi).contains("media.test"));

        // A renewal caught half-way (a new key beside the old certificate) is not taken: handshakes go on.
        final Path otherCert = dir.resolve("other.pem");
        writePem("self-signed-host.p12", "self", otherCert, key);
        Thread.sleep(800);
        assertTrue(subjectOf(telapi).contains("media.test"), "the previous pair still serves");

        // Replace both files (as a completed renewal would); new connections get the new certificate.
        writePem("self-signed-host.p12", "self", cert, key);
        final long deadline = System.nanoTime() + 10_000_000_000L;
        String subject;
        do
        {
            Thread.sleep(100);
            subject = subjectOf(telapi);
        }
        while (!subject.contains("self-signed") && System.nanoTime() < deadline);
        assertTrue(subject.contains("self-signed"), "reloaded: " + subject);
    }

    @Test
    void shouldTakeTheClientFromAProxyProtocolHeader() throws Exception
    {
        final int controlPlane = server.port(SurfaceKind.CONTROL_PLANE);
        try (RawHttp raw = new RawHttp(controlPlane))
        {
            raw.send("PROXY TCP4 203.0.113.7 127.0.0.1 5555 " + controlPlane + "\r\nGET /metrics HTTP/1.1\r\nHost: t\r\n\r\n");
            final RawHttp.Response r = raw.read();
            HttpErrorContractTest.assertError(403, "forbidden", r);
            assertTrue(r.body().contains("203.0.113.7"), r.body());
        }
        try (RawHttp raw = new RawHttp(controlPlane))
        {
            raw.send(proxyV2(new byte[] {127, 0, 0, 9}, controlPlane));
            raw.send("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals(200, raw.read().status(), "a loopback client named by a v2 header is on the allowlist");
        }
        try (RawHttp raw = new RawHttp(controlPlane))
        {
            raw.send("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n");
            assertTrue(raw.closedByServer(), "a connection without the header is closed");
        }
    }

    @Test
    void shouldTakeXForwardedForOnlyFromATrustedProxy() throws Exception
    {
        final int relay = server.port(SurfaceKind.RELAY);
        assertEquals(403, metricsForwardedFor(relay, "203.0.113.9"));
        assertEquals(403, metricsForwardedFor(relay, "203.0.113.9, 127.0.0.1"), "trusted hops are skipped from the right");
        assertEquals(200, metricsForwardedFor(relay, "203.0.113.9, 127.0.0.2"), "the nearest untrusted hop is the client");
        assertEquals(200, metricsForwardedFor(relay, "garbage"), "an entry that is no address names nobody");
    }

    private static int metricsForwardedFor(final int port, final String forwarded) throws Exception
    {
        try (RawHttp raw = new RawHttp(port))
        {
            raw.send("GET /metrics HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: " + forwarded + "\r\n\r\n");
            return raw.read().status();
        }
    }

    /** A PROXY protocol v2 header: TCP over IPv4 from {@code source}:4444 to 127.0.0.1:{@code port}. */
    private static byte[] proxyV2(final byte[] source, final int port)
    {
        final byte[] signature = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
        final java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16 + 12);
        b.put(signature).put((byte)0x21).put((byte)0x11).putShort((short)12);
        b.put(source).put(new byte[] {127, 0, 0, 1}).putShort((short)4444).putShort((short)port);
        return b.array();
    }

    private static String subjectOf(final int port) throws Exception
    {
        final SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new TrustManager[] {new X509TrustManager()
        {
            @Override
            public void checkClientTrusted(final X509Certificate[] chain, final String authType)
            {
            }

            @Override
            public void checkServerTrusted(final X509Certificate[] chain, final String authType)
            {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers()
            {
                return new X509Certificate[0];
            }
        }}, null);
        try (SSLSocket socket = (SSLSocket)trustAll.getSocketFactory().createSocket("127.0.0.1", port))
        {
            socket.setSoTimeout(5_000);
            socket.startHandshake();
            return ((X509Certificate)socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    private static SSLContext trusting(final String caPem) throws Exception
    {
        final KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = TlsAndProxyTest.class.getResourceAsStream(PKI + caPem))
        {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        final TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    /** Writes a PKCS#12 entry's chain and key as the PEM files an operator would configure. */
    private static void writePem(final String p12, final String alias, final Path certFile, final Path keyFile) throws Exception
    {
        final KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = TlsAndProxyTest.class.getResourceAsStream(PKI + p12))
        {
            store.load(in, "changeit".toCharArray());
        }
        final StringBuilder chain = new StringBuilder();
        for (final Certificate c : store.getCertificateChain(alias))
        {
            chain.append(pem("CERTIFICATE", c.getEncoded()));
        }
        final byte[] pkcs8 = store.getKey(alias, "changeit".toCharArray()).getEncoded();
        final Path certTmp = Files.writeString(certFile.resolveSibling(certFile.getFileName() + ".tmp"), chain, StandardCharsets.US_ASCII);
        final Path keyTmp = Files.writeString(keyFile.resolveSibling(keyFile.getFileName() + ".tmp"), pem("PRIVATE KEY", pkcs8),
            StandardCharsets.US_ASCII);
        Files.move(keyTmp, keyFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Files.move(certTmp, certFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static String pem(final String type, final byte[] der)
    {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
            + "\n-----END " + type + "-----\n";
    }
}
