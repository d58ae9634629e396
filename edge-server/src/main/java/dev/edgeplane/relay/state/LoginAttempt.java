package dev.edgeplane.relay.state;

import dev.edgeplane.state.OffHeapText;
import dev.edgeplane.state.StoreSpec;
import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;

/**
 * One device-style plugin login (RFC 8628 semantics), keyed by login attempt id: the SHA-256 of its poll
 * token, whether it is pending, approved (for which user), denied or already consumed, and the polling
 * interval with the time of the last poll ({@code slow_down}). Owned by the attempt id's shard (there is no
 * user yet when it starts); kept off-heap so a login in progress survives a restart.
 *
 * <p>Not thread-safe: one instance per use, filled through {@code OffHeapStore.get(key, using)}.
 */
public final class LoginAttempt implements BytesMarshallable
{
    public static final byte PENDING = 1;
    public static final byte APPROVED = 2;
    public static final byte DENIED = 3;
    /** Approved and exchanged for tokens: the poll token is single-use. */
    public static final byte CONSUMED = 4;

    public static final int HASH_BYTES = 32;

    public static final StoreSpec<LoginAttempt> STORE = new StoreSpec<>("relay-login-attempts", LoginAttempt.class,
        LoginAttempt::new, 20_000, "la_01jzqwjn803wtnhc445bvjenzc", sample(), false);

    public byte[] pollTokenHash = new byte[HASH_BYTES];
    public byte status;
    public String userId = "";
    public long createdAtMillis;
    public long expiresAtMillis;
    public int intervalSeconds;
    /** 0 until the first poll, which is never throttled. */
    public long lastPollMillis;
    /** Failed sign-ins on the authorize page; too many deny the attempt. */
    public int failedSignIns;
    public String clientName = "";

    private static LoginAttempt sample()
    {
        final LoginAttempt a = new LoginAttempt();
        a.userId = "usr_01jzqwjn803wtnhc445bvjenzc";
        a.clientName = "OBS plugin 0.0.5";
        return a;
    }

    public static String statusName(final byte status)
    {
        return switch (status)
        {
            case PENDING -> "pending";
            case APPROVED -> "approved";
            case DENIED -> "denied";
            case CONSUMED -> "consumed";
            default -> "unknown";
        };
    }

    @Override
    public void readMarshallable(final BytesIn<?> in)
    {
        in.read(pollTokenHash, 0, HASH_BYTES);
        status = in.readByte();
        userId = OffHeapText.readUtf8(in);
        createdAtMillis = in.readLong();
        expiresAtMillis = in.readLong();
        intervalSeconds = in.readInt();
        lastPollMillis = in.readLong();
        failedSignIns = in.readInt();
        clientName = OffHeapText.readUtf8(in);
    }

    @Override
    public void writeMarshallable(final BytesOut<?> out)
    {
        out.write(pollTokenHash, 0, HASH_BYTES);
        out.writeByte(status);
        out.writeUtf8(userId);
        out.writeLong(createdAtMillis);
        out.writeLong(expiresAtMillis);
        out.writeInt(intervalSeconds);
        out.writeLong(lastPollMillis);
        out.writeInt(failedSignIns);
        out.writeUtf8(clientName);
    }
}
