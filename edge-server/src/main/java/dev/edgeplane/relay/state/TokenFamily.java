package dev.edgeplane.relay.state;

import dev.edgeplane.state.OffHeapText;
import dev.edgeplane.state.StoreSpec;
import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;

/**
 * One refresh-token family (one plugin login), keyed by family id: the SHA-256 of its current and previous
 * refresh token (never a token in clear), the generation, when it last rotated (the concurrent-refresh grace
 * window), the id and issue time of the current access token (so a refresh inside the grace window can hand
 * out the very same pair) and whether it is revoked (reuse detection, RFC 9700 section 4.14.2, or logout).
 * Owned by the user's shard; kept off-heap so logins survive a restart.
 *
 * <p>Not thread-safe: one instance per use, filled through {@code OffHeapStore.get(key, using)}.
 */
public final class TokenFamily implements BytesMarshallable
{
    public static final int HASH_BYTES = 32;

    public static final StoreSpec<TokenFamily> STORE = new StoreSpec<>("relay-token-families", TokenFamily.class,
        TokenFamily::new, 50_000, "0123456789abcdef0123456789abcdef", sample(), false);

    public String userId = "";
    public int generation;
    public byte[] currentHash = new byte[HASH_BYTES];
    public byte[] previousHash = new byte[HASH_BYTES];
    public long createdAtMillis;
    public long rotatedAtMillis;
    /** The current refresh token stops working at this instant (sliding: every rotation extends it). */
    public long expiresAtMillis;
    /** 0 while usable; otherwise when it was revoked. */
    public long revokedAtMillis;
    public String accessJti = "";
    public long accessIssuedAtSeconds;

    private static TokenFamily sample()
    {
        final TokenFamily f = new TokenFamily();
        f.userId = "usr_01jzqwjn803wtnhc445bvjenzc";
        f.accessJti = "0123456789abcdef0123456789abcdef";
        return f;
    }

    public boolean revoked()
    {
        return revokedAtMillis != 0;
    }

    @Override
    public void readMarshallable(final BytesIn<?> in)
    {
        userId = OffHeapText.readUtf8(in);
        generation = in.readInt();
        in.read(currentHash, 0, HASH_BYTES);
        in.read(previousHash, 0, HASH_BYTES);
        createdAtMillis = in.readLong();
        rotatedAtMillis = in.readLong();
        expiresAtMillis = in.readLong();
        revokedAtMillis = in.readLong();
        accessJti = OffHeapText.readUtf8(in);
        accessIssuedAtSeconds = in.readLong();
    }

    @Override
    public void writeMarshallable(final BytesOut<?> out)
    {
        out.writeUtf8(userId);
        out.writeInt(generation);
        out.write(currentHash, 0, HASH_BYTES);
        out.write(previousHash, 0, HASH_BYTES);
        out.writeLong(createdAtMillis);
        out.writeLong(rotatedAtMillis);
        out.writeLong(expiresAtMillis);
        out.writeLong(revokedAtMillis);
        out.writeUtf8(accessJti);
        out.writeLong(accessIssuedAtSeconds);
    }
}
