package dev.edgeplane.controlplane.flow;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * Runs the {@code /flow} command loop (docs/SPEC-control-plane.md, "POST /flow — the command loop"):
 * starts a session at a flow's start node, moves it along {@code next} on each reported
 * outcome, and renders the command to issue with {@code ${var}} substituted.
 *
 * <p>Pure: no I/O, no clock, no store. The caller loads the {@link FlowSession} (e.g. with
 * {@code OffHeapStore.get(callId, using)}), calls {@link #start} or {@link #step}, writes the
 * session back, and renders the outcome with {@link #writeCommand}. A step allocates nothing of
 * its own beyond iterating {@code data}; rendering allocates nothing once the thread's buffer has
 * grown.
 *
 * <p>Thread-safe: the engine holds only its step limit and a per-thread render buffer, and
 * compiled flows are immutable. A session must be used by one thread at a time (its shard's
 * writer).
 */
public final class FlowEngine
{
    /** Commands one session may be issued before it is hung up with {@link #CAUSE_LOOP}. */
    public static final int DEFAULT_STEP_LIMIT = 100;

    /** Hangup cause when the current node's {@code next} has no match (or no {@code next}). */
    public static final String CAUSE_FLOW_END = "flow_end";

    /** Hangup cause when the session's node no longer exists in the flow's current version. */
    public static final String CAUSE_FLOW_CHANGED = "flow_changed";

    /** Hangup cause when a session would exceed the step limit. */
    public static final String CAUSE_LOOP = "loop";

    /** The variable that holds the last reported outcome. */
    public static final String OUTCOME_VAR = "outcome";

    private static final StepOutcome HANGUP_FLOW_END = new StepOutcome(StepOutcome.Kind.COMMAND, -1, CAUSE_FLOW_END);
    private static final StepOutcome HANGUP_FLOW_CHANGED =
        new StepOutcome(StepOutcome.Kind.COMMAND, -1, CAUSE_FLOW_CHANGED);
    private static final StepOutcome HANGUP_LOOP = new StepOutcome(StepOutcome.Kind.COMMAND, -1, CAUSE_LOOP);

    private static final SerializedString TYPE = new SerializedString("type");
    private static final SerializedString HANGUP = new SerializedString("hangup");
    private static final SerializedString CAUSE = new SerializedString("cause");

    private static final ThreadLocal<RenderBuffer> BUFFERS = ThreadLocal.withInitial(RenderBuffer::new);

    private final int stepLimit;

    /**
     * An engine with {@link #DEFAULT_STEP_LIMIT}.
     */
    public FlowEngine()
    {
        this(DEFAULT_STEP_LIMIT);
    }

    /**
     * @param stepLimit most commands one session may be issued, at least 1; the command that
     *                  would exceed it is replaced by a hangup with cause {@link #CAUSE_LOOP}.
     */
    public FlowEngine(final int stepLimit)
    {
        if (stepLimit < 1)
        {
            throw new IllegalArgumentException("stepLimit must be >= 1: " + stepLimit);
        }
        this.stepLimit = stepLimit;
    }

    /** @return most commands one session may be issued. */
    public int stepLimit()
    {
        return stepLimit;
    }

    /**
     * Begin a flow: reset {@code session} to the flow's start node at step 1.
     *
     * @param flow        the flow.
     * @param session     the session to initialise; everything in it is replaced.
     * @param accountId   the owning account.
     * @param initialVars variables known at the start ({@code caller_cid}, …), or null; cut to
     *                    the limits of {@link FlowSession}.
     * @param nowMillis   the start time, epoch milliseconds.
     * @return the start node's command (the session is finished already if it is a hangup).
     */
    public StepOutcome start(
        final CompiledFlow flow, final FlowSession session, final CharSequence accountId,
        final Map<String, String> initialVars, final long nowMillis)
    {
        session.reset()
            .accountId(accountId)
            .flowId(flow.id())
            .startedAtMillis(nowMillis)
            .step(1);
        if (initialVars != null)
        {
            for (final Map.Entry<String, String> var : initialVars.entrySet())
            {
                if (var.getValue() != null)
                {
                    session.putVar(var.getKey(), var.getValue());
                }
            }
        }
        return enter(flow, session, flow.startNode());
    }

    /**
     * Advance a session on the outcome of its last command.
     *
     * <p>Scalar {@code data} values become variables (strings as they are, numbers and booleans
     * in their JSON text; objects, arrays and nulls are ignored), then {@code outcome} is set to
     * {@code outcome}. The next node is the current node's exact pattern, else its longest
     * matching {@code prefix:*}, else its {@code *}. The session instead ends with a hangup whose
     * cause is {@link #CAUSE_FLOW_CHANGED} if its node is gone from this flow version,
     * {@link #CAUSE_FLOW_END} if nothing matches, or {@link #CAUSE_LOOP} if the step limit would
     * be exceeded. Every command issued, a made-up hangup included, counts as a step.
     *
     * @param flow    the current version of the session's flow.
     * @param session the session; updated in place (write it back afterwards).
     * @param outcome the outcome reported for the last command, e.g. {@code digit:1}.
     * @param data    values reported with it, as decoded by {@code Json.parse}, or null.
     * @return the command to issue, or {@link StepOutcome#FINISHED} (session untouched) if the
     *         session had already hung up.
     */
    public StepOutcome step(
        final CompiledFlow flow, final FlowSession session, final String outcome, final Map<String, Object> data)
    {
        Objects.requireNonNull(outcome, "outcome");
        if (session.finished())
        {
            return StepOutcome.FINISHED;
        }
        if (data != null)
        {
            for (final Map.Entry<String, Object> entry : data.entrySet())
            {
                putScalar(session, entry.getKey(), entry.getValue());
            }
        }
        session.putVar(OUTCOME_VAR, outcome);

        final int current = flow.nodeIndex(session.node());
        if (current < 0)
        {
            return hangUp(session, HANGUP_FLOW_CHANGED);
        }
        final int next = flow.nextNode(current, outcome);
        if (next < 0)
        {
            return hangUp(session, HANGUP_FLOW_END);
        }
        if (session.step() >= stepLimit)
        {
            return hangUp(session, HANGUP_LOOP);
        }
        session.step(session.step() + 1);
        return enter(flow, session, next);
    }

    /**
     * Write the command an outcome stands for, e.g.
     * {@code {"type":"gather","prompt":"media:menu.wav","numDigits":1,"timeoutMs":5000}}: fields in
     * {@code type} first, then definition order, every {@code ${var}} in a string (list elements included) replaced by the
     * session's variable, an unknown variable by nothing.
     *
     * @param g       the generator, positioned where a value is expected (after
     *                {@code writeFieldName("command")}).
     * @param flow    the flow the outcome came from; may be null for a made-up hangup
     *                (node -1), which needs no flow.
     * @param outcome a {@link StepOutcome.Kind#COMMAND} outcome of {@link #start} or {@link #step}.
     * @param session the session, as that call left it.
     * @throws IOException              if the generator's target fails.
     * @throws IllegalArgumentException if the outcome is {@link StepOutcome.Kind#FINISHED}.
     */
    public void writeCommand(
        final JsonGenerator g, final CompiledFlow flow, final StepOutcome outcome, final FlowSession session)
        throws IOException
    {
        if (outcome.kind() != StepOutcome.Kind.COMMAND)
        {
            throw new IllegalArgumentException("no command to write for " + outcome);
        }
        if (outcome.node() < 0)
        {
            g.writeStartObject();
            g.writeFieldName(TYPE);
            g.writeString(HANGUP);
            g.writeFieldName(CAUSE);
            g.writeString(outcome.hangupCause());
            g.writeEndObject();
            return;
        }
        flow.writeCommand(g, outcome.node(), session, BUFFERS.get());
    }

    private static StepOutcome enter(final CompiledFlow flow, final FlowSession session, final int node)
    {
        session.node(flow.nodeName(node));
        if (flow.isHangup(node))
        {
            session.finished(true);
        }
        return flow.commandOutcome(node);
    }

    /**
     * End the session with a made-up hangup. The node is left as it was, for the trace.
     */
    private static StepOutcome hangUp(final FlowSession session, final StepOutcome hangup)
    {
        session.step(session.step() + 1).finished(true);
        return hangup;
    }

    private static void putScalar(final FlowSession session, final String name, final Object value)
    {
        if (value instanceof String)
        {
            session.putVar(name, (String)value);
        }
        else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte)
        {
            session.putVar(name, ((Number)value).longValue());
        }
        else if (value instanceof Boolean)
        {
            session.putVar(name, ((Boolean)value).booleanValue());
        }
        else if (value instanceof BigDecimal)
        {
            // Plain notation: 1E+3 would surprise a prompt or a dial string.
            session.putVar(name, ((BigDecimal)value).toPlainString());
        }
        else if (value instanceof Number)
        {
            session.putVar(name, value.toString());
        }
        // Objects, arrays and nulls carry nothing a command string can use.
    }
}
