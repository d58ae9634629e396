package dev.edgeplane.controlplane.flow;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.edgeplane.state.StoreSpec;
import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;

/**
 * The per-call state of a running flow, kept off-heap in the {@link #STORE} keyed by call id:
 * which account and flow, the current node by name, how many commands were issued, whether the
 * call was hung up, and the call's variables.
 *
 * <p>The node is kept by name, not index, so a session survives a new version of its flow as
 * long as the node still exists there (otherwise the next step hangs up with cause
 * {@link FlowEngine#CAUSE_FLOW_CHANGED}).
 *
 * <p>Variables are bounded so a session's off-heap entry stays small: at most {@link #MAX_VARS}
 * entries (a new name beyond that is dropped; replacing an existing one always works), names cut
 * to {@link #MAX_KEY_LENGTH} characters and values to {@link #MAX_VALUE_LENGTH} characters (UTF-16
 * units; a cut never splits a surrogate pair). Empty names are dropped.
 *
 * <p>Strings live in {@link StringBuilder}s that are reused across {@link #reset()} and
 * {@link #readMarshallable}, so reading a session with {@code OffHeapStore.get(callId, using)}
 * into one kept instance allocates nothing once its builders have grown. The accessors return
 * live views of those builders: read them, do not modify them, and copy ({@code toString()})
 * what must outlive the next change to this instance.
 *
 * <p>Serialized layout (fixed field order): layout version byte, accountId, flowId, node
 * (UTF-8, {@code writeUtf8}), step ({@code int}), finished ({@code boolean}), startedAtMillis
 * ({@code long}), variable count (stop bit), then each variable's name and value (UTF-8).
 *
 * <p>Not thread-safe: one instance per thread (the writer of the call's shard, or a reader
 * holding its own instance).
 */
public final class FlowSession implements BytesMarshallable
{
    /** Most variables a session keeps. */
    public static final int MAX_VARS = 32;

    /** Longest variable name kept, in chars; longer names are cut. */
    public static final int MAX_KEY_LENGTH = 64;

    /** Longest variable value kept, in chars; longer values are cut. */
    public static final int MAX_VALUE_LENGTH = 256;

    /** Bumped when the serialized layout changes. */
    private static final byte LAYOUT_VERSION = 1;

    /**
     * The off-heap store of sessions keyed by SIP Call-ID: a million live calls, values of
     * variable size averaging the sample's.
     */
    public static final StoreSpec<FlowSession> STORE = new StoreSpec<>(
        "flow-sessions", FlowSession.class, FlowSession::new, 1_000_000, "a84b4c76e66710@pbx.example.com",
        sample(), false);

    private final StringBuilder accountId = new StringBuilder(32);
    private final StringBuilder flowId = new StringBuilder(32);
    private final StringBuilder node = new StringBuilder(16);
    private int step;
    private boolean finished;
    private long startedAtMillis;

    private final StringBuilder[] names = new StringBuilder[MAX_VARS];
    private final StringBuilder[] values = new StringBuilder[MAX_VARS];
    private int varCount;

    /**
     * An empty session (also used by Chronicle Map when it needs a fresh value).
     */
    public FlowSession()
    {
    }

    private static FlowSession sample()
    {
        final FlowSession sample = new FlowSession()
            .accountId("acc_01jf18ah3jeb5w6dfp27sgjsbt")
            .flowId("flow_01jf18ah3jeb5w6dfp27sgjsbv")
            .node("menu")
            .step(3)
            .startedAtMillis(1_735_689_600_000L);
        sample.putVar("caller_cid", "14155551234");
        sample.putVar("called", "+12025550123");
        sample.putVar("digits", "1");
        sample.putVar("outcome", "digit:1");
        return sample;
    }

    /**
     * Clear every field, keeping the builders for reuse.
     *
     * @return this.
     */
    public FlowSession reset()
    {
        accountId.setLength(0);
        flowId.setLength(0);
        node.setLength(0);
        step = 0;
        finished = false;
        startedAtMillis = 0;
        clearVars();
        return this;
    }

    /** @return the owning account's id (live view). */
    public CharSequence accountId()
    {
        return accountId;
    }

    /**
     * @param value the owning account's id.
     * @return this.
     */
    public FlowSession accountId(final CharSequence value)
    {
        return assign(accountId, value);
    }

