package dev.edgeplane.state;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiConsumer;

import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A typed, persisted, off-heap key-value store on Chronicle Map: the values live in a memory-mapped
 * file under the state directory, so the heap stays small and a restarted process finds them again.
 *
 * <p>Threading: reads are safe from any thread. By convention every write to a key goes through the
 * shard that owns the key (single writer); the map's own segment locks make a concurrent read see
 * either the old or the new value, never a torn one.
 *
 * <p>Crash safety: a marker file {@code <name>.cm.open} exists while the store is open. Finding it at
 * open time means the previous process did not close the map (SIGKILL, power loss), so the file is
 * opened with Chronicle Map's recovery, which repairs segment locks and counters left mid-update.
 * Chronicle's own JVM exit hook is not used: whoever opens a store closes it ({@link #close}), after its
 * last write (the server does so in its shutdown sequence), which is what removes the marker.
 *
 * @param <V> value type with a fixed {@link BytesMarshallable} layout (no Java serialization).
 */
public final class OffHeapStore<V extends BytesMarshallable> implements AutoCloseable
{
    static
    {
        StateSettings.disableChronicleAnalytics();
    }

    private static final Logger LOG = LoggerFactory.getLogger(OffHeapStore.class);
    /** How far past its configured entries a store may grow before a put fails. */
    static final double MAX_BLOAT_FACTOR = 4.0;

    private final StoreSpec<V> spec;
    private final ChronicleMap<CharSequence, V> map;
    private final Path file;
    private final Path openMarker;
    private final boolean recovered;

    private OffHeapStore(
        final StoreSpec<V> spec, final ChronicleMap<CharSequence, V> map, final Path file, final Path openMarker,
        final boolean recovered)
    {
        this.spec = spec;
        this.map = map;
        this.file = file;
        this.openMarker = openMarker;
        this.recovered = recovered;
    }

    /**
     * Opens (creating if absent) the store described by {@code spec} under {@code directory}.
     */
    public static <V extends BytesMarshallable> OffHeapStore<V> open(final StoreSpec<V> spec, final Path directory)
    {
        try
        {
            Files.createDirectories(directory);
            final Path file = directory.resolve(spec.name() + ".cm");
            final Path marker = directory.resolve(spec.name() + ".cm.open");
            final boolean crashed = Files.exists(marker) && Files.exists(file);

            ChronicleMapBuilder<CharSequence, V> builder = ChronicleMapBuilder.of(CharSequence.class, spec.valueClass())
                .name(spec.name())
                .entries(spec.entries())
                // Past the configured entries the map grows (up to 4x) instead of failing a put.
                .maxBloatFactor(MAX_BLOAT_FACTOR)
                .averageKey(spec.averageKey())
                // The server closes its stores in its own shutdown sequence, after the last write; Chronicle's
                // exit hook would close them under in-flight requests and leave the open marker behind.
                .skipCloseOnExitHook(true);
            builder = spec.constantSize()
                ? builder.constantValueSizeBySample(spec.sampleValue())
                : builder.averageValue(spec.sampleValue());

            final File f = file.toFile();
            final ChronicleMap<CharSequence, V> map = crashed
                ? builder.recoverPersistedTo(f, true)
                : builder.createPersistedTo(f);
            if (crashed)
            {
                LOG.warn("state store {} was not closed cleanly; recovered {} entries", spec.name(), map.longSize());
            }
            if (!Files.exists(marker))
            {
                Files.createFile(marker);
            }
            return new OffHeapStore<>(spec, map, file, marker, crashed);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot open state store " + spec.name(), e);
        }
    }

    /** @return the store's name. */
    public String name()
    {
        return spec.name();
    }

    /** @return the backing file. */
    public Path file()
    {
        return file;
    }

    /** @return true when this open repaired a store the previous process left open. */
    public boolean recovered()
    {
        return recovered;
    }

    /** @return a new empty value, for callers that keep one reusable instance per thread. */
    public V newValue()
    {
        return spec.factory().get();
    }

    /**
     * Reads a value into {@code using} without allocating a new value.
     *
     * @return {@code using} filled in, or {@code null} when the key is absent.
     */
    public V get(final CharSequence key, final V using)
    {
        return map.getUsing(key, using);
    }

    /** @return true when the key is present. */
    public boolean containsKey(final CharSequence key)
    {
        return map.containsKey(key);
    }

    /** Stores a value. Call only from the key's shard writer. */
    public void put(final CharSequence key, final V value)
    {
        // Through a query context rather than map.put, which would deserialize the old value into a
        // new object only to return it (hundreds of bytes of garbage per write).
        try (ExternalMapQueryContext<CharSequence, V, ?> c = map.queryContext(key))
        {
            c.updateLock().lock();
            final MapEntry<CharSequence, V> entry = c.entry();
            if (entry != null)
            {
                entry.doReplaceValue(c.wrapValueAsData(value));
            }
            else
            {
                c.absentEntry().doInsert(c.wrapValueAsData(value));
            }
        }
    }

    /**
     * Inserts only when the key is absent, atomically (the map's segment lock), so it is safe from
     * any thread; for stores whose entries have no single owner (a seen-once set).
     *
     * @return true when the value was inserted, false when the key was already present.
     */
    public boolean putIfAbsent(final CharSequence key, final V value)
    {
        return map.putIfAbsent(key, value) == null;
    }

    /**
     * Removes a key. Call only from the key's shard writer.
     *
     * @return true when something was removed.
     */
    public boolean remove(final CharSequence key)
    {
        try (ExternalMapQueryContext<CharSequence, V, ?> c = map.queryContext(key))
        {
            c.updateLock().lock();
            final MapEntry<CharSequence, V> entry = c.entry();
            if (entry == null)
            {
                return false;
            }
            entry.doRemove();
            return true;
        }
    }

    /**
     * Removes a key and reads what it held into {@code using}, in one lookup. Call only from the key's
     * shard writer.
     *
     * @return {@code using} filled with the removed value, or null when the key was absent.
     */
    public V remove(final CharSequence key, final V using)
    {
        try (ExternalMapQueryContext<CharSequence, V, ?> c = map.queryContext(key))
        {
            c.updateLock().lock();
            final MapEntry<CharSequence, V> entry = c.entry();
            if (entry == null)
            {
                return null;
            }
            final V removed = entry.value().getUsing(using);
            entry.doRemove();
            return removed;
        }
    }

    /** @return number of entries. */
    public long size()
    {
        return map.longSize();
    }

    /** @return the configured entry capacity. */
    public long capacity()
    {
        return spec.entries();
    }

    /** @return fraction of the map's allocated space in use (0..1), a Chronicle estimate. */
    public double fill()
    {
        return map.percentageFreeSpace() >= 0 ? 1.0 - map.percentageFreeSpace() / 100.0 : 0.0;
    }

    /**
     * Visits every entry; the value passed is reused between calls, copy what you keep. Intended for
     * start-up scans and tools, not for request paths.
     */
    public void forEach(final BiConsumer<CharSequence, V> visitor)
    {
        final V reusable = newValue();
        map.forEachEntry(entry ->
        {
            final V value = entry.value().getUsing(reusable);
            visitor.accept(entry.key().get(), value);
        });
    }

    /** Closes the map; the file and its contents stay for the next open. */
    @Override
    public void close()
    {
        if (map.isOpen())
        {
            map.close();
            try
            {
                Files.deleteIfExists(openMarker);
            }
            catch (final IOException e)
            {
                LOG.warn("could not remove open marker of state store {}", spec.name(), e);
            }
        }
    }
}
