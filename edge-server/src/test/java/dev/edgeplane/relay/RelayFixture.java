package dev.edgeplane.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.EdgeSettings;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.TestServers;

/**
 * A relay-only test server on loopback with embedded PostgreSQL and a {@link MutableClock}, and a small client
 * for it: admin calls, plugin login, relay calls with bearer tokens, relay health with the session's secret,
 * signed webhooks, and the error-contract assertion every test uses.
 */
final class RelayFixture implements AutoCloseable
{
    static final String ADMIN_TOKEN = "relay-admin-token-0123456789";
    static final String JWT_SECRET = "relay-test-jwt-secret-0123456789abcdef";
    static final String WEBHOOK_SECRET = "whsec-test-0123456789";
    /** Plans of the test catalog: mini (100 s), starter (7200 s), pro (36000 s). */
    static final String PLANS = """
        [{"plan":"mini","variant_id":"100009","included_seconds":100,"rank":0},
         {"plan":"starter","variant_id":"100001","included_seconds":7200,"rank":1},
         {"plan":"pro","variant_id":"100002","included_seconds":36000,"rank":2}]""";
    static final String MANIFEST = """
        {"default_region":"us-west-2",
         "image":{"name":"telemy-relay","version":"0.0.5","instance_type":"t4g.small","srt_port":5000},
         "regions":[{"region":"us-west-2","name":"US West","image_id":"ami-0west","capacity":50},
                    {"region":"eu-central-1","name":"EU","image_id":"ami-0eu","capacity":1},
                    {"region":"ap-south-1","name":"Asia","image_id":"ami-0ap","capacity":5,"enabled":false}]}""";

    final MutableClock clock;
    final String databaseUrl;
    final EdgeServer server;
    final int port;
    private int users;

    /** Tokens of one plugin login. */
    record Tokens(String access, String refresh, String userId)
    {
    }

