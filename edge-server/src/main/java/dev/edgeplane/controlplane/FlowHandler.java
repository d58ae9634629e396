package dev.edgeplane.controlplane;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.JsonBuffer;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.controlplane.config.CompiledAccount;
import dev.edgeplane.controlplane.flow.CompiledFlow;
import dev.edgeplane.controlplane.flow.FlowEngine;
import dev.edgeplane.controlplane.flow.FlowSession;
import dev.edgeplane.controlplane.flow.StepOutcome;
import dev.edgeplane.controlplane.state.CallEntry;
import dev.edgeplane.server.HttpExchange;
import dev.edgeplane.server.HttpHandler;
import dev.edgeplane.state.ShardWriter;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * {@code POST /flow}: the poll-based call-flow command loop. A body with {@code flowId} starts a
 * flow for the call; one with {@code outcome} steps it. The answer is the next command,
 * {@code {"callId","step":N,"command":{...}}}. Unknown call on step → 404; a step after hangup → 409.
 *
 * <p>Threading: validation on the event loop; the session (off-heap, survives restarts) is read and
 * written on the Call-ID's shard writer; every command is traced.
 */
final class FlowHandler implements HttpHandler
{
    private static final ThreadLocal<CallEntry> ENTRY = ThreadLocal.withInitial(CallEntry::new);

    private final ControlPlane cp;

    FlowHandler(final ControlPlane cp)
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
        final Problems p = new Problems();
        final String callId = Requests.text(f, "callId", true, p);
        if (f.has("outcome") || !f.has("flowId"))
        {
            final String outcome = Requests.text(f, "outcome", true, p);
            final Map<String, Object> data = f.optObject("data", p);
            if (!p.isEmpty())
            {
                Requests.invalid(ex, p);
                return;
            }
            final ShardWriter shard = cp.callShard(callId);
            ex.offer(shard, () -> step(ex, shard, callId, outcome, data));
            return;
        }
        final String accountId = Requests.text(f, "accountId", true, p);
        final String flowId = Requests.text(f, "flowId", true, p);
        if (!p.isEmpty())
        {
            Requests.invalid(ex, p);
            return;
        }
        final CompiledAccount account = cp.config.snapshot().account(accountId);
        final CompiledFlow flow = account == null ? null : account.flow(flowId);
        if (flow == null)
        {
            Requests.notFound(ex, account == null ? "no account " + accountId : "no flow " + flowId + " in " + accountId);
            return;
        }
        final Map<String, String> vars = new HashMap<>();
        vars.put("call_id", callId);
        final CallEntry call = cp.calls.get(callId, ENTRY.get());
        if (call != null)
        {
            vars.put("caller_cid", RouteDecider.callerId(call.from));
            vars.put("did", RouteDecider.callerId(call.to));
        }
        final ShardWriter shard = cp.callShard(callId);
        ex.offer(shard, () -> start(ex, shard, callId, accountId, flow, vars));
    }

    private void start(final HttpExchange ex, final ShardWriter shard, final String callId, final String accountId,
        final CompiledFlow flow, final Map<String, String> vars)
    {
        final FlowSession session = cp.session(shard);
        if (cp.flowSessions.get(callId, session) != null)
        {
            ex.respondError(HttpResponseStatus.CONFLICT, "flow_already_started",
                "call " + callId + " already runs flow " + session.flowId() + " (step " + session.step() + ")", null);
            return;
        }
        final StepOutcome outcome = cp.flowEngine.start(flow, session, accountId, vars, System.currentTimeMillis());
        answer(ex, shard, callId, flow, session, outcome, "flow.start", null);
    }

    private void step(final HttpExchange ex, final ShardWriter shard, final String callId, final String outcomeName,
        final Map<String, Object> data)
    {
        final FlowSession session = cp.flowSessions.get(callId, cp.session(shard));
        if (session == null)
        {
            Requests.notFound(ex, "no flow session for call " + callId);
            return;
        }
        if (session.finished())
        {
            ex.respondError(HttpResponseStatus.CONFLICT, "flow_finished",
                "the flow of call " + callId + " has already hung up", null);
            return;
        }
        final CompiledAccount account = cp.config.snapshot().account(session.accountId().toString());
        final CompiledFlow flow = account == null ? null : account.flow(session.flowId().toString());
        if (flow == null)
        {
            // The flow (or its account) was removed while the call ran: end the call cleanly.
            session.finished(true);
            cp.flowSessions.put(callId, session);
            answer(ex, shard, callId, null, session, new StepOutcome(StepOutcome.Kind.COMMAND, -1, FlowEngine.CAUSE_FLOW_CHANGED),
                "flow.step", outcomeName);
            return;
        }
        final StepOutcome outcome = cp.flowEngine.step(flow, session, outcomeName, data);
        answer(ex, shard, callId, flow, session, outcome, "flow.step", outcomeName);
    }

    private void answer(final HttpExchange ex, final ShardWriter shard, final String callId, final CompiledFlow flow,
        final FlowSession session, final StepOutcome outcome, final String traceKind, final String outcomeName)
    {
        cp.flowSessions.put(callId, session);
        final JsonBuffer buf = cp.buffer(shard);
        buf.reset();
        try
        {
            final JsonGenerator g = buf.generator();
            g.writeStartObject();
            g.writeStringField("callId", callId);
            g.writeNumberField("step", session.step());
            g.writeFieldName("command");
            cp.flowEngine.writeCommand(g, flow, outcome, session);
            g.writeEndObject();
            g.flush();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        final byte[] body = buf.toByteArray();

        final Map<String, Object> detail = new LinkedHashMap<>();
        if (outcomeName != null)
        {
            detail.put("outcome", outcomeName);
        }
        detail.put("flow_id", session.flowId().toString());
        detail.put("step", (long)session.step());
        detail.put("node", outcome.node() < 0 ? null : flow.nodeName(outcome.node()));
        detail.put("command", outcome.node() < 0 ? "hangup" : flow.commandType(outcome.node()));
        if (outcome.hangupCause() != null)
        {
            detail.put("cause", outcome.hangupCause());
        }
        final long seq = cp.trace.record(callId, session.accountId().toString(), traceKind, detail);
        cp.trace.journal().whenDurable(seq, () -> ex.respondJson(HttpResponseStatus.OK, body));
    }
}
