package dev.edgeplane.persistence.config;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import dev.edgeplane.persistence.Database;
import dev.edgeplane.persistence.DatabaseSettings;
import dev.edgeplane.persistence.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.edgeplane.persistence.config.ConfigFixtures.minimalAccount;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigChangeListenerTest
{
    private static final long DELIVERY_DEADLINE_MILLIS = 1_000;
    private static final long SETUP_TIMEOUT_SECONDS = 30;

    private static Database database;
    private static ConfigRepository repository;

    @BeforeAll
    static void openDatabase()
    {
        database = Database.open(TestPostgres.freshDatabase("config_listener_test"));
        repository = new ConfigRepository(database.dataSource());
    }

    @AfterAll
    static void closeDatabase()
    {
        database.close();
    }

    @Test
    void shouldDeliverAccountIdWithinOneSecondOfCommit() throws Exception
    {
        final BlockingQueue<String> changed = new LinkedBlockingQueue<>();
        final Semaphore reloads = new Semaphore(0);
        try (ConfigChangeListener listener =
            ConfigChangeListener.start(database.settings(), changed::add, reloads::release))
        {
            assertTrue(reloads.tryAcquire(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS), "never listened");
            assertTrue(listener.listening());

            // A refused document notifies nobody; the next good one is the first thing heard.
            final AccountConfig first = minimalAccount("acc_a", "a.sip.io", List.of("12025550100"));
            assertTrue(repository.apply(List.of(first)).applied());
            assertEquals("acc_a", changed.poll(DELIVERY_DEADLINE_MILLIS, TimeUnit.MILLISECONDS));
            assertFalse(repository.apply(List.of(minimalAccount("acc_b", "a.sip.io", List.of()))).applied());

            final long committed = System.nanoTime();
            assertTrue(repository.apply(List.of(
                minimalAccount("acc_c", "c.sip.io", List.of()), minimalAccount("acc_d", "d.sip.io", List.of())))
                .applied());
            assertEquals("acc_c", changed.poll(DELIVERY_DEADLINE_MILLIS, TimeUnit.MILLISECONDS));
            assertEquals("acc_d", changed.poll(DELIVERY_DEADLINE_MILLIS, TimeUnit.MILLISECONDS));
            assertTrue(System.nanoTime() - committed < TimeUnit.MILLISECONDS.toNanos(DELIVERY_DEADLINE_MILLIS));
            assertNull(changed.poll());
        }
    }

    @Test
    void shouldReconnectAndAskForReloadAfterLosingItsConnection() throws Exception
    {
        final BlockingQueue<String> changed = new LinkedBlockingQueue<>();
        final Semaphore reloads = new Semaphore(0);
        try (ConfigChangeListener listener =
            ConfigChangeListener.start(database.settings(), changed::add, reloads::release))
        {
            assertTrue(reloads.tryAcquire(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS), "never listened");

            assertEquals(1, terminateListenerBackends());

            assertTrue(reloads.tryAcquire(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS), "never listened again");
            assertTrue(listener.listening());
            assertTrue(repository.apply(List.of(minimalAccount("acc_r", "r.sip.io", List.of()))).applied());
            assertEquals("acc_r", changed.poll(DELIVERY_DEADLINE_MILLIS, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void shouldKeepListeningWhenACallbackThrows() throws Exception
    {
        final BlockingQueue<String> changed = new LinkedBlockingQueue<>();
        final Semaphore reloads = new Semaphore(0);
        try (ConfigChangeListener listener = ConfigChangeListener.start(database.settings(), id ->
        {
            changed.add(id);
            throw new IllegalStateException("cache refresh failed");
        }, reloads::release))
        {
            assertTrue(reloads.tryAcquire(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS), "never listened");

            assertTrue(repository.apply(List.of(minimalAccount("acc_x", "x.sip.io", List.of()))).applied());
            assertEquals("acc_x", changed.poll(DELIVERY_DEADLINE_MILLIS, TimeUnit.MILLISECONDS));
            assertTrue(repository.apply(List.of(minimalAccount("acc_y", "y.sip.io", List.of()))).applied());
            assertEquals("acc_y", changed.poll(DELIVERY_DEADLINE_MILLIS, TimeUnit.MILLISECONDS));
            assertEquals(0, reloads.availablePermits());
        }
    }

    @Test
    void shouldStopItsThreadAndReleaseItsConnectionOnClose() throws Exception
    {
        final Semaphore reloads = new Semaphore(0);
        final ConfigChangeListener listener =
            ConfigChangeListener.start(database.settings(), id -> { }, reloads::release);
        assertTrue(reloads.tryAcquire(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS), "never listened");

        final long start = System.nanoTime();
        listener.close();

        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2));
        assertFalse(listener.listening());
        assertFalse(listenerThreadAlive());
        // The server ends the backend shortly after the client's Terminate message.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SETUP_TIMEOUT_SECONDS);
        while (listenerBackends() > 0 && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
        }
        assertEquals(0, listenerBackends());
        listener.close();
    }

    @Test
    void shouldRefuseUnresolvedSettings()
    {
        assertThrows(IllegalArgumentException.class, () -> ConfigChangeListener.start(
            DatabaseSettings.fromEnvironment(Map.of(), Path.of("x")),
            id -> { }, () -> { }));
    }

    private static boolean listenerThreadAlive()
    {
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (ConfigChangeListener.THREAD_NAME.equals(thread.getName()) && thread.isAlive())
            {
                return true;
            }
        }
        return false;
    }

    private static int terminateListenerBackends() throws SQLException
    {
        return queryInt("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ? " +
            "AND datname = current_database()");
    }

    private static int listenerBackends() throws SQLException
    {
        return queryInt("SELECT count(*) FROM pg_stat_activity WHERE application_name = ? " +
            "AND datname = current_database()");
    }

    private static int queryInt(final String sql) throws SQLException
    {
        try (Connection connection = database.dataSource().getConnection();
            PreparedStatement select = connection.prepareStatement(sql))
        {
            select.setString(1, ConfigChangeListener.APPLICATION_NAME);
            try (ResultSet row = select.executeQuery())
            {
                row.next();
                return row.getInt(1);
            }
        }
    }
}
