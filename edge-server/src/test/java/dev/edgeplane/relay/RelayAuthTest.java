package dev.edgeplane.relay;

import static dev.edgeplane.relay.RelayFixture.assertError;
import static dev.edgeplane.relay.RelayFixture.json;
import static dev.edgeplane.relay.RelayFixture.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugin login (RFC 8628 semantics), the authorize page, access tokens, refresh rotation with reuse detection
 * and the concurrent-refresh grace window, logout and the session view, over real sockets and embedded
 * PostgreSQL.
 */
class RelayAuthTest
{
    @TempDir
    static Path dataDir;
    static RelayFixture relay;

    @BeforeAll
    static void start()
    {
        relay = new RelayFixture(dataDir, "relay_auth", Map.of());
    }

    @AfterAll
    static void stop()
    {
        relay.close();
    }

    @Test
    void shouldWalkTheLoginThroughPendingSlowDownApprovalAndSingleUse() throws Exception
    {
        final String user = relay.createUser("starter");
        final Map<String, Object> attempt = relay.loginStart();
        assertEquals(5L, attempt.get("interval"));
        assertEquals(600L, attempt.get("expires_in"));
        assertTrue(((String)attempt.get("authorize_url")).contains("/login/plugin?attempt=" + attempt.get("login_attempt_id")));
        assertTrue(((String)attempt.get("login_attempt_id")).startsWith("la_"));

        // RFC 8628 3.5: every non-final answer is HTTP 400 with an error code.
        assertEquals(5L, assertError(relay.poll(attempt), 400, "authorization_pending").get("interval"),
            "the first poll is never throttled");
        assertEquals(10L, assertError(relay.poll(attempt), 400, "slow_down").get("interval"), "interval grows by 5 s");
        relay.clock.advanceSeconds(5);
        assertEquals(15L, assertError(relay.poll(attempt), 400, "slow_down").get("interval"), "still faster than 10 s");
        relay.clock.advanceSeconds(15);
        assertError(relay.poll(attempt), 400, "authorization_pending");

        assertEquals(200, relay.approve(attempt, user).statusCode());
        relay.clock.advanceSeconds(15);
        final HttpResponse<String> ok = relay.poll(attempt);
        assertEquals(200, ok.statusCode(), ok.body());
        final Map<String, Object> tokens = json(ok);
        assertEquals("Bearer", tokens.get("token_type"));
        assertEquals(900L, tokens.get("expires_in"));
        assertEquals(user, map(tokens.get("user")).get("id"));
        assertEquals(3, ((String)tokens.get("access_token")).split("\\.").length, "a JWT");

        relay.clock.advanceSeconds(15);
        assertError(relay.poll(attempt), 400, "invalid_grant"); // single-use once it has succeeded
        assertError(relay.approve(attempt, user), 409, "login_attempt_not_pending");

        final Map<String, Object> forged = Map.of("login_attempt_id", attempt.get("login_attempt_id"), "poll_token", "nope");
        assertError(relay.poll(forged), 400, "invalid_grant");
        assertError(relay.send("POST", "/api/v1/auth/plugin/login/poll", "{}"), 400, "invalid_request");
    }

    @Test
    void shouldAnswerAccessDeniedAndExpiredToken() throws Exception
    {
        final Map<String, Object> denied = relay.loginStart();
        assertEquals(200, relay.admin("POST", "/api/v1/admin/login/deny",
            "{\"login_attempt_id\":\"" + denied.get("login_attempt_id") + "\"}").statusCode());
        assertError(relay.poll(denied), 400, "access_denied");
        relay.clock.advanceSeconds(6);
        assertError(relay.poll(denied), 400, "access_denied");

        final Map<String, Object> late = relay.loginStart();
        relay.clock.advanceSeconds(600);
        assertError(relay.poll(late), 400, "expired_token");
        assertError(relay.approve(late, relay.createUser(null)), 410, "expired_token");
        assertError(relay.admin("POST", "/api/v1/admin/login/approve",
            "{\"login_attempt_id\":\"la_nope\",\"email\":\"nobody@example.com\"}"), 404, "user_not_found");
        assertError(relay.send("POST", "/api/v1/admin/login/approve", "{}"), 401, "unauthorized");
    }

    @Test
    void shouldApproveAndDenyThroughTheSelfServiceAuthorizePage() throws Exception
    {
        final HttpResponse<String> created = relay.admin("POST", "/api/v1/admin/users",
            "{\"email\":\"Page.User@example.com\",\"password\":\"correct horse battery\",\"plan\":\"starter\"}");
        assertEquals(201, created.statusCode(), created.body());
        assertFalse(created.body().contains("correct horse"), "the password is never echoed");
        assertError(relay.admin("POST", "/api/v1/admin/users", "{\"email\":\"page.user@example.com\"}"), 409, "email_taken");
        assertEquals(0, relay.countFlushed("SELECT count(*) FROM relay_users WHERE password_hash LIKE '%correct%'"));
        assertEquals(1, relay.countFlushed(
            "SELECT count(*) FROM relay_users WHERE password_hash LIKE 'pbkdf2_sha256$210000$%'"));

        final Map<String, Object> attempt = relay.loginStart();
        final String id = (String)attempt.get("login_attempt_id");
        final HttpResponse<String> page = relay.send("GET", "/login/plugin?attempt=" + id, null, "Accept", "text/html");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("name=\"password\"") && page.body().contains("value=\"" + id + "\""), page.body());
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'none'"));
        assertEquals("no-store", page.headers().firstValue("Cache-Control").orElse(""));

