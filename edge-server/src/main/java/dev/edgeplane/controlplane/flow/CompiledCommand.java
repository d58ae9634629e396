package dev.edgeplane.controlplane.flow;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * One node's command, ready to render: field names pre-encoded, {@code type} first and the rest in definition order, string
 * values pre-split into {@link TextTemplate}s, numbers and booleans already converted.
 *
 * <p>Immutable and thread-safe.
 */
final class CompiledCommand
{
    final CommandType type;
    private final SerializedString[] names;
    /** Per field: a {@link TextTemplate}, {@code TextTemplate[]}, {@link Long} or {@link Boolean}. */
    private final Object[] values;

    /**
     * @param type   the command type.
     * @param names  field names: {@code type} first, then definition order.
     * @param values the field values, as described on {@link #values}; arrays owned by this object.
     */
    CompiledCommand(final CommandType type, final SerializedString[] names, final Object[] values)
    {
        this.type = type;
        this.names = names;
        this.values = values;
    }

    /**
     * Write the command object.
     *
     * @param g       the generator, positioned where a value is expected.
     * @param session the vars to substitute.
     * @param scratch the calling thread's buffer.
     * @throws IOException if the generator's target fails.
     */
    void write(final JsonGenerator g, final FlowSession session, final RenderBuffer scratch) throws IOException
    {
        g.writeStartObject();
        for (int i = 0; i < names.length; i++)
        {
            g.writeFieldName(names[i]);
            final Object value = values[i];
            if (value instanceof TextTemplate)
            {
                ((TextTemplate)value).write(g, session, scratch);
            }
            else if (value instanceof Long)
            {
                g.writeNumber(((Long)value).longValue());
            }
            else if (value instanceof Boolean)
            {
                g.writeBoolean(((Boolean)value).booleanValue());
            }
            else
            {
                final TextTemplate[] list = (TextTemplate[])value;
                g.writeStartArray();
                for (final TextTemplate element : list)
                {
                    element.write(g, session, scratch);
                }
                g.writeEndArray();
            }
        }
        g.writeEndObject();
    }
}
