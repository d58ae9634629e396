package dev.edgeplane.persistence;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import dev.edgeplane.persistence.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL goes away while the server keeps appending; the flusher must notice, keep the entries, and deliver all
 * of them once PostgreSQL is back.
 */
class JournalFlusherOutageTest
{
    private static final long TIMEOUT_MILLIS = 60_000;

    @TempDir
    Path directory;

    @Test
    void shouldKeepJournalingWhileDatabaseIsDownAndCatchUpWhenItReturns() throws Exception
    {
        EmbeddedPostgresServer server = TestPostgres.dedicated(directory.resolve("pg"));
        final String url = server.jdbcUrl();
        try (Database database = Database.open(DatabaseSettings.forUrl(url));
            Journal journal = Journal.open(directory.resolve("journal"), JournalSettings.defaults()
                .withSegmentSizeBytes(4096)
                .withFsyncPolicy(JournalSettings.FsyncPolicy.BATCH));
            JournalFlusher flusher = new JournalFlusher(journal, database.dataSource(), List.of()).start())
        {
            for (int i = 0; i < 10; i++)
            {
                journal.append("audit", body(i));
            }
            assertTrue(flusher.awaitFlushed(10, TIMEOUT_MILLIS), () -> "not flushed: " + flusher.status());

            server.stop();
            for (int i = 10; i < 40; i++)
            {
                journal.append("audit", body(i));
            }
            flusher.wakeup();

            final FlusherStatus down = awaitStatus(flusher, s -> !s.databaseUp() && s.lagMillis() > 0);
            assertEquals(40, down.journalLastSeq());
            assertEquals(10, down.flushedSeq());
            assertEquals(30, down.lagEvents());
            assertNotNull(down.lastError());
            final FlusherStatus later = awaitStatus(flusher, s -> s.lagMillis() > down.lagMillis());
            assertEquals(30, later.lagEvents());
            assertTrue(database.probe(500).error() != null);

            server = TestPostgres.restart(server);
            assertEquals(url, server.jdbcUrl());

            assertTrue(flusher.awaitFlushed(40, TIMEOUT_MILLIS), () -> "not flushed: " + flusher.status());
            final FlusherStatus recovered = flusher.status();
            assertTrue(recovered.databaseUp());
            assertEquals(0, recovered.lagEvents());
            assertEquals(0, recovered.lagMillis());
            assertEquals(40, recovered.flushedTotal());
            assertEquals(40, countRows(url, journal.id()));
            assertTrue(database.probe(1_000).up());
        }
        finally
        {
            server.stop();
        }
    }

    private static FlusherStatus awaitStatus(final JournalFlusher flusher, final Predicate<FlusherStatus> condition)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
        FlusherStatus status = flusher.status();
        while (!condition.test(status))
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("condition not reached; last status " + status);
            }
            Thread.sleep(10);
            status = flusher.status();
        }
        return status;
    }

    private static long countRows(final String url, final UUID journalId) throws SQLException
    {
        try (Connection connection = DriverManager.getConnection(url);
            PreparedStatement select = connection.prepareStatement(
                "SELECT count(*) FROM event_log WHERE journal_id = ?"))
        {
            select.setObject(1, journalId);
            try (ResultSet rows = select.executeQuery())
            {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static byte[] body(final int i)
    {
        return ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
    }
}
