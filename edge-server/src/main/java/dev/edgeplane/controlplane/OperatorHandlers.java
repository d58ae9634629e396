package dev.edgeplane.controlplane;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Json;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.controlplane.config.CompiledAccount;
import dev.edgeplane.controlplane.state.CallEntry;
import dev.edgeplane.server.Answer;
import dev.edgeplane.server.HttpExchange;
import dev.edgeplane.state.ShardWriter;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operator views and actions: {@code GET /cac}, {@code POST /cac/reset} (audited) and
 * {@code GET /calls/{callId}/trace}.
 *
 * <p>Threading: counters are read and reset on the account's shard; scans of the calls store and
 * PostgreSQL reads run on the blocking pool, never on an event loop.
 */
final class OperatorHandlers
{
    private static final Logger LOG = LoggerFactory.getLogger(OperatorHandlers.class);
    /** Most calls listed by {@code GET /cac}. */
    static final int MAX_LISTED_CALLS = 1000;

    private final ControlPlane cp;

    OperatorHandlers(final ControlPlane cp)
    {
        this.cp = cp;
    }

    /** {@code GET /cac?accountId=}. */
    Answer cac(final HttpExchange ex)
    {
        final Problems p = new Problems();
        final String accountId = Requests.text(ex.query(), "accountId", true, p);
        if (!p.isEmpty())
        {
            return Requests.invalid(p);
        }
        final CompiledAccount account = cp.account(accountId);
        if (account == null)
        {
            return ControlPlane.noAccount(accountId);
        }
        final ShardWriter shard = cp.accountShard(accountId);
        ex.offer(shard, () ->
        {
            final ChannelLedger.Channels c = cp.ledger(shard).peek(accountId);
            final Map<String, Object> body = new LinkedHashMap<>();
            body.put("limit", (long)account.maxChannels());
            body.put("active", c == null ? 0L : (long)c.active);
            body.put("inbound", c == null ? 0L : (long)c.inbound);
            body.put("outbound", c == null ? 0L : (long)c.outbound);
            ex.offerBlocking(() ->
            {
                body.put("calls", admittedCalls(accountId));
                ex.send(Answer.json(HttpResponseStatus.OK, Json.write(body))); // encoded here, off the loop
            });
        });
        return null;
    }

    private List<Object> admittedCalls(final String accountId)
    {
        final List<Object> list = new ArrayList<>();
        cp.calls.forEach((callId, e) ->
        {
            if (e.admitted && e.accountId.equals(accountId) && list.size() < MAX_LISTED_CALLS)
            {
                final Map<String, Object> m = new LinkedHashMap<>();
                m.put("callId", callId.toString());
                m.put("direction", CallEntry.directionName(e.direction));
                m.put("since", java.time.Instant.ofEpochMilli(e.createdAtMillis).toString());
                m.put("state", CallEntry.stateName(e.state));
                list.add(m);
            }
        });
        return list;
    }

    /** {@code POST /cac/reset {accountId}}: releases every channel of the account, audited. */
    Answer cacReset(final HttpExchange ex)
    {
        final Fields f = ex.fields();
        if (f == null)
        {
            return ex.bodyFailure();
        }
        final Problems p = new Problems();
        final String accountId = Requests.text(f, "accountId", true, p);
        if (!p.isEmpty())
        {
            return Requests.invalid(p);
        }
        if (cp.account(accountId) == null)
        {
            return ControlPlane.noAccount(accountId);
        }
        // Find the account's admitted calls off the event loop, then un-admit them on its shard.
        ex.offerBlocking(() ->
        {
            final List<String> callIds = new ArrayList<>();
            cp.calls.forEach((callId, e) ->
            {
                if (e.admitted && e.accountId.equals(accountId))
                {
                    callIds.add(callId.toString());
                }
            });
            final ShardWriter shard = cp.accountShard(accountId);
            ex.offer(shard, () ->
            {
                final ChannelLedger.Channels before = cp.ledger(shard).peek(accountId);
                final long active = before == null ? 0 : before.active;
                int released = 0;
                for (final String callId : callIds)
                {
                    final CallEntry e = cp.calls.get(callId, cp.entry(shard));
                    if (e != null && e.admitted)
                    {
                        e.admitted = false;
                        cp.calls.put(callId, e);
                        cp.trace.record(callId, accountId, "cac.reset", Map.of("by", "operator"));
                        released++;
                    }
                }
                cp.ledger(shard).reset(accountId);
                final String actor = cp.runtime.gate().hasAdminToken(ex) ? "admin-token" : String.valueOf(ex.remoteAddress());
                final Map<String, Object> detail = Map.of("account_id", accountId, "active_before", active,
                    "calls_released", (long)released);
                final long seq = cp.trace.audit(actor, "cac.reset", detail);
                LOG.info("CAC reset for {} by {}: {} channels were active", accountId, actor, active);
                ex.send(Answer.ok(detail).after(seq));
            });
        });
        return null;
    }

    /** {@code GET /calls/{callId}/trace}: the ordered trace, read after the journal has caught up. */
    Answer trace(final HttpExchange ex)
    {
        final String callId = ex.pathParam("callId");
        if (callId == null || callId.isEmpty() || callId.length() > Requests.MAX_TEXT || callId.indexOf('\0') >= 0)
        {
            return Requests.invalid(new Problems().add("callId", "must be 1 to " + Requests.MAX_TEXT + " characters"));
        }
        ex.offerBlocking(() ->
        {
            // Read-your-writes: wait (briefly) until what this node journaled is in PostgreSQL.
            cp.runtime.flusher().awaitFlushed(cp.trace.journal().lastSeq(), 2_000);
            try (Connection c = cp.runtime.database().dataSource().getConnection();
                 PreparedStatement s = c.prepareStatement(
                     "SELECT ts, kind, detail::text FROM call_traces WHERE call_id = ? ORDER BY ts, journal_id, seq"))
            {
                s.setString(1, callId);
                final List<Object> events = new ArrayList<>();
                try (ResultSet rs = s.executeQuery())
                {
                    while (rs.next())
                    {
                        final String ts = rs.getObject(1, java.time.OffsetDateTime.class).toInstant().toString();
                        final byte[] detail = rs.getString(3).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                        @SuppressWarnings("unchecked")
                        final Map<String, Object> stored = (Map<String, Object>)Json.parse(detail, 0, detail.length);
                        // A stored event may carry the one just before or after it (CAC with the decision or dialog).
                        for (final Map.Entry<String, Object> event : CallTrace.expand(rs.getString(2), stored))
                        {
                            final Map<String, Object> e = new LinkedHashMap<>();
                            e.put("seq", (long)events.size() + 1);
                            e.put("ts", ts);
                            e.put("kind", event.getKey());
                            e.put("detail", event.getValue());
                            events.add(e);
                        }
                    }
                }
                ex.send(events.isEmpty() ? Requests.notFound("no trace for call " + callId)
                    : Answer.json(HttpResponseStatus.OK, Json.write(events)));
            }
            catch (final SQLException e)
            {
                LOG.warn("trace read for {} failed: {}", callId, e.toString());
                ex.send(Answer.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "database_unavailable",
                    "traces are stored in PostgreSQL, which is not reachable right now"));
            }
        });
        return null;
    }
}