        assertError(form("attempt", id, "email", "page.user@example.com", "password", "wrong password", "decision", "approve"),
            401, "invalid_credentials");
        assertError(form("attempt", id, "email", "nobody@example.com", "password", "wrong password", "decision", "approve"),
            401, "invalid_credentials");
        assertError(relay.poll(attempt), 400, "authorization_pending");
        final HttpResponse<String> approved = form("attempt", id, "email", "PAGE.USER@example.com",
            "password", "correct horse battery", "decision", "approve");
        assertEquals(200, approved.statusCode(), approved.body());
        assertTrue(approved.body().contains("return to OBS"), approved.body());
        relay.clock.advanceSeconds(10);
        assertEquals(200, relay.poll(attempt).statusCode());
        assertError(relay.send("GET", "/login/plugin?attempt=" + id, null), 409, "login_attempt_not_pending");

        final Map<String, Object> other = relay.loginStart();
        final HttpResponse<String> deny = form("attempt", (String)other.get("login_attempt_id"), "email", "page.user@example.com",
            "password", "correct horse battery", "decision", "deny");
        assertEquals(200, deny.statusCode(), deny.body());
        assertError(relay.poll(other), 400, "access_denied");
        assertError(relay.send("GET", "/login/plugin?attempt=la_01jzqwjn803wtnhc445bvjenzc", null), 404,
            "login_attempt_not_found");
        assertError(relay.send("GET", "/login/plugin", null), 400, "invalid_request");
    }

    private HttpResponse<String> form(final String... pairs) throws Exception
    {
        final StringBuilder body = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2)
        {
            body.append(i == 0 ? "" : "&").append(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return TestServers.CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relay.port + "/login/plugin"))
            .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldGiveConcurrentRefreshesInsideTheGraceWindowTheSameSuccessor() throws Exception
    {
        final RelayFixture.Tokens first = relay.login(relay.createUser("starter"));
        final List<HttpResponse<String>> answers = concurrently(2, () -> relay.refresh(first.refresh()));
        for (final HttpResponse<String> r : answers)
        {
            assertEquals(200, r.statusCode(), r.body());
        }
        final RelayFixture.Tokens a = RelayFixture.tokens(answers.get(0));
        final RelayFixture.Tokens b = RelayFixture.tokens(answers.get(1));
        assertEquals(a.refresh(), b.refresh(), "both processes get the same successor refresh token");
        assertEquals(a.access(), b.access(), "and the same access token");
        assertNotEquals(first.refresh(), a.refresh());
        assertNotEquals(first.access(), a.access());

        relay.clock.advanceSeconds(10); // still inside the 10 s window
        assertEquals(a.refresh(), RelayFixture.tokens(relay.refresh(first.refresh())).refresh());
        assertEquals(200, relay.authed("GET", "/api/v1/auth/session", null, a).statusCode());

        final HttpResponse<String> next = relay.refresh(a.refresh()); // the successor rotates normally
        assertEquals(200, next.statusCode(), next.body());
        assertEquals(0, relay.countFlushed("SELECT count(*) FROM relay_auth_events WHERE kind = 'token.reuse_detected' "
            + "AND user_id = '" + first.userId() + "'"));
    }

    @Test
    void shouldRevokeTheWholeFamilyWhenARetiredTokenReturnsAfterTheGraceWindow() throws Exception
    {
        final RelayFixture.Tokens first = relay.login(relay.createUser("starter"));
        final HttpResponse<String> rotated = relay.refresh(first.refresh());
        assertEquals(200, rotated.statusCode());
        final RelayFixture.Tokens second = RelayFixture.tokens(rotated);
        relay.clock.advanceSeconds(11);

        final List<HttpResponse<String>> answers = concurrently(2, () -> relay.refresh(first.refresh()));
        for (final HttpResponse<String> r : answers)
        {
            assertEquals(401, r.statusCode(), r.body());
            final String code = (String)map(json(r).get("error")).get("code");
            assertTrue(code.equals("refresh_token_reused") || code.equals("invalid_refresh_token"), code);
        }
        assertTrue(answers.stream().anyMatch(r -> r.body().contains("refresh_token_reused")), "one of them detected the reuse");
        assertError(relay.refresh(second.refresh()), 401, "invalid_refresh_token"); // the legitimate successor is dead too
        final HttpResponse<String> session = relay.authed("GET", "/api/v1/auth/session", null, second);
        assertError(session, 401, "unauthorized");
        assertTrue(session.headers().firstValue("WWW-Authenticate").orElse("").contains("invalid_token"));
        assertEquals(1, relay.countFlushed("SELECT count(*) FROM relay_auth_events WHERE kind = 'token.reuse_detected' "
            + "AND user_id = '" + first.userId() + "'"));
        assertError(relay.refresh("not-a-token"), 401, "invalid_refresh_token");
    }

    @Test
    void shouldLogOutByRevokingTheFamily() throws Exception
    {
        final RelayFixture.Tokens t = relay.login(relay.createUser(null));
        final RelayFixture.Tokens other = relay.login(t.userId()); // a second login of the same user
        assertEquals(200, relay.authed("GET", "/api/v1/auth/session", null, t).statusCode());
        final HttpResponse<String> out = relay.authed("POST", "/api/v1/auth/logout", null, t);
        assertEquals(200, out.statusCode(), out.body());
        assertError(relay.authed("GET", "/api/v1/auth/session", null, t), 401, "unauthorized");
        assertError(relay.refresh(t.refresh()), 401, "invalid_refresh_token");
        assertEquals(200, relay.authed("GET", "/api/v1/auth/session", null, other).statusCode(), "other logins stay");

        // A plugin whose access token expired logs out with its refresh token; twice is fine.
        for (int i = 0; i < 2; i++)
        {
            assertEquals(200, relay.send("POST", "/api/v1/auth/logout", "{\"refresh_token\":\"" + other.refresh() + "\"}")
                .statusCode());
        }
        assertError(relay.refresh(other.refresh()), 401, "invalid_refresh_token");
        assertError(relay.send("POST", "/api/v1/auth/logout", null), 401, "unauthorized");
    }

    @Test
    void shouldRequireAValidBearerTokenWithASmallLeeway() throws Exception
    {
        final HttpResponse<String> none = relay.send("GET", "/api/v1/auth/session", null);
        assertError(none, 401, "unauthorized");
        assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        assertError(relay.send("GET", "/api/v1/relay/active", null, "Authorization", "Bearer x.y.z"), 401, "unauthorized");
        assertError(relay.send("GET", "/api/v1/usage/current", null, "Authorization", "Basic abc"), 401, "unauthorized");

        final RelayFixture.Tokens t = relay.login(relay.createUser("starter"));
        final String[] parts = t.access().split("\\.");
        final String forged = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
        assertError(relay.send("GET", "/api/v1/auth/session", null, "Authorization", "Bearer " + forged), 401, "unauthorized");

        relay.clock.advanceSeconds(900 + 20); // expired, but within the 30 s leeway
        assertEquals(200, relay.authed("GET", "/api/v1/auth/session", null, t).statusCode());
        relay.clock.advanceSeconds(11);
        assertError(relay.authed("GET", "/api/v1/auth/session", null, t), 401, "unauthorized");
        final HttpResponse<String> renewed = relay.refresh(t.refresh());
        assertEquals(200, renewed.statusCode(), "the refresh token outlives the access token");
        assertEquals(200, relay.authed("GET", "/api/v1/auth/session", null, RelayFixture.tokens(renewed)).statusCode());
    }

    @Test
    void shouldShowUserEntitlementUsageAndActiveRelayInTheSession() throws Exception
    {
        final RelayFixture.Tokens t = relay.login(relay.createUser("starter"));
        Map<String, Object> s = json(relay.authed("GET", "/api/v1/auth/session", null, t));
        assertEquals(t.userId(), map(s.get("user")).get("id"));
        assertEquals("starter", map(s.get("entitlement")).get("plan"));
        assertEquals(true, map(s.get("entitlement")).get("can_start_relay"));
        assertEquals(7200L, map(s.get("usage")).get("remaining_seconds"));
        assertNull(s.get("active_relay"));

        final String session = relay.activeRelay(t);
        relay.clock.advanceSeconds(30);
        s = json(relay.authed("GET", "/api/v1/auth/session", null, t));
        assertEquals(session, map(s.get("active_relay")).get("session_id"));
        assertEquals(30L, map(s.get("usage")).get("used_seconds"));

        final RelayFixture.Tokens free = relay.login(relay.createUser(null));
        s = json(relay.authed("GET", "/api/v1/auth/session", null, free));
        assertEquals(false, map(s.get("entitlement")).get("can_start_relay"));
        assertEquals("entitlement_required", map(s.get("entitlement")).get("reason"));
    }

    private static List<HttpResponse<String>> concurrently(final int n, final Callable<HttpResponse<String>> call)
        throws Exception
    {
        final ExecutorService pool = Executors.newFixedThreadPool(n);
        try
        {
            final CountDownLatch go = new CountDownLatch(1);
            final List<Future<HttpResponse<String>>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++)
            {
                futures.add(pool.submit(() ->
                {
                    go.await();
                    return call.call();
                }));
            }
            go.countDown();
            final List<HttpResponse<String>> out = new java.util.ArrayList<>();
            for (final Future<HttpResponse<String>> f : futures)
            {
                out.add(f.get());
            }
            return out;
        }
        finally
        {
            pool.shutdownNow();
        }
    }
}
