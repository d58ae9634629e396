package dev.edgeplane.server;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.edgeplane.persistence.Database;
import dev.edgeplane.persistence.Journal;
import dev.edgeplane.persistence.JournalFlusher;
import dev.edgeplane.persistence.JournalSink;
import dev.edgeplane.state.OffHeapStore;
import dev.edgeplane.state.Shards;
import dev.edgeplane.state.StoreSpec;
import net.openhft.chronicle.bytes.BytesMarshallable;

/**
 * What all surfaces share: settings, the shard writers, the off-heap stores, the journal and its
 * flusher, the database, the access gate, metrics and health.
 *
 * <p>Threading: built on the starting thread before any listener binds; its components document their
 * own contracts. {@link #openStore} is for start-up only.
 */
public final class EdgeRuntime
{
    private final EdgeSettings settings;
    private final Database database;
    private final Journal journal;
    private volatile JournalFlusher flusher;
    private final List<JournalSink> sinks = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> surfaceResources = new CopyOnWriteArrayList<>();
    private final Shards shards;
    private final HttpMetrics httpMetrics;
    private final AccessGate gate;
    private final BlockingTasks blocking = new BlockingTasks(4, 256);
    private final List<OffHeapStore<?>> stores = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;
    private volatile HealthReport health;

    EdgeRuntime(
        final EdgeSettings settings, final Database database, final Journal journal, final Shards shards,
        final HttpMetrics httpMetrics)
    {
        this.settings = settings;
        this.database = database;
        this.journal = journal;
        this.shards = shards;
        this.httpMetrics = httpMetrics;
        this.gate = new AccessGate(settings);
    }

    public EdgeSettings settings()
    {
        return settings;
    }

    public Database database()
    {
        return database;
    }

    /** @return the durable journal: append before acknowledging a change that must survive. */
    public Journal journal()
    {
        return journal;
    }

    /** @return the write-behind flusher (set once all surfaces have registered their sinks). */
    public JournalFlusher flusher()
    {
        return flusher;
    }

    void flusher(final JournalFlusher flusher)
    {
        this.flusher = flusher;
    }

    /**
     * Registers how journal entries of one type reach PostgreSQL. Start-up only (during
     * {@link Surface#register}); entries without a sink go to the generic {@code event_log}.
     */
    public void registerSink(final JournalSink sink)
    {
        sinks.add(sink);
    }

    List<JournalSink> sinks()
    {
        return List.copyOf(sinks);
    }

    /**
     * Registers something a surface started (a timer, a listener thread) to be closed at shutdown,
     * after the listeners stop and before the shard writers drain. Start-up only.
     */
    public void closeOnShutdown(final AutoCloseable resource)
    {
        surfaceResources.add(resource);
    }

    /** Closes surface resources in reverse registration order. */
    void closeSurfaceResources() throws Exception
    {
        for (int i = surfaceResources.size() - 1; i >= 0; i--)
        {
            surfaceResources.get(i).close();
        }
        surfaceResources.clear();
    }

    public Shards shards()
    {
        return shards;
    }

    public HttpMetrics httpMetrics()
    {
        return httpMetrics;
    }

    public AccessGate gate()
    {
        return gate;
    }

    /** @return the bounded pool for blocking work (administrative JDBC), never used on hot paths. */
    public BlockingTasks blocking()
    {
        return blocking;
    }

    /** @return the directory for off-heap state files. */
    public Path stateDir()
    {
        return settings.dataDir().resolve("state");
    }

    /**
     * Opens an off-heap store under the state directory; the runtime reports it in health and
     * metrics and closes it at shutdown. Start-up only.
     */
    public <V extends BytesMarshallable> OffHeapStore<V> openStore(final StoreSpec<V> spec)
    {
        final OffHeapStore<V> store = OffHeapStore.open(spec, stateDir());
        stores.add(store);
        httpMetrics.gauge("edgeplane_state_entries", "Entries in an off-heap state store.", "store", spec.name(), store::size);
        httpMetrics.gauge("edgeplane_state_fill_ratio", "Share of an off-heap store's space in use.", "store", spec.name(),
            store::fill);
        return store;
    }

    /** @return the stores opened so far. */
    public List<OffHeapStore<?>> stores()
    {
        return List.copyOf(stores);
    }

    /** @return the latest health probe result. */
    public HealthReport health()
    {
        return health;
    }

    void health(final HealthReport report)
    {
        this.health = report;
    }

    /** @return true once graceful shutdown has begun: answers carry {@code Connection: close}. */
    public boolean draining()
    {
        return draining;
    }

    void startDraining()
    {
        draining = true;
    }

    void requestStarted()
    {
        inFlight.incrementAndGet();
    }

    void requestFinished()
    {
        inFlight.decrementAndGet();
    }

    /** @return requests dispatched to a handler and not yet answered. */
    public int inFlight()
    {
        return inFlight.get();
    }
}
