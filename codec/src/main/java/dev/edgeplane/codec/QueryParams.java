package dev.edgeplane.codec;

/**
 * Decoder of a request-target's query string ({@link RouteMatch#rawQuery()}) with the form
 * rules of {@link FormDecoder}: {@code +} is a space, {@code %XX} is decoded, the result must be
 * UTF-8, names are unique and at most {@link FormDecoder#MAX_FIELDS} are accepted.
 *
 * <p>The query is taken as received on the wire, one char per octet (as Netty's HTTP decoder
 * builds the request line), so chars 0x80..0xFF are raw UTF-8 octets; a char above 0xFF cannot
 * have come off the wire and is rejected.
 *
 * <p>Stateless and thread-safe.
 */
public final class QueryParams
{
    private QueryParams()
    {
    }

    /**
     * @param rawQuery the part of the request-target after {@code ?}, or null.
     * @return the parameters in input order (empty for null or ""); all values are strings.
     * @throws DecodeException on ill-formed input, a duplicate name or too many parameters.
     */
    public static Fields parse(final String rawQuery)
    {
        if (rawQuery == null || rawQuery.isEmpty())
        {
            return Fields.empty();
        }
        final int length = rawQuery.length();
        final byte[] octets = new byte[length];
        for (int i = 0; i < length; i++)
        {
            final char c = rawQuery.charAt(i);
            if (c > 0xFF)
            {
                throw DecodeException.malformed("malformed query: invalid character");
            }
            octets[i] = (byte)c;
        }
        return FormDecoder.decode(octets, 0, length);
    }
}