    /** @return the flow's id (live view). */
    public CharSequence flowId()
    {
        return flowId;
    }

    /**
     * @param value the flow's id.
     * @return this.
     */
    public FlowSession flowId(final CharSequence value)
    {
        return assign(flowId, value);
    }

    /** @return the name of the node whose command was issued last (live view). */
    public CharSequence node()
    {
        return node;
    }

    /**
     * @param value the name of the node whose command was issued last.
     * @return this.
     */
    public FlowSession node(final CharSequence value)
    {
        return assign(node, value);
    }

    /** @return the number of commands issued so far (1 after the start). */
    public int step()
    {
        return step;
    }

    /**
     * @param value the number of commands issued so far.
     * @return this.
     */
    public FlowSession step(final int value)
    {
        step = value;
        return this;
    }

    /** @return true once a hangup command was issued; further steps are refused. */
    public boolean finished()
    {
        return finished;
    }

    /**
     * @param value whether a hangup command was issued.
     * @return this.
     */
    public FlowSession finished(final boolean value)
    {
        finished = value;
        return this;
    }

    /** @return when the flow started, epoch milliseconds. */
    public long startedAtMillis()
    {
        return startedAtMillis;
    }

    /**
     * @param value when the flow started, epoch milliseconds.
     * @return this.
     */
    public FlowSession startedAtMillis(final long value)
    {
        startedAtMillis = value;
        return this;
    }

    /** @return the number of variables, 0 to {@link #MAX_VARS}. */
    public int varCount()
    {
        return varCount;
    }

    /**
     * @param index 0 to {@link #varCount()} - 1, in the order first set.
     * @return that variable's name (live view).
     */
    public CharSequence varName(final int index)
    {
        checkVarIndex(index);
        return names[index];
    }

    /**
     * @param index 0 to {@link #varCount()} - 1, in the order first set.
     * @return that variable's value (live view).
     */
    public CharSequence varValue(final int index)
    {
        checkVarIndex(index);
        return values[index];
    }

    /**
     * @param name a variable name.
     * @return its value (live view), or null if the session has no such variable.
     */
    public CharSequence var(final CharSequence name)
    {
        final int index = indexOf(name);
        return index < 0 ? null : values[index];
    }

    /**
     * Set a variable, cutting name and value to their limits.
     *
     * @param name  the name; empty names are dropped.
     * @param value the value.
     * @return false if the variable was dropped (empty name, or a new name when the session
     *         already holds {@link #MAX_VARS} variables).
     */
    public boolean putVar(final CharSequence name, final CharSequence value)
    {
        final StringBuilder target = slotFor(name);
        if (target == null)
        {
            return false;
        }
        appendCut(target, value, MAX_VALUE_LENGTH);
        return true;
    }

    /**
     * Set a variable to a number's decimal form without creating a string.
     *
     * @param name  the name; empty names are dropped.
     * @param value the value.
     * @return false if the variable was dropped, as in {@link #putVar(CharSequence, CharSequence)}.
     */
    public boolean putVar(final CharSequence name, final long value)
    {
        final StringBuilder target = slotFor(name);
        if (target == null)
        {
            return false;
        }
        target.append(value);
        return true;
    }

    /**
     * Set a variable to {@code "true"} or {@code "false"}.
     *
     * @param name  the name; empty names are dropped.
     * @param value the value.
     * @return false if the variable was dropped, as in {@link #putVar(CharSequence, CharSequence)}.
     */
    public boolean putVar(final CharSequence name, final boolean value)
    {
        final StringBuilder target = slotFor(name);
        if (target == null)
        {
            return false;
        }
        target.append(value);
        return true;
    }

    /**
     * Remove every variable.
     */
    public void clearVars()
    {
        for (int i = 0; i < varCount; i++)
        {
            names[i].setLength(0);
            values[i].setLength(0);
        }
        varCount = 0;
    }

    /**
     * Copy the variables into a new map, in the order first set. Allocates: for traces, tests
     * and tools, not for the step path.
     *
     * @return name to value.
     */
    public Map<String, String> varsAsMap()
    {
        final Map<String, String> copy = new LinkedHashMap<>();
        for (int i = 0; i < varCount; i++)
        {
            copy.put(names[i].toString(), values[i].toString());
        }
        return copy;
    }

