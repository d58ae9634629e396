package dev.edgeplane.relay;

import static dev.edgeplane.relay.RelayFixture.assertError;
import static dev.edgeplane.relay.RelayFixture.json;
import static dev.edgeplane.relay.RelayFixture.key;
import static dev.edgeplane.relay.RelayFixture.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay lifecycle over real sockets and embedded PostgreSQL: every valid and invalid transition, the
 * Idempotency-Key contract, relay health authentication, rate limits and their headers, entitlement,
 * manifest and capacity.
 */
class RelayLifecycleTest
{
    @TempDir
    static Path dataDir;
    static RelayFixture relay;

    @BeforeAll
    static void start()
    {
        relay = new RelayFixture(dataDir, "relay_lifecycle", Map.of());
    }

    @AfterAll
    static void stop()
    {
        relay.close();
    }

    private static String sessionId(final HttpResponse<String> r)
    {
        return (String)map(json(r).get("session")).get("session_id");
    }

    private static String state(final HttpResponse<String> r)
    {
        return (String)map(json(r).get("session")).get("state");
    }

    @Test
    void shouldWalkEveryValidTransition() throws Exception
    {
        final RelayFixture.Tokens t = relay.login(relay.createUser("pro"));

        // provisioning → active (healthy), active → grace (stop requested), grace → stopped (grace expired)
        final HttpResponse<String> started = relay.start(t, key(), "{\"region\":\"us-west-2\"}");
        assertEquals(201, started.statusCode(), started.body());
        final String a = sessionId(started);
        assertEquals("provisioning", state(started));
        assertTrue(((String)map(json(started).get("session")).get("instance_id")).startsWith("i-sim"));
        assertEquals("active", json(relay.health(a)).get("state"));
        final HttpResponse<String> stopping = relay.stop(t);
        assertEquals("grace", state(stopping));
        assertEquals("stop_requested", map(json(stopping).get("session")).get("reason"));
        assertEquals("grace", json(relay.health(a)).get("state"), "health does not resume a stop the user asked for");
        assertEquals("grace", state(relay.stop(t)), "stop is idempotent");
        relay.clock.advanceSeconds(119);
        Thread.sleep(100);
        assertEquals("grace", relay.state(a));
        relay.clock.advanceSeconds(1);
        relay.awaitState(a, "stopped");
        assertEquals("stopped", state(relay.stop(t)), "stopping a stopped relay answers its state");
        assertNull(relay.active(t));

        // provisioning → stopped (cancelled)
        final String b = sessionId(relay.start(t, key(), "{}"));
        assertEquals("stopped", state(relay.stop(t)));
        assertEquals("cancelled", map(relay.adminSession(b).get("session")).get("reason"));

        // active → grace (health lost), grace → active (health restored)
        final String c = relay.activeRelay(t);
        relay.clock.advanceSeconds(61);
        relay.awaitState(c, "grace");
        assertEquals("health_lost", map(relay.adminSession(c).get("session")).get("reason"));
        assertEquals("active", json(relay.health(c)).get("state"));
        assertEquals("health_restored", map(relay.adminSession(c).get("session")).get("reason"));

        // active → grace (stop), grace → active (a new start resumes the running relay)
        assertEquals("grace", state(relay.stop(t)));
        final HttpResponse<String> resumed = relay.start(t, key(), "{}");
        assertEquals(200, resumed.statusCode(), resumed.body());
        assertEquals(c, sessionId(resumed));
        assertEquals("active", state(resumed));
        assertEquals("resumed", map(json(resumed).get("session")).get("reason"));

        // History: all five transitions reached PostgreSQL, and nothing else.
        assertEquals(5, relay.countFlushed("SELECT count(DISTINCT (from_state, to_state)) FROM relay_transitions "
            + "WHERE from_state IS NOT NULL AND session_id IN ('" + a + "','" + b + "','" + c + "')"));
        assertEquals(0, relay.countFlushed("SELECT count(*) FROM relay_transitions WHERE from_state IS NOT NULL AND "
            + "(from_state, to_state) NOT IN (('provisioning','active'),('provisioning','stopped'),('active','grace'),"
            + "('grace','active'),('grace','stopped'))"));
        assertEquals(1, relay.countFlushed("SELECT count(*) FROM relay_sessions WHERE session_id = '" + a
            + "' AND state = 'stopped' AND reason = 'grace_expired'"));
    }

