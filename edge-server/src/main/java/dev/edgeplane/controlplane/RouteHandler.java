package dev.edgeplane.controlplane;

import java.time.Instant;
import java.util.Map;

import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.JsonBuffer;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.controlplane.state.CallEntry;
import dev.edgeplane.controlplane.state.Registration;
import dev.edgeplane.server.HttpExchange;
import dev.edgeplane.server.HttpHandler;
import dev.edgeplane.state.ShardWriter;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * {@code POST /route}: the decision is computed on the event loop from the configuration snapshot;
 * decisions that belong to an account then go to the account's shard, which in one step replays a
 * previous answer for the same Call-ID, or admits the call against CAC and records it. The answer is
 * sent once the trace entry is durable.
 *
 * <p>Threading: {@link #handle} on an event loop; the account step on the account's shard writer.
 */
final class RouteHandler implements HttpHandler
{
    private static final ThreadLocal<Registration> REGISTRATION = ThreadLocal.withInitial(Registration::new);
    private static final ThreadLocal<JsonBuffer> BUFFER = ThreadLocal.withInitial(() -> new JsonBuffer(256));

    private final ControlPlane cp;

    RouteHandler(final ControlPlane cp)
    {
        this.cp = cp;
    }

    @Override
    public void handle(final HttpExchange ex)
    {
        final Fields f = ex.decodeBody();
        if (f == null)
        {
            return;
        }
        final Problems problems = new Problems();
        final String callId = Requests.text(f, "callId", true, problems);
        final String from = Requests.text(f, "from", true, problems);
        final String fromDomain = Requests.text(f, "fromDomain", true, problems);
        final String to = Requests.text(f, "to", true, problems);
        final String sourceIp = Requests.text(f, "sourceIp", false, problems);
        final String authUser = Requests.text(f, "authUser", false, problems);
        if (!problems.isEmpty())
        {
            Requests.invalid(ex, problems);
            return;
        }
        final RouteDecision decision = cp.decider.decide(cp.config.snapshot(), from, fromDomain, to, authUser, Instant.now(),
            REGISTRATION.get());
        if (decision.account() == null)
        {
            // Unknown caller with no account involved: nothing to admit or remember; the answer is a
            // pure function of the configuration, so a retry gets the same one.
            final byte[] body = decision.render(BUFFER.get());
            final long seq = cp.trace.decision(callId, null, decision, from, to, sourceIp, -1, false, (byte)0);
            cp.trace.journal().whenDurable(seq, () -> ex.respondJson(HttpResponseStatus.OK, body));
            return;
        }
        final ShardWriter shard = cp.accountShard(decision.accountId());
        ex.offer(shard, () -> onAccountShard(ex, shard, callId, from, to, sourceIp, decision));
    }

    /** Runs on the account's shard writer: replay, or admit + record, in one step. */
    private void onAccountShard(final HttpExchange ex, final ShardWriter shard, final String callId, final String from,
        final String to, final String sourceIp, final RouteDecision decided)
    {
        final long now = System.currentTimeMillis();
        final CallEntry entry = cp.calls.get(callId, cp.entry(shard));
        if (entry != null)
        {
            // Same Call-ID, same answer, no second channel (even if the configuration changed since).
            if (entry.accountId.equals(decided.accountId()))
            {
                entry.lastSeenMillis = now; // a retry is a sign of life; only the owning shard writes it
                cp.calls.put(callId, entry);
            }
            final byte[] previous = entry.decision.clone();
            final long seq = cp.trace.record(callId, entry.accountId, "route.retry", Map.of("replayed", true));
            cp.trace.journal().whenDurable(seq, () -> ex.respondJson(HttpResponseStatus.OK, previous));
            return;
        }

        RouteDecision decision = decided;
        boolean admitted = false;
        if (decision.needsChannel())
        {
            admitted = cp.ledger(shard).admit(decision.accountId(), decision.direction(), decision.account().maxChannels());
            if (!admitted)
            {
                decision = decision.overCapacity();
            }
        }
        final byte[] body = decision.render(cp.buffer(shard));

        final CallEntry record = new CallEntry();
        record.accountId = decision.accountId();
        record.direction = decided.direction();
        record.state = CallEntry.ROUTED;
        record.admitted = admitted;
        record.createdAtMillis = now;
        record.lastSeenMillis = now;
        record.from = from;
        record.to = to;
        record.decision = body;
        cp.calls.put(callId, record);
        cp.expiries(shard).calls.schedule(callId, CallSweeper.callDeadline(cp.settings, record));

        // The CAC verdict travels in the decision's trace record (one write-behind row for both).
        final long seq = cp.trace.decision(callId, decision.accountId(), decision, from, to, sourceIp,
            decided.needsChannel() ? decided.account().maxChannels() : -1, admitted, decided.direction());
        cp.trace.journal().whenDurable(seq, () -> ex.respondJson(HttpResponseStatus.OK, body));
    }
}
