package dev.edgeplane.controlplane;

import static dev.edgeplane.controlplane.ControlPlaneFixture.ACCOUNT;
import static dev.edgeplane.controlplane.ControlPlaneFixture.DOMAIN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
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
 * Leaked channels are reclaimed when a call shows no life for its TTL (and the reclaim is traced),
 * configuration changes made elsewhere reach /route through NOTIFY, and the control plane is closed
 * to addresses outside its allowlist unless the admin token is presented.
 */
class CallReclaimAndGatingTest
{
    @TempDir
    static Path dataDir;
    static String databaseUrl;
    static EdgeServer server;
    static ControlPlaneFixture cp;

    @BeforeAll
    static void start() throws Exception
    {
        databaseUrl = TestPostgres.freshDatabaseUrl("reclaim");
        server = TestServers.start(dataDir, databaseUrl, Map.of(
            "ADMIN_TOKEN", ControlPlaneFixture.ADMIN_TOKEN,
            // Loopback is NOT allowed: every request below needs the admin token.
            "CONTROL_PLANE_ALLOW_CIDRS", "192.0.2.0/24",
            "EDGEPLANE_CAC_SETUP_TTL_S", "1",
            "EDGEPLANE_SWEEP_MS", "200"));
        cp = new ControlPlaneFixture(server.port(SurfaceKind.CONTROL_PLANE));
        cp.applyConfig(ControlPlaneFixture.document(5, ""));
    }

    @AfterAll
    static void stop()
    {
        server.close();
    }

    private static HttpResponse<String> withToken(final String path, final String... pairs) throws Exception
    {
        final StringBuilder body = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2)
        {
            body.append(i == 0 ? "" : "&").append(java.net.URLEncoder.encode(pairs[i], java.nio.charset.StandardCharsets.UTF_8))
                .append('=').append(java.net.URLEncoder.encode(pairs[i + 1], java.nio.charset.StandardCharsets.UTF_8));
        }
        return TestServers.CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cp.port + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("x-admin-token", ControlPlaneFixture.ADMIN_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldForbidAddressesOutsideTheAllowlistWithoutTheToken() throws Exception
    {
        final HttpResponse<String> r = TestServers.post(cp.port, "/route", "application/x-www-form-urlencoded",
            "callId=g1&from=1001&fromDomain=" + DOMAIN + "&to=%2B12125550100");
        assertEquals(403, r.statusCode(), r.body());
        assertEquals(403, TestServers.get(cp.port, "/metrics").statusCode());
        assertEquals(200, withToken("/route", "callId", "g2", "from", "1001", "fromDomain", DOMAIN, "to", "+12125550100").statusCode());
    }

    @Test
    void shouldReclaimAChannelWhoseCallShowsNoLife() throws Exception
    {
        final HttpResponse<String> r = withToken("/route", "callId", "leak-1", "from", "1001", "fromDomain", DOMAIN, "to", "+12125550100");
        assertEquals("outbound", ControlPlaneFixture.rtjson(r.body()).get("action"));
        TestServers.await("the leaked channel to be reclaimed", 20_000, () -> active() == 0);
        final HttpResponse<String> trace = TestServers.CLIENT.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + cp.port + "/calls/leak-1/trace")).header("x-admin-token", ControlPlaneFixture.ADMIN_TOKEN).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, trace.statusCode(), trace.body());
        assertTrue(trace.body().contains("\"kind\":\"cac.reclaim\""), trace.body());
        TestServers.await("the reclaimed call's record", 10_000, () -> TestServers.count(databaseUrl,
            "SELECT count(*) FROM call_records WHERE call_id = 'leak-1' AND cause = 'reclaimed'") == 1);
    }

    @Test
    void shouldSeeConfigurationChangedElsewhereThroughNotify() throws Exception
    {
        // Another node (here: a direct write) lowers the limit to 0 channels.
        final var repository = new dev.edgeplane.persistence.config.ConfigRepository(
            TestPostgres.dataSource(dev.edgeplane.persistence.DatabaseSettings.forUrl(databaseUrl)));
        final byte[] doc = ControlPlaneFixture.document(0, "").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(repository.apply(dev.edgeplane.controlplane.config.ConfigDocument.parse(doc, 0, doc.length).accounts()).applied());
        TestServers.await("the new limit to reach /route", 10_000, () ->
        {
            try
            {
                final HttpResponse<String> r = withToken("/route", "callId", "n-" + System.nanoTime(), "from", "1001",
                    "fromDomain", DOMAIN, "to", "+12125550100");
                return Long.valueOf(503).equals(ControlPlaneFixture.rtjson(r.body()).get("code"));
            }
            catch (final Exception e)
            {
                throw new IllegalStateException(e);
            }
        });
        cp.applyConfig(ControlPlaneFixture.document(5, ""));
        TestServers.await("the restored limit to reach /route", 10_000, () ->
        {
            try
            {
                final HttpResponse<String> r = withToken("/route", "callId", "r-" + System.nanoTime(), "from", "1001",
                    "fromDomain", DOMAIN, "to", "+12125550100");
                return "outbound".equals(ControlPlaneFixture.rtjson(r.body()).get("action"));
            }
            catch (final Exception e)
            {
                throw new IllegalStateException(e);
            }
        });
    }

    private static long active()
    {
        try
        {
            final HttpResponse<String> r = TestServers.CLIENT.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + cp.port + "/cac?accountId=" + ACCOUNT))
                    .header("x-admin-token", ControlPlaneFixture.ADMIN_TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
            return (Long)TestServers.json(r.body()).get("active");
        }
        catch (final Exception e)
        {
            throw new IllegalStateException(e);
        }
    }
}
