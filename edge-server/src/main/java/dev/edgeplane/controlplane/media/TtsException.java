package dev.edgeplane.controlplane.media;

/**
 * A synthesis failed (engine missing, timed out, refused, returned garbage). The message is safe to
 * show to an operator: it never holds a credential.
 */
public final class TtsException extends Exception
{
    private static final long serialVersionUID = 1L;

    public TtsException(final String message)
    {
        super(message);
    }

    public TtsException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
