package dev.edgeplane.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The fallback {@link JournalSink}: entries whose type has no dedicated sink go to {@code event_log} (migration
 * {@code V1}), keyed by ({@code journal_id}, {@code seq}) and inserted with {@code ON CONFLICT DO NOTHING}.
 *
 * <p>Stateless and thread-safe.
 */
public final class EventLogSink implements JournalSink
{
    /** The {@link #type()} of a fallback sink: it receives every type no other sink claims. */
    public static final String ANY_TYPE = "*";

    private static final String INSERT =
        "INSERT INTO event_log (journal_id, seq, type, recorded_at, payload) VALUES (?, ?, ?, ?, ?) " +
        "ON CONFLICT (journal_id, seq) DO NOTHING";

    @Override
    public String type()
    {
        return ANY_TYPE;
    }

    @Override
    public void write(final Connection connection, final List<JournalEntry> entries) throws SQLException
    {
        try (PreparedStatement insert = connection.prepareStatement(INSERT))
        {
            for (int i = 0, size = entries.size(); i < size; i++)
            {
                final JournalEntry entry = entries.get(i);
                insert.setObject(1, entry.journalId());
                insert.setLong(2, entry.seq());
                insert.setString(3, entry.type());
                insert.setObject(4, OffsetDateTime.ofInstant(
                    Instant.ofEpochMilli(entry.timestampMillis()), ZoneOffset.UTC));
                insert.setBytes(5, entry.payload());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    @Override
    public String toString()
    {
        return "EventLogSink";
    }
}
