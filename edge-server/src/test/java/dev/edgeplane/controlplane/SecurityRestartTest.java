package dev.edgeplane.controlplane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.edgeplane.codec.DigestAlgorithm;
import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The allowlist survives a restart (closed and started again on the same data directory and database). */
class SecurityRestartTest
{
    @TempDir
    Path dataDir;

    @Test
    @SuppressWarnings("unchecked")
    void shouldKeepTheAllowlistAcrossARestart() throws Exception
    {
        final String databaseUrl = TestPostgres.freshDatabaseUrl("security_restart");
        final Map<String, String> env = Map.of("ADMIN_TOKEN", ControlPlaneFixture.ADMIN_TOKEN, "EDGEPLANE_AUTH_MAX_FAILURES", "2");
        List<Object> before;
        try (EdgeServer server = TestServers.start(dataDir, databaseUrl, env))
        {
            final ControlPlaneFixture cp = new ControlPlaneFixture(server.port(SurfaceKind.CONTROL_PLANE));
            cp.applyConfig(ControlPlaneFixture.document(10, ""));
            assertEquals(201, cp.json("/security/allow", "{\"ip\":\"198.51.100.7\",\"note\":\"monitoring\"}").statusCode());
            assertEquals(201, cp.json("/security/allow", "{\"ip\":\"2001:db8:aa::/64\"}").statusCode());
            assertEquals(201, cp.json("/security/allow", "{\"ip\":\"203.0.113.0/24\"}").statusCode());
            assertEquals(204, cp.admin("DELETE", "/security/allow/203.0.113.0%2F24", null).statusCode());
            before = (List<Object>)TestServers.json(cp.get("/security/allow").body()).get("allow");
            assertEquals(2, before.size());
        }

        try (EdgeServer again = TestServers.start(dataDir, databaseUrl, env))
        {
            final ControlPlaneFixture cp = new ControlPlaneFixture(again.port(SurfaceKind.CONTROL_PLANE));
            assertEquals(before, TestServers.json(cp.get("/security/allow").body()).get("allow"), "same entries, notes and times");
            for (int i = 0; i < 6; i++)
            {
                assertEquals(0L, fail(cp, "198.51.100.7", i).get("blacklist"), "still allowlisted after the restart");
                assertEquals(0L, fail(cp, "2001:db8:aa::1", i).get("blacklist"));
            }
            assertEquals(0L, fail(cp, "203.0.113.9", 0).get("blacklist"));
            assertEquals(600L, fail(cp, "203.0.113.9", 1).get("blacklist"), "the removed block stays removed");
            // A further change continues from the stored version (a newer list is published).
            assertEquals(201, cp.json("/security/allow", "{\"ip\":\"192.0.2.1\"}").statusCode());
            assertEquals(3, ((List<Object>)TestServers.json(cp.get("/security/allow").body()).get("allow")).size());
        }
    }

    private static Map<String, Object> fail(final ControlPlaneFixture cp, final String ip, final int n) throws Exception
    {
        final HttpResponse<String> r = cp.auth(ControlPlaneFixture.digest(DigestAlgorithm.MD5, "1001", "wrong",
            "restart-" + ip + "-" + n, "00000001", "c", "auth"), ip);
        assertEquals(200, r.statusCode(), r.body());
        return TestServers.json(r.body());
    }
}
