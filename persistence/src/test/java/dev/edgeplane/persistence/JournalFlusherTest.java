package dev.edgeplane.persistence;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import dev.edgeplane.persistence.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalFlusherTest
{
    private static final long TIMEOUT_MILLIS = 30_000;
    private static final JournalSettings SETTINGS = JournalSettings.defaults()
        .withSegmentSizeBytes(64 * 1024)
        .withFsyncPolicy(JournalSettings.FsyncPolicy.BATCH);

    private static Database database;

    @TempDir
    Path directory;

    @BeforeAll
    static void openDatabase() throws SQLException
    {
        database = Database.open(TestPostgres.freshDatabase("journal_flusher_test"));
        try (Connection connection = database.dataSource().getConnection();
            Statement statement = connection.createStatement())
        {
            statement.execute("CREATE TABLE call_record (journal_id uuid, seq bigint, body text NOT NULL, " +
                "PRIMARY KEY (journal_id, seq))");
            statement.execute("CREATE TABLE copied (journal_id uuid, seq bigint, body text NOT NULL, " +
                "PRIMARY KEY (journal_id, seq))");
        }
    }

    @AfterAll
    static void closeDatabase()
    {
        database.close();
    }

    @Test
    void shouldWriteEveryEntryToEventLogAndCheckpointLastSeq() throws Exception
    {
        final int count = 2_500;
        try (Journal journal = Journal.open(directory, SETTINGS);
            JournalFlusher flusher = new JournalFlusher(journal, database.dataSource(), List.of(), 1_000).start())
        {
            for (int i = 0; i < count; i++)
            {
                journal.append("audit." + (i % 4), body(i));
                flusher.wakeup();
            }

            assertTrue(flusher.awaitFlushed(count, TIMEOUT_MILLIS), () -> "not flushed: " + flusher.status());

            assertEquals(count, countRows("event_log", journal.id()));
            assertEquals(count, checkpoint(journal.id()));
            assertEquals("audit.3", query(
                "SELECT type FROM event_log WHERE journal_id = ? AND seq = 1000", journal.id()));
            assertArrayEquals(body(999), payload(journal.id(), 1000));

            final FlusherStatus status = flusher.status();
            assertEquals(count, status.journalLastSeq());
            assertEquals(count, status.flushedSeq());
            assertEquals(0, status.lagEvents());
            assertEquals(0, status.lagMillis());
            assertTrue(status.databaseUp());
            assertEquals(count, status.flushedTotal());
            assertTrue(status.batches() >= 3, status.toString());
            assertTrue(journal.firstRetainedSeq() > 1, "flushed segments should have been released");
        }
    }

    @Test
    void shouldRouteTypeWithSinkToThatSinkOnly() throws Exception
    {
        final CallRecordSink sink = new CallRecordSink();
        try (Journal journal = Journal.open(directory, SETTINGS);
            JournalFlusher flusher = new JournalFlusher(journal, database.dataSource(), List.of(sink)).start())
        {
            long last = 0;
            for (int i = 0; i < 300; i++)
            {
                last = journal.append(i % 3 == 0 ? CallRecordSink.TYPE : "other", body(i));
            }

            assertTrue(flusher.awaitFlushed(last, TIMEOUT_MILLIS), () -> "not flushed: " + flusher.status());

            assertEquals(100, sink.received.size());
            assertTrue(sink.received.stream().allMatch(e -> e.type().equals(CallRecordSink.TYPE)));
            assertEquals(100, countRows("call_record", journal.id()));
            assertEquals(200, countRows("event_log", journal.id()));
            assertEquals("0", query(
                "SELECT count(*) FROM event_log WHERE journal_id = ? AND type = '" + CallRecordSink.TYPE + "'",
                journal.id()));
            assertEquals(new String(body(3), StandardCharsets.UTF_8),
                query("SELECT body FROM call_record WHERE journal_id = ? AND seq = 4", journal.id()));
        }
    }

    @Test
    void shouldNotDuplicateRowsWhenEntriesAreFlushedAgain() throws Exception
    {
        final int count = 500;
        try (Journal journal = Journal.open(directory, SETTINGS.withSegmentSizeBytes(1 << 20)))
        {
            for (int i = 0; i < count; i++)
            {
                journal.append("audit", body(i));
            }
            try (JournalFlusher flusher = new JournalFlusher(journal, database.dataSource(), List.of()).start())
            {
                assertTrue(flusher.awaitFlushed(count, TIMEOUT_MILLIS));
            }
            assertEquals(count, countRows("event_log", journal.id()));

            // Forget the checkpoint: a new flusher starts from 0 and writes every entry again.
            update("DELETE FROM journal_checkpoint WHERE journal_id = ?", journal.id());
            try (JournalFlusher again = new JournalFlusher(journal, database.dataSource(), List.of(), 64).start())
            {
                assertTrue(again.awaitFlushed(count, TIMEOUT_MILLIS));
                assertEquals(count, again.status().flushedTotal());
            }

            assertEquals(count, countRows("event_log", journal.id()));
            assertEquals(count, checkpoint(journal.id()));
        }
    }

    @Test
    void shouldReplayUnflushedEntriesAfterRestart() throws Exception
    {
        final UUID id;
        try (Journal journal = Journal.open(directory, SETTINGS))
        {
            id = journal.id();
            for (int i = 0; i < 50; i++)
            {
                journal.append("audit", body(i));
            }
        }
        assertEquals(0, countRows("event_log", id));

        try (Journal journal = Journal.open(directory, SETTINGS);
            JournalFlusher flusher = new JournalFlusher(journal, database.dataSource(), List.of()).start())
        {
            assertEquals(id, journal.id());
            assertTrue(flusher.awaitFlushed(50, TIMEOUT_MILLIS), () -> "not flushed: " + flusher.status());
            assertEquals(50, countRows("event_log", id));
            assertArrayEquals(body(49), payload(id, 50));
        }
    }

    @Test
    void shouldResumeFromCheckpointWithoutRewritingFlushedEntries() throws Exception
    {
        final CallRecordSink sink = new CallRecordSink();
        try (Journal journal = Journal.open(directory, SETTINGS.withSegmentSizeBytes(1 << 20)))
        {
            for (int i = 0; i < 30; i++)
            {
                journal.append(CallRecordSink.TYPE, body(i));
            }
            try (JournalFlusher flusher = new JournalFlusher(journal, database.dataSource(), List.of()).start())
            {
                assertTrue(flusher.awaitFlushed(30, TIMEOUT_MILLIS));
            }
            for (int i = 30; i < 45; i++)
            {
                journal.append(CallRecordSink.TYPE, body(i));
            }

            try (JournalFlusher flusher = new JournalFlusher(journal, database.dataSource(), List.of(sink)).start())
            {
                assertTrue(flusher.awaitFlushed(45, TIMEOUT_MILLIS));
            }
            assertEquals(15, sink.received.size());
            assertEquals(31, sink.received.get(0).seq());
        }
    }

    @Test
    void shouldFlushWhatIsLeftOnClose() throws Exception
    {
        try (Journal journal = Journal.open(directory, SETTINGS))
        {
            final JournalFlusher flusher = new JournalFlusher(journal, database.dataSource(), List.of()).start();
            for (int i = 0; i < 200; i++)
            {
                journal.append("audit", body(i));
            }
            flusher.close();

            assertEquals(200, countRows("event_log", journal.id()));
            assertEquals(200, flusher.status().flushedSeq());
        }
    }

    @Test
    void shouldRollBackWholeBatchWhenOneSinkFailsAndRetryIt() throws Exception
    {
        final FailingSink sink = new FailingSink(3);
        try (Journal journal = Journal.open(directory, SETTINGS);
            JournalFlusher flusher = new JournalFlusher(journal, database.dataSource(), List.of(sink)).start())
        {
            for (int i = 0; i < 20; i++)
            {
                // "other" first: its rows are written ahead of the failing sink's in the same transaction.
                journal.append(i % 2 == 0 ? "other" : FailingSink.TYPE, body(i));
            }

            assertTrue(flusher.awaitFlushed(20, TIMEOUT_MILLIS), () -> "not flushed: " + flusher.status());

            assertEquals(List.of(0L, 0L, 0L), sink.committedRowsSeenWhileFailing);
            assertEquals(10, countRows("event_log", journal.id()));
            assertEquals(20, checkpoint(journal.id()));
            final FlusherStatus status = flusher.status();
            assertTrue(status.databaseUp());
            assertEquals("42P01: relation does not exist (simulated)", status.lastError());
            assertEquals(20, status.flushedTotal());
        }
    }

    @Test
    void shouldRewriteABatchRowByRowWhenItsCopyMeetsARowAlreadyThere() throws Exception
    {
        final CopySink sink = new CopySink();
        try (Journal journal = Journal.open(directory, SETTINGS))
        {
            try (Connection connection = dataSource().getConnection();
                PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO copied (journal_id, seq, body) VALUES (?, 6, 'there before')"))
            {
                insert.setObject(1, journal.id());
                insert.executeUpdate();
            }
            for (int i = 0; i < 20; i++)
            {
                // "other" first: its rows are rolled back with the refused COPY and written again.
                journal.append(i % 2 == 0 ? "other" : CopySink.TYPE, body(i));
            }
            try (JournalFlusher flusher = new JournalFlusher(journal, dataSource(), List.of(sink)).start())
            {
                assertTrue(flusher.awaitFlushed(20, TIMEOUT_MILLIS), () -> "not flushed: " + flusher.status());

                assertEquals(1, sink.rewrites, "one batch, refused once, rewritten once");
                assertEquals(10, countRows("copied", journal.id()));
                assertEquals("there before", query("SELECT body FROM copied WHERE journal_id = ? AND seq = 6",
                    journal.id()), "the row already there wins");
                assertEquals(10, countRows("event_log", journal.id()));
                assertEquals(20, checkpoint(journal.id()));
                assertNull(flusher.status().lastError(), "a rewrite is not a failure");
            }
        }
    }

    @Test
    void shouldGatherEntriesArrivingWithinTheLingerIntoOneTransaction() throws Exception
    {
        try (Journal journal = Journal.open(directory, SETTINGS);
            JournalFlusher flusher = new JournalFlusher(journal, dataSource(), List.of(), 1_000,
                JournalFlusher.DEFAULT_CLOSE_TIMEOUT_MILLIS, 2_000).start())
        {
            for (int i = 0; i < 50; i++)
            {
                journal.append("audit", body(i));
                flusher.wakeup();
            }
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
            while (flusher.status().flushedSeq() < 50 && System.nanoTime() < deadline)
            {
                Thread.sleep(20);
            }

            assertEquals(50, flusher.status().flushedSeq(), () -> "not flushed: " + flusher.status());
            assertEquals(1, flusher.status().batches(), () -> "appends within the linger share a transaction: "
                + flusher.status());
            assertEquals(50, countRows("event_log", journal.id()));
        }
    }

    @Test
    void shouldCutTheLingerShortForWhoeverAwaitsAFlush() throws Exception
    {
        try (Journal journal = Journal.open(directory, SETTINGS);
            JournalFlusher flusher = new JournalFlusher(journal, dataSource(), List.of(), 1_000,
                JournalFlusher.DEFAULT_CLOSE_TIMEOUT_MILLIS, 600_000).start())
        {
            journal.append("audit", body(1));
            flusher.wakeup();

            assertTrue(flusher.awaitFlushed(1, TIMEOUT_MILLIS), () -> "the ten-minute linger held it: " + flusher.status());
            assertEquals(1, countRows("event_log", journal.id()));
        }
    }

    private static byte[] body(final int i)
    {
        return ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
    }

    static long countRows(final String table, final UUID journalId) throws SQLException
    {
        return Long.parseLong(query("SELECT count(*) FROM " + table + " WHERE journal_id = ?", journalId));
    }

    private static long checkpoint(final UUID journalId) throws SQLException
    {
        return Long.parseLong(query("SELECT flushed_seq FROM journal_checkpoint WHERE journal_id = ?", journalId));
    }

    private static byte[] payload(final UUID journalId, final long seq) throws SQLException
    {
        try (Connection connection = dataSource().getConnection();
            PreparedStatement select = connection.prepareStatement(
                "SELECT payload FROM event_log WHERE journal_id = ? AND seq = ?"))
        {
            select.setObject(1, journalId);
            select.setLong(2, seq);
            try (ResultSet rows = select.executeQuery())
            {
                assertTrue(rows.next());
                return rows.getBytes(1);
            }
        }
    }

    private static String query(final String sql, final UUID journalId) throws SQLException
    {
        try (Connection connection = dataSource().getConnection();
            PreparedStatement select = connection.prepareStatement(sql))
        {
            select.setObject(1, journalId);
            try (ResultSet rows = select.executeQuery())
            {
                assertTrue(rows.next(), sql);
                final String value = rows.getString(1);
                assertFalse(rows.next());
                return value;
            }
        }
    }

    private static void update(final String sql, final UUID journalId) throws SQLException
    {
        try (Connection connection = dataSource().getConnection();
            PreparedStatement statement = connection.prepareStatement(sql))
        {
            statement.setObject(1, journalId);
            statement.executeUpdate();
        }
    }

    private static DataSource dataSource()
    {
        return database.dataSource();
    }

    /**
     * Fails its first attempts, recording each time how many rows of the batch other sinks managed to commit.
     */
    static final class FailingSink implements JournalSink
    {
        static final String TYPE = "flaky";

        final List<Long> committedRowsSeenWhileFailing = Collections.synchronizedList(new ArrayList<>());
        private int failuresLeft;

        FailingSink(final int failures)
        {
            failuresLeft = failures;
        }

        @Override
        public String type()
        {
            return TYPE;
        }

        @Override
        public void write(final Connection connection, final List<JournalEntry> entries) throws SQLException
        {
            if (failuresLeft > 0)
            {
                failuresLeft--;
                final UUID id = entries.get(0).journalId();
                try (Connection other = TestPostgres.dataSource(database.settings()).getConnection();
                    PreparedStatement select = other.prepareStatement(
                        "SELECT count(*) FROM event_log WHERE journal_id = ?"))
                {
                    select.setObject(1, id);
                    try (ResultSet rows = select.executeQuery())
                    {
                        rows.next();
                        committedRowsSeenWhileFailing.add(rows.getLong(1));
                    }
                }
                throw new SQLException("relation does not exist (simulated)", "42P01");
            }
        }
    }

    /**
     * A sink written the way the call-history sinks are: one {@code COPY} per batch, rewritten row by row with
     * {@code ON CONFLICT DO NOTHING} when the flusher says the batch met a row already there.
     */
    static final class CopySink implements JournalSink
    {
        static final String TYPE = "copied";

        private final CopyRows rows = new CopyRows();
        int rewrites;

        @Override
        public String type()
        {
            return TYPE;
        }

        @Override
        public void write(final Connection connection, final List<JournalEntry> entries) throws SQLException
        {
            rows.clear();
            for (final JournalEntry entry : entries)
            {
                rows.text(entry.journalId().toString()).number(entry.seq())
                    .text(new String(entry.payload(), StandardCharsets.UTF_8)).endRow();
            }
            rows.copyInto(connection, "COPY copied (journal_id, seq, body) FROM STDIN");
        }

        @Override
        public void rewrite(final Connection connection, final List<JournalEntry> entries) throws SQLException
        {
            rewrites++;
            insertEach(connection, "copied", entries);
        }
    }

    /**
     * A dedicated sink, written the way a module would write one: JDBC batch, idempotent by (journal_id, seq).
     */
    static final class CallRecordSink implements JournalSink
    {
        static final String TYPE = "call.record";

        final List<JournalEntry> received = Collections.synchronizedList(new ArrayList<>());

        @Override
        public String type()
        {
            return TYPE;
        }

        @Override
        public void write(final Connection connection, final List<JournalEntry> entries) throws SQLException
        {
            insertEach(connection, "call_record", entries);
            received.addAll(entries);
        }
    }

    /** One JDBC batch of (journal_id, seq, body) rows, idempotent by (journal_id, seq). */
    private static void insertEach(final Connection connection, final String table, final List<JournalEntry> entries)
        throws SQLException
    {
        try (PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO " + table + " (journal_id, seq, body) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"))
        {
            for (final JournalEntry entry : entries)
            {
                insert.setObject(1, entry.journalId());
                insert.setLong(2, entry.seq());
                insert.setString(3, new String(entry.payload(), StandardCharsets.UTF_8));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }
}
