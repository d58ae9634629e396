package dev.edgeplane.tools;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;

/**
 * The first bytes of one response body, kept in a reused array so the load generator can look for the few fields a
 * scenario needs ({@code "status":"ok"}, {@code "action":"flow"}, {@code "type":"hangup"}) without parsing JSON or
 * allocating. The servers write compact JSON, so a field is found as its exact byte sequence.
 *
 * <p>Not thread-safe: one instance per connection, used on its event loop.
 */
final class ResponseBody
{
    /** Bytes kept; the fields looked for sit at the start of every answer the scenarios read. */
    static final int CAPACITY = 2048;

    private final byte[] bytes = new byte[CAPACITY];
    private int length;

    /** Forget the previous body. */
    void clear()
    {
        length = 0;
    }

    /**
     * Keep as much of {@code content} as fits.
     *
     * @param content a body chunk; its indexes are not changed.
     */
    void append(final ByteBuf content)
    {
        final int n = Math.min(content.readableBytes(), CAPACITY - length);
        if (n > 0)
        {
            content.getBytes(content.readerIndex(), bytes, length, n);
            length += n;
        }
    }

    /**
     * @return bytes kept.
     */
    int length()
    {
        return length;
    }

    /**
     * @param needle what to look for.
     * @return the index of its first occurrence, or -1.
     */
    int indexOf(final byte[] needle)
    {
        final int last = length - needle.length;
        outer:
        for (int i = 0; i <= last; i++)
        {
            for (int k = 0; k < needle.length; k++)
            {
                if (bytes[i + k] != needle[k])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * @param needle what to look for.
     * @return true if the kept bytes contain it.
     */
    boolean contains(final byte[] needle)
    {
        return indexOf(needle) >= 0;
    }

    /**
     * @param at   an index.
     * @param what bytes to compare.
     * @return true if the kept bytes hold {@code what} at {@code at}.
     */
    boolean matchesAt(final int at, final byte[] what)
    {
        if (at < 0 || at + what.length > length)
        {
            return false;
        }
        for (int k = 0; k < what.length; k++)
        {
            if (bytes[at + k] != what[k])
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param at an index.
     * @return the non-negative decimal number starting there, or -1 if there is none.
     */
    int decimalAt(final int at)
    {
        int value = -1;
        for (int i = at; i < length && i < at + 9; i++)
        {
            final byte b = bytes[i];
            if (b < '0' || b > '9')
            {
                break;
            }
            value = (value < 0 ? 0 : value * 10) + (b - '0');
        }
        return value;
    }

    /**
     * @param key a field prefix such as {@code "message":"}.
     * @return the text after it up to the next quote, or null (error paths only: this allocates).
     */
    String stringAfter(final byte[] key)
    {
        final int start = indexOf(key);
        if (start < 0)
        {
            return null;
        }
        int end = start + key.length;
        while (end < length && bytes[end] != '"')
        {
            end++;
        }
        return new String(bytes, start + key.length, end - start - key.length, StandardCharsets.UTF_8);
    }
}