    @Test
    void shouldRefuseEveryInvalidTransition() throws Exception
    {
        final RelayFixture.Tokens t = relay.login(relay.createUser("pro"));
        final String provisioning = sessionId(relay.start(t, key(), "{}"));
        assertInvalid(provisioning, "provisioning", List.of("provisioning", "grace"));
        assertEquals(200, relay.health(provisioning).statusCode());
        assertInvalid(provisioning, "active", List.of("provisioning", "active", "stopped"));
        assertEquals(200, relay.stop(t).statusCode());
        assertInvalid(provisioning, "grace", List.of("provisioning", "grace"));
        final HttpResponse<String> stopped = relay.admin("POST", "/api/v1/admin/relay/sessions/" + provisioning + "/transition",
            "{\"to\":\"stopped\"}");
        assertEquals(200, stopped.statusCode(), stopped.body());
        assertInvalid(provisioning, "stopped", List.of("provisioning", "active", "grace", "stopped"));

        // A relay that reports health for a stopped session asks for stopped → active.
        final Map<String, Object> details = assertError(relay.health(provisioning), 409, "invalid_transition");
        assertEquals(Map.of("from", "stopped", "to", "active"), details);
        assertError(relay.admin("POST", "/api/v1/admin/relay/sessions/" + provisioning + "/transition", "{\"to\":\"paused\"}"),
            400, "invalid_request");
        assertError(relay.admin("POST", "/api/v1/admin/relay/sessions/rs_unknown/transition", "{\"to\":\"active\"}"),
            404, "session_not_found");
    }

    private static void assertInvalid(final String sessionId, final String from, final List<String> targets) throws Exception
    {
        assertEquals(from, relay.state(sessionId));
        for (final String to : targets)
        {
            final HttpResponse<String> r = relay.admin("POST", "/api/v1/admin/relay/sessions/" + sessionId + "/transition",
                "{\"to\":\"" + to + "\"}");
            assertEquals(Map.of("from", from, "to", to), assertError(r, 409, "invalid_transition"));
            assertEquals(from, relay.state(sessionId), "a refused transition changes nothing");
        }
    }

    @Test
    void shouldHonourTheIdempotencyKeyContract() throws Exception
    {
        final RelayFixture.Tokens t = relay.login(relay.createUser("pro"));
        assertEquals("Idempotency-Key", assertError(relay.start(t, null, "{}"), 400, "idempotency_key_required").get("header"));
        assertError(relay.start(t, "not-a-uuid", "{}"), 400, "invalid_idempotency_key");
        assertError(relay.start(t, "c232ab00-9414-11ec-b3c8-9f6bdeced846", "{}"), 400, "invalid_idempotency_key"); // v1
        assertNull(relay.active(t), "refused requests start nothing");

        final String k = key();
        final HttpResponse<String> first = relay.start(t, k, "{\"region\":\"us-west-2\"}");
        assertEquals(201, first.statusCode(), first.body());
        assertTrue(first.headers().firstValue("Idempotent-Replayed").isEmpty());
        final String id = sessionId(first);
        assertEquals(200, relay.health(id).statusCode());

        // Same key, same body (other formatting, upper-case key): the session's current state, marked replayed.
        final HttpResponse<String> replay = relay.start(t, k.toUpperCase(), "{ \"region\" : \"us-west-2\" }");
        assertEquals(200, replay.statusCode(), replay.body());
        assertEquals("true", replay.headers().firstValue("Idempotent-Replayed").orElse(""));
        assertEquals(id, sessionId(replay));
        assertEquals("active", state(replay), "a replay shows the current state, not the first answer");

        assertEquals(k, assertError(relay.start(t, k, "{\"region\":\"eu-central-1\"}"), 422, "idempotency_key_reused")
            .get("idempotency_key"));
        relay.clock.advanceSeconds(60); // a fresh rate-limit window (6 starts a minute); keep the relay healthy
        assertEquals(200, relay.health(id).statusCode());

        // Keys are per user: another user's identical key is a new request.
        final RelayFixture.Tokens other = relay.login(relay.createUser("pro"));
        final HttpResponse<String> theirs = relay.start(other, k, "{\"region\":\"us-west-2\"}");
        assertEquals(201, theirs.statusCode(), theirs.body());
        assertNotEquals(id, sessionId(theirs));
        assertEquals(200, relay.stop(other).statusCode());

        // A new key while a relay is active returns it (start is idempotent by state), without the replay mark.
        final HttpResponse<String> again = relay.start(t, key(), "{}");
        assertEquals(200, again.statusCode());
        assertEquals(id, sessionId(again));
        assertTrue(again.headers().firstValue("Idempotent-Replayed").isEmpty());

        // Keys are kept one hour: a replay at 59:59 still answers (the session has stopped since), at 1:00:00 the
        // same key starts afresh.
        assertEquals("grace", state(relay.stop(t)));
        relay.clock.advanceSeconds(3600 - 60 - 1);
        relay.awaitState(id, "stopped");
        final RelayFixture.Tokens fresh = RelayFixture.tokens(relay.refresh(t.refresh()));
        final HttpResponse<String> lastReplay = relay.start(fresh, k, "{\"region\":\"us-west-2\"}");
        assertEquals(200, lastReplay.statusCode(), lastReplay.body());
        assertEquals("true", lastReplay.headers().firstValue("Idempotent-Replayed").orElse(""));
        assertEquals("stopped", state(lastReplay));
        relay.clock.advanceSeconds(1);
        final HttpResponse<String> expired = relay.start(fresh, k, "{\"region\":\"us-west-2\"}");
        assertEquals(201, expired.statusCode(), expired.body());
        assertTrue(expired.headers().firstValue("Idempotent-Replayed").isEmpty());
        assertNotEquals(id, sessionId(expired));
        relay.stop(fresh);
    }

