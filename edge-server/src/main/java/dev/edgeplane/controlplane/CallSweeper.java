package dev.edgeplane.controlplane;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.edgeplane.controlplane.state.CallEntry;
import dev.edgeplane.controlplane.state.NonceUse;
import dev.edgeplane.controlplane.state.Registration;
import dev.edgeplane.state.ShardWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodic clean-up that keeps counters honest when the SIP layer goes quiet: reclaims the CAC
 * channel of a call that shows no life for its TTL (traced as {@code cac.reclaim}, with a call
 * record), forgets expired registrations, used nonces and abandoned flow sessions, and ticks the ACD
 * of the shards that have one (due ring timeouts, wrap-ups and max waits; agents on calls that
 * ended unseen).
 *
 * <p>Threading: scans run on the "call-sweeper" thread and only read the stores; every change is
 * handed to the owning shard, which re-checks before acting (the call may have come back to life).
 */
final class CallSweeper implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(CallSweeper.class);

    private final ControlPlane cp;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r ->
    {
        final Thread t = new Thread(r, "call-sweeper");
        t.setDaemon(true);
        return t;
    });

    private record Candidate(String key, String accountId)
    {
    }

    CallSweeper(final ControlPlane cp)
    {
        this.cp = cp;
    }

    CallSweeper start()
    {
        final long period = cp.settings.sweepMillis();
        timer.scheduleWithFixedDelay(this::sweepSafely, period, period, TimeUnit.MILLISECONDS);
        return this;
    }

    private void sweepSafely()
    {
        try
        {
            sweep(System.currentTimeMillis());
        }
        catch (final RuntimeException e)
        {
            LOG.warn("sweep failed", e);
        }
    }

    /** One pass; package-private so tests can drive it with their own clock. */
    void sweep(final long now)
    {
        // Reclaiming a call and the ACD timers journal what they change: while the journal cannot take writes
        // (disk full) they wait for the next pass after it can, so state and journal never disagree.
        final boolean journaling = cp.trace.journal().acceptingWrites();
        final List<Candidate> calls = new ArrayList<>();
        cp.calls.forEach((callId, e) ->
        {
            if (journaling && stale(e, now))
            {
                calls.add(new Candidate(callId.toString(), e.accountId));
            }
        });
        for (final Candidate c : calls)
        {
            final ShardWriter shard = cp.accountShard(c.accountId());
            shard.offer(() -> reclaim(shard, c.key(), now));
        }

        final List<Candidate> registrations = new ArrayList<>();
        cp.registrations.forEach((key, r) ->
        {
            if (!r.liveAt(now))
            {
                registrations.add(new Candidate(key.toString(), r.accountId));
            }
        });
        for (final Candidate c : registrations)
        {
            cp.accountShard(c.accountId()).offer(() ->
            {
                final Registration r = cp.registrations.get(c.key(), new Registration());
                if (r != null && !r.liveAt(now))
                {
                    cp.registrations.remove(c.key());
                }
            });
        }

        final List<String> nonces = new ArrayList<>();
        cp.nonces.forEach((key, n) ->
        {
            if (n.expiresAtMillis <= now)
            {
                nonces.add(key.toString());
            }
        });
        final NonceUse reusable = new NonceUse();
        for (final String key : nonces)
        {
            final NonceUse n = cp.nonces.get(key, reusable);
            if (n != null && n.expiresAtMillis <= now)
            {
                cp.nonces.remove(key); // seen-once set: atomic removal, no owner
            }
        }

        final List<String> sessions = new ArrayList<>();
        cp.flowSessions.forEach((callId, s) ->
        {
            if (now - s.startedAtMillis() > cp.settings.leaseTtlMillis())
            {
                sessions.add(callId.toString());
            }
        });
        for (final String callId : sessions)
        {
            cp.callShard(callId).offer(() -> cp.flowSessions.remove(callId));
        }
        // ACD timers (ring timeouts, wrap-ups, max waits) are lazy; this tick applies them on the
        // account shards even when nothing touches the accounts.
        if (journaling)
        {
            cp.acd.tick(cp.config.snapshot(), now);
        }
        if (!calls.isEmpty() || !registrations.isEmpty() || !sessions.isEmpty())
        {
            LOG.info("sweep: {} stale calls, {} expired registrations, {} old flow sessions, {} used nonces",
                calls.size(), registrations.size(), sessions.size(), nonces.size());
        }
    }

    private boolean stale(final CallEntry e, final long now)
    {
        final long ttl = e.state == CallEntry.CONFIRMED ? cp.settings.leaseTtlMillis() : cp.settings.setupTtlMillis();
        return now - e.lastSeenMillis > ttl;
    }

    /** On the account's shard: the call may have shown life since the scan, so check again. */
    private void reclaim(final ShardWriter shard, final String callId, final long now)
    {
        final CallEntry e = cp.calls.get(callId, cp.entry(shard));
        if (e == null || !stale(e, now))
        {
            return;
        }
        cp.calls.remove(callId);
        if (e.admitted)
        {
            CallEnd.finish(cp, shard, callId, e, "reclaimed", now, null, null);
        }
        cp.callShard(callId).offer(() -> cp.flowSessions.remove(callId));
    }

    @Override
    public void close()
    {
        timer.shutdownNow();
    }
}
