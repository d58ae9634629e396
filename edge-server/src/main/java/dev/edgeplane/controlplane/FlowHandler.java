package dev.edgeplane.controlplane;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Json;
import dev.edgeplane.codec.JsonBuffer;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.controlplane.acd.PollDecision;
import dev.edgeplane.controlplane.config.CompiledAccount;
import dev.edgeplane.controlplane.flow.CompiledFlow;
import dev.edgeplane.controlplane.flow.FlowEngine;
import dev.edgeplane.controlplane.flow.FlowSession;
import dev.edgeplane.controlplane.flow.StepOutcome;
import dev.edgeplane.controlplane.state.CallEntry;
import dev.edgeplane.server.Answer;
import dev.edgeplane.server.AnswerHandler;
import dev.edgeplane.server.HttpExchange;
import dev.edgeplane.server.RequestSlot;
import dev.edgeplane.server.ShardCommand;
import dev.edgeplane.state.ShardWriter;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * {@code POST /flow}: the poll-based call-flow command loop. A body with {@code flowId} starts a
 * flow for the call; one with {@code outcome} steps it. The answer is the next command,
 * {@code {"callId","step":N,"command":{...}}}. Unknown call on step → 404; a step after hangup → 409.
 *
 * <p>Queues (SPEC-control-plane.md, "Agents and ACD"): entering an {@code enqueue} node puts the
 * caller in line (the answer carries its {@code position}; the session keeps the queue and the time
 * in {@value #QUEUE_VAR} and {@value #JOINED_VAR}); while the session stays on that node, outcome
 * {@value #QUEUE_POLL} does not advance the flow: it answers {@code noop {waitMs}} until an agent is
 * picked, then {@code dial {targets, timeoutMs, lease:{leaseId, epoch}, agents}}, and once the max
 * wait has passed it steps the flow with {@value #QUEUE_TIMEOUT}. Polls are not flow steps (they do
 * not count against the step limit and are not traced; the ACD traces its own {@code acd.*} events).
 * Any other outcome on the enqueue node steps the flow and takes the caller out of line.
 *
 * <p>Threading: validation on the event loop; the session (off-heap, survives restarts) is read and
 * written on the Call-ID's shard writer; every command is traced. Queue state belongs to the
 * account's shard, so a poll goes call shard (session) → account shard (decision) → call shard
 * (render, or step on timeout), and a join or leave is handed to the account shard. Every hop is a
 * {@link ShardCommand} carrying the connection's {@link FlowRequest} (no allocation for a hand-off).
 */
final class FlowHandler implements AnswerHandler
{
    /** The outcome a queued caller polls with. */
    static final String QUEUE_POLL = "queue:poll";
    /** The outcome a poll steps the flow with once the caller's max wait has passed. */
    static final String QUEUE_TIMEOUT = "queue:timeout";
    /** Session variable: the queue the caller entered last. */
    static final String QUEUE_VAR = "queue_id";
    /** Session variable: when (epoch ms) the caller entered it. */
    static final String JOINED_VAR = "queue_joined_at";

    private static final ThreadLocal<CallEntry> ENTRY = ThreadLocal.withInitial(CallEntry::new);
    private static final RequestSlot<FlowRequest> REQUEST = RequestSlot.of(FlowRequest::new);

    /**
     * One {@code /flow} request through its hops; reused per connection. {@link #handle} sets the
     * request's fields, each hop sets what the next one reads.
     */
    static final class FlowRequest
    {
        String callId;
        /** Start: the account and flow, and the first variables. */
        String accountId;
        CompiledFlow flow;
        Map<String, String> vars;
        /** Step: the outcome and its data. */
        String outcome;
        Map<String, Object> data;
        /** Poll and join: the call's shard, the account, the queue visit. */
        ShardWriter callShard;
        CompiledAccount account;
        String queueId;
        long joinedAt;
        int step;
        PollDecision decision;
        /** Join: the answer's tree, to which the position is added. */
        Map<String, Object> tree;
    }

    private final ControlPlane cp;
    private final SipMetrics metrics;
    private final ShardCommand<FlowRequest> startCommand = this::start;
    private final ShardCommand<FlowRequest> stepCommand = this::step;
    private final ShardCommand<FlowRequest> pollDecision = this::pollDecision;
    private final ShardCommand<FlowRequest> polled = this::polled;
    private final ShardCommand<FlowRequest> join = this::join;

    FlowHandler(final ControlPlane cp, final SipMetrics metrics)
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
        final Problems p = new Problems();
        final String callId = Requests.text(f, "callId", true, p);
        if (f.has("outcome") || !f.has("flowId"))
        {
            final String outcome = Requests.text(f, "outcome", true, p);
            final Map<String, Object> data = f.optObject("data", p);
            if (!p.isEmpty())
            {
                return Requests.invalid(p);
            }
            final FlowRequest r = request(ex, callId);
            r.outcome = outcome;
            r.data = data;
            ex.offer(cp.callShard(callId), stepCommand, r);
            return null;
        }
        final String accountId = Requests.text(f, "accountId", true, p);
        final String flowId = Requests.text(f, "flowId", true, p);
        if (!p.isEmpty())
        {
            return Requests.invalid(p);
        }
        final CompiledAccount account = cp.config.snapshot().account(accountId);
        final CompiledFlow flow = account == null ? null : account.flow(flowId);
        if (flow == null)
        {
            return Requests.notFound(account == null ? "no account " + accountId : "no flow " + flowId + " in " + accountId);
        }
        final Map<String, String> vars = new HashMap<>();
        vars.put("call_id", callId);
        final CallEntry call = cp.calls.get(callId, ENTRY.get());
        if (call != null)
        {
            vars.put("caller_cid", RouteDecider.callerId(call.from));
            vars.put("did", RouteDecider.callerId(call.to));
        }
        final FlowRequest r = request(ex, callId);
        r.accountId = accountId;
        r.flow = flow;
        r.vars = vars;
        ex.offer(cp.callShard(callId), startCommand, r);
        return null;
    }

    /** @return the connection's request object, cleared, for {@code callId}. */
    private static FlowRequest request(final HttpExchange ex, final String callId)
    {
        final FlowRequest r = ex.request(REQUEST);
        r.callId = callId;
        r.accountId = null;
        r.flow = null;
        r.vars = null;
        r.outcome = null;
        r.data = null;
        r.callShard = null;
        r.account = null;
        r.queueId = null;
        r.joinedAt = 0;
        r.step = 0;
        r.decision = null;
        r.tree = null;
        return r;
    }

    /** On the call's shard. */
    private Answer start(final ShardWriter shard, final HttpExchange ex, final FlowRequest r)
    {
        final String callId = r.callId;
        final FlowSession session = cp.session(shard);
        if (cp.flowSessions.get(callId, session) != null)
        {
            return Answer.error(HttpResponseStatus.CONFLICT, "flow_already_started",
                "call " + callId + " already runs flow " + session.flowId() + " (step " + session.step() + ")");
        }
        final StepOutcome outcome = cp.flowEngine.start(r.flow, session, r.accountId, r.vars, System.currentTimeMillis());
        return answer(ex, shard, r, r.flow, session, outcome, "flow.start", null);
    }

    /** On the call's shard. */
    private Answer step(final ShardWriter shard, final HttpExchange ex, final FlowRequest r)
    {
        return step(ex, shard, r, r.outcome, r.data);
    }

    private Answer step(final HttpExchange ex, final ShardWriter shard, final FlowRequest r, final String outcomeName,
        final Map<String, Object> data)
    {
        final String callId = r.callId;
        final FlowSession session = cp.flowSessions.get(callId, cp.session(shard));
        if (session == null)
        {
            return Requests.notFound("no flow session for call " + callId);
        }
        if (session.finished())
        {
            return Answer.error(HttpResponseStatus.CONFLICT, "flow_finished",
                "the flow of call " + callId + " has already hung up");
        }
        final CompiledAccount account = cp.config.snapshot().account(session.accountId().toString());
        final CompiledFlow flow = account == null ? null : account.flow(session.flowId().toString());
        if (flow == null)
        {
            // The flow (or its account) was removed while the call ran: end the call cleanly.
            session.finished(true);
            cp.flowSessions.put(callId, session);
            return answer(ex, shard, r, null, session, new StepOutcome(StepOutcome.Kind.COMMAND, -1, FlowEngine.CAUSE_FLOW_CHANGED),
                "flow.step", outcomeName);
        }
        final int node = flow.nodeIndex(session.node());
        final boolean inQueue = node >= 0 && isEnqueue(flow, node);
        if (inQueue && QUEUE_POLL.equals(outcomeName))
        {
            poll(ex, shard, r, account, flow, session, node);
            return null;
        }
        final int visit = session.step();
        final StepOutcome outcome = cp.flowEngine.step(flow, session, outcomeName, data);
        if (inQueue)
        {
            leave(session.accountId().toString(), callId, visit, outcomeName);
        }
        return answer(ex, shard, r, flow, session, outcome, "flow.step", outcomeName);
    }

    private static boolean isEnqueue(final CompiledFlow flow, final int node)
    {
        return "enqueue".equals(flow.commandType(node));
    }

    /** Hop 1 of a poll, on the call's shard: what the session says about the caller's queue visit. */
    private void poll(final HttpExchange ex, final ShardWriter shard, final FlowRequest r, final CompiledAccount account,
        final CompiledFlow flow, final FlowSession session, final int node)
    {
        final String callId = r.callId;
        final int step = session.step();
        final CharSequence queue = session.var(QUEUE_VAR);
        long joined = parseMillis(session.var(JOINED_VAR));
        final String queueId;
        if (queue == null || queue.length() == 0 || joined < 0)
        {
            // Entered the node without the variables (they were dropped, or set by an older build).
            final Map<String, Object> command = command(shard, callId, flow, session, new StepOutcome(StepOutcome.Kind.COMMAND, node, null));
            queueId = String.valueOf(command.get("queue"));
            joined = System.currentTimeMillis();
            session.putVar(QUEUE_VAR, queueId);
            session.putVar(JOINED_VAR, joined);
            cp.flowSessions.put(callId, session);
        }
        else
        {
            queueId = queue.toString();
        }
        r.callShard = shard;
        r.account = account;
        r.queueId = queueId;
        r.joinedAt = joined;
        r.step = step;
        ex.offer(cp.accountShard(account.id()), pollDecision, r);
    }

    /** Hop 2 of a poll, on the account's shard: the queue decision. */
    private Answer pollDecision(final ShardWriter accountShard, final HttpExchange ex, final FlowRequest r)
    {
        final long now = System.currentTimeMillis();
        r.decision = cp.acd.account(accountShard, r.account, now).poll(r.callId, r.queueId, r.step, r.joinedAt, now);
        ex.offer(r.callShard, polled, r);
        return null;
    }

    /** Hop 3 of a poll, back on the call's shard: render the decision, or step the flow on timeout. */
    private Answer polled(final ShardWriter shard, final HttpExchange ex, final FlowRequest r)
    {
        final String callId = r.callId;
        final int step = r.step;
        final PollDecision decision = r.decision;
        if (decision.kind() == PollDecision.Kind.BRIDGED)
        {
            return Answer.error(HttpResponseStatus.CONFLICT, "queue_bridged", decision.message()
                + "; report the call's outcome (e.g. queue:answered) instead of polling");
        }
        if (decision.kind() == PollDecision.Kind.STALE)
        {
            return Answer.error(HttpResponseStatus.CONFLICT, "queue_left", decision.message());
        }
        final FlowSession session = cp.flowSessions.get(callId, cp.session(shard));
        if (session == null || session.finished() || session.step() != step)
        {
            return Answer.error(HttpResponseStatus.CONFLICT, "flow_moved",
                "the flow of call " + callId + " moved on while the poll was decided");
        }
        if (decision.kind() == PollDecision.Kind.TIMEOUT)
        {
            return step(ex, shard, r, QUEUE_TIMEOUT, null);
        }
        final JsonBuffer buf = cp.buffer(shard);
        buf.reset();
        try
        {
            final JsonGenerator g = buf.generator();
            g.writeStartObject();
            g.writeStringField("callId", callId);
            g.writeNumberField("step", step);
            g.writeFieldName("command");
            g.writeStartObject();
            if (decision.kind() == PollDecision.Kind.WAIT)
            {
                g.writeStringField("type", "noop");
                g.writeNumberField("waitMs", cp.acd.settings().pollWaitMillis());
            }
            else
            {
                g.writeStringField("type", "dial");
                g.writeArrayFieldStart("targets");
                for (final String target : decision.targets())
                {
                    g.writeString(target);
                }
                g.writeEndArray();
                g.writeNumberField("timeoutMs", decision.timeoutMs());
                g.writeObjectFieldStart("lease");
                g.writeStringField("leaseId", decision.leaseId());
                g.writeNumberField("epoch", decision.epoch());
                g.writeEndObject();
                g.writeArrayFieldStart("agents");
                for (final String agent : decision.agents())
                {
                    g.writeString(agent);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeEndObject();
            g.flush();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        return ex.json(HttpResponseStatus.OK, buf.toByteArray(), Math.max(0, decision.traceSeq()));
    }

    /** The flow left an enqueue node with another outcome: the caller leaves the line (account shard). */
    private void leave(final String accountId, final String callId, final int visit, final String outcomeName)
    {
        final CompiledAccount account = cp.config.snapshot().account(accountId);
        if (account == null)
        {
            return;
        }
        final ShardWriter accountShard = cp.accountShard(accountId);
        // Best effort: if the shard is saturated the caller stops polling, is passed over, and times out.
        accountShard.offer(() ->
        {
            final long now = System.currentTimeMillis();
            cp.acd.account(accountShard, account, now).leave(callId, visit, outcomeName, now);
        });
    }

    /** @return epoch milliseconds in a session variable, or -1 when absent or not a number. */
    private static long parseMillis(final CharSequence text)
    {
        if (text == null || text.length() == 0 || text.length() > 18)
        {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private Answer answer(final HttpExchange ex, final ShardWriter shard, final FlowRequest r, final CompiledFlow flow,
        final FlowSession session, final StepOutcome outcome, final String traceKind, final String outcomeName)
    {
        final String callId = r.callId;
        final boolean enqueue = flow != null && outcome.node() >= 0 && isEnqueue(flow, outcome.node());
        final byte[] body = render(shard, callId, flow, session, outcome);
        Map<String, Object> answer = null;
        String queueId = null;
        long joinedAt = 0;
        if (enqueue)
        {
            // The queue id may be a template: take it from the rendered command.
            answer = parse(body);
            @SuppressWarnings("unchecked")
            final Map<String, Object> command = (Map<String, Object>)answer.get("command");
            queueId = String.valueOf(command.get("queue"));
            joinedAt = System.currentTimeMillis();
            session.putVar(QUEUE_VAR, queueId);
            session.putVar(JOINED_VAR, joinedAt);
        }
        cp.flowSessions.put(callId, session);
        cp.expiries(shard).sessions.scheduleNoLater(callId, CallSweeper.sessionDeadline(cp.settings, session));

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
        final String accountId = session.accountId().toString();
        final long seq = cp.trace.record(callId, accountId, traceKind, detail);
        metrics.flowStep("flow.start".equals(traceKind), outcome.node() < 0 || "hangup".equals(flow.commandType(outcome.node())));
        final CompiledAccount account = enqueue ? cp.config.snapshot().account(accountId) : null;
        if (account == null)
        {
            return ex.json(HttpResponseStatus.OK, body, seq);
        }
        // Entering a queue: join the line on the account's shard, answer with the position.
        r.account = account;
        r.tree = answer;
        r.queueId = queueId;
        r.joinedAt = joinedAt;
        r.step = session.step();
        ex.offer(cp.accountShard(accountId), join, r);
        return null;
    }

    /** On the account's shard: the caller joins the line; the answer carries its position. */
    private Answer join(final ShardWriter accountShard, final HttpExchange ex, final FlowRequest r)
    {
        final long now = System.currentTimeMillis();
        final int position = cp.acd.account(accountShard, r.account, now).join(r.callId, r.queueId, r.step, r.joinedAt, now);
        if (position > 0)
        {
            @SuppressWarnings("unchecked")
            final Map<String, Object> command = (Map<String, Object>)r.tree.get("command");
            command.put("position", (long)position);
        }
        return ex.json(HttpResponseStatus.OK, Json.write(r.tree), cp.trace.journal().lastSeq());
    }

    /** @return the answer body {@code {"callId","step","command"}} for an outcome. */
    private byte[] render(final ShardWriter shard, final String callId, final CompiledFlow flow, final FlowSession session,
        final StepOutcome outcome)
    {
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
        return buf.toByteArray();
    }

    /** @return the command an outcome stands for, as a JSON tree (rendered with the session's vars). */
    @SuppressWarnings("unchecked")
    private Map<String, Object> command(final ShardWriter shard, final String callId, final CompiledFlow flow,
        final FlowSession session, final StepOutcome outcome)
    {
        return (Map<String, Object>)parse(render(shard, callId, flow, session, outcome)).get("command");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(final byte[] body)
    {
        return (Map<String, Object>)Json.parse(body, 0, body.length);
    }
}