    @Test
    void shouldAuthenticateRelayHealthBySessionAndInstance() throws Exception
    {
        final RelayFixture.Tokens t = relay.login(relay.createUser("pro"));
        final String a = sessionId(relay.start(t, key(), "{}"));
        final Map<String, Object> creds = map(relay.adminSession(a).get("relay_auth"));
        final String instance = (String)creds.get("instance_id");
        final String secret = (String)creds.get("secret");

        assertError(relay.health(a, instance, null), 401, "relay_auth_required");
        assertError(relay.health(a, instance, "wrong-secret"), 401, "invalid_relay_auth");
        assertError(relay.health(a, "i-someoneelse", secret), 403, "instance_mismatch");

        final RelayFixture.Tokens u = relay.login(relay.createUser("pro"));
        final String b = sessionId(relay.start(u, key(), "{}"));
        final String bInstance = (String)map(relay.adminSession(b).get("relay_auth")).get("instance_id");
        assertError(relay.health(b, bInstance, secret), 401, "invalid_relay_auth"); // A's secret is not B's
        assertEquals("provisioning", relay.state(a), "refused reports change nothing");
        assertEquals("provisioning", relay.state(b));
        assertEquals(200, relay.health(a, instance, secret).statusCode());
        assertEquals("active", relay.state(a));
        assertError(relay.send("POST", "/api/v1/relay/health", "{\"session_id\":\"x\"}", "X-Relay-Auth", secret),
            400, "invalid_request");
        relay.stop(t);
        relay.stop(u);
    }

    @Test
    void shouldLimitRelayStartWithRateLimitHeaders() throws Exception
    {
        final RelayFixture.Tokens t = relay.login(relay.createUser("pro"));
        for (int i = 1; i <= 6; i++)
        {
            final HttpResponse<String> r = i == 1 ? relay.start(t, null, "{}") : relay.start(t, key(), "{}");
            assertTrue(r.statusCode() < 300 || i == 1, r.body());
            assertEquals("\"relay-start\";q=6;w=60", r.headers().firstValue("RateLimit-Policy").orElse(""));
            assertEquals("\"relay-start\";r=" + (6 - i) + ";t=60", r.headers().firstValue("RateLimit").orElse(""), "request " + i);
        }
        relay.clock.advanceSeconds(18);
        final HttpResponse<String> limited = relay.start(t, key(), "{}");
        final Map<String, Object> details = assertError(limited, 429, "rate_limited");
        assertEquals(42L, details.get("retry_after_s"));
        assertEquals("42", limited.headers().firstValue("Retry-After").orElse(""));
        assertEquals("\"relay-start\";r=0;t=42", limited.headers().firstValue("RateLimit").orElse(""));
        relay.clock.advanceSeconds(42);
        final HttpResponse<String> again = relay.start(t, key(), "{}");
        assertEquals(200, again.statusCode(), again.body());
        assertEquals("\"relay-start\";r=5;t=60", again.headers().firstValue("RateLimit").orElse(""));
        relay.stop(t);
    }

