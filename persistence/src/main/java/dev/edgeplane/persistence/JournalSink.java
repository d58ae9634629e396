package dev.edgeplane.persistence;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Writes journal entries of one {@link #type()} to PostgreSQL on behalf of the {@link JournalFlusher}.
 *
 * <p>Contract: {@link #write} must be idempotent by ({@code journal_id}, {@code seq}) — the flusher re-delivers a
 * batch after a failed or unacknowledged commit and replays from its checkpoint after a restart — for instance with
 * {@code INSERT … ON CONFLICT DO NOTHING} or an upsert guarded by the seq. It must write the whole list in few round
 * trips (a JDBC batch, which the pool rewrites into multi-row inserts, or {@code COPY}). It must not commit, roll back
 * or change auto-commit: the flusher writes every group of a batch and its checkpoint in one transaction.
 *
 * <p>Threading: called only from the flusher's thread, one call at a time; implementations need not be thread-safe
 * but must not keep the connection.
 */
public interface JournalSink
{
    /**
     * @return the journal record type this sink writes; {@link EventLogSink#ANY_TYPE} makes it the fallback for types
     * no other sink claims.
     */
    String type();

    /**
     * Write {@code entries} (all of {@link #type()}, in seq order) within the caller's transaction.
     *
     * @param connection a pooled connection with auto-commit off.
     * @param entries    the entries, never empty.
     * @throws SQLException if the database refuses; the flusher rolls back and retries the batch later.
     */
    void write(Connection connection, List<JournalEntry> entries) throws SQLException;

    /**
     * Write {@code entries} again, in a new transaction, after {@link #write} (of this sink or another in the same
     * batch) failed with a unique violation: settle every conflict row by row (e.g. {@code ON CONFLICT}). A sink whose
     * {@code write} never fails on a conflict keeps this default.
     *
     * @param connection a pooled connection with auto-commit off.
     * @param entries    the entries, never empty.
     * @throws SQLException if the database refuses; the flusher rolls back and retries the batch later.
     */
    default void rewrite(final Connection connection, final List<JournalEntry> entries) throws SQLException
    {
        write(connection, entries);
    }
}
