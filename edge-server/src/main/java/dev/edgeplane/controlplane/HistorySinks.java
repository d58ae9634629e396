package dev.edgeplane.controlplane;

import static dev.edgeplane.persistence.JsonPayloads.decode;
import static dev.edgeplane.persistence.JsonPayloads.jsonb;
import static dev.edgeplane.persistence.JsonPayloads.number;
import static dev.edgeplane.persistence.JsonPayloads.setTime;
import static dev.edgeplane.persistence.JsonPayloads.text;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import dev.edgeplane.persistence.CopyRows;
import dev.edgeplane.persistence.JournalEntry;
import dev.edgeplane.persistence.JournalSink;

/**
 * The journal sinks that write the control plane's history behind into PostgreSQL: call traces
 * ({@code call_traces}), call records ({@code call_records}) and audit events ({@code audit_log}).
 * Each insert is idempotent by its key, so replaying a batch after a crash duplicates nothing.
 *
 * <p>Payload decoding and column conversion: {@link dev.edgeplane.persistence.JsonPayloads}.
 *
 * <p>Called from the flusher thread only (the COPY buffers are per sink).
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

    /**
     * {@code call.trace} entries into {@code call_traces}: one {@code COPY} per batch, the detail JSON
     * copied from the journal record unparsed ({@link TraceRecord}); a batch that meets rows already
     * there (a replay) is rewritten row by row with {@code ON CONFLICT DO NOTHING}.
     */
    static final class Traces implements JournalSink
    {
        private static final String COPY = "COPY call_traces (journal_id, seq, call_id, account_id, ts, kind, detail) FROM STDIN";
        private static final String INSERT = "INSERT INTO call_traces (journal_id, seq, call_id, account_id, ts, kind, detail) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?::json) ON CONFLICT (journal_id, seq) DO NOTHING";

        private final CopyRows rows = new CopyRows();
        private final TraceRecord.View view = new TraceRecord.View();

        @Override
        public String type()
        {
            return CallTrace.TRACE_TYPE;
        }

        @Override
        public void write(final Connection c, final List<JournalEntry> entries) throws SQLException
        {
            rows.clear();
            for (final JournalEntry e : entries)
            {
                if (view.wrap(e.payload()))
                {
                    rows.text(e.journalId().toString()).number(e.seq()).text(view.callId()).text(view.accountId())
                        .timestamp(view.ts()).text(view.kind()).json(view.bytes(), view.detailOffset(), view.detailLength())
                        .endRow();
                }
                else
                {
                    final Map<String, Object> m = decode(e); // journaled before the binary layout
                    if (m != null)
                    {
                        final byte[] detail = jsonb(m.getOrDefault("detail", Map.of())).getBytes(StandardCharsets.UTF_8);
                        rows.text(e.journalId().toString()).number(e.seq()).text(text(m.get("call_id")))
                            .text(text(m.get("account_id"))).timestamp(number(m.get("ts"))).text(text(m.get("kind")))
                            .json(detail, 0, detail.length).endRow();
                    }
                }
            }
            rows.copyInto(c, COPY);
        }

        @Override
        public void rewrite(final Connection c, final List<JournalEntry> entries) throws SQLException
        {
            try (PreparedStatement s = c.prepareStatement(INSERT))
            {
                for (final JournalEntry e : entries)
                {
                    s.setObject(1, e.journalId());
                    s.setLong(2, e.seq());
                    if (view.wrap(e.payload()))
                    {
                        s.setString(3, view.callId());
                        s.setString(4, view.accountId());
                        setTime(s, 5, view.ts());
                        s.setString(6, view.kind());
                        s.setString(7, new String(view.bytes(), view.detailOffset(), view.detailLength(), StandardCharsets.UTF_8)
                            .replace("\\u0000", "\\ufffd"));
                    }
                    else
                    {
                        final Map<String, Object> m = decode(e);
                        if (m == null)
                        {
                            continue;
                        }
                        s.setString(3, text(m.get("call_id")));
                        s.setString(4, text(m.get("account_id")));
                        setTime(s, 5, m.get("ts"));
                        s.setString(6, text(m.get("kind")));
                        s.setString(7, jsonb(m.getOrDefault("detail", Map.of())));
                    }
                    s.addBatch();
                }
                s.executeBatch();
            }
        }
    }

    /**
     * {@code call.record} entries (CDRs) into {@code call_records}: one {@code COPY} per batch; a batch with
     * a Call-ID already recorded is rewritten row by row, where the first record of a Call-ID wins.
     */
    static final class Records implements JournalSink
    {
        private static final String INSERT = "INSERT INTO call_records (call_id, account_id, direction, from_uri, to_uri, "
            + "started_at, answered_at, ended_at, cause, decision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::json) "
            + "ON CONFLICT (call_id) DO NOTHING";
        private static final String COPY = "COPY call_records (call_id, account_id, direction, from_uri, to_uri, "
            + "started_at, answered_at, ended_at, cause, decision) FROM STDIN";

        private final CopyRows rows = new CopyRows();

        @Override
        public String type()
        {
            return CallTrace.RECORD_TYPE;
        }

        @Override
        public void write(final Connection c, final List<JournalEntry> entries) throws SQLException
        {
            rows.clear();
            for (final JournalEntry e : entries)
            {
                final Map<String, Object> m = decode(e);
                if (m == null)
                {
                    continue;
                }
                final byte[] decision = (m.get(CallEnd.DECISION_JSON) instanceof String raw
                    ? raw
                    : jsonb(m.getOrDefault("decision", Map.of()))).getBytes(StandardCharsets.UTF_8);
                rows.text(text(m.get("call_id"))).text(text(m.get("account_id"))).text(text(m.get("direction")))
                    .text(text(m.get("from"))).text(text(m.get("to"))).timestamp(number(m.get("started_at")))
                    .timestamp(number(m.get("answered_at"))).timestamp(number(m.get("ended_at")))
                    .text(text(m.get("cause"))).json(decision, 0, decision.length).endRow();
            }
            rows.copyInto(c, COPY);
        }

        @Override
        public void rewrite(final Connection c, final List<JournalEntry> entries) throws SQLException
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