    @Test
    void shouldLimitActiveStopAndUsagePerUser() throws Exception
    {
        final RelayFixture.Tokens t = relay.login(relay.createUser("pro"));
        assertQuota(t, "GET", "/api/v1/relay/active", "relay-active", 60);
        assertQuota(t, "POST", "/api/v1/relay/stop", "relay-stop", 20);
        assertQuota(t, "GET", "/api/v1/usage/current", "usage-current", 30);
        // Another user's budget is untouched.
        final RelayFixture.Tokens u = relay.login(relay.createUser(null));
        final HttpResponse<String> r = relay.authed("GET", "/api/v1/relay/active", null, u);
        assertEquals("\"relay-active\";r=59;t=60", r.headers().firstValue("RateLimit").orElse(""));
    }

    private static void assertQuota(final RelayFixture.Tokens t, final String method, final String path, final String policy,
        final int quota) throws Exception
    {
        for (int i = 1; i <= quota; i++)
        {
            final HttpResponse<String> r = relay.authed(method, path, null, t);
            assertEquals(200, r.statusCode(), path + " request " + i + ": " + r.body());
            assertEquals("\"" + policy + "\";q=" + quota + ";w=60", r.headers().firstValue("RateLimit-Policy").orElse(""));
        }
        final HttpResponse<String> over = relay.authed(method, path, null, t);
        assertError(over, 429, "rate_limited");
        assertTrue(over.headers().firstValue("Retry-After").isPresent());
        assertTrue(over.headers().firstValue("RateLimit").orElse("").startsWith("\"" + policy + "\";r=0;t="));
    }

    @Test
    void shouldEnforceEntitlementServerSide() throws Exception
    {
        final RelayFixture.Tokens free = relay.login(relay.createUser(null));
        final Map<String, Object> details = assertError(relay.start(free, key(), "{}"), 402, "entitlement_required");
        assertEquals("none", details.get("status"));
        assertNull(relay.active(free));
        assertError(relay.start(free, key(), "{\"region\":\"mars-1\"}"), 400, "invalid_request");
    }

    @Test
    void shouldServeTheManifestAndPublicCapacity() throws Exception
    {
        final RelayFixture.Tokens t = relay.login(relay.createUser("pro"));
        assertError(relay.send("GET", "/api/v1/relay/manifest", null), 401, "unauthorized");
        final Map<String, Object> manifest = json(relay.authed("GET", "/api/v1/relay/manifest", null, t));
        assertEquals("us-west-2", manifest.get("default_region"));
        assertEquals("telemy-relay", map(manifest.get("image")).get("name"));
        assertEquals(3, ((List<?>)manifest.get("regions")).size());

        assertEquals(Map.of("region", "eu-central-1", "available", true, "launchable", true), region("eu-central-1"));
        assertEquals(Map.of("region", "ap-south-1", "available", false, "launchable", false), region("ap-south-1"));
        final String eu = sessionId(relay.start(t, key(), "{\"region\":\"eu-central-1\"}"));
        assertEquals(false, region("eu-central-1").get("launchable"), "capacity 1 is used");
        final RelayFixture.Tokens u = relay.login(relay.createUser("pro"));
        assertEquals("eu-central-1", assertError(relay.start(u, key(), "{\"region\":\"eu-central-1\"}"), 503,
            "capacity_exhausted").get("region"));
        assertError(relay.start(u, key(), "{\"region\":\"ap-south-1\"}"), 503, "capacity_exhausted");
        relay.stop(t);
        assertEquals("stopped", relay.state(eu));
        assertEquals(true, region("eu-central-1").get("launchable"), "a stopped relay gives its slot back");
        assertFalse(relay.send("GET", "/api/v1/capacity/status", null).headers().firstValue("RateLimit").isPresent());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> region(final String name) throws Exception
    {
        final HttpResponse<String> r = relay.send("GET", "/api/v1/capacity/status", null);
        assertEquals(200, r.statusCode());
        return ((List<Map<String, Object>>)json(r).get("regions")).stream().filter(m -> name.equals(m.get("region")))
            .findFirst().orElseThrow();
    }
}
