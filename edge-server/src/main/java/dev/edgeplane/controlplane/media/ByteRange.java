package dev.edgeplane.controlplane.media;

/**
 * The answer a {@code Range} request header calls for against an object of known size
 * (RFC 9110 §14.1.2, §14.2, §15.3.7, §15.5.17).
 *
 * <p>One {@code bytes} range ({@code a-b}, {@code a-}, {@code -n}) gives {@link Kind#PARTIAL} (an end
 * past the object is clamped to its last byte; a suffix longer than the object is the whole object) or
 * {@link Kind#UNSATISFIABLE} (first byte at or past the end, {@code -0}, any range of an empty object).
 * A header that is absent, not syntactically valid, in another unit, or that asks for several ranges
 * gives {@link Kind#WHOLE}: RFC 9110 lets a server ignore {@code Range}, and answering several ranges
 * with one 200 spares us {@code multipart/byteranges}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ByteRange
{
    /** What to answer. */
    public enum Kind
    {
        /** 200 with the whole object. */
        WHOLE,
        /** 206 with {@link #first()}..{@link #last()} and {@code Content-Range}. */
        PARTIAL,
        /** 416 with {@code Content-Range: bytes *&#47;size}. */
        UNSATISFIABLE
    }

    private static final ByteRange WHOLE_OBJECT = new ByteRange(Kind.WHOLE, -1, -1);
    private static final ByteRange NOT_SATISFIABLE = new ByteRange(Kind.UNSATISFIABLE, -1, -1);

    private final Kind kind;
    private final long first;
    private final long last;

    private ByteRange(final Kind kind, final long first, final long last)
    {
        this.kind = kind;
        this.first = first;
        this.last = last;
    }

    public Kind kind()
    {
        return kind;
    }

    /** @return the first byte of a PARTIAL answer (inclusive). */
    public long first()
    {
        return first;
    }

    /** @return the last byte of a PARTIAL answer (inclusive). */
    public long last()
    {
        return last;
    }

    /** @return how many bytes a PARTIAL answer holds. */
    public long length()
    {
        return last - first + 1;
    }

    /** @return the same range shortened to at most {@code maxBytes} (a server may send less than asked). */
    public ByteRange limit(final long maxBytes)
    {
        return kind != Kind.PARTIAL || length() <= maxBytes ? this : new ByteRange(Kind.PARTIAL, first, first + maxBytes - 1);
    }

    /**
     * @param header the {@code Range} value, or null.
     * @param size   the object's size in bytes.
     */
    public static ByteRange parse(final String header, final long size)
    {
        if (header == null)
        {
            return WHOLE_OBJECT;
        }
        final String h = header.trim();
        if (h.length() < 6 || !h.regionMatches(true, 0, "bytes=", 0, 6) || h.indexOf(',') >= 0)
        {
            return WHOLE_OBJECT;
        }
        final String spec = h.substring(6).trim();
        final int dash = spec.indexOf('-');
        if (dash < 0)
        {
            return WHOLE_OBJECT;
        }
        final long a = digits(spec, 0, dash);
        final long b = digits(spec, dash + 1, spec.length());
        if (dash == 0)
        {
            // Suffix range: the last b bytes.
            if (b < 0)
            {
                return WHOLE_OBJECT;
            }
            if (b == 0 || size == 0)
            {
                return NOT_SATISFIABLE;
            }
            return new ByteRange(Kind.PARTIAL, Math.max(0, size - b), size - 1);
        }
        if (a < 0 || dash < spec.length() - 1 && (b < 0 || b < a))
        {
            return WHOLE_OBJECT; // not a valid range-spec: ignore the header
        }
        if (a >= size)
        {
            return NOT_SATISFIABLE;
        }
        final long end = dash == spec.length() - 1 ? size - 1 : Math.min(b, size - 1);
        return new ByteRange(Kind.PARTIAL, a, end);
    }

    /** @return the decimal number in s[from, to), saturating at Long.MAX_VALUE; -1 if empty or not digits. */
    private static long digits(final String s, final int from, final int to)
    {
        if (from >= to)
        {
            return -1;
        }
        long n = 0;
        for (int i = from; i < to; i++)
        {
            final char c = s.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            n = n > (Long.MAX_VALUE - 9) / 10 ? Long.MAX_VALUE : n * 10 + (c - '0');
        }
        return n;
    }
}
