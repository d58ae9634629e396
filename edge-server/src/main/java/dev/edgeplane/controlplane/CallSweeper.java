package dev.edgeplane.controlplane;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.edgeplane.controlplane.flow.FlowSession;
import dev.edgeplane.controlplane.state.AuthGuard;
import dev.edgeplane.controlplane.state.CallEntry;
import dev.edgeplane.controlplane.state.NonceUse;
import dev.edgeplane.controlplane.state.Registration;
import dev.edgeplane.state.ShardTask;
import dev.edgeplane.state.ShardWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodic clean-up that keeps counters honest when the SIP layer goes quiet: reclaims the CAC
 * channel of a call that shows no life for its TTL (traced as {@code cac.reclaim}, with a call
 * record), forgets expired registrations, used nonces and abandoned flow sessions, and ticks the ACD
 * of the shards that have one (due ring timeouts, wrap-ups and max waits; agents on calls that
 * ended unseen), and forgets the failure count of a source address once its window and ban are over
 * (so the auth-failure store holds only addresses that still matter).
 *
 * <p>Only entries that are due are visited: each shard keeps an {@link ExpiryIndex} per kind of entry
 * ({@link Expiries}), filled by the writers that create entries and rebuilt from the stores at
 * start-up; a tick pops what is due and re-checks it against the store (the call may have come back to
 * life: then it is scheduled again at its new deadline). A live call is not touched by a tick.
 *
 * <p>Threading: the "call-sweeper" thread only offers one pre-built task per shard each period; the
 * visits run on the shard's writer, which owns the index and the entries.
 */
final class CallSweeper implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(CallSweeper.class);

    private final ControlPlane cp;
    private final ShardTask[] ticks;
    private final ExpiryIndex.Expirer calls = this::expireCall;
    private final ExpiryIndex.Expirer registrations = this::expireRegistration;
    private final ExpiryIndex.Expirer sessions = this::expireSession;
    private final ExpiryIndex.Expirer nonces = this::expireNonce;
    private final ExpiryIndex.Expirer guards = this::expireGuard;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r ->
    {
        final Thread t = new Thread(r, "call-sweeper");
        t.setDaemon(true);
        return t;
    });

    CallSweeper(final ControlPlane cp)
    {
        this.cp = cp;
        this.ticks = new ShardTask[cp.shards().count()];
        for (int i = 0; i < ticks.length; i++)
        {
            final ShardWriter shard = cp.shards().get(i);
            ticks[i] = () -> tick(shard, System.currentTimeMillis());
        }
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

    /** One period: a tick for every shard (a full queue skips one), then the ACD timers. */
    void sweep(final long now)
    {
        for (int i = 0; i < ticks.length; i++)
        {
            cp.shards().get(i).offer(ticks[i]);
        }
        // ACD timers (ring timeouts, wrap-ups, max waits) are lazy; this tick applies them on the
        // account shards even when nothing touches the accounts. They journal what they change, so
        // while the journal cannot take writes (disk full) they wait for a pass after it can.
        if (cp.trace.journal().acceptingWrites())
        {
            cp.acd.tick(cp.config.snapshot(), now);
        }
    }

    /** On the shard's writer: visits what is due in its indexes. */
    void tick(final ShardWriter shard, final long now)
    {
        final Expiries e = cp.expiries(shard);
        final int c = e.calls.expire(shard, now, calls);
        final int r = e.registrations.expire(shard, now, registrations);
        final int s = e.sessions.expire(shard, now, sessions);
        final int n = e.nonces.expire(shard, now, nonces);
        final int g = e.guards.expire(shard, now, guards);
        if (c + r + s + n + g > 0 && LOG.isDebugEnabled())
        {
            LOG.debug("shard {} sweep visited {} calls, {} registrations, {} flow sessions, {} used nonces, {} auth guards",
                shard.index(), c, r, s, n, g);
        }
    }

    /** @return when a call entry falls stale: no sign of life for its TTL. */
    static long callDeadline(final ControlPlaneSettings settings, final CallEntry e)
    {
        final long ttl = e.state == CallEntry.CONFIRMED ? settings.leaseTtlMillis() : settings.setupTtlMillis();
        return e.lastSeenMillis + ttl + 1;
    }

    /** On the account's shard: reclaims a call with no sign of life, or returns its later deadline. */
    private long expireCall(final ShardWriter shard, final String callId, final long now)
    {
        final CallEntry e = cp.calls.get(callId, cp.entry(shard));
        if (e == null)
        {
            return 0;
        }
        final long deadline = callDeadline(cp.settings, e);
        if (deadline > now)
        {
            return deadline; // it showed life since it was scheduled
        }
        if (!cp.trace.journal().acceptingWrites())
        {
            return now + cp.settings.sweepMillis(); // a reclaim is journaled: it waits until the journal takes writes
        }
        cp.calls.remove(callId);
        if (e.admitted)
        {
            CallEnd.finish(cp, shard, callId, e, "reclaimed", now, null, null);
        }
        LOG.info("reclaimed call {} of {} after {} ms without a sign of life", callId, e.accountId, now - e.lastSeenMillis);
        cp.endFlowSession(callId);
        return 0;
    }

    /** On the account's shard. */
    private long expireRegistration(final ShardWriter shard, final String key, final long now)
    {
        final Registration r = cp.registrations.get(key, cp.expiries(shard).registration);
        if (r == null)
        {
            return 0;
        }
        if (r.liveAt(now))
        {
            return r.expiresAtMillis;
        }
        cp.registrations.remove(key);
        return 0;
    }

    /** On the Call-ID's shard: a flow session older than the lease TTL is abandoned. */
    private long expireSession(final ShardWriter shard, final String callId, final long now)
    {
        final FlowSession s = cp.flowSessions.get(callId, cp.session(shard));
        if (s == null)
        {
            return 0;
        }
        final long deadline = sessionDeadline(cp.settings, s);
        if (deadline > now)
        {
            return deadline;
        }
        cp.flowSessions.remove(callId);
        return 0;
    }

    static long sessionDeadline(final ControlPlaneSettings settings, final FlowSession s)
    {
        return s.startedAtMillis() + settings.leaseTtlMillis() + 1;
    }

    /** Seen-once set with no owner: a re-check and an atomic removal. */
    private long expireNonce(final ShardWriter shard, final String key, final long now)
    {
        final NonceUse n = cp.nonces.get(key, cp.expiries(shard).nonce);
        if (n == null)
        {
            return 0;
        }
        if (n.expiresAtMillis > now)
        {
            return n.expiresAtMillis; // used again after it expired: remembered anew
        }
        cp.nonces.remove(key);
        return 0;
    }

    /** @return when a source address's failures stop mattering: its counting window and any ban are over. */
    static long guardDeadline(final ControlPlaneSettings settings, final AuthGuard g)
    {
        return Math.max(g.windowStartMillis + settings.authWindowMillis(), g.bannedUntilMillis) + 1;
    }

    /** On the address's shard (the one that counts its failures). */
    private long expireGuard(final ShardWriter shard, final String ip, final long now)
    {
        final AuthGuard g = cp.guards.get(ip, cp.expiries(shard).guard);
        if (g == null)
        {
            return 0;
        }
        final long deadline = guardDeadline(cp.settings, g);
        if (deadline > now)
        {
            return deadline; // failed again, or banned, since it was scheduled
        }
        cp.guards.remove(ip);
        return 0;
    }

    @Override
    public void close()
    {
        timer.shutdownNow();
    }
}
