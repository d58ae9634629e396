package dev.edgeplane.relay;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.edgeplane.codec.DecodeException;
import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Json;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.relay.state.RelayAccount;
import dev.edgeplane.relay.state.WebhookDelivery;
import dev.edgeplane.server.Answer;
import dev.edgeplane.server.HttpExchange;
import dev.edgeplane.state.ShardWriter;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Billing and usage: {@code POST /billing/checkout} (a LemonSqueezy checkout URL), {@code POST
 * /billing/webhook} (signed deliveries, deduplicated, stale updates ignored, the seven handlers of
 * {@link SubscriptionEvents}), {@code GET /usage/current} (the Time Bank cycle) and the public
 * {@code GET /capacity/status}.
 *
 * <p>Webhook verification: {@code X-Signature} is the hex HMAC-SHA256 of the raw body under
 * {@code LEMONSQUEEZY_WEBHOOK_SECRET}, compared in constant time before anything is parsed; a bad or missing
 * signature is 401 and changes nothing. A delivery is identified by the SHA-256 of its raw body (a provider
 * retry resends the same bytes): a second delivery answers 200 {@code duplicate} and changes nothing. Every
 * delivery, whatever became of it, is journaled into {@code relay_billing_events}; the provider gets 200 for
 * everything it should not retry (duplicates, stale updates, events we ignore, unknown users).
 *
 * <p>Threading: signature, parsing and user lookup on the event loop; the account changes on the user's
 * shard; the checkout call on the blocking pool.
 */
final class BillingHandlers
{
    private static final Logger LOG = LoggerFactory.getLogger(BillingHandlers.class);
    static final String SIGNATURE = "X-Signature";

    private final RelayPlane p;
    private final BearerAuth auth;
    private final SubscriptionEvents events;
    private final LemonSqueezyCheckout checkout;
    private final RelayLifecycle lifecycle;

    BillingHandlers(final RelayPlane plane, final BearerAuth auth, final RelayLifecycle lifecycle)
    {
        this.p = plane;
        this.auth = auth;
        this.lifecycle = lifecycle;
        this.events = new SubscriptionEvents(plane.plans, plane.settings.addonSeconds());
        this.checkout = new LemonSqueezyCheckout(plane.settings.lemonSqueezyApiBase(), plane.settings.lemonSqueezyApiKey(),
            plane.settings.lemonSqueezyStoreId());
    }

