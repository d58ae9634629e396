package dev.edgeplane.persistence;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import dev.edgeplane.persistence.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedPostgresServerTest
{
    @TempDir
    Path directory;

    @Test
    void shouldSayTheBundledBinariesAreLinuxAmd64OnlyElsewhere()
    {
        assertEquals(null, EmbeddedPostgresServer.unsupportedPlatform("Linux", "amd64"));
        assertEquals(null, EmbeddedPostgresServer.unsupportedPlatform("Linux", "x86_64"));
        final String mac = EmbeddedPostgresServer.unsupportedPlatform("Mac OS X", "aarch64");
        assertNotNull(mac);
        assertTrue(mac.contains("linux-amd64") && mac.contains("Mac OS X/aarch64") && mac.contains("DATABASE_URL"), mac);
        assertNotNull(EmbeddedPostgresServer.unsupportedPlatform("Linux", "aarch64"));
    }

    @Test
    void shouldBringSameDataBackAfterStopAndStartOnSameDirectoryAndPort() throws Exception
    {
        final Path cluster = directory.resolve("pg");
        final EmbeddedPostgresServer first = TestPostgres.dedicated(cluster);
        final String url = first.jdbcUrl();
        try
        {
            assertTrue(url.contains("/" + EmbeddedPostgresServer.DATABASE_NAME + "?"), url);
            execute(url, "CREATE TABLE kept (id int PRIMARY KEY, note text)");
            execute(url, "INSERT INTO kept VALUES (1, 'survives a restart')");
            assertEquals("postgres", queryString(url, "SELECT current_user"));
        }
        finally
        {
            first.stop();
        }
        assertFalse(first.running());
        assertThrows(SQLException.class, () -> DriverManager.getConnection(url).close());

        final EmbeddedPostgresServer second = TestPostgres.restart(first);
        try
        {
            assertEquals(first.port(), second.port());
            assertEquals(url, second.jdbcUrl());
            assertEquals("survives a restart", queryString(url, "SELECT note FROM kept WHERE id = 1"));
        }
        finally
        {
            second.close();
        }
    }

    /** The journal releases segments once PostgreSQL committed them: the server's own cluster must fsync. */
    @Test
    void shouldRunWithFsyncAndSynchronousCommitOn(@TempDir final Path cluster) throws Exception
    {
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(cluster, 0);
             Connection c = DriverManager.getConnection(server.jdbcUrl());
             Statement s = c.createStatement())
        {
            for (final String setting : new String[] {"fsync", "synchronous_commit"})
            {
                try (ResultSet r = s.executeQuery("SHOW " + setting))
                {
                    r.next();
                    assertEquals("on", r.getString(1), setting);
                }
            }
        }
    }

    @Test
    void shouldRefuseSecondServerOnDirectoryInUse() throws Exception
    {
        final Path cluster = directory.resolve("pg");
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(cluster, 0, TestPostgres.FAST_SERVER_CONFIG))
        {
            assertTrue(server.port() > 0);
            assertThrows(IllegalStateException.class, () -> EmbeddedPostgresServer.start(cluster, 0));
            assertEquals("1", queryString(server.jdbcUrl(), "SELECT 1"));
        }
    }

    @Test
    void shouldStopPostmasterOrphanedByKilledProcess() throws Exception
    {
        final Path cluster = directory.resolve("pg");
        final int port = EmbeddedPostgresServer.freeLoopbackPort();
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
            OrphanMaker.class.getName(), cluster.toString(), Integer.toString(port))
            .redirectErrorStream(true)
            .start();
        long orphanPid = -1;
        try
        {
            try (BufferedReader output = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = output.readLine()) && !line.startsWith(OrphanMaker.READY))
                {
                    // skip start-up logging
                }
                assertNotNull(line, "child JVM exited before PostgreSQL was ready");
            }
            orphanPid = Long.parseLong(Files.readAllLines(cluster.resolve("postmaster.pid")).get(0).strip());
            // SIGKILL: no shutdown hooks, the postmaster is left running.
            child.destroyForcibly().waitFor();
            assertTrue(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive).orElse(false));

            try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(cluster, port,
                TestPostgres.FAST_SERVER_CONFIG))
            {
                assertFalse(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive).orElse(false));
                assertEquals("orphan data", queryString(server.jdbcUrl(), "SELECT note FROM left_behind"));
            }
        }
        finally
        {
            child.destroyForcibly();
            if (orphanPid > 0)
            {
                ProcessHandle.of(orphanPid).ifPresent(ProcessHandle::destroy);
            }
        }
    }

    /**
     * Child-JVM entry point: starts PostgreSQL, writes a row, reports readiness and waits to be killed.
     */
    public static final class OrphanMaker
    {
        static final String READY = "ORPHAN-MAKER-READY";

        public static void main(final String[] args) throws Exception
        {
            final EmbeddedPostgresServer server = EmbeddedPostgresServer.start(
                Path.of(args[0]), Integer.parseInt(args[1]), TestPostgres.FAST_SERVER_CONFIG);
            execute(server.jdbcUrl(), "CREATE TABLE left_behind (note text)");
            execute(server.jdbcUrl(), "INSERT INTO left_behind VALUES ('orphan data')");
            System.out.println(READY);
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    private static void execute(final String url, final String sql) throws SQLException
    {
        try (Connection connection = DriverManager.getConnection(url);
            Statement statement = connection.createStatement())
        {
            statement.execute(sql);
        }
    }

    static String queryString(final String url, final String sql) throws SQLException
    {
        try (Connection connection = DriverManager.getConnection(url);
            Statement statement = connection.createStatement();
            ResultSet rows = statement.executeQuery(sql))
        {
            assertTrue(rows.next());
            return rows.getString(1);
        }
    }
}
