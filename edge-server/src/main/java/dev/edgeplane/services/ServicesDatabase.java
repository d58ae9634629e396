package dev.edgeplane.services;

import java.util.Properties;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.edgeplane.persistence.DatabaseSettings;

/**
 * A small connection pool to a separate PostgreSQL database given by URL ({@code SERVICE_DATABASE_URL},
 * {@code POOL_DATABASE_URL}), in any spelling {@link DatabaseSettings#forUrl} accepts. Only the redacted URL is
 * ever shown.
 *
 * <p>Thread-safe.
 */
public final class ServicesDatabase implements AutoCloseable
{
    private final HikariDataSource pool;
    private final String redacted;

    private ServicesDatabase(final HikariDataSource pool, final String redacted)
    {
        this.pool = pool;
        this.redacted = redacted;
    }

    /** @throws IllegalStateException when the database cannot be reached within a few seconds. */
    public static ServicesDatabase open(final String url, final String poolName)
    {
        final DatabaseSettings s = DatabaseSettings.forUrl(url);
        final HikariConfig c = new HikariConfig();
        c.setPoolName(poolName);
        c.setJdbcUrl(s.jdbcUrl());
        c.setMaximumPoolSize(6);
        c.setMinimumIdle(1);
        c.setConnectionTimeout(3_000);
        c.setInitializationFailTimeout(5_000);
        final Properties p = s.properties();
        final String user = (String)p.remove("user");
        final String password = (String)p.remove("password");
        if (user != null)
        {
            c.setUsername(user);
        }
        if (password != null)
        {
            c.setPassword(password);
        }
        p.putIfAbsent("ApplicationName", "edgeplane-services");
        p.putIfAbsent("logServerErrorDetail", "false");
        p.forEach((k, v) -> c.addDataSourceProperty((String)k, v));
        try
        {
            return new ServicesDatabase(new HikariDataSource(c), s.redactedUrl());
        }
        catch (final RuntimeException e)
        {
            throw new IllegalStateException("cannot connect to " + s.redactedUrl() + ": " + e.getMessage(), e);
        }
    }

    public DataSource dataSource()
    {
        return pool;
    }

    public String redactedUrl()
    {
        return redacted;
    }

    @Override
    public void close()
    {
        pool.close();
    }
}
