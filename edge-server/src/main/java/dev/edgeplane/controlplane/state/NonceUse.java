package dev.edgeplane.controlplane.state;

import dev.edgeplane.state.StoreSpec;
import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;

/**
 * One accepted digest answer, keyed by {@code nonce:nc:cnonce}, remembered for the nonce lifetime so
 * a replayed answer is refused (docs/SPEC-control-plane.md, POST /auth). Entries are inserted with the
 * map's atomic {@code putIfAbsent}, so the store needs no single owner; the sweeper removes expired
 * ones.
 */
public final class NonceUse implements BytesMarshallable
{
    public static final StoreSpec<NonceUse> STORE = new StoreSpec<>("auth-nonces", NonceUse.class, NonceUse::new,
        1_000_000, "ZTI1ZjM0NDUtYjY0Mi00ZmM4LWE1ZmItN2NlMjlhOGQ1NDVi:00000001:0a4f113b", new NonceUse(), true);

    public long expiresAtMillis;

    @Override
    public void readMarshallable(final BytesIn<?> in)
    {
        expiresAtMillis = in.readLong();
    }

    @Override
    public void writeMarshallable(final BytesOut<?> out)
    {
        out.writeLong(expiresAtMillis);
    }
}
