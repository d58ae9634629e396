package dev.edgeplane.persistence.config;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.edgeplane.persistence.DatabaseSettings;
import dev.edgeplane.persistence.ErrorSummary;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns {@code NOTIFY} {@value ConfigRepository#NOTIFY_CHANNEL} (sent by {@link ConfigRepository#apply} at commit)
 * into calls of {@code onAccountChanged(accountId)}, so the in-memory configuration is refreshed within a second of a
 * change without a restart (docs/ARCHITECTURE.md, "Persistence": configuration is cached in memory and refreshed on
 * PostgreSQL LISTEN/NOTIFY).
 *
 * <p>It holds one dedicated connection of its own (opened with {@link DriverManager}, not borrowed from the pool, whose
 * connections would be taken away for hours), {@code LISTEN}s on it and polls for notifications every
 * {@value #POLL_MILLIS} ms, pinging the server after {@value #PING_IDLE_MILLIS} ms without traffic so a silently
 * broken connection is noticed. When the connection fails it reconnects with back-off from
 * {@value #BACKOFF_INITIAL_MILLIS} ms to {@value #BACKOFF_MAX_MILLIS} ms, for ever.
 *
 * <p>{@code onReconnected} runs after every successful {@code LISTEN}, the first one included: notifications sent
 * while nobody was listening are lost, so the caller reloads all configuration then. Calling it on the first
 * {@code LISTEN} too closes the gap between the caller's initial load and the moment this listener starts listening.
 *
 * <p>Threading: everything runs on one daemon thread named {@value #THREAD_NAME}; both callbacks are called on it,
 * one at a time, and may block (a reload from PostgreSQL, say). An exception thrown by a callback is logged and
 * swallowed. {@link #close()} and {@link #listening()} may be called from any thread. Only the redacted URL is logged.
 */
public final class ConfigChangeListener implements AutoCloseable
{
    /** Name of the listener thread. */
    public static final String THREAD_NAME = "config-listener";

    /** Longest wait for notifications in one poll; bounds how long {@link #close()} waits, too. */
    public static final int POLL_MILLIS = 500;

    /** Idle time after which the connection is checked with a query. */
    public static final long PING_IDLE_MILLIS = 15_000;

    /** First reconnect delay. */
    public static final long BACKOFF_INITIAL_MILLIS = 100;

    /** Longest reconnect delay. */
    public static final long BACKOFF_MAX_MILLIS = 5_000;

    /** {@code ApplicationName} of the listener's connection, as {@code pg_stat_activity} shows it. */
    public static final String APPLICATION_NAME = "edgeplane-config-listener";

    private static final Logger LOG = LoggerFactory.getLogger(ConfigChangeListener.class);
    private static final long JOIN_MILLIS = 10_000;

    private final String jdbcUrl;
    private final Properties properties;
    private final String redactedUrl;
    private final Consumer<String> onAccountChanged;
    private final Runnable onReconnected;
    private final Thread thread;
    private final Object sleepMonitor = new Object();

    private volatile boolean closed;
    private volatile boolean listening;

    private ConfigChangeListener(
        final DatabaseSettings settings, final Consumer<String> onAccountChanged, final Runnable onReconnected)
    {
        this.jdbcUrl = settings.jdbcUrl();
        this.redactedUrl = settings.redactedUrl();
        this.properties = settings.properties();
        properties.setProperty("ApplicationName", APPLICATION_NAME);
        properties.putIfAbsent("tcpKeepAlive", "true");
        properties.putIfAbsent("connectTimeout", "5");
        properties.putIfAbsent("socketTimeout", "30");
        properties.putIfAbsent("logServerErrorDetail", "false");
        this.onAccountChanged = onAccountChanged;
        this.onReconnected = onReconnected;
        this.thread = new Thread(this::run, THREAD_NAME);
        this.thread.setDaemon(true);
    }

    /**
     * Start listening on a thread of its own. Returns at once; the first connection is made on that thread.
     *
     * @param settings         where the database is: resolved settings with a JDBC URL (for the embedded database,
     *                         {@code Database.settings()}, not the unresolved ones from the environment).
     * @param onAccountChanged called with the account id of every notification.
     * @param onReconnected    called after every successful {@code LISTEN} (see the class comment).
     * @return the running listener.
     * @throws IllegalArgumentException if the settings carry no JDBC URL.
     */
    public static ConfigChangeListener start(
        final DatabaseSettings settings, final Consumer<String> onAccountChanged, final Runnable onReconnected)
    {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(onAccountChanged, "onAccountChanged");
        Objects.requireNonNull(onReconnected, "onReconnected");
        if (null == settings.jdbcUrl())
        {
            throw new IllegalArgumentException("settings have no JDBC URL: pass the resolved Database.settings()");
        }
        final ConfigChangeListener listener = new ConfigChangeListener(settings, onAccountChanged, onReconnected);
        listener.thread.start();
        return listener;
    }

    /**
     * @return true while the listener holds a connection on which {@code LISTEN} succeeded (for {@code /health}).
     */
    public boolean listening()
    {
        return listening;
    }

    /**
     * Stop listening, close the connection and wait (up to about {@value #POLL_MILLIS} ms, longer only while a
     * connection attempt or a callback is in progress) for the thread to end. Idempotent.
     */
    @Override
    public void close()
    {
        closed = true;
        synchronized (sleepMonitor)
        {
            sleepMonitor.notifyAll();
        }
        if (Thread.currentThread() != thread)
        {
            try
            {
                thread.join(JOIN_MILLIS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run()
    {
        long backoff = BACKOFF_INITIAL_MILLIS;
        boolean loggedDown = false;
        while (!closed)
        {
            try (Connection connection = DriverManager.getConnection(jdbcUrl, properties))
            {
                try (Statement statement = connection.createStatement())
                {
                    statement.execute("LISTEN " + ConfigRepository.NOTIFY_CHANNEL);
                }
                listening = true;
                backoff = BACKOFF_INITIAL_MILLIS;
                if (loggedDown)
                {
                    LOG.info("listening for configuration changes again at {}", redactedUrl);
                    loggedDown = false;
                }
                reconnected();
                poll(connection);
            }
            catch (final SQLException | RuntimeException ex)
            {
                if (closed)
                {
                    break;
                }
                if (!loggedDown)
                {
                    LOG.warn("configuration change listener lost PostgreSQL at {}: {}; reconnecting", redactedUrl,
                        ErrorSummary.of(ex));
                    loggedDown = true;
                }
            }
            finally
            {
                listening = false;
            }
            if (!closed)
            {
                sleep(backoff);
                backoff = Math.min(backoff * 2, BACKOFF_MAX_MILLIS);
            }
        }
    }

    private void poll(final Connection connection) throws SQLException
    {
        final PGConnection pg = connection.unwrap(PGConnection.class);
        long lastTraffic = System.nanoTime();
        while (!closed)
        {
            final PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
            if (null != notifications && notifications.length > 0)
            {
                lastTraffic = System.nanoTime();
                for (final PGNotification notification : notifications)
                {
                    if (ConfigRepository.NOTIFY_CHANNEL.equals(notification.getName()))
                    {
                        changed(notification.getParameter());
                    }
                }
            }
            else if (System.nanoTime() - lastTraffic > TimeUnit.MILLISECONDS.toNanos(PING_IDLE_MILLIS))
            {
                try (Statement statement = connection.createStatement())
                {
                    statement.execute("SELECT 1");
                }
                lastTraffic = System.nanoTime();
            }
        }
    }

    private void reconnected()
    {
        try
        {
            onReconnected.run();
        }
        catch (final RuntimeException ex)
        {
            LOG.error("configuration reload callback failed: {}", ex.toString(), ex);
        }
    }

    private void changed(final String accountId)
    {
        try
        {
            onAccountChanged.accept(accountId);
        }
        catch (final RuntimeException ex)
        {
            LOG.error("configuration change callback failed: {}", ex.toString(), ex);
        }
    }

    private void sleep(final long millis)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (sleepMonitor)
        {
            long remaining;
            while (!closed && (remaining = deadline - System.nanoTime()) > 0)
            {
                try
                {
                    TimeUnit.NANOSECONDS.timedWait(sleepMonitor, remaining);
                }
                catch (final InterruptedException ex)
                {
                    closed = true;
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
