package dev.edgeplane.controlplane.acd;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;

import dev.edgeplane.controlplane.CallTrace;
import dev.edgeplane.controlplane.config.CompiledAccount;
import dev.edgeplane.controlplane.config.ConfigSnapshot;
import dev.edgeplane.state.OffHeapStore;
import dev.edgeplane.state.ShardWriter;
import dev.edgeplane.state.Shards;

/**
 * The ACD of every account (docs/SPEC-control-plane.md, "Agents and ACD"), one
 * {@link AccountDistributor} per account that has queues or agents, kept by the shard that owns the
 * account ({@code Shards.forKey(accountId)}), like its CAC counters.
 *
 * <p>Threading: every method but {@link #tick} must be called on the writer thread of the shard it is
 * given, and that must be the account's shard; the distributors are heap objects confined to it
 * (checked). Hand work over with {@link ShardWriter#offer}. What survives a restart is described on
 * {@link AccountDistributor}: agent records off-heap, waiting lines and offers rebuilt from the
 * callers' next polls.
 */
public final class CallDistributor
{
    /** Whether a device has a live registration (the registrations store, read on the account's shard). */
    @FunctionalInterface
    public interface DeviceReachability
    {
        boolean reachable(String device, String domain, long nowMillis);
    }

    /** Whether the control plane still knows a call (its entry in the calls store). */
    @FunctionalInterface
    public interface CallLiveness
    {
        boolean alive(String callId);
    }

    final OffHeapStore<AgentRecord> records;
    final AgentHistory history;
    final AcdSettings settings;
    final DeviceReachability reachability;
    private final CallLiveness liveness;
    private final Shards shards;
    private final List<Map<String, AccountDistributor>> byShard;
    /** Distributors per shard, published for {@link #tick} (written only by each shard's writer). */
    private final AtomicIntegerArray counts;

    public CallDistributor(final Shards shards, final OffHeapStore<AgentRecord> records, final CallTrace trace,
        final AcdSettings settings, final DeviceReachability reachability, final CallLiveness liveness)
    {
        this.shards = shards;
        this.records = records;
        this.history = new AgentHistory(trace);
        this.settings = settings;
        this.reachability = reachability;
        this.liveness = liveness;
        this.counts = new AtomicIntegerArray(shards.count());
        this.byShard = new ArrayList<>(shards.count());
        for (int i = 0; i < shards.count(); i++)
        {
            byShard.add(new HashMap<>());
        }
    }

    public AcdSettings settings()
    {
        return settings;
    }

    /**
     * @return the account's distributor, created on first use and brought up to date with the
     *         account's configuration.
     */
    public AccountDistributor account(final ShardWriter shard, final CompiledAccount account, final long now)
    {
        final Map<String, AccountDistributor> desks = confined(shard, account.id());
        AccountDistributor d = desks.get(account.id());
        if (d == null)
        {
            d = new AccountDistributor(account.id(), this);
            desks.put(account.id(), d);
            counts.set(shard.index(), desks.size());
        }
        d.sync(account, now);
        return d;
    }

    /** A call of the account ended: see {@link AccountDistributor#callEnded}. A no-op for accounts without ACD. */
    public void callEnded(final ShardWriter shard, final CompiledAccount account, final String callId, final long now)
    {
        if (account == null)
        {
            return;
        }
        if (hasAcd(account) || confined(shard, account.id()).containsKey(account.id()))
        {
            account(shard, account, now).callEnded(callId, now);
        }
    }

    /**
     * The periodic tick (any thread, e.g. the call sweeper): hands a {@link #sweep} to every shard
     * that owns an account with queues or agents, or still holds a distributor. Shards without ACD
     * get nothing, so the tick never takes a queue slot from them.
     */
    public void tick(final ConfigSnapshot snapshot, final long now)
    {
        final boolean[] due = new boolean[shards.count()];
        for (int i = 0; i < due.length; i++)
        {
            due[i] = counts.get(i) > 0;
        }
        for (final CompiledAccount account : snapshot.accounts())
        {
            if (hasAcd(account))
            {
                due[shards.forKey(account.id()).index()] = true;
            }
        }
        for (int i = 0; i < due.length; i++)
        {
            if (due[i])
            {
                final ShardWriter shard = shards.get(i);
                shard.offer(() -> sweep(shard, snapshot, now)); // a full queue skips one tick
            }
        }
    }

    /**
     * The periodic tick for one shard: drops the distributors of removed accounts and sweeps the
     * others (timers, forgotten callers, agents on calls that ended unseen).
     */
    public void sweep(final ShardWriter shard, final ConfigSnapshot snapshot, final long now)
    {
        final Map<String, AccountDistributor> desks = byShard.get(shard.index());
        if (!shard.inWriterThread())
        {
            throw new IllegalStateException("ACD state of shard " + shard.index() + " swept from " + Thread.currentThread().getName());
        }
        desks.keySet().removeIf(id -> snapshot.account(id) == null);
        counts.set(shard.index(), desks.size());
        for (final CompiledAccount account : snapshot.accounts())
        {
            if (hasAcd(account) && shards.forKey(account.id()) == shard)
            {
                account(shard, account, now).sweep(now, liveness);
            }
        }
    }

    private static boolean hasAcd(final CompiledAccount account)
    {
        return !account.config().agents().isEmpty() || !account.config().queues().isEmpty();
    }

    private Map<String, AccountDistributor> confined(final ShardWriter shard, final String accountId)
    {
        if (!shard.inWriterThread() || shards.forKey(accountId) != shard)
        {
            throw new IllegalStateException("ACD state of " + accountId + " touched from " + Thread.currentThread().getName()
                + ", not from its shard writer");
        }
        return byShard.get(shard.index());
    }
}