    RelayFixture(final Path dataDir, final String dbPrefix, final Map<String, String> extra)
    {
        this(dataDir, TestPostgres.freshDatabaseUrl(dbPrefix), new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS)),
            extra);
    }

    /** A server on an existing data directory and database (a restart), reading {@code clock}. */
    RelayFixture(final Path dataDir, final String databaseUrl, final MutableClock clock, final Map<String, String> extra)
    {
        this.clock = clock;
        this.databaseUrl = databaseUrl;
        final Map<String, String> env = new HashMap<>();
        env.put(EdgeSettings.SURFACES, "relay");
        env.put("ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("RELAY_JWT_SECRET", JWT_SECRET);
        env.put("RELAY_SWEEP_MS", "25");
        env.put("RELAY_SIM_REPORT_HEALTH", "false");
        env.put("RELAY_HEALTH_TIMEOUT_S", "60");
        env.put("RELAY_GRACE_S", "120");
        env.put("RELAY_ADDON_SECONDS", "3600");
        env.put("RELAY_PLANS_JSON", PLANS);
        env.put("RELAY_MANIFEST_JSON", MANIFEST);
        env.put("LEMONSQUEEZY_WEBHOOK_SECRET", WEBHOOK_SECRET);
        env.putAll(extra);
        this.server = EdgeServer.start(EdgeSettings.from(TestServers.environment(dataDir, databaseUrl, env)),
            List.of(new RelaySurface(clock)));
        this.port = server.port(SurfaceKind.RELAY);
    }

    @Override
    public void close()
    {
        server.close();
    }

    // ---- HTTP ----

    HttpResponse<String> send(final String method, final String path, final String json, final String... headers)
        throws Exception
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2)
        {
            b.header(headers[i], headers[i + 1]);
        }
        if (json != null)
        {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        else
        {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return TestServers.CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> admin(final String method, final String path, final String json) throws Exception
    {
        return send(method, path, json, "x-admin-token", ADMIN_TOKEN);
    }

    HttpResponse<String> authed(final String method, final String path, final String json, final Tokens t,
        final String... headers) throws Exception
    {
        final String[] all = new String[headers.length + 2];
        all[0] = "Authorization";
        all[1] = "Bearer " + t.access();
        System.arraycopy(headers, 0, all, 2, headers.length);
        return send(method, path, json, all);
    }

    static Map<String, Object> json(final HttpResponse<String> r)
    {
        return TestServers.json(r.body());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(final Object o)
    {
        return (Map<String, Object>)o;
    }

    /**
     * Asserts the one error body: status, code, {@code request_id} equal to the {@code X-Request-Id} header and
     * {@code details} an object. @return the details.
     */
    static Map<String, Object> assertError(final HttpResponse<String> r, final int status, final String code)
    {
        assertEquals(status, r.statusCode(), r.body());
        final Map<String, Object> error = map(json(r).get("error"));
        assertEquals(code, error.get("code"), r.body());
        assertNotNull(error.get("message"));
        final String requestId = r.headers().firstValue("X-Request-Id").orElseThrow();
        assertEquals(requestId, error.get("request_id"), "request_id equals X-Request-Id");
        assertInstanceOf(Map.class, error.get("details"), "details is always an object");
        return map(error.get("details"));
    }

    // ---- users and login ----

    /** Creates a user (no password: operator-approved logins only) with an optional plan; returns its id. */
    String createUser(final String plan) throws Exception
    {
        final String email = "user" + (++users) + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        final String body = plan == null ? "{\"email\":\"" + email + "\"}"
            : "{\"email\":\"" + email + "\",\"plan\":\"" + plan + "\"}";
        final HttpResponse<String> r = admin("POST", "/api/v1/admin/users", body);
        assertEquals(201, r.statusCode(), r.body());
        return (String)json(r).get("id");
    }

    Map<String, Object> loginStart() throws Exception
    {
        final HttpResponse<String> r = send("POST", "/api/v1/auth/plugin/login/start", "{\"client_name\":\"OBS test\"}");
        assertEquals(200, r.statusCode(), r.body());
        return json(r);
    }

    HttpResponse<String> poll(final Map<String, Object> attempt) throws Exception
    {
        return send("POST", "/api/v1/auth/plugin/login/poll", "{\"login_attempt_id\":\"" + attempt.get("login_attempt_id")
            + "\",\"poll_token\":\"" + attempt.get("poll_token") + "\"}");
    }

    HttpResponse<String> approve(final Map<String, Object> attempt, final String userId) throws Exception
    {
        return admin("POST", "/api/v1/admin/login/approve", "{\"login_attempt_id\":\"" + attempt.get("login_attempt_id")
            + "\",\"user_id\":\"" + userId + "\"}");
    }

    /** A full plugin login approved by the operator: start → approve → poll. */
    Tokens login(final String userId) throws Exception
    {
        final Map<String, Object> attempt = loginStart();
        assertEquals(200, approve(attempt, userId).statusCode());
        final HttpResponse<String> r = poll(attempt);
        assertEquals(200, r.statusCode(), r.body());
        return tokens(r);
    }

    static Tokens tokens(final HttpResponse<String> r)
    {
        final Map<String, Object> m = json(r);
        return new Tokens((String)m.get("access_token"), (String)m.get("refresh_token"), (String)map(m.get("user")).get("id"));
    }

    HttpResponse<String> refresh(final String refreshToken) throws Exception
    {
        return send("POST", "/api/v1/auth/refresh", "{\"refresh_token\":\"" + refreshToken + "\"}");
    }

    // ---- relay ----

    static String key()
    {
        return UUID.randomUUID().toString();
    }

    HttpResponse<String> start(final Tokens t, final String key, final String body) throws Exception
    {
        return key == null ? authed("POST", "/api/v1/relay/start", body, t)
            : authed("POST", "/api/v1/relay/start", body, t, "Idempotency-Key", key);
    }

    HttpResponse<String> stop(final Tokens t) throws Exception
    {
        return authed("POST", "/api/v1/relay/stop", null, t);
    }

    /** @return the user's live session, or null. */
    Map<String, Object> active(final Tokens t) throws Exception
    {
        final HttpResponse<String> r = authed("GET", "/api/v1/relay/active", null, t);
        assertEquals(200, r.statusCode(), r.body());
        final Object s = json(r).get("session");
        return s == null ? null : map(s);
    }

    /** @return the session as an operator sees it: {session, user_id, relay_auth{session_id, instance_id, secret}}. */
    Map<String, Object> adminSession(final String sessionId) throws Exception
    {
        final HttpResponse<String> r = admin("GET", "/api/v1/admin/relay/sessions/" + sessionId, null);
        assertEquals(200, r.statusCode(), r.body());
        return json(r);
    }

    String state(final String sessionId) throws Exception
    {
        return (String)map(adminSession(sessionId).get("session")).get("state");
    }

    /** The relay of {@code sessionId} reports health with its own secret and instance. */
    HttpResponse<String> health(final String sessionId) throws Exception
    {
        final Map<String, Object> auth = map(adminSession(sessionId).get("relay_auth"));
        return health(sessionId, (String)auth.get("instance_id"), (String)auth.get("secret"));
    }

    HttpResponse<String> health(final String sessionId, final String instanceId, final String secret) throws Exception
    {
        final String body = "{\"session_id\":\"" + sessionId + "\",\"instance_id\":\"" + instanceId + "\"}";
        return secret == null ? send("POST", "/api/v1/relay/health", body)
            : send("POST", "/api/v1/relay/health", body, "X-Relay-Auth", secret);
    }

    /** Starts a relay and brings it to active; returns the session id. */
    String activeRelay(final Tokens t) throws Exception
    {
        final HttpResponse<String> r = start(t, key(), "{}");
        assertEquals(201, r.statusCode(), r.body());
        final String id = (String)map(json(r).get("session")).get("session_id");
        final HttpResponse<String> h = health(id);
        assertEquals(200, h.statusCode(), h.body());
        assertEquals("active", json(h).get("state"));
        return id;
    }

    /** Waits until the sweeper has moved the session to {@code state}. */
    void awaitState(final String sessionId, final String state) throws Exception
    {
        TestServers.await("session " + sessionId + " in " + state, 10_000, () ->
        {
            try
            {
                return state.equals(state(sessionId));
            }
            catch (final Exception e)
            {
                throw new IllegalStateException(e);
            }
        });
    }

    // ---- billing ----

    static String sign(final String body) throws Exception
    {
        final Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return java.util.HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    HttpResponse<String> webhook(final String body) throws Exception
    {
        return send("POST", "/api/v1/billing/webhook", body, "X-Signature", sign(body));
    }

    /** A LemonSqueezy subscription event body for a user. */
    static String subscriptionEvent(final String event, final String userId, final String subscriptionId,
        final String variantId, final int quantity, final String status, final Instant updatedAt, final Instant renewsAt,
        final Instant endsAt)
    {
        return """
            {"meta":{"event_name":"%s","custom_data":{"user_id":"%s"}},
             "data":{"type":"subscriptions","id":"%s","attributes":{"store_id":1,"variant_id":%s,"status":"%s",
               "user_email":"someone@example.com","renews_at":%s,"ends_at":%s,"updated_at":"%s",
               "first_subscription_item":{"id":1,"subscription_id":%s,"quantity":%d}}}}"""
            .formatted(event, userId, subscriptionId, variantId, status, quote(renewsAt), quote(endsAt), updatedAt,
                subscriptionId, quantity);
    }

    private static String quote(final Instant t)
    {
        return t == null ? "null" : "\"" + t + "\"";
    }

    Map<String, Object> usage(final Tokens t) throws Exception
    {
        final HttpResponse<String> r = authed("GET", "/api/v1/usage/current", null, t);
        assertEquals(200, r.statusCode(), r.body());
        return json(r);
    }

    /** Waits until the journal has reached PostgreSQL, then counts a query's rows. */
    long countFlushed(final String sql) throws Exception
    {
        server.runtime().flusher().awaitFlushed(server.runtime().journal().lastSeq(), 10_000);
        return TestServers.count(databaseUrl, sql);
    }
}
