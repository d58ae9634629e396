package dev.edgeplane.codec;

/**
 * Decodes a request body into {@link Fields} according to its {@code Content-Type}, so
 * handlers accept JSON and forms alike (the seeds' callers send both):
 * <ul>
 *   <li>{@code application/json}: a JSON object ({@link Fields#fromJson});</li>
 *   <li>{@code application/x-www-form-urlencoded}: a form ({@link FormDecoder});</li>
 *   <li>no or empty {@code Content-Type}: a body whose first non-whitespace byte is
 *       <code>&#123;</code> is JSON, any other non-blank body is a form;</li>
 *   <li>anything else: {@link DecodeException} with code
 *       {@link DecodeException#UNSUPPORTED_MEDIA_TYPE} (answer 415).</li>
 * </ul>
 * Media types and parameter names compare case-insensitively (RFC 9110 section 8.3.1). A
 * {@code charset} parameter, if present, must be {@code utf-8} (RFC 8259 section 8.1 requires
 * UTF-8 for JSON; WHATWG forms are UTF-8); another charset is an unsupported media type. An
 * empty or all-whitespace body decodes to {@link Fields#empty()} whatever the type, so a
 * handler reports missing fields rather than a syntax error.
 *
 * <p>Stateless and thread-safe. Looking at the content type allocates nothing.
 */
public final class BodyDecoder
{
    private static final String JSON = "application/json";
    private static final String FORM = "application/x-www-form-urlencoded";

    private BodyDecoder()
    {
    }

    /**
     * @param contentType the request's {@code Content-Type} header value, or null.
     * @param buf         body bytes.
     * @param off         first byte.
     * @param len         number of bytes.
     * @return the body's top-level fields.
     * @throws DecodeException with code {@link DecodeException#UNSUPPORTED_MEDIA_TYPE} for an
     *                         unsupported media type or charset, else
     *                         {@link DecodeException#MALFORMED_BODY}.
     */
    public static Fields decode(final CharSequence contentType, final byte[] buf, final int off, final int len)
    {
        Json.checkBounds(buf, off, len);
        final int first = firstNonWhitespace(buf, off, len);
        final int length = contentType == null ? 0 : contentType.length();
        final int typeStart = skipSpace(contentType, 0, length);
        if (typeStart == length)
        {
            if (first < 0)
            {
                return Fields.empty();
            }
            return buf[first] == '{' ? Fields.fromJson(buf, off, len) : FormDecoder.decode(buf, off, len);
        }

        int semi = typeStart;
        while (semi < length && contentType.charAt(semi) != ';')
        {
            semi++;
        }
        final int typeEnd = trimSpace(contentType, typeStart, semi);
        final boolean json = equalsIgnoreCase(contentType, typeStart, typeEnd, JSON);
        if (!json && !equalsIgnoreCase(contentType, typeStart, typeEnd, FORM))
        {
            throw DecodeException.unsupportedMediaType(
                "unsupported media type; send application/json or application/x-www-form-urlencoded");
        }
        checkParameters(contentType, semi, length);

        if (first < 0)
        {
            return Fields.empty();
        }
        return json ? Fields.fromJson(buf, off, len) : FormDecoder.decode(buf, off, len);
    }

    /**
     * Walk {@code ; name=value} parameters (RFC 9110 section 5.6.6), values optionally quoted,
     * and reject any charset other than UTF-8. Other parameters are ignored.
     */
    private static void checkParameters(final CharSequence ct, final int from, final int length)
    {
        int i = from;
        while (i < length)
        {
            // At a ';'.
            i = skipSpace(ct, i + 1, length);
            final int nameStart = i;
            while (i < length && ct.charAt(i) != '=' && ct.charAt(i) != ';')
            {
                i++;
            }
            final int nameEnd = trimSpace(ct, nameStart, i);
            int valueStart = i;
            int valueEnd = i;
            if (i < length && ct.charAt(i) == '=')
            {
                i = skipSpace(ct, i + 1, length);
                if (i < length && ct.charAt(i) == '"')
                {
                    valueStart = ++i;
                    while (i < length && ct.charAt(i) != '"')
                    {
                        i += ct.charAt(i) == '\\' ? 2 : 1;
                    }
                    valueEnd = Math.min(i, length);
                    while (i < length && ct.charAt(i) != ';')
                    {
                        i++;
                    }
                }
                else
                {
                    valueStart = i;
                    while (i < length && ct.charAt(i) != ';')
                    {
                        i++;
                    }
                    valueEnd = trimSpace(ct, valueStart, i);
                }
            }
            if (equalsIgnoreCase(ct, nameStart, nameEnd, "charset") &&
                !equalsIgnoreCase(ct, valueStart, valueEnd, "utf-8"))
            {
                throw DecodeException.unsupportedMediaType("unsupported charset; send utf-8");
            }
        }
    }

    private static int firstNonWhitespace(final byte[] buf, final int off, final int len)
    {
        final int end = off + len;
        for (int i = off; i < end; i++)
        {
            final byte b = buf[i];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r')
            {
                return i;
            }
        }
        return -1;
    }

    private static int skipSpace(final CharSequence cs, final int from, final int to)
    {
        int i = from;
        while (i < to && isSpace(cs.charAt(i)))
        {
            i++;
        }
        return i;
    }

    private static int trimSpace(final CharSequence cs, final int from, final int to)
    {
        int i = to;
        while (i > from && isSpace(cs.charAt(i - 1)))
        {
            i--;
        }
        return i;
    }

    private static boolean isSpace(final char c)
    {
        return c == ' ' || c == '\t';
    }

    /**
     * ASCII case-insensitive comparison of {@code cs[from, to)} with a lower-case literal.
     */
    private static boolean equalsIgnoreCase(final CharSequence cs, final int from, final int to, final String lower)
    {
        if (to - from != lower.length())
        {
            return false;
        }
        for (int i = from; i < to; i++)
        {
            char c = cs.charAt(i);
            if (c >= 'A' && c <= 'Z')
            {
                c += 'a' - 'A';
            }
            if (c != lower.charAt(i - from))
            {
                return false;
            }
        }
        return true;
    }
}
