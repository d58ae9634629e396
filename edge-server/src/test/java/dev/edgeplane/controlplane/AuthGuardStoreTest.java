package dev.edgeplane.controlplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.edgeplane.codec.DigestAlgorithm;
import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code /auth} failure store is swept and bounded: an address's count is forgotten once its
 * window and ban are over, and a store at its bound answers every attempt without counting new
 * addresses, while addresses it already counts can still earn a ban.
 */
class AuthGuardStoreTest
{
    private static final Pattern ENTRIES = Pattern.compile("(?m)^edgeplane_state_entries\\{store=\"auth-guard\"} ([0-9.eE+]+)$");
    private static final Pattern OVERFLOW = Pattern.compile("(?m)^edgeplane_auth_guard_overflow_total ([0-9.eE+]+)$");

    @TempDir
    Path dataDir;

    @Test
    void shouldForgetAnAddressOnceItsWindowAndBanAreOver() throws Exception
    {
        try (EdgeServer server = TestServers.start(dataDir, TestPostgres.freshDatabaseUrl("auth_guard_sweep"), Map.of(
            "EDGEPLANE_AUTH_WINDOW_S", "1", "EDGEPLANE_AUTH_BAN_S", "3", "EDGEPLANE_AUTH_MAX_FAILURES", "3",
            "EDGEPLANE_SWEEP_MS", "100")))
        {
            final ControlPlaneFixture cp = new ControlPlaneFixture(server.port(SurfaceKind.CONTROL_PLANE));
            for (int i = 0; i < 100; i++)
            {
                assertEquals("unknown user", fail(cp, "198.51.100." + i));
            }
            for (int i = 0; i < 3; i++)
            {
                fail(cp, "192.0.2.99");
            }
            assertEquals("banned", fail(cp, "192.0.2.99"), "three failures in the window earn a ban");

            TestServers.await("the one-shot addresses forgotten after their window", 10_000, () -> entries(cp) == 1);
            assertEquals("banned", fail(cp, "192.0.2.99"), "the banned address is kept for its ban");
            TestServers.await("the banned address forgotten after its ban", 10_000, () -> entries(cp) == 0);
            assertEquals("unknown user", fail(cp, "192.0.2.99"), "counted from zero again");
        }
    }

    @Test
    void shouldAnswerButNotCountNewAddressesWhileTheStoreIsFull() throws Exception
    {
        try (EdgeServer server = TestServers.start(dataDir, TestPostgres.freshDatabaseUrl("auth_guard_bound"), Map.of(
            "EDGEPLANE_AUTH_GUARD_ENTRIES", "100", "EDGEPLANE_AUTH_MAX_FAILURES", "3")))
        {
            final ControlPlaneFixture cp = new ControlPlaneFixture(server.port(SurfaceKind.CONTROL_PLANE));
            for (int i = 0; i < 130; i++)
            {
                assertEquals("unknown user", fail(cp, "2001:db8::" + Integer.toHexString(i + 1)), "every attempt answered");
            }
            assertEquals(100, entries(cp), "the store holds its bound, no more");
            assertEquals(30, metric(cp, OVERFLOW), "the failures not counted");

            fail(cp, "2001:db8::1");
            fail(cp, "2001:db8::1");
            assertEquals("banned", fail(cp, "2001:db8::1"), "an address already counted still earns its ban");
            final String beyond = "2001:db8::" + Integer.toHexString(130);
            fail(cp, beyond);
            fail(cp, beyond);
            assertEquals("unknown user", fail(cp, beyond), "an address past the bound is answered, not counted");
        }
    }

    /** One failing digest from {@code sourceIp}: the verdict's message. */
    private static String fail(final ControlPlaneFixture cp, final String sourceIp) throws Exception
    {
        final HttpResponse<String> r = cp.auth(ControlPlaneFixture.digest(DigestAlgorithm.MD5, "nobody", "wrong", "n-" + sourceIp,
            null, null, null), sourceIp);
        assertEquals(200, r.statusCode(), r.body());
        final Map<String, Object> verdict = TestServers.json(r.body());
        assertEquals("fail", verdict.get("status"), r.body());
        return (String)verdict.get("message");
    }

    private static long entries(final ControlPlaneFixture cp)
    {
        try
        {
            return metric(cp, ENTRIES);
        }
        catch (final Exception e)
        {
            throw new IllegalStateException(e);
        }
    }

    private static long metric(final ControlPlaneFixture cp, final Pattern pattern) throws Exception
    {
        final String body = TestServers.get(cp.port, "/metrics").body();
        final Matcher m = pattern.matcher(body);
        assertTrue(m.find(), body);
        return (long)Double.parseDouble(m.group(1));
    }
}
