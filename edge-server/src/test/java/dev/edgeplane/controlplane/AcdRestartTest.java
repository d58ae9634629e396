package dev.edgeplane.controlplane;

import static dev.edgeplane.controlplane.AcdScenario.dialAgents;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent status, bridges and lease epochs survive a restart (off-heap agent records); a waiting
 * caller rejoins its queue at its next poll (its flow session keeps the queue and the time it
 * entered).
 */
class AcdRestartTest
{
    @TempDir
    Path dataDir;

    @Test
    void shouldKeepAgentsAndBridgesAcrossARestart() throws Exception
    {
        final String databaseUrl = TestPostgres.freshDatabaseUrl("acd_restart");
        final Map<String, String> env = Map.of("ADMIN_TOKEN", ControlPlaneFixture.ADMIN_TOKEN);
        EdgeServer server = TestServers.start(dataDir, databaseUrl, env);
        try
        {
            final AcdScenario s = new AcdScenario(new ControlPlaneFixture(server.port(SurfaceKind.CONTROL_PLANE)));
            s.queue("longest_idle", 20, 0, 300);
            final String a = s.agent(0);
            final String b = s.agent(0);
            s.apply(true);
            s.loginAll();
            s.must(b, "pause");
            s.call("keep-1", 0);
            final Map<String, Object> dial = s.pollCommand("keep-1");
            assertEquals(List.of(a), dialAgents(dial));
            assertEquals(200, s.confirm(dial).statusCode());
            s.call("keep-2", 0);
            assertEquals("noop", s.pollCommand("keep-2").get("type"));
            final long epoch = (Long)s.agentView(a).get("epoch");

            server.close();
            server = TestServers.start(dataDir, databaseUrl, env);
            s.cp = new ControlPlaneFixture(server.port(SurfaceKind.CONTROL_PLANE));

            final Map<String, Object> va = s.agentView(a);
            assertEquals("available", va.get("status"));
            assertEquals("on_call", va.get("state"));
            assertEquals("keep-1", va.get("callId"));
            assertEquals(true, va.get("reachable"), "registrations survive too");
            assertEquals("paused", s.agentView(b).get("status"));
            assertEquals("noop", s.pollCommand("keep-2").get("type"), "keep-2 is back in line; nobody is free");

            s.hangUp("keep-1");
            assertEquals("idle", s.state(a));
            final Map<String, Object> again = s.pollCommand("keep-2");
            assertEquals(List.of(a), dialAgents(again));
            assertTrue(AcdScenario.epoch(again) > epoch, "epochs never go back");
            assertEquals(200, s.confirm(again).statusCode());
        }
        finally
        {
            server.close();
        }
    }
}
