package dev.edgeplane.state;

import java.util.function.Supplier;

import net.openhft.chronicle.bytes.BytesMarshallable;

/**
 * The shape of one off-heap store: its file name, capacity and value layout.
 *
 * @param name        file stem under the state directory ({@code <dir>/<name>.cm}); letters, digits, '-'.
 * @param valueClass  the value type; it writes a fixed layout through {@link BytesMarshallable}.
 * @param factory     makes an empty value (used for samples and reusable instances).
 * @param entries     the capacity to size the map for; Chronicle Map grows past it only slowly.
 * @param averageKey  a typical key, used to size the key area.
 * @param sampleValue a value of typical (or, with {@code constantSize}, exact) serialized size.
 * @param constantSize true when every value serializes to the same number of bytes.
 * @param <V>         value type.
 */
public record StoreSpec<V extends BytesMarshallable>(
    String name,
    Class<V> valueClass,
    Supplier<V> factory,
    long entries,
    String averageKey,
    V sampleValue,
    boolean constantSize)
{
    public StoreSpec
    {
        if (name == null || !name.matches("[A-Za-z0-9-]+"))
        {
            throw new IllegalArgumentException("store name must be letters, digits or '-': " + name);
        }
        if (entries < 1)
        {
            throw new IllegalArgumentException("entries must be >= 1");
        }
    }

    /** @return a copy sized for a different number of entries (tests and scale runs). */
    public StoreSpec<V> withEntries(final long newEntries)
    {
        return new StoreSpec<>(name, valueClass, factory, newEntries, averageKey, sampleValue, constantSize);
    }
}
