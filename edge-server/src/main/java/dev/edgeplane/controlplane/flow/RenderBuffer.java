package dev.edgeplane.controlplane.flow;

import java.util.Arrays;

/**
 * A growable char buffer into which a {@link TextTemplate} assembles one substituted string
 * before handing it to Jackson, so rendering creates no {@code String}.
 *
 * <p>Not thread-safe: {@link FlowEngine} keeps one per thread.
 */
final class RenderBuffer
{
    private char[] chars = new char[256];
    private int length;

    void clear()
    {
        length = 0;
    }

    void append(final CharSequence text)
    {
        final int n = text.length();
        ensure(length + n);
        if (text instanceof String)
        {
            ((String)text).getChars(0, n, chars, length);
        }
        else if (text instanceof StringBuilder)
        {
            ((StringBuilder)text).getChars(0, n, chars, length);
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                chars[length + i] = text.charAt(i);
            }
        }
        length += n;
    }

    char[] chars()
    {
        return chars;
    }

    int length()
    {
        return length;
    }

    private void ensure(final int capacity)
    {
        if (capacity > chars.length)
        {
            chars = Arrays.copyOf(chars, Math.max(capacity, chars.length * 2));
        }
    }
}
