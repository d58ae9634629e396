package dev.edgeplane.relay;

import static dev.edgeplane.relay.RelayFixture.json;
import static dev.edgeplane.relay.RelayFixture.key;
import static dev.edgeplane.relay.RelayFixture.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulated provisioner end to end (its relays boot and report health by themselves), and what must
 * survive a restart: relay sessions with their timers and metering, refresh-token families, idempotency keys,
 * entitlements and usage (all off-heap), users (PostgreSQL).
 */
class RelayRestartTest
{
    @TempDir
    Path dataDir;

    private static final Map<String, String> SIMULATED = Map.of("RELAY_SIM_REPORT_HEALTH", "true", "RELAY_SIM_BOOT_MS", "50");

    @Test
    void shouldRunSimulatedRelaysAndKeepSessionsTokensAndKeysAcrossARestart() throws Exception
    {
        final RelayFixture first = new RelayFixture(dataDir, "relay_restart", SIMULATED);
        final String databaseUrl = first.databaseUrl;
        final MutableClock clock = first.clock;
        final RelayFixture.Tokens t;
        final String k = key();
        final String id;
        try
        {
            t = first.login(first.createUser("starter"));
            // The simulated relay boots and reports healthy through the relay health path by itself.
            final HttpResponse<String> started = first.start(t, k, "{}");
            assertEquals(201, started.statusCode(), started.body());
            id = (String)map(json(started).get("session")).get("session_id");
            first.awaitState(id, "active");
            clock.advanceSeconds(40);
            assertEquals(40L, first.usage(t).get("used_seconds"));
        }
        finally
        {
            first.close();
        }

        final RelayFixture second = new RelayFixture(dataDir, databaseUrl, clock, SIMULATED);
        try
        {
            assertEquals(200, second.authed("GET", "/api/v1/auth/session", null, t).statusCode(), "the login survived");
            final HttpResponse<String> replay = second.start(t, k, "{}");
            assertEquals(200, replay.statusCode(), replay.body());
            assertEquals("true", replay.headers().firstValue("Idempotent-Replayed").orElse(""), "the key survived");
            assertEquals(id, map(json(replay).get("session")).get("session_id"));
            assertEquals("active", map(json(replay).get("session")).get("state"), "the session survived");
            assertEquals(40L, second.usage(t).get("used_seconds"), "the Time Bank survived");
            assertEquals(200, second.health(id).statusCode(), "the relay's secret still verifies");

            final HttpResponse<String> refreshed = second.refresh(t.refresh());
            assertEquals(200, refreshed.statusCode(), "the refresh-token family survived");
            final RelayFixture.Tokens u = RelayFixture.tokens(refreshed);
            assertEquals("grace", map(json(second.stop(u)).get("session")).get("state"));
            clock.advanceSeconds(120);
            second.awaitState(id, "stopped");
            assertEquals(160L, second.usage(u).get("used_seconds"), "40 s active + 120 s grace");
            assertNotNull(second.loginStart());
        }
        finally
        {
            second.close();
        }
    }
}
