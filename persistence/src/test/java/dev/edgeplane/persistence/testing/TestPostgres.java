package dev.edgeplane.persistence.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import dev.edgeplane.persistence.DatabaseSettings;
import dev.edgeplane.persistence.EmbeddedPostgresServer;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Real PostgreSQL for tests of every module (shipped in this module's test-jar): no mocks of the database.
 *
 * <ul>
 *     <li>{@link #server()}: one embedded PostgreSQL per test JVM, started on first use in a temporary directory and
 *     stopped (and deleted) when the JVM exits.</li>
 *     <li>{@link #freshDatabase(String)}: a new, empty database in that server for a test class; hand the returned
 *     settings to {@code Database.open} to get the pool and the migrations.</li>
 *     <li>{@link #dedicated(Path)}: a separate server on a fixed free port for tests that stop and restart
 *     PostgreSQL; {@link #restart(EmbeddedPostgresServer)} brings it back under the same URL.</li>
 * </ul>
 *
 * <p>Test servers run with {@code fsync}, {@code synchronous_commit} and {@code full_page_writes} off: durability
 * against power loss is not what tests check, and this keeps them fast on a small machine.
 *
 * <p>Thread-safe.
 */
public final class TestPostgres
{
    /** Server settings for test clusters. */
    public static final Map<String, String> FAST_SERVER_CONFIG = Map.of(
        "fsync", "off",
        "synchronous_commit", "off",
        "full_page_writes", "off");

    private static final AtomicInteger DATABASE_COUNTER = new AtomicInteger();
    private static EmbeddedPostgresServer shared;
    private static Path sharedDirectory;

    private TestPostgres()
    {
    }

    /**
     * @return the JVM-wide test server, started on first call.
     */
    public static synchronized EmbeddedPostgresServer server()
    {
        if (null == shared)
        {
            try
            {
                sharedDirectory = Files.createTempDirectory("edgeplane-test-pg-");
                shared = EmbeddedPostgresServer.start(sharedDirectory.resolve("cluster"), 0, FAST_SERVER_CONFIG);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot start the test PostgreSQL", ex);
            }
            final EmbeddedPostgresServer server = shared;
            final Path directory = sharedDirectory;
            Runtime.getRuntime().addShutdownHook(new Thread(() ->
            {
                server.stop(); // waits if the server's own hook is stopping it right now
                deleteRecursively(directory);
            }, "test-postgres-cleanup"));
        }
        return shared;
    }

    /**
     * Create a new empty database in the shared server.
     *
     * @param prefix names the database (letters, digits and '_' are kept), e.g. the test class.
     * @return settings pointing at it, as {@code DATABASE_URL} would give them.
     */
    public static DatabaseSettings freshDatabase(final String prefix)
    {
        return DatabaseSettings.forUrl(freshDatabaseUrl(prefix));
    }

    /**
     * Create a new empty database in the shared server.
     *
     * @param prefix names the database.
     * @return its JDBC URL (user {@code postgres}, no password).
     */
    public static String freshDatabaseUrl(final String prefix)
    {
        final EmbeddedPostgresServer server = server();
        final String name = sanitize(prefix) + "_" + DATABASE_COUNTER.incrementAndGet();
        try (Connection connection = DriverManager.getConnection(server.jdbcUrl("postgres"));
            Statement statement = connection.createStatement())
        {
            statement.execute("CREATE DATABASE " + name);
        }
        catch (final SQLException ex)
        {
            throw new IllegalStateException("cannot create test database " + name, ex);
        }
        return server.jdbcUrl(name);
    }

    /**
     * An unpooled data source for settings, with the properties the pool would use ({@code reWriteBatchedInserts}).
     * For assertions and set-up SQL; code under test should get its pool from {@code Database.open}.
     *
     * @param settings where the database is.
     * @return a data source.
     */
    public static DataSource dataSource(final DatabaseSettings settings)
    {
        final PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(settings.jdbcUrl());
        final String user = settings.properties().getProperty("user");
        if (null != user)
        {
            dataSource.setUser(user);
        }
        final String password = settings.properties().getProperty("password");
        if (null != password)
        {
            dataSource.setPassword(password);
        }
        dataSource.setReWriteBatchedInserts(true);
        return dataSource;
    }

    /**
     * Start a server of its own in {@code directory}, on a fixed free port, for tests that stop PostgreSQL. The
     * caller stops it.
     *
     * @param directory the cluster directory (a {@code @TempDir} sub-directory, say).
     * @return the running server.
     */
    public static EmbeddedPostgresServer dedicated(final Path directory)
    {
        try
        {
            return EmbeddedPostgresServer.start(directory, EmbeddedPostgresServer.freeLoopbackPort(), FAST_SERVER_CONFIG);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start a dedicated test PostgreSQL", ex);
        }
    }

    /**
     * Start a stopped dedicated server again on its directory and port, so its URL still works.
     *
     * @param stopped a server from {@link #dedicated(Path)} that has been stopped.
     * @return the running server.
     */
    public static EmbeddedPostgresServer restart(final EmbeddedPostgresServer stopped)
    {
        if (stopped.running())
        {
            throw new IllegalStateException("server is still running: " + stopped);
        }
        try
        {
            return EmbeddedPostgresServer.start(stopped.dataDirectory(), stopped.port(), FAST_SERVER_CONFIG);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot restart the dedicated test PostgreSQL", ex);
        }
    }

    private static String sanitize(final String prefix)
    {
        final StringBuilder name = new StringBuilder();
        for (final char c : prefix.toLowerCase(Locale.ROOT).toCharArray())
        {
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
            {
                name.append(c);
            }
        }
        if (name.length() == 0 || Character.isDigit(name.charAt(0)))
        {
            name.insert(0, "t_");
        }
        return name.length() > 40 ? name.substring(0, 40) : name.toString();
    }

    private static void deleteRecursively(final Path directory)
    {
        try
        {
            Files.walkFileTree(directory, new SimpleFileVisitor<>()
            {
                @Override
                public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
                {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(final Path file, final IOException ex)
                {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(final Path dir, final IOException ex) throws IOException
                {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        catch (final IOException ignore)
        {
            // best effort at JVM exit
        }
    }
}
