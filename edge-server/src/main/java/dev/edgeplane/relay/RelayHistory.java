package dev.edgeplane.relay;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.edgeplane.codec.Json;
import dev.edgeplane.persistence.Journal;
import dev.edgeplane.relay.state.RelayAccount;
import dev.edgeplane.relay.state.RelaySession;

/**
 * Appends the relay's history to the durable journal; {@link RelaySinks} write it behind into PostgreSQL.
 * Callers answer only once the returned sequence is durable ({@link Journal#whenDurable}).
 *
 * <p>Thread-safe (the journal serializes appends); payloads are small JSON documents built per call, which
 * is fine for the relay's request rates.
 */
final class RelayHistory
{
    static final String SESSION_TYPE = "relay.session";
    static final String BILLING_TYPE = "relay.billing";
    static final String USAGE_TYPE = "relay.usage";
    static final String AUTH_TYPE = "relay.auth";

    private final Journal journal;

    RelayHistory(final Journal journal)
    {
        this.journal = journal;
    }

    Journal journal()
    {
        return journal;
    }

    /**
     * A session snapshot, with the transition that produced it ({@code from} null for the creation, or
     * {@code transition} false for a change that is not a transition, such as the instance id arriving).
     */
    long session(final String sessionId, final RelaySession s, final String from, final boolean transition, final long now)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("ts", now);
        m.put("session_id", sessionId);
        m.put("user_id", s.userId);
        m.put("state", RelaySession.stateName(s.state));
        m.put("reason", s.reason);
        m.put("region", s.region);
        m.put("instance_id", s.instanceId);
        m.put("public_ip", s.publicIp);
        m.put("created_at", s.createdAtMillis);
        m.put("updated_at", s.updatedAtMillis);
        m.put("metered_seconds", s.meteredMillis / 1000);
        m.put("version", s.version);
        if (transition)
        {
            m.put("transition", Outcome.details("from", from, "to", RelaySession.stateName(s.state), "reason", s.reason));
        }
        return journal.append(SESSION_TYPE, Json.write(m));
    }

    /** A billing event: a webhook delivery and what became of it, with the account after it when it changed. */
    long billing(final String deliveryKey, final String eventName, final String handler, final String outcome,
        final String userId, final String subscriptionId, final Object payload, final RelayAccount account, final long now)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("ts", now);
        m.put("delivery_key", deliveryKey);
        m.put("event_name", eventName);
        m.put("handler", handler);
        m.put("outcome", outcome);
        m.put("user_id", userId);
        m.put("subscription_id", subscriptionId);
        m.put("payload", payload == null ? Map.of() : payload);
        if (account != null && userId != null)
        {
            final Map<String, Object> a = new LinkedHashMap<>();
            a.put("subscription_id", account.subscriptionId);
            a.put("plan", account.plan);
            a.put("status", account.status);
            a.put("variant_id", account.variantId);
            a.put("quantity", (long)account.quantity);
            a.put("provider_updated", account.providerUpdatedMillis);
            a.put("cycle_start", account.cycleStartMillis);
            a.put("cycle_end", account.cycleEndMillis);
            a.put("included_seconds", account.includedSeconds);
            a.put("addon_seconds", account.addonSeconds);
            a.put("version", account.version);
            m.put("account", a);
        }
        return journal.append(BILLING_TYPE, Json.write(m));
    }

    /** Relay time a session drew from the Time Bank, written when it stops. */
    long usage(final String userId, final String sessionId, final long seconds, final long cycleStart, final long now)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("ts", now);
        m.put("user_id", userId);
        m.put("session_id", sessionId);
        m.put("seconds", seconds);
        m.put("cycle_start", cycleStart);
        return journal.append(USAGE_TYPE, Json.write(m));
    }

    /** A security-relevant auth event; {@code detail} never holds a token or a password. */
    long auth(final String userId, final String kind, final Map<String, Object> detail, final long now)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("ts", now);
        m.put("user_id", userId);
        m.put("kind", kind);
        m.put("detail", detail);
        return journal.append(AUTH_TYPE, Json.write(m));
    }
}
