package dev.edgeplane.controlplane;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.edgeplane.controlplane.state.CallEntry;
import dev.edgeplane.state.ShardWriter;

/**
 * The end of a call, however it ends (dialog terminated, lease reclaimed, operator reset): release
 * the CAC channel, trace it, tell the ACD (queue departure or agent wrap-up), and journal the call
 * record (CDR).
 *
 * <p>Call only on the account's shard writer, after removing the entry from the calls store.
 */
final class CallEnd
{
    private CallEnd()
    {
    }

    /**
     * @param dialogState when the call ended by a dialog event, its state (traced as {@code presence.dialog}
     *                    with {@code dialogCause}, which may be null); null otherwise.
     * @return the journal sequence of the last entry written (for acknowledging once durable).
     */
    static long finish(final ControlPlane cp, final ShardWriter shard, final String callId, final CallEntry entry,
        final String cause, final long now, final String dialogState, final String dialogCause)
    {
        if (entry.admitted)
        {
            cp.ledger(shard).release(entry.accountId, entry.direction);
        }
        if (dialogState != null)
        {
            // The release travels in the dialog event's trace record (one write-behind row for both).
            cp.trace.dialog(callId, entry.accountId, dialogState, dialogCause, entry.direction, entry.admitted ? cause : null);
        }
        else if (entry.admitted)
        {
            cp.trace.cacEnd(callId, entry.accountId, entry.direction, cause);
        }
        final Map<String, Object> record = new LinkedHashMap<>();
        record.put("call_id", callId);
        record.put("account_id", entry.accountId);
        record.put("direction", CallEntry.directionName(entry.direction));
        record.put("from", entry.from);
        record.put("to", entry.to);
        record.put("started_at", entry.createdAtMillis);
        if (entry.answeredAtMillis > 0)
        {
            record.put("answered_at", entry.answeredAtMillis);
        }
        record.put("ended_at", now);
        record.put("cause", cause);
        record.put(DECISION_JSON, rtjson(entry.decision));
        // ACD: a caller still in a queue leaves it; an agent bridged to the call goes to wrap-up.
        cp.acd.callEnded(shard, cp.config.snapshot().account(entry.accountId), callId, now);
        return cp.trace.callRecord(record);
    }

    /** Record field holding the routing decision as JSON text (copied, never re-parsed, on this hot path). */
    static final String DECISION_JSON = "decision_json";

    private static final String RTJSON_PREFIX = "{\"rtjson\":";

    /** @return the inner {@code rtjson} object of a stored {@code /route} answer, as JSON text. */
    static String rtjson(final byte[] body)
    {
        final String text = new String(body, StandardCharsets.UTF_8);
        return text.startsWith(RTJSON_PREFIX) && text.endsWith("}")
            ? text.substring(RTJSON_PREFIX.length(), text.length() - 1)
            : text;
    }
}
