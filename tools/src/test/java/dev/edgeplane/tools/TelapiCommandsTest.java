package dev.edgeplane.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code edgeplane env} (redaction) and {@code edgeplane tls-check} against an HTTPS host with a private CA. */
class TelapiCommandsTest
{
    private static final Path PKI = Path.of("..", "edge-server", "src", "test", "resources", "telapi", "pki");

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err)
    {
    }

    private static Run run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cl = new CommandLine(new EdgeplaneCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        final int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void shouldPrintEffectiveSettingsWithSecretsRedacted() throws Exception
    {
        final Path env = dir.resolve("telapi.env");
        Files.writeString(env, """
            # api service
            JWT_SECRET=jwt-secret-value-xyz
            export TTS_MEDIA_CACHE_UPLOAD_TOKEN="upload-token-value-abc"
            REDIS_HOST=redis.internal
            DOMAIN_TELPRO=telpro.example.com
            OTEL_ENABLED=false
            """);
        final Run r = run("env", "--env-file", env.toString());
        assertEquals(0, r.exit, r.err);
        assertFalse(r.out.contains("jwt-secret-value-xyz") || r.out.contains("upload-token-value-abc"), r.out);
        assertTrue(r.out.contains("JWT_SECRET=**** (set, 20 characters)"), r.out);
        assertTrue(r.out.contains("DOMAIN_TELPRO=telpro.example.com"), r.out);
        assertTrue(r.out.contains("REDIS_HOST: set but not used"), r.out);
        assertTrue(r.out.contains("OTEL_ENABLED=false: no OpenTelemetry export"), r.out);
        assertTrue(r.out.contains("OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318"), r.out);

        Files.writeString(env, "OTEL_ENABLED=perhaps\n");
        final Run bad = run("env", "--env-file", env.toString());
        assertEquals(2, bad.exit);
        assertTrue(bad.err.contains("OTEL_ENABLED must be true or false"), bad.err);
    }

    @Test
    void shouldReproduceTheMediaCacheHandshakeAndExplainAWrongCa() throws Exception
    {
        final KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(PKI.resolve("media-host.p12")))
        {
            ks.load(in, "changeit".toCharArray());
        }
        final KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        final SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        final HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        server.createContext("/", ex ->
        {
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.start();
        try
        {
            final String url = "https://localhost:" + server.getAddress().getPort();
            final Run ok = run("tls-check", "--base-url", url, "--ca-bundle-file", PKI.resolve("media-ca.pem").toString());
            assertEquals(0, ok.exit, ok.out + ok.err);
            assertTrue(ok.out.contains("TTS media cache TLS bootstrap (sanitized)") && ok.out.contains("mediaCacheTlsMode=custom-ca-raw-pem"), ok.out);
            assertTrue(ok.out.contains("OK: TLS handshake"), ok.out);

            final Run wrong = run("tls-check", "--base-url", url, "--ca-bundle-file", PKI.resolve("other-ca.pem").toString());
            assertEquals(1, wrong.exit, wrong.out);
            assertTrue(wrong.out.contains("issuer=CN=Edgeplane Test Media CA"), wrong.out);
            assertTrue(wrong.out.contains("self-signed or unknown CA") && wrong.out.contains("CN=Some Other CA"), wrong.out);
        }
        finally
        {
            server.stop(0);
        }
    }
}
