package dev.edgeplane.server;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import dev.edgeplane.persistence.Database;
import dev.edgeplane.persistence.DatabaseSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up warm-up: before the real listeners open, the surfaces' hot paths run for {@code
 * EDGEPLANE_WARMUP_S} seconds against a throwaway server in this JVM, so the JIT compiles them before the
 * first real request instead of competing with it for the CPU (a node restarted under full SIP traffic
 * otherwise spends its first ~20 s compiling while calls time out in front of it; bench/RESULTS.md).
 *
 * <p>The throwaway server is a whole {@link EdgeServer} — the same classes, so the same compiled code —
 * with nothing of the real one: its own data directory (journal, off-heap stores) under {@code
 * <data>/warmup}, a throwaway database {@code edgeplane_warmup_<pid>} on the same PostgreSQL (created and
 * dropped here, so the write-behind path warms too), loopback ephemeral ports, and the configuration the
 * surfaces' {@link WarmUpScenario}s give it. The real server's stores, journal, CAC and configuration
 * never see a warm-up request. While it runs the real listeners are not bound yet: a client (Kamailio's
 * failover, a health check) sees a node that is not serving, never a slow one.
 *
 * <p>Anything that goes wrong (no right to create a database, a failed request) is logged and ends the
 * warm-up early; it never stops the real server from starting.
 */
