package dev.edgeplane.codec;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;

/**
 * Decoder of {@code application/x-www-form-urlencoded} bodies and query strings, following the
 * WHATWG URL Standard's urlencoded parser (section 5.1): split on {@code &}, skip empty
 * sequences, split each on the first {@code =} (a name without one has the value ""),
 * {@code +} becomes a space, {@code %XX} is percent-decoded, and a {@code %} not followed by
 * two hex digits stays a literal {@code %} as the standard says.
 *
 * <p>Stricter than the standard where leniency hides client bugs or attacks: the decoded bytes
 * must be well-formed UTF-8 (no replacement characters; see {@link Utf8}), a name may appear
 * only once, and at most {@link #MAX_FIELDS} fields are accepted. Every failure is a
 * {@link DecodeException} with code {@link DecodeException#MALFORMED_BODY}.
 *
 * <p>Stateless and thread-safe. Allocates the result map and its strings; a pure-ASCII name or
 * value without escapes is copied straight into a compact string.
 */
public final class FormDecoder
{
    /** System property overriding {@link #MAX_FIELDS}. */
    public static final String MAX_FIELDS_PROP_NAME = "edgeplane.codec.form.maxFields";

    /** Default of {@link #MAX_FIELDS}. */
    public static final int MAX_FIELDS_DEFAULT = 256;

    /**
     * Most fields accepted in one body or query string, from {@link #MAX_FIELDS_PROP_NAME}
     * (default {@value #MAX_FIELDS_DEFAULT}).
     */
    public static final int MAX_FIELDS = Math.max(1, Integer.getInteger(MAX_FIELDS_PROP_NAME, MAX_FIELDS_DEFAULT));

    private FormDecoder()
    {
    }

    /**
     * Decode a form body with the default field limit.
     *
     * @param buf input bytes.
     * @param off first byte.
     * @param len number of bytes.
     * @return the fields in input order; all values are strings.
     * @throws DecodeException on ill-formed UTF-8, a duplicate name, or more than
     *                         {@link #MAX_FIELDS} fields.
     */
    public static Fields decode(final byte[] buf, final int off, final int len)
    {
        return decode(buf, off, len, MAX_FIELDS);
    }

    /**
     * Decode a form body.
     *
     * @param buf       input bytes.
     * @param off       first byte.
     * @param len       number of bytes.
     * @param maxFields most fields accepted.
     * @return the fields in input order; all values are strings.
     * @throws DecodeException on ill-formed UTF-8, a duplicate name, or more than
     *                         {@code maxFields} fields.
     */
    public static Fields decode(final byte[] buf, final int off, final int len, final int maxFields)
    {
        Json.checkBounds(buf, off, len);
        if (len == 0)
        {
            return Fields.empty();
        }
        final int end = off + len;
        LinkedHashMap<String, Object> map = null;
        byte[] scratch = null;
        int count = 0;
        int i = off;
        while (i < end)
        {
            final int start = i;
            int eq = -1;
            boolean escaped = false;
            while (i < end)
            {
                final byte b = buf[i];
                if (b == '&')
                {
                    break;
                }
                if (b == '=' && eq < 0)
                {
                    eq = i;
                }
                else if (b == '%' || b == '+' || b < 0)
                {
                    escaped = true;
                }
                i++;
            }
            if (i > start)
            {
                if (++count > maxFields)
                {
                    throw DecodeException.malformed("too many fields (limit " + maxFields + ")");
                }
                if (escaped && (scratch == null || scratch.length < i - start))
                {
                    scratch = new byte[i - start];
                }
                final int nameEnd = eq < 0 ? i : eq;
                final String name = component(buf, start, nameEnd, escaped, scratch);
                final String value = eq < 0 ? "" : component(buf, eq + 1, i, escaped, scratch);
                if (map == null)
                {
                    map = new LinkedHashMap<>();
                }
                if (map.putIfAbsent(name, value) != null)
                {
                    throw DecodeException.malformed("duplicate field " + DecodeException.quote(name));
                }
            }
            i++;
        }
        return map == null ? Fields.empty() : Fields.wrap(map);
    }

    /**
     * Decode one name or value; {@code escaped} says whether the pair held any byte that needs
     * more than a copy.
     */
    private static String component(
        final byte[] buf, final int from, final int to, final boolean escaped, final byte[] scratch)
    {
        if (from == to)
        {
            return "";
        }
        if (!escaped)
        {
            // Pure ASCII: ISO-8859-1 decoding is a straight copy into a compact string.
            return new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
        }
        int n = 0;
        for (int k = from; k < to; k++)
        {
            final byte b = buf[k];
            if (b == '+')
            {
                scratch[n++] = ' ';
            }
            else if (b == '%' && k + 2 < to)
            {
                final int hi = hexValue(buf[k + 1]);
                final int lo = hexValue(buf[k + 2]);
                if (hi >= 0 && lo >= 0)
                {
                    scratch[n++] = (byte)((hi << 4) | lo);
                    k += 2;
                }
                else
                {
                    scratch[n++] = b;
                }
            }
            else
            {
                scratch[n++] = b;
            }
        }
        if (Utf8.firstInvalid(scratch, 0, n) >= 0)
        {
            throw DecodeException.malformed("malformed form data: invalid UTF-8");
        }
        return new String(scratch, 0, n, StandardCharsets.UTF_8);
    }

    /**
     * @return 0..15 for an ASCII hex digit, else -1.
     */
    static int hexValue(final int c)
    {
        if (c >= '0' && c <= '9')
        {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f')
        {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F')
        {
            return c - 'A' + 10;
        }
        return -1;
    }
}
