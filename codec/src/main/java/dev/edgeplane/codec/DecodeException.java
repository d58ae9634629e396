package dev.edgeplane.codec;

/**
 * A request body, query string or token that cannot be decoded.
 *
 * <p>Both {@link #code()} and {@link #getMessage()} are written for clients: short, free of
 * internal class names and stack traces, and safe to put into an {@link ErrorBody}. The
 * exception carries no stack trace (it is expected input, not a bug), so throwing it costs
 * about as much as allocating it.
 *
 * <p>Immutable and thread-safe.
 */
public final class DecodeException extends RuntimeException
{
    /** Code of a body, query or token that is not well formed. */
    public static final String MALFORMED_BODY = "malformed_body";

    /** Code of a body whose media type (or charset) is not one we decode. */
    public static final String UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type";

    private static final long serialVersionUID = 1L;

    private final String code;

    /**
     * @param code    machine-readable error code, e.g. {@link #MALFORMED_BODY}.
     * @param message human-readable message safe to show to a client.
     */
    public DecodeException(final String code, final String message)
    {
        super(message, null, false, false);
        this.code = code;
    }

    /**
     * A {@link #MALFORMED_BODY} exception.
     *
     * @param message human-readable message safe to show to a client.
     * @return the exception, to be thrown by the caller.
     */
    public static DecodeException malformed(final String message)
    {
        return new DecodeException(MALFORMED_BODY, message);
    }

    /**
     * An {@link #UNSUPPORTED_MEDIA_TYPE} exception.
     *
     * @param message human-readable message safe to show to a client.
     * @return the exception, to be thrown by the caller.
     */
    public static DecodeException unsupportedMediaType(final String message)
    {
        return new DecodeException(UNSUPPORTED_MEDIA_TYPE, message);
    }

    /**
     * @return the machine-readable error code, {@link #MALFORMED_BODY} or
     *         {@link #UNSUPPORTED_MEDIA_TYPE}.
     */
    public String code()
    {
        return code;
    }

    /**
     * Quote a client-supplied name for use in a message, cut to a bounded length so a hostile
     * key cannot blow up an error body.
     */
    static String quote(final String name)
    {
        final int max = 64;
        if (name.length() <= max)
        {
            return "'" + name + "'";
        }
        final int cut = Character.isHighSurrogate(name.charAt(max - 1)) ? max - 1 : max;
        return "'" + name.substring(0, cut) + "...'";
    }
}
