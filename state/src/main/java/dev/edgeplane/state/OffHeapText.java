package dev.edgeplane.state;

import net.openhft.chronicle.bytes.BytesIn;

/**
 * Reads the text fields of off-heap values.
 *
 * <p>Chronicle's {@code readUtf8()} passes every string through its {@code StringInterner}, which compares
 * the cached candidate char by char on every read; with per-call values (Call-IDs, numbers) that never
 * repeat it is pure cost: 12 % of the event loop's samples under {@code /route} load (bench/RESULTS.md).
 * This reads into a per-thread scratch builder and copies once.
 *
 * <p>Threading: safe from any thread (the scratch builder is per thread).
 */
public final class OffHeapText
{
    private static final ThreadLocal<StringBuilder> SCRATCH = ThreadLocal.withInitial(() -> new StringBuilder(64));

    private OffHeapText()
    {
    }

    /** @return the string written by {@code writeUtf8}, or null where null was written. */
    public static String readUtf8(final BytesIn<?> in)
    {
        final StringBuilder text = SCRATCH.get();
        return in.readUtf8(text) ? text.toString() : null;
    }
}
