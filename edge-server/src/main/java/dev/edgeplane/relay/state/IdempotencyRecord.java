package dev.edgeplane.relay.state;

import dev.edgeplane.state.OffHeapText;
import dev.edgeplane.state.StoreSpec;
import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;

/**
 * One {@code Idempotency-Key} of {@code POST /relay/start}, keyed by {@code <user id>:<key>} (keys are scoped
 * to the user): the SHA-256 of the canonical request body (same key, different body is refused), whether the
 * first request is still in flight, and the session it produced (a replay answers with that session's current
 * state). Owned by the user's shard; kept off-heap so a retry after a restart is still recognised.
 *
 * <p>Not thread-safe: one instance per use, filled through {@code OffHeapStore.get(key, using)}.
 */
public final class IdempotencyRecord implements BytesMarshallable
{
    public static final byte IN_FLIGHT = 1;
    public static final byte COMPLETED = 2;

    public static final int HASH_BYTES = 32;

    public static final StoreSpec<IdempotencyRecord> STORE = new StoreSpec<>("relay-idempotency", IdempotencyRecord.class,
        IdempotencyRecord::new, 50_000, "usr_01jzqwjn803wtnhc445bvjenzc:0b2f4c1e-3f1a-4d2b-9c3e-5a6b7c8d9e0f", sample(), false);

    public byte[] bodyHash = new byte[HASH_BYTES];
    public byte state;
    public long createdAtMillis;
    public String sessionId = "";

    private static IdempotencyRecord sample()
    {
        final IdempotencyRecord r = new IdempotencyRecord();
        r.sessionId = "rs_01jzqwjn803wtnhc445bvjenzc";
        return r;
    }

    @Override
    public void readMarshallable(final BytesIn<?> in)
    {
        in.read(bodyHash, 0, HASH_BYTES);
        state = in.readByte();
        createdAtMillis = in.readLong();
        sessionId = OffHeapText.readUtf8(in);
    }

    @Override
    public void writeMarshallable(final BytesOut<?> out)
    {
        out.write(bodyHash, 0, HASH_BYTES);
        out.writeByte(state);
        out.writeLong(createdAtMillis);
        out.writeUtf8(sessionId);
    }
}