    @Override
    public void writeMarshallable(final BytesOut<?> bytes)
    {
        bytes.writeByte(LAYOUT_VERSION);
        bytes.writeUtf8(accountId);
        bytes.writeUtf8(flowId);
        bytes.writeUtf8(node);
        bytes.writeInt(step);
        bytes.writeBoolean(finished);
        bytes.writeLong(startedAtMillis);
        bytes.writeStopBit(varCount);
        for (int i = 0; i < varCount; i++)
        {
            bytes.writeUtf8(names[i]);
            bytes.writeUtf8(values[i]);
        }
    }

    @Override
    public void readMarshallable(final BytesIn<?> bytes)
    {
        final byte version = bytes.readByte();
        if (version != LAYOUT_VERSION)
        {
            // Only this class writes the store; another byte means a corrupt or foreign file.
            throw new IllegalStateException("flow session layout " + version + ", expected " + LAYOUT_VERSION);
        }
        readText(bytes, accountId);
        readText(bytes, flowId);
        readText(bytes, node);
        step = bytes.readInt();
        finished = bytes.readBoolean();
        startedAtMillis = bytes.readLong();
        final long count = bytes.readStopBit();
        if (count < 0 || count > MAX_VARS)
        {
            throw new IllegalStateException("flow session with " + count + " variables");
        }
        clearVars();
        for (int i = 0; i < (int)count; i++)
        {
            ensureSlot(i);
            readText(bytes, names[i]);
            readText(bytes, values[i]);
        }
        varCount = (int)count;
    }

    private static void readText(final BytesIn<?> bytes, final StringBuilder into)
    {
        into.setLength(0);
        bytes.readUtf8(into);
    }

    private FlowSession assign(final StringBuilder field, final CharSequence value)
    {
        field.setLength(0);
        if (value != null)
        {
            field.append(value);
        }
        return this;
    }

    /**
     * @return the emptied value builder for {@code name}, adding the variable if it is new, or
     *         null if it must be dropped.
     */
    private StringBuilder slotFor(final CharSequence name)
    {
        if (name == null || name.length() == 0)
        {
            return null;
        }
        int index = indexOf(name);
        if (index < 0)
        {
            if (varCount == MAX_VARS)
            {
                return null;
            }
            index = varCount++;
            ensureSlot(index);
            appendCut(names[index], name, MAX_KEY_LENGTH);
        }
        final StringBuilder value = values[index];
        value.setLength(0);
        return value;
    }

    private int indexOf(final CharSequence name)
    {
        if (name == null)
        {
            return -1;
        }
        final int length = Math.min(name.length(), MAX_KEY_LENGTH);
        for (int i = 0; i < varCount; i++)
        {
            if (sameCut(names[i], name, length))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * @return true if {@code stored} equals {@code name} as it would be stored (cut to
     *         {@code length}, less a trailing high surrogate).
     */
    private static boolean sameCut(final StringBuilder stored, final CharSequence name, final int length)
    {
        final int cut = cutLength(name, length);
        if (stored.length() != cut)
        {
            return false;
        }
        for (int i = 0; i < cut; i++)
        {
            if (stored.charAt(i) != name.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    private static void appendCut(final StringBuilder into, final CharSequence text, final int max)
    {
        if (text != null)
        {
            into.append(text, 0, cutLength(text, Math.min(text.length(), max)));
        }
    }

    /**
     * @return {@code length}, one less if that would end the text between the halves of a
     *         surrogate pair.
     */
    private static int cutLength(final CharSequence text, final int length)
    {
        if (length > 0 && length < text.length() && Character.isHighSurrogate(text.charAt(length - 1)))
        {
            return length - 1;
        }
        return length;
    }

    private void ensureSlot(final int index)
    {
        if (names[index] == null)
        {
            names[index] = new StringBuilder(16);
            values[index] = new StringBuilder(16);
        }
    }

    private void checkVarIndex(final int index)
    {
        if (index < 0 || index >= varCount)
        {
            throw new IndexOutOfBoundsException("var " + index + " out of [0, " + varCount + ")");
        }
    }

    @Override
    public String toString()
    {
        return "FlowSession[account=" + accountId + ", flow=" + flowId + ", node=" + node + ", step=" + step
            + ", finished=" + finished + ", startedAt=" + startedAtMillis + ", vars=" + varsAsMap() + ']';
    }
}