    /** {@code POST /api/v1/billing/checkout {plan?}} → {@code {url}}. */
    void checkout(final HttpExchange ex)
    {
        final BearerAuth.Principal principal = auth.authenticate(ex);
        if (principal == null)
        {
            return;
        }
        final Fields f = ex.fields();
        if (f == null)
        {
            ex.send(ex.bodyFailure());
            return;
        }
        final Problems problems = new Problems();
        final String planName = RelayRequests.text(f, "plan", false, 64, problems);
        final PlanCatalog.Plan plan = planName == null ? null : p.plans.byName(planName);
        if (planName != null && plan == null)
        {
            problems.add("plan", "must be one of " + p.plans.names());
        }
        if (!problems.isEmpty())
        {
            ex.send(RelayRequests.invalid(problems));
            return;
        }
        final String variant = plan != null ? plan.variantId() : p.settings.lemonSqueezyVariantId();
        if (!checkout.configured() || variant.isEmpty())
        {
            ex.send(Answer.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "billing_unavailable",
                "checkout is not configured on this server", Outcome.details("settings", LemonSqueezyCheckout.settingNames())));
            return;
        }
        ex.offerBlocking(() ->
        {
            final LemonSqueezyCheckout.Result r = checkout.create(principal.userId(), principal.user().email(), variant);
            if (r.url() != null)
            {
                ex.send(Answer.json(HttpResponseStatus.OK, Json.write(Map.of("url", r.url()))));
            }
            else
            {
                LOG.warn("relay: checkout for {} failed: {}", principal.userId(), r.failure());
                ex.send(Answer.error(HttpResponseStatus.BAD_GATEWAY, "billing_provider_error",
                    "the checkout could not be created; retry later", Outcome.details("cause", r.failure())));
            }
        });
    }

    /** {@code POST /api/v1/billing/webhook}: a signed LemonSqueezy delivery. */
    void webhook(final HttpExchange ex)
    {
        final byte[] secret = p.settings.webhookSecret();
        if (secret.length == 0)
        {
            ex.send(Answer.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "billing_unavailable",
                "webhooks are not configured on this server (LEMONSQUEEZY_WEBHOOK_SECRET)"));
            return;
        }
        final byte[] presented = Secrets.unhex(ex.header(SIGNATURE));
        final byte[] expected = Secrets.hmac(secret, ex.body(), 0, ex.bodyLength());
        if (!Secrets.equal(expected, presented))
        {
            ex.send(Answer.error(HttpResponseStatus.UNAUTHORIZED, "invalid_signature",
                "X-Signature must be the hex HMAC-SHA256 of the raw body", Outcome.details("header", SIGNATURE)));
            return;
        }
        final long now = p.now();
        final String deliveryKey = Secrets.hex(Secrets.sha256(ex.body(), 0, ex.bodyLength()));
        final Object tree;
        try
        {
            tree = Json.parse(ex.body(), 0, ex.bodyLength());
        }
        catch (final DecodeException e)
        {
            ex.send(Answer.error(HttpResponseStatus.BAD_REQUEST, e.code(), e.getMessage()));
            return;
        }
        final Problems problems = new Problems();
        final WebhookEvent event = WebhookEvent.parse(tree, problems);
        if (event == null)
        {
            ex.send(RelayRequests.invalid(problems));
            return;
        }
        UserDirectory.RelayUser user = p.users.byId(event.userIdHint());
        if (user == null)
        {
            user = p.users.byEmail(event.email());
        }
        if (user == null)
        {
            final long seq = p.history.billing(deliveryKey, event.name(), null, "unmatched", null, event.subscriptionId(),
                tree, null, now);
            ex.send(Outcome.ok(Outcome.details("status", "ignored", "reason", "unknown_user")).after(seq));
            return;
        }
        final String userId = user.id();
        final ShardWriter shard = p.userShard(userId);
        ex.offer(shard, () -> ex.send(deliver(userId, deliveryKey, event)));
    }

    /** On the user's shard: dedupe, apply, remember, journal. */
    private Outcome deliver(final String userId, final String deliveryKey, final WebhookEvent event)
    {
        final long now = p.now();
        if (p.deliveries.containsKey(deliveryKey))
        {
            final long seq = p.history.billing(deliveryKey, event.name(), null, "duplicate", userId, event.subscriptionId(),
                Map.of(), null, now);
            return Outcome.ok(Outcome.details("status", "duplicate")).after(seq);
        }
        final RelayAccount a = p.accounts.get(userId, new RelayAccount());
        final RelayAccount account = a != null ? a : new RelayAccount();
        final SubscriptionEvents.Result result = events.apply(account, event, now);
        final WebhookDelivery d = new WebhookDelivery();
        d.userId = userId;
        d.receivedAtMillis = now;
        p.deliveries.put(deliveryKey, d);
        if (result.applied())
        {
            p.accounts.put(userId, account);
        }
        final long seq = p.history.billing(deliveryKey, event.name(), result.handler(), result.outcome(), userId,
            event.subscriptionId(), event.tree(), result.applied() ? account : null, now);
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", result.outcome());
        body.put("handler", result.handler());
        return Outcome.ok(body).after(seq);
    }

    /** {@code GET /api/v1/usage/current}: the Time Bank cycle. */
    void usage(final HttpExchange ex)
    {
        final BearerAuth.Principal principal = auth.authenticate(ex);
        if (principal == null)
        {
            return;
        }
        final ShardWriter shard = p.userShard(principal.userId());
        ex.offer(shard, () ->
        {
            final Outcome limited = p.limiter.admit(shard, principal.userId(), RateLimiter.Policy.USAGE, p.now(),
                ex.responseHeaders());
            if (limited != null)
            {
                ex.send(limited);
                return;
            }
            // The session summary meters the live relay up to now, so usage is exact at this instant.
            final Map<String, Object> summary = lifecycle.summary(principal.user());
            ex.send(Outcome.ok(summary.get("usage")));
        });
    }

    /** {@code GET /api/v1/capacity/status}: public, per region whether a new relay can be launched. */
    void capacity(final HttpExchange ex)
    {
        ex.send(Answer.json(HttpResponseStatus.OK, Json.write(p.manifest.capacityView(p.provisioner().up()))));
    }
}
