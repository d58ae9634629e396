package dev.edgeplane.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.edgeplane.persistence.Database;
import dev.edgeplane.persistence.DatabaseSettings;
import dev.edgeplane.persistence.Journal;
import dev.edgeplane.persistence.JournalFlusher;
import dev.edgeplane.persistence.JournalSettings;
import dev.edgeplane.state.OffHeapStore;
import dev.edgeplane.state.Shards;
import dev.edgeplane.state.StateSettings;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Edgeplane process: opens persistence and state, registers the surfaces, binds one listener per
 * enabled surface on a shared event-loop group, and shuts down gracefully (stop accepting, drain
 * in-flight requests, run queued shard tasks, flush the journal, close the stores and the database).
 *
 * <p>Shutdown is owned here, in one sequence ({@link #close}): stop accepting, answer the requests in
 * flight (bounded by {@code EDGEPLANE_SHUTDOWN_GRACE_MS}), stop the surfaces and shard writers, flush the
 * journal to PostgreSQL one last time, close the off-heap stores (which removes their open markers, so the
 * next start needs no recovery), close the journal, stop PostgreSQL, release the data directory. No library
 * runs a shutdown of its own: Chronicle Map's exit hook is skipped ({@code OffHeapStore}) and an embedded
 * PostgreSQL is started without its hook. The one JVM shutdown hook is the server's own, registered by
 * {@link #start} and removed by {@link #close}; it runs this sequence when the JVM exits for any other
 * reason than a {@link #close} call (the process entry point handles SIGTERM/SIGINT itself so it can
 * exit 0).
 *
 * <p>Threading: {@link #start} is called from one controlling thread (main or a test); {@link #close} is
 * idempotent and may be called from any thread (it serialises on the server).
 */
public final class EdgeServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(EdgeServer.class);
    /** How long shutdown waits, after the grace period's 503s, for their clients to read them and close. */
    private static final long STOP_LINGER_MILLIS = 500;

    private final EdgeRuntime runtime;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final HealthMonitor healthMonitor;
    private final Map<SurfaceKind, Channel> serverChannels;
    private final Map<SurfaceKind, List<Route>> routes;
    private final ChannelGroup connections;
    private final Transport transport;
    private final List<AutoCloseable> closeables;
    private final WarmUp.Result warmUp;
    private final java.util.concurrent.CountDownLatch closedLatch = new java.util.concurrent.CountDownLatch(1);
    private final Thread shutdownHook = new Thread(this::close, "edgeplane-shutdown");
    private boolean closed;

    private EdgeServer(
        final EdgeRuntime runtime, final EventLoopGroup bossGroup, final EventLoopGroup workerGroup,
        final HealthMonitor healthMonitor, final Map<SurfaceKind, Channel> serverChannels,
        final Map<SurfaceKind, List<Route>> routes, final ChannelGroup connections,
        final Transport transport, final List<AutoCloseable> closeables, final WarmUp.Result warmUp)
    {
        this.runtime = runtime;
        this.bossGroup = bossGroup;
        this.workerGroup = workerGroup;
        this.healthMonitor = healthMonitor;
        this.serverChannels = serverChannels;
        this.routes = routes;
        this.connections = connections;
        this.transport = transport;
        this.closeables = closeables;
        this.warmUp = warmUp;
    }

    /**
     * Starts the server with the given surfaces; returns once every listener is bound.
     *
     * @throws IllegalStateException when a port cannot be bound or persistence cannot start.
     */
    public static EdgeServer start(final EdgeSettings settings, final List<Surface> surfaces)
    {
        StateSettings.disableChronicleAnalytics();
        final long began = System.nanoTime();
        // Closed in reverse order, at shutdown or when start-up fails half way: health, surface
        // resources and the blocking pool (nothing new offered to shards), shards (queued tasks run on
        // their loops and may still append), event loops, flusher (final flush), stores, journal, database.
        final List<AutoCloseable> closeables = new ArrayList<>();
        try
        {
            Files.createDirectories(settings.dataDir());
            closeables.add(DataDirectoryLock.acquire(settings.dataDir())); // released last
            // stopOnExit=false: PostgreSQL is stopped by this server's sequence, after the final flush.
            final Database database = Database.open(
                DatabaseSettings.fromEnvironment(settings.environment(), settings.dataDir()), false);
            closeables.add(database);
            final Journal journal = Journal.open(settings.dataDir().resolve("journal"),
                JournalSettings.fromEnvironment(settings.environment()));
            closeables.add(journal);

            final Transport transport = Transport.select(settings.transport());
            final EventLoopGroup boss = transport.newGroup(1, "edge-accept");
            final EventLoopGroup workers = transport.newGroup(settings.ioThreads(), "edge-io");
            final List<EventExecutor> loops = new ArrayList<>();
            workers.forEach(loops::add);
            // Each shard's single writer is one of the I/O loops (docs/THREADING.md).
            final Shards shards = new Shards(
                intSetting(settings, StateSettings.SHARDS_ENV, Math.max(StateSettings.SHARDS_DEFAULT, loops.size())),
                intSetting(settings, StateSettings.SHARD_QUEUE_ENV, StateSettings.SHARD_QUEUE_DEFAULT), loops);
            final HttpMetrics metrics = new HttpMetrics();
            final EdgeRuntime runtime = new EdgeRuntime(settings, database, journal, shards, metrics);
            closeables.add(() -> runtime.stores().forEach(OffHeapStore::close));

            final Map<SurfaceKind, Listener> listeners = new EnumMap<>(SurfaceKind.class);
            final Map<SurfaceKind, List<Route>> registered = new EnumMap<>(SurfaceKind.class);
            for (final SurfaceKind kind : SurfaceKind.values())
            {
                if (!settings.serves(kind))
                {
                    continue;
                }
                final Routes routes = new Routes(kind.label(), settings.maxBodyBytes(), metrics);
                ServerRoutes.registerShared(routes, runtime);
                for (final Surface surface : surfaces)
                {
                    if (surface.kind() == kind)
                    {
                        surface.register(routes, runtime);
                    }
                }
                registered.put(kind, routes.registered());
                listeners.put(kind, new Listener(kind, routes.build(), runtime, settings));
            }

            final JournalFlusher flusher = new JournalFlusher(journal, database.dataSource(), runtime.sinks(),
                JournalFlusher.DEFAULT_BATCH_SIZE);
            runtime.flusher(flusher);
            flusher.start();
            closeables.add(flusher);
            closeables.add(() -> shutdownGroups(boss, workers));
            closeables.add(shards);
            closeables.add(runtime.blocking());
            closeables.add(runtime::closeSurfaceResources);
            registerGauges(runtime);

            final HealthMonitor health = new HealthMonitor(runtime);
            health.start();
            closeables.add(health);

            final WarmUp.Result warmUp = WarmUp.run(settings, database, surfaces);

            final ChannelGroup connections = new DefaultChannelGroup("connections", GlobalEventExecutor.INSTANCE);
            final Map<SurfaceKind, Channel> bound = new EnumMap<>(SurfaceKind.class);
            final int connectionCap = ConnectionLimit.perListener(settings.maxConnections(), listeners.size());
            final ListenerTls tls = startTls(settings, boss, closeables);
            for (final Listener listener : listeners.values())
            {
                final ConnectionLimit limit = new ConnectionLimit(connectionCap, settings.retryAfterSeconds());
                final ListenerTls listenerTls = settings.tls(listener.kind()) ? tls : null;
                bound.put(listener.kind(), bind(transport, boss, workers, listener, limit, listenerTls, connections));
            }

            final EdgeServer server = new EdgeServer(runtime, boss, workers, health, bound, registered, connections, transport,
                closeables, warmUp);
            Runtime.getRuntime().addShutdownHook(server.shutdownHook);
            final StringBuilder ports = new StringBuilder();
            bound.forEach((k, ch) -> ports.append(' ').append(k.label()).append('=')
                .append(((InetSocketAddress)ch.localAddress()).getPort()));
            LOG.info("edgeplane ready in {} ms (warm-up {} ms, {} requests): transport={} io-threads={} shards={} data={} "
                    + "postgres={} connections-per-listener={} listeners:{}",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began), warmUp.millis(), warmUp.requests(), transport.name(),
                settings.ioThreads(),
                shards.count(), settings.dataDir(), database.settings().embedded()
                    ? "embedded at " + database.settings().redactedUrl() + " (./edgeplane psql)" : database.settings().redactedUrl(),
                connectionCap, ports);
            return server;
        }
        catch (final IOException e)
        {
            closeAll(closeables);
            throw new UncheckedIOException("cannot create data directory " + settings.dataDir(), e);
        }
        catch (final RuntimeException | Error e)
        {
            closeAll(closeables);
            throw e;
        }
    }

    private static int intSetting(final EdgeSettings settings, final String name, final int dflt)
    {
        final String v = settings.value(name, null);
        try
        {
            return v == null ? dflt : Integer.parseInt(v);
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException(name + " must be an integer, not '" + v + "'");
        }
    }

    private static void registerGauges(final EdgeRuntime runtime)
    {
        final HttpMetrics m = runtime.httpMetrics();
        final JournalFlusher f = runtime.flusher();
        m.gauge("edgeplane_journal_last_seq", "Highest sequence appended to the journal.", () -> f.status().journalLastSeq());
        m.gauge("edgeplane_journal_flushed_seq", "Highest journal sequence flushed to PostgreSQL.", () -> f.status().flushedSeq());
        m.gauge("edgeplane_journal_lag_events", "Journal entries not yet in PostgreSQL.", () -> f.status().lagEvents());
        m.gauge("edgeplane_journal_lag_seconds", "Age of the oldest journal entry not yet in PostgreSQL.",
            () -> f.status().lagMillis() / 1000.0);
        m.gauge("edgeplane_journal_size_bytes", "Bytes in journal segment files.", () -> runtime.journal().sizeBytes());
        m.gauge("edgeplane_journal_accepting_writes", "1 while the journal has allocated room for writes (0: disk full).",
            () -> runtime.journal().acceptingWrites() ? 1 : 0);
        m.gauge("edgeplane_journal_recovery_problems", "Problems recovery found in the journal at start (torn tail, lost records).",
            () -> runtime.journal().recoveryProblems().size());
        m.counter("edgeplane_writebehind_rows_total", "Journal entries the write-behind flusher committed to PostgreSQL.",
            () -> f.status().flushedTotal());
        m.counter("edgeplane_writebehind_batches_total", "Transactions the write-behind flusher committed to PostgreSQL.",
            () -> f.status().batches());
        m.gauge("edgeplane_database_up", "1 when the last flush or probe reached PostgreSQL.", () -> f.status().databaseUp() ? 1 : 0);
        m.gauge("edgeplane_requests_in_flight", "Requests dispatched and not yet answered.", runtime::inFlight);
        m.gauge("edgeplane_blocking_queue_depth", "Administrative tasks waiting for the blocking pool.",
            () -> runtime.blocking().queueDepth());
        for (int i = 0; i < runtime.shards().count(); i++)
        {
            final int shard = i;
            m.gauge("edgeplane_shard_queue_depth", "Tasks waiting for a shard writer.", "shard", Integer.toString(i),
                () -> runtime.shards().get(shard).queueDepth());
            m.counter("edgeplane_shard_rejected_total", "Tasks refused because a shard queue was full (503).", "shard",
                Integer.toString(i), () -> runtime.shards().get(shard).rejected());
        }
    }

    /**
     * Loads the TLS certificate when one is configured, and keeps it current: the files are checked every
     * {@code EDGEPLANE_TLS_RELOAD_MS} and reloaded on SIGHUP.
     */
    private static ListenerTls startTls(final EdgeSettings settings, final EventLoopGroup boss, final List<AutoCloseable> closeables)
    {
        if (settings.tlsKeyFile() == null)
        {
            return null;
        }
        final ListenerTls tls = ListenerTls.load(settings.tlsCertFile(), settings.tlsKeyFile());
        final ScheduledFuture<?> poll = boss.scheduleWithFixedDelay(tls::reloadIfChanged,
            settings.tlsReloadMs(), settings.tlsReloadMs(), TimeUnit.MILLISECONDS);
        closeables.add(() -> poll.cancel(false));
        Signals.onHangup(tls::reload);
        return tls;
    }

    private static Channel bind(
        final Transport transport, final EventLoopGroup boss, final EventLoopGroup workers, final Listener listener,
        final ConnectionLimit limit, final ListenerTls tls, final ChannelGroup connections)
    {
        final EdgeSettings settings = listener.settings();
        final ServerBootstrap bootstrap = new ServerBootstrap()
            .group(boss, workers)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 4096)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    if (settings.proxyProtocol(listener.kind()))
                    {
                        ProxyProtocol.install(ch, settings.trustedProxies());
                    }
                    if (limit.admit(ch, tls == null))
                    {
                        connections.add(ch);
                        if (tls != null)
                        {
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast("http", new HttpConnection(listener));
                    }
                }
            });
        // No SO_REUSEPORT: a second instance on the same port must fail to bind, not silently split the
        // traffic (and with it CAC and idempotency state) with this one.
        final int port = settings.port(listener.kind());
        try
        {
            return bootstrap.bind(settings.bindAddress(), port).sync().channel();
        }
        catch (final Exception e)
        {
            throw new IllegalStateException("cannot listen on " + settings.bindAddress() + ":" + port + " for "
                + listener.kind().label() + " (" + listener.kind().portVariable() + "): " + e.getMessage(), e);
        }
    }

    /** @return the port a surface is listening on (useful when configured as 0). */
    public int port(final SurfaceKind kind)
    {
        final Channel ch = serverChannels.get(kind);
        if (ch == null)
        {
            throw new IllegalArgumentException(kind.label() + " is not served");
        }
        return ((InetSocketAddress)ch.localAddress()).getPort();
    }

    /**
     * @param kind a surface.
     * @return the routes its listener serves, in registration order; empty when the surface is not served.
     */
    public List<Route> routes(final SurfaceKind kind)
    {
        return routes.getOrDefault(kind, List.of());
    }

    public EdgeRuntime runtime()
    {
        return runtime;
    }

    /** @return what the start-up warm-up did ({@link WarmUp}). */
    WarmUp.Result warmUp()
    {
        return warmUp;
    }

    /** @return "epoll" or "nio". */
    public String transportName()
    {
        return transport.name();
    }

    /**
     * Graceful shutdown: stop accepting, let in-flight requests finish (up to the grace period),
     * close connections, run queued shard tasks, flush the journal, close stores and the database.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        final long began = System.nanoTime();
        LOG.info("shutting down: {} requests in flight, journal lag {} events", runtime.inFlight(),
            runtime.flusher().status().lagEvents());
        runtime.startDraining();
        healthMonitor.refresh();
        for (final Channel ch : serverChannels.values())
        {
            ch.close().awaitUninterruptibly();
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(runtime.settings().shutdownGraceMs());
        while (runtime.inFlight() > 0 && System.nanoTime() < deadline)
        {
            sleepQuietly(5);
        }
        if (runtime.inFlight() > 0)
        {
            LOG.warn("shutdown grace period over with {} requests still in flight", runtime.inFlight());
        }
        // Requests still arriving or in flight get their 503 before the close (tasks on a loop run in order).
        for (final Channel ch : connections)
        {
            final HttpConnection connection = ch.pipeline().get(HttpConnection.class);
            if (connection != null)
            {
                ch.eventLoop().execute(connection::stopNow);
            }
        }
        // A moment for those answers to be read: a close with the client's bytes still unread would reset them.
        final long lingerUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_LINGER_MILLIS);
        while (!connections.isEmpty() && System.nanoTime() < lingerUntil)
        {
            sleepQuietly(5);
        }
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        closeAll(closeables);
        LOG.info("shutdown complete in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
        if (Thread.currentThread() != shutdownHook)
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            }
            catch (final IllegalStateException ignore)
            {
                // the JVM is already shutting down: the hook finds the server closed and returns
            }
        }
        closedLatch.countDown();
    }

    /** Blocks until {@link #close()} has finished (the main thread's way to stay alive). */
    public void awaitClosed() throws InterruptedException
    {
        closedLatch.await();
    }

    private static void shutdownGroups(final EventLoopGroup boss, final EventLoopGroup workers)
    {
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private static void closeAll(final List<AutoCloseable> closeables)
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            try
            {
                closeables.get(i).close();
            }
            catch (final Exception e)
            {
                LOG.warn("error while closing {}", closeables.get(i), e);
            }
        }
        closeables.clear();
    }

    private static void sleepQuietly(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }
}
