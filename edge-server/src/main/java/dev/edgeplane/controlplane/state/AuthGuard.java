package dev.edgeplane.controlplane.state;

import dev.edgeplane.state.StoreSpec;
import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;

/**
 * Failed digest attempts from one source address and the ban they earned, keyed by IP. Owned by
 * the address's shard (single writer).
 *
 * <p>Not thread-safe: one instance per thread, reused through {@code OffHeapStore.get(key, using)}.
 */
public final class AuthGuard implements BytesMarshallable
{
    public static final StoreSpec<AuthGuard> STORE = new StoreSpec<>("auth-guard", AuthGuard.class, AuthGuard::new,
        100_000, "2001:db8:85a3::8a2e:370:7334", new AuthGuard(), true);

    public long windowStartMillis;
    public int failures;
    public long bannedUntilMillis;
    public long lastFailureMillis;

    public AuthGuard clear()
    {
        windowStartMillis = 0;
        failures = 0;
        bannedUntilMillis = 0;
        lastFailureMillis = 0;
        return this;
    }

    @Override
    public void readMarshallable(final BytesIn<?> in)
    {
        windowStartMillis = in.readLong();
        failures = in.readInt();
        bannedUntilMillis = in.readLong();
        lastFailureMillis = in.readLong();
    }

    @Override
    public void writeMarshallable(final BytesOut<?> out)
    {
        out.writeLong(windowStartMillis);
        out.writeInt(failures);
        out.writeLong(bannedUntilMillis);
        out.writeLong(lastFailureMillis);
    }
}
