package dev.edgeplane.controlplane.state;

import dev.edgeplane.state.OffHeapText;
import dev.edgeplane.state.StoreSpec;
import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;

/**
 * What the control plane knows about one call, keyed by Call-ID: the routing decision it answered
 * (so a retried {@code /route} gets the same answer), whether it holds a CAC channel, and its
 * dialog state. Owned by the call's account shard; kept off-heap so CAC counters can be rebuilt
 * from these entries after a restart.
 *
 * <p>Not thread-safe: one instance per thread, reused through {@code OffHeapStore.get(key, using)}.
 */
public final class CallEntry implements BytesMarshallable
{
    public static final byte INBOUND = 1;
    public static final byte OUTBOUND = 2;
    public static final byte INTERNAL = 3;

    public static final byte ROUTED = 1;
    public static final byte EARLY = 2;
    public static final byte CONFIRMED = 3;

    public static final StoreSpec<CallEntry> STORE = new StoreSpec<>("calls", CallEntry.class, CallEntry::new,
        1_000_000, "a84b4c76e66710@pbx.example.com", sample(), false);

    public String accountId = "";
    public byte direction;
    public byte state;
    /** True while the call holds one of the account's channels. */
    public boolean admitted;
    public long createdAtMillis;
    public long lastSeenMillis;
    public long answeredAtMillis;
    public String from = "";
    public String to = "";
    /** The {@code /route} response body, replayed verbatim for retries of the same Call-ID. */
    public byte[] decision = new byte[0];

    private static CallEntry sample()
    {
        final CallEntry e = new CallEntry();
        e.accountId = "acc_01jf18ah3jeb5w6dfp27sgjsbt";
        e.from = "14155551234";
        e.to = "12025550123";
        e.decision = new byte[220];
        return e;
    }

    public static String directionName(final byte direction)
    {
        return switch (direction)
        {
            case INBOUND -> "inbound";
            case OUTBOUND -> "outbound";
            case INTERNAL -> "internal";
            default -> "none";
        };
    }

    public static String stateName(final byte state)
    {
        return switch (state)
        {
            case EARLY -> "early";
            case CONFIRMED -> "confirmed";
            default -> "routed";
        };
    }

    @Override
    public void readMarshallable(final BytesIn<?> in)
    {
        accountId = OffHeapText.readUtf8(in);
        direction = in.readByte();
        state = in.readByte();
        admitted = in.readBoolean();
        createdAtMillis = in.readLong();
        lastSeenMillis = in.readLong();
        answeredAtMillis = in.readLong();
        from = OffHeapText.readUtf8(in);
        to = OffHeapText.readUtf8(in);
        final int n = (int)in.readStopBit();
        if (decision.length != n)
        {
            decision = new byte[n];
        }
        in.read(decision, 0, n);
    }

    @Override
    public void writeMarshallable(final BytesOut<?> out)
    {
        out.writeUtf8(accountId);
        out.writeByte(direction);
        out.writeByte(state);
        out.writeBoolean(admitted);
        out.writeLong(createdAtMillis);
        out.writeLong(lastSeenMillis);
        out.writeLong(answeredAtMillis);
        out.writeUtf8(Registration.clip(from));
        out.writeUtf8(Registration.clip(to));
        out.writeStopBit(decision.length);
        out.write(decision);
    }
}
