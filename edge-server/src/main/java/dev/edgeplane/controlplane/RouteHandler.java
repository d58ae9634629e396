package dev.edgeplane.controlplane;

import java.time.Instant;
import java.util.Map;

import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.JsonBuffer;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.controlplane.state.CallEntry;
import dev.edgeplane.controlplane.state.Registration;
import dev.edgeplane.server.Answer;
import dev.edgeplane.server.AnswerHandler;
import dev.edgeplane.server.HttpExchange;
import dev.edgeplane.server.RequestSlot;
import dev.edgeplane.server.ShardCommand;
import dev.edgeplane.state.ShardWriter;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * {@code POST /route}: the decision is computed on the event loop from the configuration snapshot;
 * decisions that belong to an account then go to the account's shard, which in one step replays a
 * previous answer for the same Call-ID, or admits the call against CAC and records it. The answer is
 * sent once the trace entry is durable.
 *
 * <p>Threading: {@link #handle} on an event loop; the account step on the account's shard writer,
 * as a {@link ShardCommand} with a per-connection {@link Routed} (no allocation for the hand-off).
 */
final class RouteHandler implements AnswerHandler
{
    private static final ThreadLocal<Registration> REGISTRATION = ThreadLocal.withInitial(Registration::new);
    private static final ThreadLocal<JsonBuffer> BUFFER = ThreadLocal.withInitial(() -> new JsonBuffer(256));
    private static final RequestSlot<Routed> ROUTED = RequestSlot.of(Routed::new);

    /** What the account step needs; reused per connection (every field is set by {@link #handle}). */
    static final class Routed
    {
        String callId;
        String from;
        String to;
        String sourceIp;
        RouteDecision decision;
    }

    private final ControlPlane cp;
    private final SipMetrics metrics;
    private final ShardCommand<Routed> accountStep = this::onAccountShard;

    RouteHandler(final ControlPlane cp, final SipMetrics metrics)
    {
        this.cp = cp;
        this.metrics = metrics;
    }

    @Override
    public Answer handle(final HttpExchange ex)
    {
        final Fields f = ex.fields();
        if (f == null)
        {
            return ex.bodyFailure();
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
            return Requests.invalid(problems);
        }
        final RouteDecision decision = cp.decider.decide(cp.config.snapshot(), from, fromDomain, to, authUser, Instant.now(),
            REGISTRATION.get());
        if (decision.account() == null)
        {
            // Unknown caller with no account involved: nothing to admit or remember; the answer is a
            // pure function of the configuration, so a retry gets the same one.
            final byte[] body = decision.render(BUFFER.get());
            metrics.decision(decision.action());
            final long seq = cp.trace.decision(callId, null, decision, from, to, sourceIp, -1, false, (byte)0);
            return ex.json(HttpResponseStatus.OK, body, seq);
        }
        final Routed r = ex.request(ROUTED);
        r.callId = callId;
        r.from = from;
        r.to = to;
        r.sourceIp = sourceIp;
        r.decision = decision;
        ex.offer(cp.accountShard(decision.accountId()), accountStep, r);
        return null;
    }

    /** Runs on the account's shard writer: replay, or admit + record, in one step. */
    private Answer onAccountShard(final ShardWriter shard, final HttpExchange ex, final Routed r)
    {
        final String callId = r.callId;
        final RouteDecision decided = r.decision;
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
            metrics.replay();
            final long seq = cp.trace.record(callId, entry.accountId, "route.retry", Map.of("replayed", true));
            return ex.json(HttpResponseStatus.OK, previous, seq);
        }

        RouteDecision decision = decided;
        boolean admitted = false;
        if (decision.needsChannel())
        {
            admitted = cp.ledger(shard).admit(decision.accountId(), decision.direction(), decision.account().maxChannels());
            metrics.cac(admitted, decision.direction());
            if (!admitted)
            {
                decision = decision.overCapacity();
            }
        }
        final byte[] body = decision.render(cp.buffer(shard));
        metrics.decision(decision.action());

        final CallEntry record = new CallEntry();
        record.accountId = decision.accountId();
        record.direction = decided.direction();
        record.state = CallEntry.ROUTED;
        record.admitted = admitted;
        record.createdAtMillis = now;
        record.lastSeenMillis = now;
        record.from = r.from;
        record.to = r.to;
        record.decision = body;
        cp.calls.put(callId, record);
        cp.expiries(shard).calls.schedule(callId, CallSweeper.callDeadline(cp.settings, record));

        // The CAC verdict travels in the decision's trace record (one write-behind row for both).
        final long seq = cp.trace.decision(callId, decision.accountId(), decision, r.from, r.to, r.sourceIp,
            decided.needsChannel() ? decided.account().maxChannels() : -1, admitted, decided.direction());
        return ex.json(HttpResponseStatus.OK, body, seq);
    }
}
