package dev.edgeplane.relay.state;

import dev.edgeplane.state.OffHeapText;
import dev.edgeplane.state.StoreSpec;
import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;

/**
 * One relay session, keyed by its session id: where it runs, its state in the relay state machine
 * (docs/SPEC-relay.md, "Relay lifecycle"), the timers that drive it (last health report, end of grace) and how much
 * of it has been drawn from the Time Bank. Owned by the user's shard; kept off-heap so a restarted process finds
 * running relays, their grace timers and their metering where it left them.
 *
 * <p>Not thread-safe: one instance per use, filled through {@code OffHeapStore.get(key, using)}.
 */
public final class RelaySession implements BytesMarshallable
{
    public static final byte PROVISIONING = 1;
    public static final byte ACTIVE = 2;
    public static final byte GRACE = 3;
    public static final byte STOPPED = 4;

    public static final StoreSpec<RelaySession> STORE = new StoreSpec<>("relay-sessions", RelaySession.class,
        RelaySession::new, 20_000, "rs_01jzqwjn803wtnhc445bvjenzc", sample(), false);

    public String userId = "";
    public byte state;
    /** Why the session entered its current state, e.g. {@code health_lost}, {@code stop_requested}. */
    public String reason = "";
    public String region = "";
    public String instanceId = "";
    public String publicIp = "";
    public long createdAtMillis;
    public long stateSinceMillis;
    public long updatedAtMillis;
    public long lastHealthMillis;
    /** When grace ends (state {@link #GRACE} only). */
    public long graceUntilMillis;
    /** Relay time up to this instant has been drawn from the Time Bank. */
    public long meteredUntilMillis;
    /** Total relay time drawn by this session. */
    public long meteredMillis;
    /** Bumped on every change, so history upserts apply in order. */
    public long version;

    private static RelaySession sample()
    {
        final RelaySession s = new RelaySession();
        s.userId = "usr_01jzqwjn803wtnhc445bvjenzc";
        s.reason = "stop_requested";
        s.region = "eu-central-1";
        s.instanceId = "i-0123456789abcdef0";
        s.publicIp = "203.0.113.200";
        return s;
    }

    public static String stateName(final byte state)
    {
        return switch (state)
        {
            case PROVISIONING -> "provisioning";
            case ACTIVE -> "active";
            case GRACE -> "grace";
            case STOPPED -> "stopped";
            default -> "none";
        };
    }

    /** @return the state byte for a wire name, or 0 when unknown. */
    public static byte stateByName(final String name)
    {
        return switch (name == null ? "" : name)
        {
            case "provisioning" -> PROVISIONING;
            case "active" -> ACTIVE;
            case "grace" -> GRACE;
            case "stopped" -> STOPPED;
            default -> 0;
        };
    }

    /** @return true while the session holds (or is getting) a relay: provisioning, active or grace. */
    public boolean live()
    {
        return state == PROVISIONING || state == ACTIVE || state == GRACE;
    }

    @Override
    public void readMarshallable(final BytesIn<?> in)
    {
        userId = OffHeapText.readUtf8(in);
        state = in.readByte();
        reason = OffHeapText.readUtf8(in);
        region = OffHeapText.readUtf8(in);
        instanceId = OffHeapText.readUtf8(in);
        publicIp = OffHeapText.readUtf8(in);
        createdAtMillis = in.readLong();
        stateSinceMillis = in.readLong();
        updatedAtMillis = in.readLong();
        lastHealthMillis = in.readLong();
        graceUntilMillis = in.readLong();
        meteredUntilMillis = in.readLong();
        meteredMillis = in.readLong();
        version = in.readLong();
    }

    @Override
    public void writeMarshallable(final BytesOut<?> out)
    {
        out.writeUtf8(userId);
        out.writeByte(state);
        out.writeUtf8(reason);
        out.writeUtf8(region);
        out.writeUtf8(instanceId);
        out.writeUtf8(publicIp);
        out.writeLong(createdAtMillis);
        out.writeLong(stateSinceMillis);
        out.writeLong(updatedAtMillis);
        out.writeLong(lastHealthMillis);
        out.writeLong(graceUntilMillis);
        out.writeLong(meteredUntilMillis);
        out.writeLong(meteredMillis);
        out.writeLong(version);
    }
}
