package dev.edgeplane.relay;

import static dev.edgeplane.persistence.JsonPayloads.decode;
import static dev.edgeplane.persistence.JsonPayloads.jsonb;
import static dev.edgeplane.persistence.JsonPayloads.number;
import static dev.edgeplane.persistence.JsonPayloads.setTime;
import static dev.edgeplane.persistence.JsonPayloads.text;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import dev.edgeplane.persistence.JournalEntry;
import dev.edgeplane.persistence.JournalSink;

/**
 * The journal sinks that write the relay's history behind into PostgreSQL (V4__relay.sql): session snapshots
 * and transitions, billing events and subscription state, usage, auth events. Inserts are idempotent by
 * (journal_id, seq); upserts apply only a newer version, so a replayed batch changes nothing.
 *
 * <p>A payload that cannot be decoded is a bug in the writer: it is logged and skipped, because a batch that
 * can never be written would stall the flusher. Stateless; called from the flusher thread only.
 */
final class RelaySinks
{
    private RelaySinks()
    {
    }

    static List<JournalSink> all()
    {
        return List.of(new Sessions(), new Billing(), new Usage(), new Auth());
    }

    /** {@code relay.session}: upsert relay_sessions (newer version wins) and insert the transition. */
    static final class Sessions implements JournalSink
    {
        private static final String UPSERT = "INSERT INTO relay_sessions (session_id, user_id, state, reason, region, "
            + "instance_id, public_ip, created_at, updated_at, metered_seconds, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            + "ON CONFLICT (session_id) DO UPDATE SET state = EXCLUDED.state, reason = EXCLUDED.reason, "
            + "region = EXCLUDED.region, instance_id = EXCLUDED.instance_id, public_ip = EXCLUDED.public_ip, "
            + "updated_at = EXCLUDED.updated_at, metered_seconds = EXCLUDED.metered_seconds, version = EXCLUDED.version "
            + "WHERE relay_sessions.version < EXCLUDED.version";
        private static final String TRANSITION = "INSERT INTO relay_transitions (journal_id, seq, session_id, user_id, "
            + "from_state, to_state, reason, ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (journal_id, seq) DO NOTHING";

        @Override
        public String type()
        {
            return RelayHistory.SESSION_TYPE;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void write(final Connection c, final List<JournalEntry> entries) throws SQLException
        {
            // The pool rewrites a batch into one multi-row statement, and an upsert may touch a row only once per
            // statement: keep each session's newest snapshot of the batch.
            final Map<String, Map<String, Object>> latest = new java.util.LinkedHashMap<>();
            try (PreparedStatement up = c.prepareStatement(UPSERT); PreparedStatement tr = c.prepareStatement(TRANSITION))
            {
                for (final JournalEntry e : entries)
                {
                    final Map<String, Object> m = decode(e);
                    if (m == null)
                    {
                        continue;
                    }
                    latest.merge(String.valueOf(m.get("session_id")), m,
                        (a, b) -> number(b.get("version")) >= number(a.get("version")) ? b : a);
                    if (m.get("transition") instanceof Map<?, ?> t)
                    {
                        final Map<String, Object> tm = (Map<String, Object>)t;
                        tr.setObject(1, e.journalId());
                        tr.setLong(2, e.seq());
                        tr.setString(3, text(m.get("session_id")));
                        tr.setString(4, text(m.get("user_id")));
                        tr.setString(5, text(tm.get("from")));
                        tr.setString(6, text(tm.get("to")));
                        tr.setString(7, text(tm.get("reason")));
                        setTime(tr, 8, m.get("ts"));
                        tr.addBatch();
                    }
                }
                for (final Map<String, Object> m : latest.values())
                {
                    up.setString(1, text(m.get("session_id")));
                    up.setString(2, text(m.get("user_id")));
                    up.setString(3, text(m.get("state")));
                    up.setString(4, text(m.get("reason")));
                    up.setString(5, text(m.get("region")));
                    up.setString(6, text(m.get("instance_id")));
                    up.setString(7, text(m.get("public_ip")));
                    setTime(up, 8, m.get("created_at"));
                    setTime(up, 9, m.get("updated_at"));
                    up.setLong(10, number(m.get("metered_seconds")));
                    up.setLong(11, number(m.get("version")));
                    up.addBatch();
                }
                up.executeBatch();
                tr.executeBatch();
            }
        }
    }

    /** {@code relay.billing}: insert relay_billing_events and upsert relay_subscriptions (newer version wins). */
    static final class Billing implements JournalSink
    {
        private static final String EVENT = "INSERT INTO relay_billing_events (journal_id, seq, delivery_key, event_name, "
            + "handler, outcome, user_id, subscription_id, ts, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb) "
            + "ON CONFLICT (journal_id, seq) DO NOTHING";
        private static final String SUBSCRIPTION = "INSERT INTO relay_subscriptions (user_id, subscription_id, plan, status, "
            + "variant_id, quantity, provider_updated, cycle_start, cycle_end, included_seconds, addon_seconds, version, "
            + "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
            + "subscription_id = EXCLUDED.subscription_id, plan = EXCLUDED.plan, status = EXCLUDED.status, "
            + "variant_id = EXCLUDED.variant_id, quantity = EXCLUDED.quantity, provider_updated = EXCLUDED.provider_updated, "
            + "cycle_start = EXCLUDED.cycle_start, cycle_end = EXCLUDED.cycle_end, included_seconds = EXCLUDED.included_seconds, "
            + "addon_seconds = EXCLUDED.addon_seconds, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at "
            + "WHERE relay_subscriptions.version < EXCLUDED.version";

