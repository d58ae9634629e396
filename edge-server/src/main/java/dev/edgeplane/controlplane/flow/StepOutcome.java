package dev.edgeplane.controlplane.flow;

/**
 * What {@link FlowEngine#start} or {@link FlowEngine#step} decided: either a command to issue, or
 * that the session had already finished (the handler answers {@code 409}).
 *
 * <p>A command is the command of node {@code node} of the flow, or, when {@code node} is -1, a
 * hangup the engine made up with cause {@code hangupCause} ({@link FlowEngine#CAUSE_FLOW_END},
 * {@link FlowEngine#CAUSE_FLOW_CHANGED} or {@link FlowEngine#CAUSE_LOOP}). Render either with
 * {@link FlowEngine#writeCommand}.
 *
 * <p>Immutable and thread-safe. The engine returns shared instances, so a step allocates none.
 *
 * @param kind        command or finished.
 * @param node        index of the node whose command to issue, or -1.
 * @param hangupCause cause of an engine-made hangup when {@code node} is -1 for a command; else null.
 */
public record StepOutcome(Kind kind, int node, String hangupCause)
{
    /** The session had already hung up; nothing was changed. */
    public static final StepOutcome FINISHED = new StepOutcome(Kind.FINISHED, -1, null);

    /** The kinds of outcome. */
    public enum Kind
    {
        /** Issue a command. */
        COMMAND,
        /** The session had already finished. */
        FINISHED
    }

    /**
     * Checks the combinations described on the type.
     */
    public StepOutcome
    {
        if (kind == null)
        {
            throw new NullPointerException("kind");
        }
        final boolean valid = kind == Kind.FINISHED
            ? node == -1 && hangupCause == null
            : (node >= 0 && hangupCause == null) || (node == -1 && hangupCause != null);
        if (!valid)
        {
            throw new IllegalArgumentException(kind + " with node " + node + " and cause " + hangupCause);
        }
    }

    /**
     * @return true if the command is a hangup the engine made up (not a node's command).
     */
    public boolean isSyntheticHangup()
    {
        return kind == Kind.COMMAND && node == -1;
    }
}
