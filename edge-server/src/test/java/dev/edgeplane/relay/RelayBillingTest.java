package dev.edgeplane.relay;

import static dev.edgeplane.relay.RelayFixture.assertError;
import static dev.edgeplane.relay.RelayFixture.json;
import static dev.edgeplane.relay.RelayFixture.key;
import static dev.edgeplane.relay.RelayFixture.map;
import static dev.edgeplane.relay.RelayFixture.subscriptionEvent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Billing and the Time Bank over real sockets and embedded PostgreSQL: webhook signatures (good, bad,
 * replayed, out of order), the seven handlers, Time Bank arithmetic across a cycle boundary and when the bank
 * runs out, and checkout against a loopback stand-in for the LemonSqueezy API.
 */
class RelayBillingTest
{
    @TempDir
    static Path dataDir;
    static RelayFixture relay;
    static HttpServer lemonSqueezy;
    static final AtomicReference<String> CHECKOUT_REQUEST = new AtomicReference<>();
    static final AtomicReference<String> CHECKOUT_AUTH = new AtomicReference<>();

    @BeforeAll
    static void start() throws IOException
    {
        lemonSqueezy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        lemonSqueezy.createContext("/v1/checkouts", exchange ->
        {
            try (InputStream in = exchange.getRequestBody())
            {
                CHECKOUT_REQUEST.set(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            CHECKOUT_AUTH.set(exchange.getRequestHeaders().getFirst("Authorization"));
            final byte[] body = "{\"data\":{\"type\":\"checkouts\",\"id\":\"c1\",\"attributes\":{\"url\":\"https://relay.lemonsqueezy.com/checkout/custom/c1\"}}}"
                .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/vnd.api+json");
            exchange.sendResponseHeaders(201, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        lemonSqueezy.start();
        relay = new RelayFixture(dataDir, "relay_billing", Map.of(
            "LEMONSQUEEZY_API_BASE", "http://127.0.0.1:" + lemonSqueezy.getAddress().getPort(),
            "LEMONSQUEEZY_API_KEY", "ls-test-key",
            "LEMONSQUEEZY_STORE_ID", "4242",
            "LEMONSQUEEZY_VARIANT_ID", "100001"));
    }

    @AfterAll
    static void stop()
    {
        relay.close();
        lemonSqueezy.stop(0);
    }

    private Instant now()
    {
        return relay.clock.instant();
    }

    @Test
    void shouldVerifySignaturesDeduplicateAndIgnoreStaleUpdates() throws Exception
    {
        final RelayFixture.Tokens t = relay.login(relay.createUser(null));
        final String created = subscriptionEvent("subscription_created", t.userId(), "9001", "100001", 1, "active",
            now(), now().plusSeconds(30 * 86400), null);

        // Bad signatures: 401 and nothing changes.
        assertError(relay.send("POST", "/api/v1/billing/webhook", created, "X-Signature", "00" + RelayFixture.sign(created)
            .substring(2)), 401, "invalid_signature");
        assertError(relay.send("POST", "/api/v1/billing/webhook", created), 401, "invalid_signature");
        assertError(relay.send("POST", "/api/v1/billing/webhook", created + " ", "X-Signature", RelayFixture.sign(created)),
            401, "invalid_signature");
        assertEquals("none", map(json(relay.authed("GET", "/api/v1/auth/session", null, t)).get("entitlement")).get("status"));
        assertEquals(0, relay.countFlushed("SELECT count(*) FROM relay_billing_events WHERE user_id = '" + t.userId() + "'"));

        final HttpResponse<String> applied = relay.webhook(created);
        assertEquals(200, applied.statusCode(), applied.body());
        assertEquals(Map.of("status", "applied", "handler", "activate"), json(applied));
        assertEquals(7200L, relay.usage(t).get("included_seconds"));

        final HttpResponse<String> replayed = relay.webhook(created);
        assertEquals(200, replayed.statusCode());
        assertEquals("duplicate", json(replayed).get("status"));

        // Out of order: the newer update (quantity 2) arrives before an older one (quantity 5).
        final Instant older = now().plusSeconds(10);
        final Instant newer = now().plusSeconds(20);
        final HttpResponse<String> late = relay.webhook(subscriptionEvent("subscription_updated", t.userId(), "9001", "100001",
            2, "active", newer, now().plusSeconds(30 * 86400), null));
        assertEquals("applied", json(late).get("status"));
        final HttpResponse<String> stale = relay.webhook(subscriptionEvent("subscription_updated", t.userId(), "9001", "100001",
            5, "active", older, now().plusSeconds(30 * 86400), null));
        assertEquals(200, stale.statusCode());
        assertEquals("stale", json(stale).get("status"));
        assertEquals(3600L, relay.usage(t).get("addon_seconds"), "quantity 2 = one add-on, the stale 5 ignored");

        assertEquals(1, relay.countFlushed("SELECT count(*) FROM relay_billing_events WHERE user_id = '" + t.userId()
            + "' AND outcome = 'duplicate'"));
        assertEquals(1, relay.countFlushed("SELECT count(*) FROM relay_billing_events WHERE user_id = '" + t.userId()
            + "' AND outcome = 'stale'"));
        assertEquals(1, relay.countFlushed("SELECT count(*) FROM relay_subscriptions WHERE user_id = '" + t.userId()
            + "' AND addon_seconds = 3600 AND plan = 'starter'"));

        final String stranger = subscriptionEvent("subscription_created", "usr_unknown", "9002", "100001", 1, "active", now(),
            null, null);
        assertEquals("ignored", json(relay.webhook(stranger)).get("status"));
        assertError(relay.send("POST", "/api/v1/billing/webhook", "{\"meta\":{}}", "X-Signature",
            RelayFixture.sign("{\"meta\":{}}")), 400, "invalid_request");
    }

    @Test
    void shouldApplyTheSevenHandlers() throws Exception
    {
        final RelayFixture.Tokens t = relay.login(relay.createUser(null));
        final String u = t.userId();
        final Instant renews = now().plusSeconds(30 * 86400);
        Instant at = now();

        assertEquals("activate", handler(subscriptionEvent("subscription_created", u, "77", "100002", 1, "active", at, renews, null)));
        assertEquals(36000L, relay.usage(t).get("included_seconds"));

        at = at.plusSeconds(1);
        assertEquals("update_addon", handler(subscriptionEvent("subscription_updated", u, "77", "100002", 3, "active", at, renews, null)));
        assertEquals(7200L, relay.usage(t).get("addon_seconds"));

        at = at.plusSeconds(1);
        assertEquals("payment_failed", handler(invoiceEvent("subscription_payment_failed", u, "77", at)));
        assertError(relay.start(t, key(), "{}"), 402, "payment_past_due");

        at = at.plusSeconds(1);
        assertEquals("payment_recovered", handler(invoiceEvent("subscription_payment_recovered", u, "77", at)));
        final HttpResponse<String> started = relay.start(t, key(), "{}");
        assertEquals(201, started.statusCode(), started.body());
        relay.stop(t);

        at = at.plusSeconds(1);
        assertEquals("downgrade", handler(subscriptionEvent("subscription_updated", u, "77", "100001", 3, "active", at, renews, null)));
        assertEquals(7200L, relay.usage(t).get("included_seconds"));
        assertEquals("starter", map(json(relay.authed("GET", "/api/v1/auth/session", null, t)).get("entitlement")).get("plan"));

        at = at.plusSeconds(1);
        final Instant ends = now().plusSeconds(3600);
        assertEquals("cancelled", handler(subscriptionEvent("subscription_cancelled", u, "77", "100001", 3, "cancelled", at, null, ends)));
        final Map<String, Object> cancelled = relay.usage(t);
        assertEquals(ends.toString(), cancelled.get("cycle_end"), "access runs until ends_at");
        assertEquals(true, map(json(relay.authed("GET", "/api/v1/auth/session", null, t)).get("entitlement")).get("can_start_relay"));

        assertEquals("refund", handler("""
            {"meta":{"event_name":"order_refunded","custom_data":{"user_id":"%s"}},
             "data":{"type":"orders","id":"555","attributes":{"user_email":"x@example.com","refunded":true,
               "updated_at":"%s"}}}""".formatted(u, at.minusSeconds(100))));
        assertEquals(0L, relay.usage(t).get("remaining_seconds"));
        assertError(relay.start(t, key(), "{}"), 402, "entitlement_required");

        assertEquals(7, relay.countFlushed("SELECT count(DISTINCT handler) FROM relay_billing_events WHERE user_id = '" + u
            + "' AND outcome = 'applied'"));
    }

    private static String invoiceEvent(final String event, final String userId, final String subscriptionId, final Instant at)
    {
        return """
            {"meta":{"event_name":"%s","custom_data":{"user_id":"%s"}},
             "data":{"type":"subscription-invoices","id":"%d","attributes":{"subscription_id":%s,"status":"paid",
               "user_email":"x@example.com","updated_at":"%s"}}}""".formatted(event, userId, at.toEpochMilli(), subscriptionId, at);
    }

    private static String handler(final String body) throws Exception
    {
        final HttpResponse<String> r = relay.webhook(body);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("applied", json(r).get("status"), r.body());
        return (String)json(r).get("handler");
    }

    @Test
    void shouldDrawActiveAndGraceTimeAcrossACycleBoundary() throws Exception
    {
        RelayFixture.Tokens t = relay.login(relay.createUser(null));
        final Instant w = now();
        relay.webhook(subscriptionEvent("subscription_created", t.userId(), "31", "100001", 2, "active", w, w.plusSeconds(600), null));
        Map<String, Object> usage = relay.usage(t);
        assertEquals(w.toString(), usage.get("cycle_start"));
        assertEquals(w.plusSeconds(600).toString(), usage.get("cycle_end"));
        assertEquals(7200L + 3600L, usage.get("remaining_seconds"));

        final String id = relay.activeRelay(t); // active from w
        for (int i = 0; i < 11; i++)
        {
            relay.clock.advanceSeconds(50);
            assertEquals(200, relay.health(id).statusCode());
        }
        usage = relay.usage(t);
        assertEquals(550L, usage.get("used_seconds"));
        assertEquals(7200L + 3600L - 550L, usage.get("remaining_seconds"));

        relay.clock.advanceSeconds(50); // w+600: the cycle rolls over
        assertEquals(200, relay.health(id).statusCode());
        relay.clock.advanceSeconds(50); // w+650
        usage = relay.usage(t);
        assertEquals(w.plusSeconds(600).toString(), usage.get("cycle_start"));
        assertEquals(w.plusSeconds(1200).toString(), usage.get("cycle_end"));
        assertEquals(50L, usage.get("used_seconds"), "only the time after the boundary counts in the new cycle");

        assertEquals("grace", map(json(relay.stop(t)).get("session")).get("state")); // grace until w+770
        relay.clock.advanceSeconds(30);
        assertEquals(80L, relay.usage(t).get("used_seconds"), "grace is drawn too");
        relay.clock.advanceSeconds(500); // long past the end of grace
        relay.awaitState(id, "stopped");
        t = RelayFixture.tokens(relay.refresh(t.refresh())); // the access token has expired meanwhile
        usage = relay.usage(t);
        assertEquals(50L + 120L, usage.get("used_seconds"), "grace is drawn until it ends, not until it is noticed");
        assertEquals(7200L + 3600L - 170L, usage.get("remaining_seconds"));
        assertEquals(770L, map(relay.adminSession(id).get("session")).get("metered_seconds"));
        assertEquals(1, relay.countFlushed("SELECT count(*) FROM relay_usage WHERE session_id = '" + id + "' AND seconds = 770"));
    }

    @Test
    void shouldMoveToGraceWhenTheTimeBankRunsOut() throws Exception
    {
        final RelayFixture.Tokens t = relay.login(relay.createUser("mini")); // 100 s
        final Instant t0 = now();
        final String id = relay.activeRelay(t);
        relay.clock.advanceSeconds(50);
        relay.health(id);
        relay.clock.advanceSeconds(55);
        relay.awaitState(id, "grace");
        assertEquals("time_bank_empty", map(relay.adminSession(id).get("session")).get("reason"));
        assertEquals(t0.plusSeconds(100).toString(), map(relay.adminSession(id).get("session")).get("state_since"),
            "grace began at the instant the bank ran out, not when the timer noticed");
        final Map<String, Object> usage = relay.usage(t);
        assertEquals(105L, usage.get("used_seconds"), "100 s active, then 5 s of grace (grace is drawn too)");
        assertEquals(0L, usage.get("remaining_seconds"));
        assertEquals("grace", json(relay.health(id)).get("state"), "health does not resume an empty bank");
        final Map<String, Object> details = assertError(relay.start(t, key(), "{}"), 402, "time_bank_empty");
        assertEquals(0L, details.get("remaining_seconds"));
    }

    @Test
    void shouldCreateACheckoutThroughTheLemonSqueezyApi() throws Exception
    {
        final RelayFixture.Tokens t = relay.login(relay.createUser(null));
        final HttpResponse<String> r = relay.authed("POST", "/api/v1/billing/checkout", "{\"plan\":\"pro\"}", t);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("https://relay.lemonsqueezy.com/checkout/custom/c1", json(r).get("url"));
        assertEquals("Bearer ls-test-key", CHECKOUT_AUTH.get());
        final String sent = CHECKOUT_REQUEST.get();
        assertTrue(sent.contains("\"user_id\":\"" + t.userId() + "\""), sent);
        assertTrue(sent.contains("\"id\":\"100002\"") && sent.contains("\"id\":\"4242\""), sent);
        assertError(relay.authed("POST", "/api/v1/billing/checkout", "{\"plan\":\"gold\"}", t), 400, "invalid_request");
        assertError(relay.send("POST", "/api/v1/billing/checkout", "{}"), 401, "unauthorized");
    }
}
