package dev.edgeplane.persistence.config;

/**
 * PostgreSQL could not be reached or failed while {@link ConfigRepository} read or wrote configuration: an I/O
 * failure, not a problem with the document (those come back as {@link ApplyResult#problems()}). A caller answers
 * {@code 503} and may retry; nothing was changed by a failed {@link ConfigRepository#apply}.
 *
 * <p>The message is one line with credentials masked ({@link dev.edgeplane.persistence.ErrorSummary}) and no
 * parameter values; the cause keeps the driver's exception.
 *
 * <p>Immutable once thrown.
 */
public final class ConfigStoreException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was being done and why it failed.
     * @param cause   the driver's exception.
     */
    public ConfigStoreException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
