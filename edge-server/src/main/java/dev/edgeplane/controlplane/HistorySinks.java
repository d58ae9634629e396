package dev.edgeplane.controlplane;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import dev.edgeplane.codec.DecodeException;
import dev.edgeplane.codec.Json;
import dev.edgeplane.persistence.JournalEntry;
import dev.edgeplane.persistence.JournalSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal sinks that write the control plane's history behind into PostgreSQL: call traces
 * ({@code call_traces}), call records ({@code call_records}) and audit events ({@code audit_log}).
 * Each insert is idempotent by its key, so replaying a batch after a crash duplicates nothing.
 *
 * <p>A payload that cannot be decoded is a bug in the writer, not in the data: it is logged and
 * skipped, because a batch that can never be written would stall the flusher forever.
 *
 * <p>Stateless and thread-safe (called from the flusher thread).
 */
final class HistorySinks
{
    private static final Logger LOG = LoggerFactory.getLogger(HistorySinks.class);

    private HistorySinks()
    {
    }

    static List<JournalSink> all()
    {
        return List.of(new Traces(), new Records(), new Audit());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> decode(final JournalEntry entry)
    {
        try
        {
            final Object tree = Json.parse(entry.payload(), 0, entry.payload().length);
            if (tree instanceof Map<?, ?> m)
            {
                return (Map<String, Object>)m;
            }
        }
        catch (final DecodeException e)
        {
            // fall through
        }
        LOG.error("skipping undecodable {} journal entry {}:{}", entry.type(), entry.journalId(), entry.seq());
        return null;
    }

    /** jsonb rejects the NUL character even escaped; strings from the wire are checked, this is the backstop. */
    private static String jsonb(final Object tree)
    {
        return new String(Json.write(tree), StandardCharsets.UTF_8).replace("\\u0000", "\\ufffd");
    }

    private static String text(final Object v)
    {
        return v == null ? null : String.valueOf(v).replace('\0', '\ufffd');
    }

    private static OffsetDateTime time(final Object epochMillis)
    {
        return epochMillis instanceof Number n && n.longValue() > 0
            ? OffsetDateTime.ofInstant(Instant.ofEpochMilli(n.longValue()), ZoneOffset.UTC)
            : null;
    }

    private static void setTime(final PreparedStatement s, final int index, final Object epochMillis) throws SQLException
    {
        final OffsetDateTime t = time(epochMillis);
        if (t == null)
        {
            s.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        }
        else
        {
            s.setObject(index, t);
        }
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
                    s.setString(10, jsonb(m.getOrDefault("decision", Map.of())));
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
