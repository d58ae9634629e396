package dev.edgeplane.controlplane;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.edgeplane.codec.Json;
import dev.edgeplane.codec.JsonBuffer;
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
        final JsonBuffer buf = BUFFERS.get();
        buf.reset();
        TraceRecord.writeHead(buf, callId, accountId, System.currentTimeMillis(), kind);
        try
        {
            final JsonGenerator g = buf.generator();
            Json.writeValue(g, detail);
            g.flush();
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
