package dev.edgeplane.controlplane.acd;

import dev.edgeplane.state.OffHeapText;
import dev.edgeplane.state.StoreSpec;
import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;

/**
 * An agent's durable ACD state, kept off-heap in the {@link #STORE} keyed by
 * {@code accountId/userId}: status, state, lease epoch, calls taken this session, the queue override
 * of the session, and the call the agent is on or wrapping up. Written by the account's shard writer
 * on every agent change, read back the first time the account's distributor is built after a
 * restart, so logins, pauses, bridges, wrap-ups and epochs (fencing) survive a restart. Offers and
 * waiting callers are not kept here: an agent found {@code offered} comes back {@code idle}.
 *
 * <p>Layout (fixed order): version byte, status, state, epoch, callsTaken, stateSinceMillis,
 * wrapUntilMillis, callJoinStep, callId, callQueueId, queues (UTF-8; the override's ids joined by
 * {@code ','}, empty for none).
 *
 * <p>Not thread-safe: one instance per thread, reused through {@code OffHeapStore.get(key, using)}.
 */
public final class AgentRecord implements BytesMarshallable
{
    private static final byte LAYOUT_VERSION = 1;

    public static final StoreSpec<AgentRecord> STORE = new StoreSpec<>("acd-agents", AgentRecord.class, AgentRecord::new,
        100_000, "acc_01jf18ah3jeb5w6dfp27sgjsbt/usr_01jf18ah3jeb5w6dfp27sgjsbt", sample(), false);

    public byte status;
    public byte state;
    public long epoch;
    public int callsTaken;
    public long stateSinceMillis;
    public long wrapUntilMillis;
    public int callJoinStep;
    public String callId = "";
    public String callQueueId = "";
    public String queues = "";

    private static AgentRecord sample()
    {
        final AgentRecord r = new AgentRecord();
        r.callId = "a84b4c76e66710@pbx.example.com";
        r.callQueueId = "q_01jzqwjn803wtnhc445bvjenzb";
        r.queues = "q_01jzqwjn803wtnhc445bvjenzb";
        return r;
    }

    /** @return the store key of an agent. */
    public static String key(final String accountId, final String userId)
    {
        return accountId + "/" + userId;
    }

    @Override
    public void readMarshallable(final BytesIn<?> in)
    {
        final byte version = in.readByte();
        if (version != LAYOUT_VERSION)
        {
            throw new IllegalStateException("agent record layout " + version + ", expected " + LAYOUT_VERSION);
        }
        status = in.readByte();
        state = in.readByte();
        epoch = in.readLong();
        callsTaken = in.readInt();
        stateSinceMillis = in.readLong();
        wrapUntilMillis = in.readLong();
        callJoinStep = in.readInt();
        callId = OffHeapText.readUtf8(in);
        callQueueId = OffHeapText.readUtf8(in);
        queues = OffHeapText.readUtf8(in);
    }

    @Override
    public void writeMarshallable(final BytesOut<?> out)
    {
        out.writeByte(LAYOUT_VERSION);
        out.writeByte(status);
        out.writeByte(state);
        out.writeLong(epoch);
        out.writeInt(callsTaken);
        out.writeLong(stateSinceMillis);
        out.writeLong(wrapUntilMillis);
        out.writeInt(callJoinStep);
        out.writeUtf8(callId == null ? "" : callId);
        out.writeUtf8(callQueueId == null ? "" : callQueueId);
        out.writeUtf8(queues == null ? "" : queues);
    }
}
