package dev.edgeplane.controlplane;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.edgeplane.codec.Json;
import dev.edgeplane.codec.JsonBuffer;
import dev.edgeplane.controlplane.state.CallEntry;
import dev.edgeplane.persistence.Journal;

/**
 * Appends a call's trace events (route decisions, CAC, flow commands and outcomes, presence) to
 * the durable journal in the {@link TraceRecord} layout; {@link HistorySinks.Traces} writes them
 * behind into {@code call_traces}.
 * Also journals call records (CDRs) and audit events.
 *
 * <p>Thread-safe: each thread encodes into its own buffer; the journal serializes appends.
 */
public final class CallTrace
{
    public static final String TRACE_TYPE = "call.trace";
    public static final String RECORD_TYPE = "call.record";
    public static final String AUDIT_TYPE = "audit";

    private static final ThreadLocal<JsonBuffer> BUFFERS = ThreadLocal.withInitial(() -> new JsonBuffer(512));

    private final Journal journal;
    private final DebugMonitor monitor = new DebugMonitor();

    public CallTrace(final Journal journal)
    {
        this.journal = journal;
    }

    /** @return the live monitor every trace event is also offered to ({@code GET /debug}). */
    DebugMonitor monitor()
    {
        return monitor;
    }

    public Journal journal()
    {
        return journal;
    }

    /**
     * Appends one trace event.
     *
     * @param detail a JSON tree (Map/List/String/Number/Boolean).
     * @return the journal sequence, for {@link Journal#whenDurable}.
     */
    public long record(final String callId, final String accountId, final String kind, final Map<String, Object> detail)
    {
        final JsonBuffer buf = begin(callId, accountId, kind);
        try
        {
            Json.writeValue(buf.generator(), detail);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        return end(buf, callId, accountId);
    }

    /** {@code cac.admit} / {@code cac.reject}: {@code {"limit","direction"}}. */
    long cac(final String callId, final String accountId, final boolean admitted, final long limit, final byte direction)
    {
        final JsonBuffer buf = begin(callId, accountId, admitted ? "cac.admit" : "cac.reject");
        try
        {
            final JsonGenerator g = buf.generator();
            g.writeStartObject();
            g.writeNumberField("limit", limit);
            g.writeStringField("direction", CallEntry.directionName(direction));
            g.writeEndObject();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        return end(buf, callId, accountId);
    }

    /** {@code cac.release} / {@code cac.reclaim} (cause {@code reclaimed}): {@code {"direction","cause"}}. */
    long cacEnd(final String callId, final String accountId, final byte direction, final String cause)
    {
        final JsonBuffer buf = begin(callId, accountId, cause.equals("reclaimed") ? "cac.reclaim" : "cac.release");
        try
        {
            final JsonGenerator g = buf.generator();
            g.writeStartObject();
            g.writeStringField("direction", CallEntry.directionName(direction));
            g.writeStringField("cause", cause);
            g.writeEndObject();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        return end(buf, callId, accountId);
    }

    /** {@code presence.dialog}: {@code {"state","cause"?}}. */
    long dialog(final String callId, final String accountId, final String state, final String cause)
    {
        final JsonBuffer buf = begin(callId, accountId, "presence.dialog");
        try
        {
            final JsonGenerator g = buf.generator();
            g.writeStartObject();
            g.writeStringField("state", state);
            if (cause != null)
            {
                g.writeStringField("cause", cause);
            }
            g.writeEndObject();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        return end(buf, callId, accountId);
    }

    /** {@code route.decision}: {@code {"from","to","source_ip"?, the decision's fields}}. */
    long decision(final String callId, final String accountId, final RouteDecision d, final String from, final String to,
        final String sourceIp)
    {
        final JsonBuffer buf = begin(callId, accountId, "route.decision");
        try
        {
            final JsonGenerator g = buf.generator();
            g.writeStartObject();
            g.writeStringField("from", from);
            g.writeStringField("to", to);
            if (sourceIp != null)
            {
                g.writeStringField("source_ip", sourceIp);
            }
            d.describe(g);
            g.writeEndObject();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        return end(buf, callId, accountId);
    }

    /** Starts a trace record in this thread's buffer: the head, then the caller writes the detail object. */
    private static JsonBuffer begin(final String callId, final String accountId, final String kind)
    {
        final JsonBuffer buf = BUFFERS.get();
        buf.reset();
        TraceRecord.writeHead(buf, callId, accountId, System.currentTimeMillis(), kind);
        return buf;
    }

    /** Ends the record begun by {@link #begin}: live monitor, then the journal. */
    private long end(final JsonBuffer buf, final String callId, final String accountId)
    {
        try
        {
            buf.generator().flush();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        if (monitor.watched())
        {
            final TraceRecord.View view = new TraceRecord.View();
            view.wrap(java.util.Arrays.copyOf(buf.array(), buf.length()));
            monitor.publish(accountId, callId, view.toJson());
        }
        return journal.append(TRACE_TYPE, buf.array(), 0, buf.length());
    }

    /** Appends a call record (CDR) for a finished call. */
    public long callRecord(final Map<String, Object> record)
    {
        final byte[] json = Json.write(record);
        return journal.append(RECORD_TYPE, json);
    }

    /** Appends an audit event (operator actions). */
    public long audit(final String actor, final String action, final Map<String, Object> detail)
    {
        final byte[] json = Json.write(Map.of("ts", System.currentTimeMillis(), "actor", actor, "action", action,
            "detail", detail));
        return journal.append(AUDIT_TYPE, json);
    }
}
