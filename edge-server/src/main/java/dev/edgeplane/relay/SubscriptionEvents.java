package dev.edgeplane.relay;

import dev.edgeplane.relay.state.RelayAccount;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps LemonSqueezy events to the seven billing handlers of seed 003 and applies them to a user's
 * {@link RelayAccount}:
 * <ul>
 *   <li>{@code subscription_created} → <b>activate</b>: plan from the variant, a new cycle from now to
 *       {@code renews_at} with the plan's included seconds, add-ons from the quantity, nothing used;</li>
 *   <li>{@code subscription_updated} to a lower-ranked plan → <b>downgrade</b>: the lower plan's included
 *       seconds apply at once (already used time stays used);</li>
 *   <li>any other {@code subscription_updated} → <b>update add-on</b>: quantity (add-on seconds), plan (an
 *       upgrade applies at once), status and {@code renews_at} (a renewal rolls the cycle);</li>
 *   <li>{@code subscription_payment_recovered} → <b>payment recovery</b>: status active again;</li>
 *   <li>{@code subscription_payment_failed} → <b>payment failed</b>: status past_due (running relays keep
 *       running, new ones are refused with 402 {@code payment_past_due});</li>
 *   <li>{@code subscription_cancelled} → <b>cancelled</b>: access continues until {@code ends_at}, then the
 *       cycle does not renew;</li>
 *   <li>{@code order_refunded} → <b>refund</b>: entitlement withdrawn at once (no included or add-on seconds;
 *       a running relay goes to grace on the next timer pass).</li>
 * </ul>
 * Other events are recorded and ignored. Stale-update guard: a subscription event whose
 * {@code data.attributes.updated_at} is older than the last one applied is ignored (deliveries can arrive out
 * of order); an order refund is not ordered against subscription updates.
 *
 * <p>Stateless; the account is shard-confined (call on the user's shard).
 */
final class SubscriptionEvents
{
    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionEvents.class);

    static final String ACTIVATE = "activate";
    static final String UPDATE_ADDON = "update_addon";
    static final String PAYMENT_RECOVERED = "payment_recovered";
    static final String PAYMENT_FAILED = "payment_failed";
    static final String CANCELLED = "cancelled";
    static final String DOWNGRADE = "downgrade";
    static final String REFUND = "refund";

    static final String APPLIED = "applied";
    static final String STALE = "stale";
    static final String IGNORED = "ignored";

    /** Which handler took the event and what became of it. */
    record Result(String handler, String outcome)
    {
        boolean applied()
        {
            return APPLIED.equals(outcome);
        }
    }

    private static final long DEFAULT_CYCLE_MILLIS = 30L * 24 * 3600_000;

    private final PlanCatalog plans;
    private final long addonSeconds;

    SubscriptionEvents(final PlanCatalog plans, final long addonSeconds)
    {
        this.plans = plans;
        this.addonSeconds = addonSeconds;
    }

    Result apply(final RelayAccount a, final WebhookEvent e, final long now)
    {
        final String handler = handler(a, e);
        if (handler == null)
        {
            return new Result(null, IGNORED);
        }
        if (!REFUND.equals(handler))
        {
            if (e.updatedAtMillis() > 0 && e.updatedAtMillis() < a.providerUpdatedMillis)
            {
                return new Result(handler, STALE);
            }
            a.providerUpdatedMillis = Math.max(a.providerUpdatedMillis, e.updatedAtMillis());
        }
        TimeBank.advance(a, now);
        switch (handler)
        {
            case ACTIVATE -> activate(a, e, now);
            case DOWNGRADE -> downgrade(a, e, now);
            case UPDATE_ADDON -> updateAddon(a, e, now);
            case PAYMENT_RECOVERED -> paymentRecovered(a);
            case PAYMENT_FAILED -> paymentFailed(a);
            case CANCELLED -> cancelled(a, e);
            case REFUND -> refund(a);
            default -> throw new IllegalStateException(handler);
        }
        a.version++;
        return new Result(handler, APPLIED);
    }

    private String handler(final RelayAccount a, final WebhookEvent e)
    {
        return switch (e.name())
        {
            case "subscription_created" -> ACTIVATE;
            case "subscription_updated" -> downgrades(a, e) ? DOWNGRADE : UPDATE_ADDON;
            case "subscription_payment_recovered" -> PAYMENT_RECOVERED;
            case "subscription_payment_failed" -> PAYMENT_FAILED;
            case "subscription_cancelled" -> CANCELLED;
            case "order_refunded" -> REFUND;
            default -> null;
        };
    }

    private boolean downgrades(final RelayAccount a, final WebhookEvent e)
    {
        final PlanCatalog.Plan current = plans.byName(a.plan);
        final PlanCatalog.Plan next = plans.byVariant(e.variantId());
        return current != null && next != null && next.rank() < current.rank();
    }

    /** activate: a new subscription starts a fresh cycle. */
    private void activate(final RelayAccount a, final WebhookEvent e, final long now)
    {
        a.subscriptionId = e.subscriptionId() == null ? "" : e.subscriptionId();
        a.status = e.status() == null ? "active" : e.status();
        setPlan(a, e);
        a.quantity = e.quantity();
        a.addonSeconds = (long)(a.quantity - 1) * addonSeconds;
        a.cycleStartMillis = now;
        a.cycleEndMillis = e.renewsAtMillis() > now ? e.renewsAtMillis() : now + DEFAULT_CYCLE_MILLIS;
        a.cycleLengthMillis = a.cycleEndMillis - a.cycleStartMillis;
        a.usedMillis = 0;
    }

    /** update add-on: quantity, plan, status and renewal, whatever changed. */
    private void updateAddon(final RelayAccount a, final WebhookEvent e, final long now)
    {
        if (a.cycleEndMillis == 0)
        {
            activate(a, e, now); // the update overtook subscription_created: it carries everything we need
            return;
        }
        if (e.subscriptionId() != null)
        {
            a.subscriptionId = e.subscriptionId();
        }
        if (e.status() != null)
        {
            a.status = e.status();
        }
        setPlan(a, e);
        a.quantity = e.quantity();
        a.addonSeconds = (long)(a.quantity - 1) * addonSeconds;
        renew(a, e, now);
    }

    /** downgrade: the lower plan's allowance applies now. */
    private void downgrade(final RelayAccount a, final WebhookEvent e, final long now)
    {
        if (e.status() != null)
        {
            a.status = e.status();
        }
        setPlan(a, e);
        a.quantity = e.quantity();
        a.addonSeconds = (long)(a.quantity - 1) * addonSeconds;
        renew(a, e, now);
    }

    private static void paymentRecovered(final RelayAccount a)
    {
        a.status = "active";
    }

    private static void paymentFailed(final RelayAccount a)
    {
        a.status = "past_due";
    }

    private static void cancelled(final RelayAccount a, final WebhookEvent e)
    {
        a.status = "cancelled";
        if (e.endsAtMillis() > 0)
        {
            a.cycleEndMillis = e.endsAtMillis();
            a.cycleLengthMillis = Math.max(0, a.cycleEndMillis - a.cycleStartMillis);
        }
    }

    private static void refund(final RelayAccount a)
    {
        a.status = "refunded";
        a.includedSeconds = 0;
        a.addonSeconds = 0;
    }

    /** Takes the plan of the event's variant; a variant missing from the catalog changes nothing (and is logged). */
    private void setPlan(final RelayAccount a, final WebhookEvent e)
    {
        if (e.variantId() == null)
        {
            return;
        }
        final PlanCatalog.Plan plan = plans.byVariant(e.variantId());
        if (plan == null)
        {
            LOG.warn("relay: billing event {} names variant {}, which is not in {}; the plan is unchanged", e.name(),
                e.variantId(), RelaySettings.PLANS_JSON);
            return;
        }
        a.variantId = plan.variantId();
        a.plan = plan.name();
        a.includedSeconds = plan.includedSeconds();
    }

    /** A later {@code renews_at} moves the cycle's end (time-based rollover already happened in advance()). */
    private static void renew(final RelayAccount a, final WebhookEvent e, final long now)
    {
        if (e.renewsAtMillis() > now && e.renewsAtMillis() != a.cycleEndMillis)
        {
            a.cycleEndMillis = e.renewsAtMillis();
            a.cycleLengthMillis = a.cycleEndMillis - a.cycleStartMillis;
        }
    }
}