final class WarmUp
{
    /** The throwaway database, on the real server's PostgreSQL: one per process, so nodes sharing a database never meet. */
    static final String DATABASE = "edgeplane_warmup_" + ProcessHandle.current().pid();
    /**
     * Connections (and client threads) replaying the scenarios, round robin over them: enough to keep the
     * event loops busy while some wait for the journal, so the hot methods are called often enough in the
     * time to reach the optimising compiler.
     */
    static final int WORKERS = 16;
    /** Traffic comes in rounds of this long, each followed by a pause for the compilers. */
    static final long ROUND_MILLIS = 2_000;
    /** A round of traffic that made the compilers work less than this has nothing left to teach them. */
    static final long QUIET_COMPILE_MILLIS = 100;
    /** Longest wait, after a round of traffic, for the compiler threads to work off what it queued. */
    static final long SETTLE_MAX_MILLIS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);

    /**
     * What a warm-up did.
     *
     * @param requests requests answered.
     * @param failed   requests not answered {@code 2xx} (or lost with their connection).
     * @param millis   wall time, throwaway server start and stop included.
     * @param note     why it did less than asked (null when it ran in full).
     */
    record Result(long requests, long failed, long millis, String note)
    {
        static final Result NONE = new Result(0, 0, 0, "off");
    }

    private WarmUp()
    {
    }

    /** Runs the warm-up the settings ask for; returns once the throwaway server is gone. */
    static Result run(final EdgeSettings settings, final Database database, final List<Surface> surfaces)
    {
        final long seconds = settings.warmUpSeconds();
        final List<Surface> warmed = new ArrayList<>();
        for (final Surface s : surfaces)
        {
            if (settings.serves(s.kind()) && s.warmUp() != null)
            {
                warmed.add(s);
            }
        }
        if (seconds == 0 || warmed.isEmpty())
        {
            return Result.NONE;
        }
        final long began = System.nanoTime();
        final Path directory = settings.dataDir().resolve("warmup");
        try
        {
            deleteTree(directory);
            Files.createDirectories(directory);
            execute(database, "DROP DATABASE IF EXISTS " + DATABASE);
            execute(database, "CREATE DATABASE " + DATABASE);
        }
        catch (final IOException | SQLException | RuntimeException e)
        {
            LOG.warn("warm-up skipped: cannot prepare its throwaway data directory and database ({})", e.getMessage());
            return new Result(0, 0, millisSince(began), "skipped: " + e.getMessage());
        }
        LOG.info("warming up: at most {} s of traffic against a throwaway server before the listeners open ({}=0 turns it off)",
            seconds, EdgeSettings.WARMUP_S);
        Result result = new Result(0, 0, 0, null);
        int rounds = 0;
        boolean quiet = false;
        try (EdgeServer sandbox = EdgeServer.start(settings.with(throwawaySettings(settings, database, warmed, directory)), warmed))
        {
            // In rounds, each followed by a pause for the compilers: under traffic that takes every core the
            // optimising compiler falls behind, its thresholds rise with its queue, and what it had not reached
            // by the end would be compiled under the first real calls. It ends once a round of traffic made
            // the compilers work next to nothing (the hot path is compiled), or at the time limit.
            long trafficLeft = TimeUnit.SECONDS.toNanos(seconds);
            while (!quiet && trafficLeft > 0)
            {
                final long compiledBefore = compilationMillis();
                final long roundNanos = Math.min(trafficLeft, TimeUnit.MILLISECONDS.toNanos(ROUND_MILLIS));
                trafficLeft -= roundNanos;
                final Result round = drive(sandbox, warmed, System.nanoTime() + roundNanos);
                final long compiled = compilationMillis() - compiledBefore;
                result = new Result(result.requests + round.requests, result.failed + round.failed, 0,
                    result.note != null ? result.note : round.note);
                rounds++;
                quiet = compiledBefore >= 0 && compiled < QUIET_COMPILE_MILLIS;
                LOG.debug("warm-up round {}: {} requests, {} ms of compilation", rounds, round.requests, compiled);
                settle();
            }
        }
        catch (final RuntimeException e)
        {
            LOG.warn("warm-up ended early: the throwaway server failed ({})", e.toString());
            return new Result(0, 0, millisSince(began), "failed: " + e);
        }
        finally
        {
            cleanUp(database, directory);
        }
        final Result done = new Result(result.requests, result.failed, millisSince(began), result.note);
        if (done.failed > 0)
        {
            LOG.warn("warm-up: {} of {} requests failed ({}); the server starts anyway", done.failed, done.requests, done.note);
        }
        LOG.info("warm-up done: {} requests in {} ms ({} rounds; {})", done.requests, done.millis, rounds,
            quiet ? "the last one compiled next to nothing" : "time limit");
        return done;
    }

    private static Map<String, String> throwawaySettings(
        final EdgeSettings settings, final Database database, final List<Surface> warmed, final Path directory)
    {
        final Map<String, String> env = new HashMap<>();
        env.put(EdgeSettings.DATA_DIR, directory.toString());
        env.put(DatabaseSettings.DATABASE_URL_ENV, database.settings().urlForDatabase(DATABASE));
        env.put(EdgeSettings.WARMUP_S, "0");
        env.put(EdgeSettings.BIND_ADDRESS, "127.0.0.1");
        final Set<SurfaceKind> kinds = EnumSet.noneOf(SurfaceKind.class);
        warmed.forEach(s -> kinds.add(s.kind()));
        final StringBuilder list = new StringBuilder();
        for (final SurfaceKind kind : kinds)
        {
            list.append(list.length() == 0 ? "" : ",").append(kind.label());
        }
        env.put(EdgeSettings.SURFACES, list.toString());
        for (final SurfaceKind kind : SurfaceKind.values())
        {
            env.put(kind.portVariable(), "0");
        }
        // Plain loopback HTTP, no access log, no caps: none of the real listeners' front matter.
        for (final String blank : new String[] {EdgeSettings.TLS_CERT_FILE, EdgeSettings.TLS_KEY_FILE,
            EdgeSettings.PROXY_PROTOCOL, EdgeSettings.MAX_CONNECTIONS, EdgeSettings.ACCESS_LOG})
        {
            env.put(blank, "");
        }
        env.put(EdgeSettings.CONTROL_PLANE_ALLOW_CIDRS, EdgeSettings.LOOPBACK_CIDRS);
        env.put(EdgeSettings.SHUTDOWN_GRACE_MS, "1000");
        for (final Surface s : warmed)
        {
            env.putAll(s.warmUp().settings(directory));
        }
        return env;
    }

    /** WORKERS client threads, each on its own keep-alive connection, replaying scenarios until the deadline. */
    private static Result drive(final EdgeServer sandbox, final List<Surface> warmed, final long deadline)
    {
        final AtomicLong requests = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicReference<String> firstFailure = new AtomicReference<>();
        final List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++)
        {
            final int worker = w;
            final Surface surface = warmed.get(w % warmed.size());
            final int port = sandbox.port(surface.kind());
            final Thread t = new Thread(() ->
            {
                try (Client client = new Client(port))
                {
                    for (long i = 0; System.nanoTime() < deadline; i++)
                    {
                        for (final WarmUpScenario.Request r : surface.warmUp().iteration(worker, i))
                        {
                            final String failure = client.exchange(r);
                            requests.incrementAndGet();
                            if (failure != null)
                            {
                                failed.incrementAndGet();
                                firstFailure.compareAndSet(null, r.method() + " " + r.path() + ": " + failure);
                            }
                        }
                    }
                }
                catch (final IOException | RuntimeException e)
                {
                    failed.incrementAndGet();
                    firstFailure.compareAndSet(null, "worker " + worker + ": " + e);
                }
            }, "edge-warmup-" + w);
            t.setDaemon(true);
            t.start();
            workers.add(t);
        }
        for (final Thread t : workers)
        {
            try
            {
                t.join(TimeUnit.NANOSECONDS.toMillis(Math.max(0, deadline - System.nanoTime())) + 30_000);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return new Result(requests.get(), failed.get(), 0, firstFailure.get());
    }

    /**
     * Waits until the JIT compilers stop working (no more than a few milliseconds of compilation in half a
     * second), at most {@link #SETTLE_MAX_MILLIS}. On a small machine the traffic keeps the compiler threads
     * short of CPU, so methods it made hot are still queued for the optimising compiler when it ends; left
     * queued they would be compiled under the first real traffic instead, which is what the warm-up avoids.
     */
    private static void settle()
    {
        long last = compilationMillis();
        if (last < 0)
        {
            return;
        }
        final long began = System.nanoTime();
        while (System.nanoTime() - began < TimeUnit.MILLISECONDS.toNanos(SETTLE_MAX_MILLIS))
        {
            try
            {
                Thread.sleep(500);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                return;
            }
            final long now = compilationMillis();
            if (now - last < 10)
            {
                break;
            }
            last = now;
        }
        LOG.debug("warm-up: compilers settled {} ms after a round of traffic", millisSince(began));
    }

    /** @return milliseconds the JIT compilers have worked since the JVM started, or -1 when not measured. */
    private static long compilationMillis()
    {
        final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    private static void cleanUp(final Database database, final Path directory)
    {
        try
        {
            execute(database, "DROP DATABASE IF EXISTS " + DATABASE);
        }
        catch (final SQLException e)
        {
            LOG.warn("warm-up: could not drop the throwaway database {} ({})", DATABASE, e.getMessage());
        }
        try
        {
            deleteTree(directory);
        }
        catch (final IOException | UncheckedIOException e)
        {
            LOG.warn("warm-up: could not delete {} ({})", directory, e.getMessage());
        }
    }

    private static void execute(final Database database, final String sql) throws SQLException
    {
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement())
        {
            s.execute(sql);
        }
    }

    private static void deleteTree(final Path directory) throws IOException
    {
        if (!Files.exists(directory))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(p);
            }
        }
    }

    private static long millisSince(final long began)
    {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    }

    /** A blocking HTTP/1.1 keep-alive client on loopback: enough for requests we build and answers we frame. */
    private static final class Client implements AutoCloseable
    {
        private final int port;
        private Socket socket;
        private InputStream in;
        private OutputStream out;

        Client(final int port) throws IOException
        {
            this.port = port;
            connect();
        }

        private void connect() throws IOException
        {
            close();
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            out = socket.getOutputStream();
        }

        /** @return null when answered 2xx, else what was wrong. */
        String exchange(final WarmUpScenario.Request r) throws IOException
        {
            final byte[] body = r.body() == null ? new byte[0] : r.body().getBytes(StandardCharsets.UTF_8);
            final StringBuilder head = new StringBuilder(256).append(r.method()).append(' ').append(r.path())
                .append(" HTTP/1.1\r\nHost: warmup\r\nUser-Agent: edgeplane-warmup\r\nAccept: */*\r\n");
            if (r.contentType() != null)
            {
                head.append("Content-Type: ").append(r.contentType()).append("\r\n");
            }
            head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();

            final String[] lines = readHead().split("\r\n");
            final int status = Integer.parseInt(lines[0].split(" ", 3)[1]);
            int length = 0;
            boolean close = false;
            for (int i = 1; i < lines.length; i++)
            {
                final String line = lines[i].toLowerCase(Locale.ROOT);
                if (line.startsWith("content-length:"))
                {
                    length = Integer.parseInt(line.substring(15).trim());
                }
                else if (line.startsWith("connection:") && line.contains("close"))
                {
                    close = true;
                }
            }
            final byte[] answer = in.readNBytes(length);
            if (close)
            {
                connect();
            }
            return status / 100 == 2 ? null : status + " " + new String(answer, StandardCharsets.UTF_8);
        }

        private String readHead() throws IOException
        {
            final StringBuilder head = new StringBuilder(256);
            int matched = 0;
            while (matched < 4)
            {
                final int b = in.read();
                if (b < 0)
                {
                    throw new IOException("connection closed by the throwaway server");
                }
                head.append((char)b);
                matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            return head.substring(0, head.length() - 4);
        }

        @Override
        public void close() throws IOException
        {
            if (socket != null)
            {
                socket.close();
            }
        }
    }
}
