package dev.edgeplane.persistence;

/**
 * A snapshot of a {@link JournalFlusher}, for {@code /health} and {@code /metrics}. Immutable.
 *
 * @param journalLastSeq last seq appended to the journal.
 * @param flushedSeq     highest seq committed to PostgreSQL (the checkpoint); before the flusher has reached the
 *                       database once, the seq before the oldest retained journal record.
 * @param lagEvents      {@code journalLastSeq - flushedSeq}.
 * @param lagMillis      age of the oldest entry not yet committed, 0 when there is none.
 * @param databaseUp     whether the last attempt to reach PostgreSQL succeeded.
 * @param lastError      short, sanitized description of the most recent failure, or null if there has been none
 *                       (kept after the database comes back, for diagnosis).
 * @param flushedTotal   entries committed by this flusher since it started.
 * @param batches        transactions committed by this flusher since it started.
 */
public record FlusherStatus(
    long journalLastSeq,
    long flushedSeq,
    long lagEvents,
    long lagMillis,
    boolean databaseUp,
    String lastError,
    long flushedTotal,
    long batches)
{
}
