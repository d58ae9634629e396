package dev.edgeplane.persistence;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.edgeplane.persistence.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatabaseTest
{
    private static final List<String> TABLES = List.of("accounts", "agents", "audit_log", "call_records",
        "call_traces", "devices", "dids", "event_log", "flows", "journal_checkpoint", "queues", "schedules", "trunks");
    /** The migrations this module owns; others (security, relay…) follow them. */
    private static final List<String> VERSIONS = List.of("1", "2");

    @TempDir
    Path directory;

    @Test
    void shouldMigrateFreshDatabaseAndReopenWithoutReapplying() throws SQLException
    {
        final DatabaseSettings settings = TestPostgres.freshDatabase("database_test");
        try (Database database = Database.open(settings))
        {
            assertSame(settings, database.settings());
            assertTrue(tables(database.dataSource()).containsAll(TABLES), "every table of V1 and V2 exists");
            assertEquals(VERSIONS, appliedVersions(database.dataSource()).subList(0, VERSIONS.size()), "migrations apply in order, once");
        }
        try (Database database = Database.open(settings))
        {
            assertEquals(VERSIONS, appliedVersions(database.dataSource()).subList(0, VERSIONS.size()), "migrations apply in order, once");
        }
    }

    @Test
    void shouldReportUpThenDownAfterClose()
    {
        final Database database = Database.open(TestPostgres.freshDatabase("probe_test"));
        final ProbeResult up = database.probe(1_000);
        database.close();
        final ProbeResult down = database.probe(1_000);

        assertTrue(up.up());
        assertNull(up.error());
        assertTrue(up.latencyNanos() > 0);
        assertFalse(down.up());
        assertNotNull(down.error());
        assertFalse(down.error().contains("\n"));
    }

    @Test
    void shouldFailClearlyWhenDatabaseIsUnreachableWithoutRevealingPassword() throws Exception
    {
        final int closedPort = EmbeddedPostgresServer.freeLoopbackPort();
        final DatabaseSettings settings =
            DatabaseSettings.forUrl("postgres://edge:topsecret@127.0.0.1:" + closedPort + "/edge");

        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> Database.open(settings));

        assertTrue(ex.getMessage().startsWith("cannot connect to PostgreSQL at postgresql://edge:***@127.0.0.1:"),
            ex.getMessage());
        assertFalse(ex.getMessage().contains("topsecret"));
    }

    @Test
    void shouldStartEmbeddedPostgresInDataDirectoryWhenNoUrlIsSet() throws SQLException
    {
        final DatabaseSettings settings = DatabaseSettings.fromEnvironment(Map.of(), directory);
        final Database database = Database.open(settings);
        try
        {
            assertTrue(database.settings().embedded());
            assertNotNull(database.settings().jdbcUrl());
            assertEquals(directory.resolve("pg"), database.settings().embeddedDataDirectory());
            assertTrue(directory.resolve("pg").resolve("PG_VERSION").toFile().exists());
            assertTrue(database.probe(1_000).up());
            assertTrue(tables(database.dataSource()).containsAll(TABLES), "every table of V1 and V2 exists");
        }
        finally
        {
            database.close();
        }
        // close() stopped the server it started
        final DataSource direct = TestPostgres.dataSource(database.settings());
        assertThrows(SQLException.class, () -> direct.getConnection().close());
    }

    private static void assertSame(final DatabaseSettings expected, final DatabaseSettings actual)
    {
        assertEquals(expected.jdbcUrl(), actual.jdbcUrl());
        assertEquals(expected.redactedUrl(), actual.redactedUrl());
    }

    private static List<String> tables(final DataSource dataSource) throws SQLException
    {
        return strings(dataSource, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' " +
            "AND table_name <> 'flyway_schema_history' ORDER BY table_name");
    }

    private static List<String> appliedVersions(final DataSource dataSource) throws SQLException
    {
        return strings(dataSource, "SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank");
    }

    private static List<String> strings(final DataSource dataSource, final String sql) throws SQLException
    {
        final List<String> values = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
            Statement statement = connection.createStatement();
            ResultSet rows = statement.executeQuery(sql))
        {
            while (rows.next())
            {
                values.add(rows.getString(1));
            }
        }
        return values;
    }
}
