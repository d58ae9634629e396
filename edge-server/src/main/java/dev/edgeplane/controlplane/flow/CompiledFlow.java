package dev.edgeplane.controlplane.flow;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonGenerator;

/**
 * A validated flow definition in the form {@link FlowEngine} runs: nodes indexed by int, each
 * with its command pre-split into literal and {@code ${var}} parts and its outcome table (exact
 * patterns, then prefix wildcards longest first, then {@code *}). Built by
 * {@link FlowCompiler#compile}; cache one per flow version and share it.
 *
 * <p>Immutable and thread-safe.
 */
public final class CompiledFlow
{
    private final String id;
    private final String[] names;
    private final CompiledCommand[] commands;
    private final OutcomeTable[] outcomes;
    private final StepOutcome[] commandOutcomes;
    private final int start;
    /** Open-addressed name index: node index + 1, 0 for an empty slot; length a power of two. */
    private final int[] slots;

    /**
     * @param id       the flow's id.
     * @param names    node names by index; owned by this object.
     * @param commands node commands by index; owned by this object.
     * @param outcomes node outcome tables by index; owned by this object.
     * @param start    index of the start node.
     */
    CompiledFlow(
        final String id, final String[] names, final CompiledCommand[] commands, final OutcomeTable[] outcomes,
        final int start)
    {
        this.id = id;
        this.names = names;
        this.commands = commands;
        this.outcomes = outcomes;
        this.start = start;
        commandOutcomes = new StepOutcome[names.length];
        for (int i = 0; i < names.length; i++)
        {
            commandOutcomes[i] = new StepOutcome(StepOutcome.Kind.COMMAND, i, null);
        }
        slots = new int[Integer.highestOneBit(Math.max(1, names.length) * 4)];
        for (int i = 0; i < names.length; i++)
        {
            int slot = hash(names[i]) & (slots.length - 1);
            while (slots[slot] != 0)
            {
                slot = (slot + 1) & (slots.length - 1);
            }
            slots[slot] = i + 1;
        }
    }

    /** @return the flow's id. */
    public String id()
    {
        return id;
    }

    /** @return the number of nodes, 1 to {@link FlowCompiler#MAX_NODES}. */
    public int nodeCount()
    {
        return names.length;
    }

    /** @return the index of the start node. */
    public int startNode()
    {
        return start;
    }

    /**
     * Look a node up by name without allocating (the name may be a session's live view).
     *
     * @param name a node name.
     * @return its index, or -1 if this flow has no such node.
     */
    public int nodeIndex(final CharSequence name)
    {
        if (name == null)
        {
            return -1;
        }
        int slot = hash(name) & (slots.length - 1);
        for (int entry = slots[slot]; entry != 0; entry = slots[slot])
        {
            if (names[entry - 1].contentEquals(name))
            {
                return entry - 1;
            }
            slot = (slot + 1) & (slots.length - 1);
        }
        return -1;
    }

    /**
     * @param node 0 to {@link #nodeCount()} - 1.
     * @return that node's name.
     */
    public String nodeName(final int node)
    {
        return names[node];
    }

    /**
     * @param node 0 to {@link #nodeCount()} - 1.
     * @return true if that node's command is {@code hangup}, so reaching it ends the session.
     */
    public boolean isHangup(final int node)
    {
        return commands[node].type == CommandType.HANGUP;
    }

    /**
     * @param node 0 to {@link #nodeCount()} - 1.
     * @return the {@code type} of that node's command, e.g. {@code "gather"}.
     */
    public String commandType(final int node)
    {
        return commands[node].type.typeName;
    }

    /**
     * Where an outcome leads from a node: the exact pattern, else the longest matching prefix
     * wildcard, else {@code *}.
     *
     * @param node    0 to {@link #nodeCount()} - 1.
     * @param outcome the outcome reported for that node's command.
     * @return the index of the next node, or -1 if the node's {@code next} has no match.
     */
    public int nextNode(final int node, final String outcome)
    {
        return outcomes[node].resolve(outcome);
    }

    /** @return the shared outcome that issues node {@code node}'s command. */
    StepOutcome commandOutcome(final int node)
    {
        return commandOutcomes[node];
    }

    void writeCommand(final JsonGenerator g, final int node, final FlowSession session, final RenderBuffer scratch)
        throws IOException
    {
        commands[node].write(g, session, scratch);
    }

    private static int hash(final CharSequence s)
    {
        int h = 0;
        final int length = s.length();
        for (int i = 0; i < length; i++)
        {
            h = 31 * h + s.charAt(i);
        }
        return h ^ (h >>> 16);
    }

    @Override
    public String toString()
    {
        return "CompiledFlow[" + id + ", " + names.length + " nodes, start " + names[start] + ']';
    }
}
