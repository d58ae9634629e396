package dev.edgeplane.controlplane;

import static dev.edgeplane.controlplane.ControlPlaneFixture.DOMAIN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sweeper visits only entries whose expiry is due (its expiry index), not every live call each
 * period: answered calls an hour from their lease deadline are never visited, while leaked calls and
 * expired registrations still go, also when they fell due across a restart (the index is rebuilt from
 * the stores). Visits are counted by {@code edgeplane_sweep_visited_total} on {@code /metrics}.
 */
class CallSweeperTest
{
    private static final int LIVE = 40;

    @TempDir
    Path dataDir;

    @Test
    void shouldVisitOnlyDueEntriesAndStillExpireThemAfterARestart() throws Exception
    {
        final String databaseUrl = TestPostgres.freshDatabaseUrl("sweep_index");
        final Map<String, String> settings = Map.of(
            "ADMIN_TOKEN", ControlPlaneFixture.ADMIN_TOKEN,
            "EDGEPLANE_CAC_SETUP_TTL_S", "2",
            "EDGEPLANE_CAC_LEASE_TTL_S", "3600",
            "EDGEPLANE_SWEEP_MS", "50");
        EdgeServer server = TestServers.start(dataDir, databaseUrl, settings);
        try
        {
            ControlPlaneFixture cp = new ControlPlaneFixture(server.port(SurfaceKind.CONTROL_PLANE));
            cp.applyConfig(ControlPlaneFixture.document(100, ""));
            for (int i = 0; i < LIVE; i++)
            {
                assertEquals("outbound", cp.route("live-" + i, "1001", DOMAIN, "+12125550100").get("action"));
                final HttpResponse<String> r = cp.form("/presence/event", "type", "dialog", "callId", "live-" + i, "state", "confirmed");
                assertEquals(204, r.statusCode(), r.body());
            }
            for (int i = 0; i < 3; i++)
            {
                assertEquals("outbound", cp.route("leak-" + i, "1001", DOMAIN, "+12125550100").get("action"));
            }
            cp.register("1002", "sip:1002@203.0.113.7:5062", 1);
            assertEquals(LIVE + 3L, cp.active());

            TestServers.await("the leaked channels to be reclaimed", 20_000, () -> active(cp) == LIVE);
            TestServers.await("the expired registration to be removed", 20_000,
                () -> metric(cp, "edgeplane_state_entries{store=\"registrations\"}") == 0);
            assertEquals(3, metric(cp, "edgeplane_sweep_visited_total{kind=\"calls\"}"), "only the three due calls were visited");
            assertEquals(1, metric(cp, "edgeplane_sweep_visited_total{kind=\"registrations\"}"));

            Thread.sleep(1_000); // twenty more sweep periods
            assertEquals(3, metric(cp, "edgeplane_sweep_visited_total{kind=\"calls\"}"), "live calls are not visited each period");
            assertEquals(LIVE, cp.active());
            assertEquals(LIVE, metric(cp, "edgeplane_state_entries{store=\"calls\"}"));

            // Two more leak, and the server restarts before they are due.
            assertEquals("outbound", cp.route("leak-r-0", "1001", DOMAIN, "+12125550100").get("action"));
            assertEquals("outbound", cp.route("leak-r-1", "1001", DOMAIN, "+12125550100").get("action"));
            server.close();
            server = TestServers.start(dataDir, databaseUrl, settings);
            final ControlPlaneFixture after = new ControlPlaneFixture(server.port(SurfaceKind.CONTROL_PLANE));
            assertTrue(metric(after, "edgeplane_sweep_indexed") >= LIVE + 2, "the index is rebuilt from the stores");

            TestServers.await("the calls leaked before the restart to be reclaimed", 20_000, () -> active(after) == LIVE);
            final HttpResponse<String> trace = after.get("/calls/leak-r-0/trace");
            assertEquals(200, trace.statusCode(), trace.body());
            assertTrue(trace.body().contains("\"kind\":\"cac.reclaim\""), trace.body());
            Thread.sleep(500);
            assertEquals(2, metric(after, "edgeplane_sweep_visited_total{kind=\"calls\"}"), "after the restart too, only the due calls");
            assertEquals(LIVE, after.active());

            // A live call still ends normally, and leaves the index.
            after.terminate("live-0");
            assertEquals(LIVE - 1L, after.active());
        }
        finally
        {
            server.close();
        }
    }

    private static long active(final ControlPlaneFixture cp)
    {
        try
        {
            return cp.active();
        }
        catch (final Exception e)
        {
            throw new IllegalStateException(e);
        }
    }

    /** @return one sample of {@code /metrics} (name with labels, as rendered), or -1 when absent. */
    private static long metric(final ControlPlaneFixture cp, final String sample)
    {
        try
        {
            final HttpResponse<String> r = cp.admin("GET", "/metrics", null);
            assertEquals(200, r.statusCode(), r.body());
            final Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " ([0-9.eE+-]+)$").matcher(r.body());
            return m.find() ? (long)Double.parseDouble(m.group(1)) : -1;
        }
        catch (final Exception e)
        {
            throw new IllegalStateException(e);
        }
    }
}