        @Override
        public String type()
        {
            return RelayHistory.BILLING_TYPE;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void write(final Connection c, final List<JournalEntry> entries) throws SQLException
        {
            final Map<String, Map<String, Object>> latest = new java.util.LinkedHashMap<>(); // one upsert per user
            try (PreparedStatement ev = c.prepareStatement(EVENT); PreparedStatement sub = c.prepareStatement(SUBSCRIPTION))
            {
                for (final JournalEntry e : entries)
                {
                    final Map<String, Object> m = decode(e);
                    if (m == null)
                    {
                        continue;
                    }
                    ev.setObject(1, e.journalId());
                    ev.setLong(2, e.seq());
                    ev.setString(3, text(m.get("delivery_key")));
                    ev.setString(4, String.valueOf(text(m.get("event_name"))));
                    ev.setString(5, text(m.get("handler")));
                    ev.setString(6, String.valueOf(text(m.get("outcome"))));
                    ev.setString(7, text(m.get("user_id")));
                    ev.setString(8, text(m.get("subscription_id")));
                    setTime(ev, 9, m.get("ts"));
                    ev.setString(10, jsonb(m.getOrDefault("payload", Map.of())));
                    ev.addBatch();
                    if (m.get("account") instanceof Map<?, ?> am && m.get("user_id") != null)
                    {
                        latest.merge(String.valueOf(m.get("user_id")), m, (x, y) ->
                            number(((Map<String, Object>)y.get("account")).get("version"))
                                >= number(((Map<String, Object>)x.get("account")).get("version")) ? y : x);
                    }
                }
                for (final Map<String, Object> m : latest.values())
                {
                    final Map<String, Object> a = (Map<String, Object>)m.get("account");
                    sub.setString(1, text(m.get("user_id")));
                    sub.setString(2, text(a.get("subscription_id")));
                    sub.setString(3, text(a.get("plan")));
                    sub.setString(4, String.valueOf(text(a.get("status"))));
                    sub.setString(5, text(a.get("variant_id")));
                    sub.setInt(6, (int)number(a.get("quantity")));
                    setTime(sub, 7, a.get("provider_updated"));
                    setTime(sub, 8, a.get("cycle_start"));
                    setTime(sub, 9, a.get("cycle_end"));
                    sub.setLong(10, number(a.get("included_seconds")));
                    sub.setLong(11, number(a.get("addon_seconds")));
                    sub.setLong(12, number(a.get("version")));
                    setTime(sub, 13, m.get("ts"));
                    sub.addBatch();
                }
                ev.executeBatch();
                sub.executeBatch();
            }
        }
    }

    /** {@code relay.usage} into relay_usage. */
    static final class Usage implements JournalSink
    {
        private static final String INSERT = "INSERT INTO relay_usage (journal_id, seq, user_id, session_id, seconds, "
            + "cycle_start, ts) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (journal_id, seq) DO NOTHING";

        @Override
        public String type()
        {
            return RelayHistory.USAGE_TYPE;
        }

        @Override
        public void write(final Connection c, final List<JournalEntry> entries) throws SQLException
        {
            try (PreparedStatement s = c.prepareStatement(INSERT))
            {
                for (final JournalEntry e : entries)
                {
                    final Map<String, Object> m = decode(e);
                    if (m == null)
                    {
                        continue;
                    }
                    s.setObject(1, e.journalId());
                    s.setLong(2, e.seq());
                    s.setString(3, text(m.get("user_id")));
                    s.setString(4, text(m.get("session_id")));
                    s.setLong(5, number(m.get("seconds")));
                    setTime(s, 6, m.get("cycle_start"));
                    setTime(s, 7, m.get("ts"));
                    s.addBatch();
                }
                s.executeBatch();
            }
        }
    }

    /** {@code relay.auth} into relay_auth_events. */
    static final class Auth implements JournalSink
    {
        private static final String INSERT = "INSERT INTO relay_auth_events (journal_id, seq, ts, user_id, kind, detail) "
            + "VALUES (?, ?, ?, ?, ?, ?::jsonb) ON CONFLICT (journal_id, seq) DO NOTHING";

        @Override
        public String type()
        {
            return RelayHistory.AUTH_TYPE;
        }

        @Override
        public void write(final Connection c, final List<JournalEntry> entries) throws SQLException
        {
            try (PreparedStatement s = c.prepareStatement(INSERT))
            {
                for (final JournalEntry e : entries)
                {
                    final Map<String, Object> m = decode(e);
                    if (m == null)
                    {
                        continue;
                    }
                    s.setObject(1, e.journalId());
                    s.setLong(2, e.seq());
                    setTime(s, 3, m.get("ts"));
                    s.setString(4, text(m.get("user_id")));
                    s.setString(5, String.valueOf(text(m.get("kind"))));
                    s.setString(6, jsonb(m.getOrDefault("detail", Map.of())));
                    s.addBatch();
                }
                s.executeBatch();
            }
        }
    }
}
