package dev.edgeplane.relay.state;

import dev.edgeplane.state.OffHeapText;
import dev.edgeplane.state.StoreSpec;
import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;

/**
 * A user's entitlement and Time Bank, keyed by user id: the plan and subscription status billing webhooks
 * set, the current cycle with its included and add-on seconds, the relay time used in it, and the user's
 * current relay session. Owned by the user's shard; kept off-heap because entitlements and usage must survive
 * a restart (the journal holds the history, PostgreSQL the written-behind copy).
 *
 * <p>Not thread-safe: one instance per use, filled through {@code OffHeapStore.get(key, using)}.
 */
public final class RelayAccount implements BytesMarshallable
{
    public static final StoreSpec<RelayAccount> STORE = new StoreSpec<>("relay-accounts", RelayAccount.class,
        RelayAccount::new, 50_000, "usr_01jzqwjn803wtnhc445bvjenzc", sample(), false);

    /** Plan name from the plan catalog, empty when none. */
    public String plan = "";
    /** {@code none}, {@code active}, {@code on_trial}, {@code past_due}, {@code cancelled}, {@code expired}, {@code refunded}. */
    public String status = "none";
    public String subscriptionId = "";
    public String variantId = "";
    public int quantity = 1;
    /** The provider's {@code updated_at} of the last subscription update applied (stale-update guard). */
    public long providerUpdatedMillis;
    public long cycleStartMillis;
    public long cycleEndMillis;
    public long cycleLengthMillis;
    public long includedSeconds;
    public long addonSeconds;
    public long usedMillis;
    /** The user's latest relay session id, empty when none. */
    public String currentSessionId = "";
    /** Bumped on every billing change, so history upserts apply in order. */
    public long version;

    private static RelayAccount sample()
    {
        final RelayAccount a = new RelayAccount();
        a.plan = "starter";
        a.status = "cancelled";
        a.subscriptionId = "1234567";
        a.variantId = "100001";
        a.currentSessionId = "rs_01jzqwjn803wtnhc445bvjenzc";
        return a;
    }

    @Override
    public void readMarshallable(final BytesIn<?> in)
    {
        plan = OffHeapText.readUtf8(in);
        status = OffHeapText.readUtf8(in);
        subscriptionId = OffHeapText.readUtf8(in);
        variantId = OffHeapText.readUtf8(in);
        quantity = in.readInt();
        providerUpdatedMillis = in.readLong();
        cycleStartMillis = in.readLong();
        cycleEndMillis = in.readLong();
        cycleLengthMillis = in.readLong();
        includedSeconds = in.readLong();
        addonSeconds = in.readLong();
        usedMillis = in.readLong();
        currentSessionId = OffHeapText.readUtf8(in);
        version = in.readLong();
    }

    @Override
    public void writeMarshallable(final BytesOut<?> out)
    {
        out.writeUtf8(plan);
        out.writeUtf8(status);
        out.writeUtf8(subscriptionId);
        out.writeUtf8(variantId);
        out.writeInt(quantity);
        out.writeLong(providerUpdatedMillis);
        out.writeLong(cycleStartMillis);
        out.writeLong(cycleEndMillis);
        out.writeLong(cycleLengthMillis);
        out.writeLong(includedSeconds);
        out.writeLong(addonSeconds);
        out.writeLong(usedMillis);
        out.writeUtf8(currentSessionId);
        out.writeLong(version);
    }
}
