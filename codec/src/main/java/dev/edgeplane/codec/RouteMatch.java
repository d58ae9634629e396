package dev.edgeplane.codec;

import java.util.Arrays;

/**
 * The result of {@link RouteTable#match}: a reusable, mutable holder, one per connection, so
 * that matching a literal path allocates nothing.
 *
 * <p>After {@link RouteTable.Outcome#FOUND} it holds the handler, the registered pattern (a
 * bounded set of strings, fit for a metrics label), the percent-decoded path parameters, what a
 * final {@code *} captured and the raw query. After
 * {@link RouteTable.Outcome#METHOD_NOT_ALLOWED} it holds the {@code Allow} header value and the
 * pattern of the best matching path shape. After any other outcome everything is cleared. Each
 * {@code match} overwrites the previous result.
 *
 * <p>Not thread-safe: confine to one thread (e.g. a channel's event loop).
 *
 * @param <H> handler type.
 */
public final class RouteMatch<H>
{
    private static final String[] NO_NAMES = new String[0];

    H handler;
    String pattern;
    String[] names = NO_NAMES;
    String[] values = NO_NAMES;
    int paramCount;
    String rest;
    String rawQuery;
    String allow;

    // Search state written by RouteTable.
    int[] paramStarts = new int[0];
    int[] paramEnds = new int[0];
    int restStart;
    long allowMask;
    RouteTable.Terminal allowTerminal;

    /**
     * An empty result.
     */
    public RouteMatch()
    {
    }

    /**
     * @return the matched handler, or null unless the outcome was FOUND.
     */
    public H handler()
    {
        return handler;
    }

    /**
     * @return the pattern as registered, e.g. {@code /agent/confirm/{accountId}/{leaseId}/{epoch}};
     *         null after NOT_FOUND or BAD_PATH.
     */
    public String pattern()
    {
        return pattern;
    }

    /**
     * @param name parameter name as written in the pattern, without braces.
     * @return the percent-decoded value, or null if the pattern has no such parameter.
     */
    public String param(final String name)
    {
        for (int i = 0; i < paramCount; i++)
        {
            if (names[i].equals(name))
            {
                return values[i];
            }
        }
        return null;
    }

    /**
     * @return the number of path parameters captured.
     */
    public int paramCount()
    {
        return paramCount;
    }

    /**
     * @param index 0 to {@link #paramCount()} - 1, in pattern order.
     * @return the name of that parameter.
     */
    public String paramName(final int index)
    {
        checkIndex(index);
        return names[index];
    }

    /**
     * @param index 0 to {@link #paramCount()} - 1, in pattern order.
     * @return the percent-decoded value of that parameter.
     */
    public String paramValue(final int index)
    {
        checkIndex(index);
        return values[index];
    }

    /**
     * @return what a final {@code *} captured, possibly "", or null if the pattern has none.
     *         The text is raw (not percent-decoded, so an encoded {@code %2F} stays apart from a
     *         {@code /}), but its escapes are known to be well formed and to decode to UTF-8.
     */
    public String rest()
    {
        return rest;
    }

    /**
     * @return the raw part of the request-target after the first {@code ?} (possibly ""), or
     *         null if there is none. Decode with {@link QueryParams#parse}.
     */
    public String rawQuery()
    {
        return rawQuery;
    }

    /**
     * @return after METHOD_NOT_ALLOWED, the {@code Allow} header value listing the methods
     *         registered for the matching path shape, sorted, e.g. "GET, POST"; else null.
     */
    public String allow()
    {
        return allow;
    }

    void clear()
    {
        handler = null;
        pattern = null;
        Arrays.fill(values, 0, paramCount, null);
        names = NO_NAMES;
        paramCount = 0;
        rest = null;
        rawQuery = null;
        allow = null;
        allowMask = 0;
        allowTerminal = null;
        restStart = -1;
    }

    void ensureCapacity(final int params)
    {
        if (paramStarts.length < params)
        {
            paramStarts = new int[params];
            paramEnds = new int[params];
            values = Arrays.copyOf(values, params);
        }
    }

    private void checkIndex(final int index)
    {
        if (index < 0 || index >= paramCount)
        {
            throw new IndexOutOfBoundsException("index " + index + " out of [0, " + paramCount + ")");
        }
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("RouteMatch[pattern=").append(pattern);
        for (int i = 0; i < paramCount; i++)
        {
            sb.append(", ").append(names[i]).append('=').append(values[i]);
        }
        if (rest != null)
        {
            sb.append(", rest=").append(rest);
        }
        if (rawQuery != null)
        {
            sb.append(", query=").append(rawQuery);
        }
        if (allow != null)
        {
            sb.append(", allow=").append(allow);
        }
        return sb.append(']').toString();
    }
}
