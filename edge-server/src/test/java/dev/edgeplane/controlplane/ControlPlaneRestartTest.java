package dev.edgeplane.controlplane;

import static dev.edgeplane.controlplane.ControlPlaneFixture.ACCOUNT;
import static dev.edgeplane.controlplane.ControlPlaneFixture.DOMAIN;
import static dev.edgeplane.controlplane.ControlPlaneFixture.FLOW;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;

import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.TestServerMain;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flow sessions, registrations and CAC counters survive SIGKILL: a real child server is killed and
 * restarted on the same data directory.
 */
class ControlPlaneRestartTest
{
    @TempDir
    Path dataDir;

    @Test
    @SuppressWarnings("unchecked")
    void shouldKeepSessionsRegistrationsAndCountersAcrossAKill() throws Exception
    {
        final String databaseUrl = TestPostgres.freshDatabaseUrl("cp_restart");
        final Map<String, String> env = TestServers.environment(dataDir, databaseUrl, Map.of(
            "ADMIN_TOKEN", ControlPlaneFixture.ADMIN_TOKEN, "EDGEPLANE_JOURNAL_FSYNC", "none"));

        TestServerMain.Child child = TestServerMain.startChild(env);
        try
        {
            ControlPlaneFixture cp = new ControlPlaneFixture(child.controlPlanePort());
            cp.applyConfig(ControlPlaneFixture.document(10, ""));
            cp.register("1002", "sip:1002@203.0.113.7:5062", 3600);
            for (int i = 0; i < 3; i++)
            {
                assertEquals("outbound", cp.route("keep-" + i, "1001", DOMAIN, "+12125550100").get("action"));
            }
            assertEquals("flow", cp.route("keep-flow", "+14155551234", "carrier.example", "+12025550123").get("action"));
            cp.json("/flow", "{\"callId\":\"keep-flow\",\"accountId\":\"" + ACCOUNT + "\",\"flowId\":\"" + FLOW + "\"}");
            assertEquals(4L, cp.active());

            child.kill();
            child = TestServerMain.startChild(env);
            cp = new ControlPlaneFixture(child.controlPlanePort());

            assertEquals(4L, cp.active(), "CAC counters are rebuilt from the off-heap call entries");
            final Map<String, Object> step = TestServers.json(cp.json("/flow", "{\"callId\":\"keep-flow\",\"outcome\":\"digit:2\"}").body());
            assertEquals(2L, step.get("step"), "the flow session continues where it was");
            assertEquals("record", ((Map<String, Object>)step.get("command")).get("type"));
            assertEquals("proxy", cp.route("after-kill", "1001", DOMAIN, "1002").get("action"), "the registration survived");
            assertEquals("outbound", cp.route("keep-0", "1001", DOMAIN, "+12125550100").get("action"));
            assertEquals(4L, cp.active(), "a retried Call-ID after restart takes no second channel");
            cp.terminate("keep-0");
            assertEquals(3L, cp.active());
        }
        finally
        {
            child.stop();
        }
    }
}
