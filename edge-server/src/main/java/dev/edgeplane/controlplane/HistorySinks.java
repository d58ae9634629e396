package dev.edgeplane.controlplane;

import static dev.edgeplane.persistence.JsonPayloads.decode;
import static dev.edgeplane.persistence.JsonPayloads.jsonb;
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
 * The journal sinks that write the control plane's history behind into PostgreSQL: call traces
 * ({@code call_traces}), call records ({@code call_records}) and audit events ({@code audit_log}).
 * Each insert is idempotent by its key, so replaying a batch after a crash duplicates nothing.
 *
 * <p>Payload decoding and column conversion: {@link dev.edgeplane.persistence.JsonPayloads}.
 *
 * <p>Stateless and thread-safe (called from the flusher thread).
 */
final class HistorySinks
{
    private HistorySinks()
    {
    }

    static List<JournalSink> all()
    {
        return List.of(new Traces(), new Records(), new Audit());
    }

    /** {@code call.trace} entries into {@code call_traces}. */
    static final class Traces implements JournalSink
    {
        private static final String INSERT = "INSERT INTO call_traces (journal_id, seq, call_id, account_id, ts, kind, detail) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?::jsonb) ON CONFLICT (journal_id, seq) DO NOTHING";

        @Override
        public String type()
        {
            return CallTrace.TRACE_TYPE;
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
                    s.setString(3, text(m.get("call_id")));
                    s.setString(4, text(m.get("account_id")));
                    setTime(s, 5, m.get("ts"));
                    s.setString(6, text(m.get("kind")));
                    s.setString(7, jsonb(m.getOrDefault("detail", Map.of())));
                    s.addBatch();
                }
                s.executeBatch();
            }
        }
    }

    /** {@code call.record} entries (CDRs) into {@code call_records}; the first record of a Call-ID wins. */
    static final class Records implements JournalSink
    {
        private static final String INSERT = "INSERT INTO call_records (call_id, account_id, direction, from_uri, to_uri, "
            + "started_at, answered_at, ended_at, cause, decision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb) "
            + "ON CONFLICT (call_id) DO NOTHING";

        @Override
        public String type()
        {
            return CallTrace.RECORD_TYPE;
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
                    s.setString(1, text(m.get("call_id")));
                    s.setString(2, text(m.get("account_id")));
                    s.setString(3, text(m.get("direction")));
                    s.setString(4, text(m.get("from")));
                    s.setString(5, text(m.get("to")));
                    setTime(s, 6, m.get("started_at"));
                    setTime(s, 7, m.get("answered_at"));
                    setTime(s, 8, m.get("ended_at"));
                    s.setString(9, text(m.get("cause")));
                    s.setString(10, m.get(CallEnd.DECISION_JSON) instanceof String raw
                        ? raw.replace("\\u0000", "\\ufffd")
                        : jsonb(m.getOrDefault("decision", Map.of())));
                    s.addBatch();
                }
                s.executeBatch();
            }
        }
    }

    /** {@code audit} entries into {@code audit_log}. */
    static final class Audit implements JournalSink
    {
        private static final String INSERT = "INSERT INTO audit_log (journal_id, seq, ts, actor, action, detail) "
            + "VALUES (?, ?, ?, ?, ?, ?::jsonb) ON CONFLICT (journal_id, seq) DO NOTHING";

        @Override
        public String type()
        {
            return CallTrace.AUDIT_TYPE;
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
                    s.setString(4, text(m.get("actor")));
                    s.setString(5, text(m.get("action")));
                    s.setString(6, jsonb(m.getOrDefault("detail", Map.of())));
                    s.addBatch();
                }
                s.executeBatch();
            }
        }
    }
}
