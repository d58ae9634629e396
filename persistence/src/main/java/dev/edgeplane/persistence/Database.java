package dev.edgeplane.persistence;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.postgresql.jdbc.PgStatement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL system of record as the server uses it: a small HikariCP pool, the schema migrated to the latest
 * version, and (without {@code DATABASE_URL}) the embedded PostgreSQL behind it.
 *
 * <p>{@link #open} starts the embedded server if the settings ask for it, builds the pool — failing clearly within
 * {@value #INITIALIZATION_FAIL_TIMEOUT_MILLIS} ms if the database is unreachable — and runs the Flyway migrations
 * found at {@value #MIGRATION_LOCATION} (every module may contribute {@code V<n>__<name>.sql} files there; this module
 * owns {@code V1}). Only {@link DatabaseSettings#redactedUrl()} is ever logged.
 *
 * <p>The pool is sized for the write-behind flusher, configuration reads and low-volume administrative writes, not
 * for per-request queries: the request path never waits on PostgreSQL.
 *
 * <p>Threading: thread-safe; {@link #probe} blocks and belongs on a thread that may block, never an event loop.
 */
public final class Database implements AutoCloseable
{
    /** Pool name, visible in HikariCP's logs and thread names. */
    public static final String POOL_NAME = "edgeplane";

    /** Most connections in the pool. */
    public static final int MAXIMUM_POOL_SIZE = 8;

    /** Connections kept open while idle. */
    public static final int MINIMUM_IDLE = 2;

    /** Longest wait for a pooled connection before a call fails. */
    public static final long CONNECTION_TIMEOUT_MILLIS = 2_000;

    /** Longest wait for a connection's liveness check. */
    public static final long VALIDATION_TIMEOUT_MILLIS = 1_000;

    /** How long {@link #open} keeps trying to reach the database before it gives up. */
    public static final long INITIALIZATION_FAIL_TIMEOUT_MILLIS = 5_000;

    /** Where Flyway finds migrations, on the class path of every module. */
    public static final String MIGRATION_LOCATION = "classpath:db/migration";

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private final DatabaseSettings settings;
    private final HikariDataSource dataSource;
    private final EmbeddedPostgresServer embeddedServer;

    private Database(
        final DatabaseSettings settings, final HikariDataSource dataSource, final EmbeddedPostgresServer embeddedServer)
    {
        this.settings = settings;
        this.dataSource = dataSource;
        this.embeddedServer = embeddedServer;
    }

    /**
     * Connect (starting the embedded server first if the settings are embedded) and migrate the schema.
     *
     * @param settings where the database is.
     * @return the open database.
     * @throws IllegalStateException if the embedded server cannot start, the database cannot be reached within
     *                               {@value #INITIALIZATION_FAIL_TIMEOUT_MILLIS} ms, or a migration fails; the message
     *                               names the redacted URL and the cause.
     */
    public static Database open(final DatabaseSettings settings)
    {
        return open(settings, true);
    }

    /**
     * As {@link #open(DatabaseSettings)}, choosing who stops an embedded PostgreSQL when the JVM exits.
     *
     * @param settings   where the database is.
     * @param stopOnExit true to let a JVM shutdown hook stop the embedded server; false when the caller's own
     *                   shutdown sequence calls {@link #close()} (the server: PostgreSQL must outlive the final
     *                   journal flush, which a concurrent hook would not wait for).
     * @return the open database.
     */
    public static Database open(final DatabaseSettings settings, final boolean stopOnExit)
    {
        Objects.requireNonNull(settings, "settings");

        EmbeddedPostgresServer server = null;
        DatabaseSettings resolved = settings;
        if (settings.embedded() && null == settings.jdbcUrl())
        {
            try
            {
                server = EmbeddedPostgresServer.start(settings.embeddedDataDirectory(), 0, Map.of(), stopOnExit);
            }
            catch (final IOException | RuntimeException ex)
            {
                throw new IllegalStateException(
                    "cannot start embedded PostgreSQL in " + settings.embeddedDataDirectory() + ": " +
                    ErrorSummary.of(ex), ex);
            }
            resolved = DatabaseSettings.resolvedEmbedded(server.jdbcUrl(), settings.embeddedDataDirectory());
        }

        LOG.info("connecting to PostgreSQL at {}", resolved.redactedUrl());
        HikariDataSource dataSource = null;
        try
        {
            try
            {
                dataSource = new HikariDataSource(poolConfig(resolved));
            }
            catch (final RuntimeException ex)
            {
                throw new IllegalStateException(
                    "cannot connect to PostgreSQL at " + resolved.redactedUrl() + ": " + ErrorSummary.of(ex), ex);
            }

            try
            {
                final int applied = Flyway.configure()
                    .dataSource(dataSource)
                    .locations(MIGRATION_LOCATION)
                    .load()
                    .migrate()
                    .migrationsExecuted;
                LOG.info("database schema is up to date ({} migration(s) applied now)", applied);
            }
            catch (final FlywayException ex)
            {
                throw new IllegalStateException(
                    "migrating PostgreSQL at " + resolved.redactedUrl() + " failed: " + ErrorSummary.of(ex), ex);
            }

            return new Database(resolved, dataSource, server);
        }
        catch (final RuntimeException ex)
        {
            if (null != dataSource)
            {
                dataSource.close();
            }
            if (null != server)
            {
                server.stop();
            }
            throw ex;
        }
    }

    /**
     * @return the connection pool.
     */
    public DataSource dataSource()
    {
        return dataSource;
    }

    /**
     * @return the settings in use; for an embedded database, with the embedded server's URL filled in.
     */
    public DatabaseSettings settings()
    {
        return settings;
    }

    /**
     * Health check: borrow a connection and run {@code SELECT 1} with a query timeout. Blocks for at most about the
     * larger of {@code timeoutMillis} and {@value #CONNECTION_TIMEOUT_MILLIS} ms (the wait for a pooled connection).
     * Never throws.
     *
     * @param timeoutMillis query timeout.
     * @return up or down, the latency and, when down, a short sanitized reason.
     */
    public ProbeResult probe(final long timeoutMillis)
    {
        final long start = System.nanoTime();
        try (Connection connection = dataSource.getConnection();
            Statement statement = connection.createStatement())
        {
            final long timeout = Math.max(1, timeoutMillis);
            if (statement.isWrapperFor(PgStatement.class))
            {
                statement.unwrap(PgStatement.class).setQueryTimeoutMs(timeout);
            }
            else
            {
                statement.setQueryTimeout((int)Math.max(1, (timeout + 999) / 1000));
            }
            try (ResultSet rows = statement.executeQuery("SELECT 1"))
            {
                if (!rows.next() || rows.getInt(1) != 1)
                {
                    return new ProbeResult(false, System.nanoTime() - start, "SELECT 1 returned no row");
                }
            }
            return new ProbeResult(true, System.nanoTime() - start, null);
        }
        catch (final SQLException | RuntimeException ex)
        {
            return new ProbeResult(false, System.nanoTime() - start, ErrorSummary.of(ex));
        }
    }

    /**
     * Close the pool, then stop the embedded server if this database started one. Idempotent.
     */
    @Override
    public void close()
    {
        dataSource.close();
        if (null != embeddedServer)
        {
            embeddedServer.stop();
        }
    }

    @Override
    public String toString()
    {
        return "Database{" + settings.redactedUrl() + '}';
    }

    private static HikariConfig poolConfig(final DatabaseSettings settings)
    {
        final HikariConfig config = new HikariConfig();
        config.setPoolName(POOL_NAME);
        config.setJdbcUrl(settings.jdbcUrl());
        config.setMaximumPoolSize(MAXIMUM_POOL_SIZE);
        config.setMinimumIdle(MINIMUM_IDLE);
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MILLIS);
        config.setValidationTimeout(VALIDATION_TIMEOUT_MILLIS);
        config.setInitializationFailTimeout(INITIALIZATION_FAIL_TIMEOUT_MILLIS);

        final Properties properties = settings.properties();
        final String user = (String)properties.remove("user");
        final String password = (String)properties.remove("password");
        if (null != user)
        {
            config.setUsername(user);
        }
        if (null != password)
        {
            config.setPassword(password);
        }
        // JDBC batches of single-row inserts become multi-row inserts (the flusher's sinks rely on it).
        properties.putIfAbsent("reWriteBatchedInserts", "true");
        properties.putIfAbsent("ApplicationName", "edgeplane");
        properties.putIfAbsent("tcpKeepAlive", "true");
        // Keep parameter values (journal payloads) and server error details out of exception messages and logs.
        properties.putIfAbsent("logServerErrorDetail", "false");
        properties.forEach((name, value) -> config.addDataSourceProperty((String)name, value));
        return config;
    }
}
