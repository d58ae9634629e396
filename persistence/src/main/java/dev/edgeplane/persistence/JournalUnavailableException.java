package dev.edgeplane.persistence;

/**
 * The journal cannot take a write: its filesystem has no room for the next segment (or the segment could not be
 * put in place). Nothing of the refused record was written; the journal goes on accepting writes by itself once an
 * allocation succeeds again (see {@link Journal#acceptingWrites()}).
 *
 * <p>Callers should ask {@link Journal#acceptingWrites()} before they change any state, so that this exception is
 * only ever the last line of defence, not the way a full disk is normally detected.
 */
public final class JournalUnavailableException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message why the write was refused.
     */
    public JournalUnavailableException(final String message)
    {
        super(message);
    }
}
