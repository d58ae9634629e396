package dev.edgeplane.controlplane.flow;

import java.io.IOException;
import java.util.Arrays;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * A command string split once, at compile time, into literal runs and {@code ${var}}
 * references, so that rendering a command per step only copies characters.
 *
 * <p>A reference is {@code ${name}} where the name is 1 to {@link FlowSession#MAX_KEY_LENGTH}
 * characters of {@code [A-Za-z0-9_.-]}; anything else that starts with {@code $} (an unclosed
 * {@code ${}, {@code ${}}, {@code ${a b}}) is literal text. A string without references is kept
 * pre-encoded for Jackson.
 *
 * <p>Immutable and thread-safe.
 */
final class TextTemplate
{
    private static final String[] NO_PARTS = new String[0];
    private static final boolean[] NO_VARIABLES = new boolean[0];

    /** The whole string, pre-encoded, when it holds no reference; null otherwise. */
    private final SerializedString literal;
    /** Literal runs and variable names, in order. */
    private final String[] parts;
    /** True where {@link #parts} holds a variable name. */
    private final boolean[] variable;

    private TextTemplate(final SerializedString literal, final String[] parts, final boolean[] variable)
    {
        this.literal = literal;
        this.parts = parts;
        this.variable = variable;
    }

    /**
     * @param text a string from a flow definition.
     * @return its template.
     */
    static TextTemplate parse(final String text)
    {
        final int length = text.length();
        String[] parts = NO_PARTS;
        boolean[] variable = NO_VARIABLES;
        int count = 0;
        int literalStart = 0;
        int i = 0;
        while (i < length)
        {
            final int nameEnd = text.charAt(i) == '$' ? referenceEnd(text, i) : -1;
            if (nameEnd < 0)
            {
                i++;
                continue;
            }
            if (count + 2 > parts.length)
            {
                final int capacity = Math.max(4, parts.length * 2);
                parts = Arrays.copyOf(parts, capacity);
                variable = Arrays.copyOf(variable, capacity);
            }
            if (i > literalStart)
            {
                parts[count++] = text.substring(literalStart, i);
            }
            variable[count] = true;
            parts[count++] = text.substring(i + 2, nameEnd);
            i = nameEnd + 1;
            literalStart = i;
        }
        if (count == 0)
        {
            return new TextTemplate(new SerializedString(text), NO_PARTS, NO_VARIABLES);
        }
        if (literalStart < length)
        {
            if (count == parts.length)
            {
                parts = Arrays.copyOf(parts, count + 1);
                variable = Arrays.copyOf(variable, count + 1);
            }
            parts[count++] = text.substring(literalStart);
        }
        return new TextTemplate(null, Arrays.copyOf(parts, count), Arrays.copyOf(variable, count));
    }

    /**
     * @return the index of the closing brace of a well-formed reference starting at {@code dollar},
     *         or -1 if there is none.
     */
    private static int referenceEnd(final String text, final int dollar)
    {
        final int length = text.length();
        if (dollar + 1 >= length || text.charAt(dollar + 1) != '{')
        {
            return -1;
        }
        final int nameStart = dollar + 2;
        final int limit = Math.min(length, nameStart + FlowSession.MAX_KEY_LENGTH + 1);
        for (int i = nameStart; i < limit; i++)
        {
            final char c = text.charAt(i);
            if (c == '}')
            {
                return i > nameStart ? i : -1;
            }
            if (!isNameChar(c))
            {
                return -1;
            }
        }
        return -1;
    }

    private static boolean isNameChar(final char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '_' || c == '.' || c == '-';
    }

    /**
     * @return true if the string holds no {@code ${var}} reference.
     */
    boolean isLiteral()
    {
        return literal != null;
    }

    /**
     * Write the string with every reference replaced by the session's variable of that name
     * (an unknown variable renders as nothing).
     *
     * @param g       the generator, positioned where a value is expected.
     * @param session the vars to substitute.
     * @param scratch the calling thread's buffer.
     * @throws IOException if the generator's target fails.
     */
    void write(final JsonGenerator g, final FlowSession session, final RenderBuffer scratch) throws IOException
    {
        if (literal != null)
        {
            g.writeString(literal);
            return;
        }
        scratch.clear();
        for (int i = 0; i < parts.length; i++)
        {
            if (variable[i])
            {
                final CharSequence value = session.var(parts[i]);
                if (value != null)
                {
                    scratch.append(value);
                }
            }
            else
            {
                scratch.append(parts[i]);
            }
        }
        g.writeString(scratch.chars(), 0, scratch.length());
    }

    @Override
    public String toString()
    {
        if (literal != null)
        {
            return literal.getValue();
        }
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.length; i++)
        {
            if (variable[i])
            {
                sb.append("${").append(parts[i]).append('}');
            }
            else
            {
                sb.append(parts[i]);
            }
        }
        return sb.toString();
    }
}
