package dev.edgeplane.controlplane;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
    /** Detail field of a stored event carrying the event that happened just before it (same call, same step). */
    static final String PRECEDED_BY = "preceded_by";
    /** Detail field of a stored event carrying the event that happened just after it. */
    static final String FOLLOWED_BY = "followed_by";

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

    /** {@code cac.reclaim} or {@code cac.release} without a dialog event: {@code {"direction","cause"}}. */
    long cacEnd(final String callId, final String accountId, final byte direction, final String cause)
    {
        final JsonBuffer buf = begin(callId, accountId, cacEndKind(cause));
        try
        {
            final JsonGenerator g = buf.generator();
            g.writeStartObject();
            writeCacEnd(g, direction, cause);
            g.writeEndObject();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        return end(buf, callId, accountId);
    }

    /**
     * {@code presence.dialog}: {@code {"state","cause"?}}; when the call's channel is released with it
     * ({@code releaseCause} not null), the {@code cac.release} event travels in the same record
     * ({@link #FOLLOWED_BY}): one write-behind row instead of two.
     */
    long dialog(final String callId, final String accountId, final String state, final String cause, final byte direction,
        final String releaseCause)
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
            if (releaseCause != null)
            {
                g.writeObjectFieldStart(FOLLOWED_BY);
                g.writeStringField("kind", cacEndKind(releaseCause));
                g.writeObjectFieldStart("detail");
                writeCacEnd(g, direction, releaseCause);
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        return end(buf, callId, accountId);
    }

    /**
     * {@code route.decision}: {@code {"from","to","source_ip"?, the decision's fields}}; when CAC was
     * checked for it ({@code cacLimit >= 0}), the {@code cac.admit} / {@code cac.reject} event travels in
     * the same record ({@link #PRECEDED_BY}).
     */
    long decision(final String callId, final String accountId, final RouteDecision d, final String from, final String to,
        final String sourceIp, final long cacLimit, final boolean admitted, final byte cacDirection)
    {
        final JsonBuffer buf = begin(callId, accountId, "route.decision");
        try
        {
            final JsonGenerator g = buf.generator();
            g.writeStartObject();
            if (cacLimit >= 0)
            {
                g.writeObjectFieldStart(PRECEDED_BY);
                g.writeStringField("kind", admitted ? "cac.admit" : "cac.reject");
                g.writeObjectFieldStart("detail");
                g.writeNumberField("limit", cacLimit);
                g.writeStringField("direction", CallEntry.directionName(cacDirection));
                g.writeEndObject();
                g.writeEndObject();
            }
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

    private static String cacEndKind(final String cause)
    {
        return cause.equals("reclaimed") ? "cac.reclaim" : "cac.release";
    }

    private static void writeCacEnd(final JsonGenerator g, final byte direction, final String cause) throws IOException
    {
        g.writeStringField("direction", CallEntry.directionName(direction));
        g.writeStringField("cause", cause);
    }

    /**
     * Splits a stored trace event into the events it carries: the one folded in before it
     * ({@link #PRECEDED_BY}), itself, the one folded in after it ({@link #FOLLOWED_BY}). The trace API and
     * the live monitor show every event on its own, as if journaled one by one.
     *
     * @param detail the stored detail; the folded events are removed from it.
     * @return [kind, detail] pairs in order.
     */
    @SuppressWarnings("unchecked")
    static List<Map.Entry<String, Object>> expand(final String kind, final Map<String, Object> detail)
    {
        final List<Map.Entry<String, Object>> events = new ArrayList<>(2);
        if (detail.remove(PRECEDED_BY) instanceof Map<?, ?> before)
        {
            events.add(Map.entry(String.valueOf(before.get("kind")), (Object)before.get("detail")));
        }
        final Object after = detail.remove(FOLLOWED_BY);
        events.add(Map.entry(kind, (Object)detail));
        if (after instanceof Map<?, ?> a)
        {
            events.add(Map.entry(String.valueOf(((Map<String, Object>)a).get("kind")), ((Map<String, Object>)a).get("detail")));
        }
        return events;
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
            publish(java.util.Arrays.copyOf(buf.array(), buf.length()), callId, accountId);
        }
        return journal.append(TRACE_TYPE, buf.array(), 0, buf.length());
    }

    /** Offers each event of a record to the live monitor (only while someone watches). */
    @SuppressWarnings("unchecked")
    private void publish(final byte[] record, final String callId, final String accountId)
    {
        final TraceRecord.View view = new TraceRecord.View();
        view.wrap(record);
        final Object detail = Json.parse(record, view.detailOffset(), view.detailLength());
        for (final Map.Entry<String, Object> event : expand(view.kind(), (Map<String, Object>)detail))
        {
            final Map<String, Object> json = new LinkedHashMap<>();
            json.put("call_id", callId);
            if (accountId != null)
            {
                json.put("account_id", accountId);
            }
            json.put("ts", view.ts());
            json.put("kind", event.getKey());
            json.put("detail", event.getValue());
            monitor.publish(accountId, callId, Json.write(json));
        }
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
