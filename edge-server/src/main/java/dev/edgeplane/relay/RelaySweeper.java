package dev.edgeplane.relay;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.edgeplane.relay.state.IdempotencyRecord;
import dev.edgeplane.relay.state.LoginAttempt;
import dev.edgeplane.relay.state.RelaySession;
import dev.edgeplane.relay.state.TokenFamily;
import dev.edgeplane.relay.state.WebhookDelivery;
import dev.edgeplane.state.ShardWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's timers: every {@code RELAY_SWEEP_MS} each live (or long-stopped) session gets a
 * {@link RelayLifecycle#tick} on its user's shard, which meters relay time and applies the timed transitions
 * (health lost → grace, grace over → stopped, provisioning timeout → stopped); about every 30 s expired
 * idempotency keys, login attempts, token families, webhook deliveries and rate-limit windows are forgotten.
 * Deadlines are compared with the injected clock, so a test that moves its clock sees the timers fire on the
 * next pass.
 *
 * <p>Threading: scans run on the "relay-timers" thread and only read the stores; every change is handed to
 * the owning shard, which re-reads before acting.
 */
final class RelaySweeper implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(RelaySweeper.class);
    private static final long CLEANUP_EVERY_MILLIS = 30_000;
    private static final long ATTEMPT_KEEP_MILLIS = 10 * 60_000;
    private static final long DELIVERY_KEEP_MILLIS = 30L * 24 * 3600_000;

    private record Due(String key, String owner)
    {
    }

    private final RelayPlane p;
    private final RelayLifecycle lifecycle;
    private long lastCleanupNanos = System.nanoTime();

    RelaySweeper(final RelayPlane plane, final RelayLifecycle lifecycle)
    {
        this.p = plane;
        this.lifecycle = lifecycle;
    }

    RelaySweeper start()
    {
        final long period = p.settings.sweepMillis();
        p.timers.scheduleWithFixedDelay(this::passSafely, period, period, TimeUnit.MILLISECONDS);
        return this;
    }

    private void passSafely()
    {
        try
        {
            pass();
        }
        catch (final RuntimeException e)
        {
            LOG.warn("relay sweep failed", e);
        }
    }

    private void pass()
    {
        final long now = p.now();
        final long retention = p.settings.sessionRetention().toMillis();
        final List<Due> sessions = new ArrayList<>();
        p.sessions.forEach((id, s) ->
        {
            if (s.live() || (s.state == RelaySession.STOPPED && now - s.stateSinceMillis >= retention))
            {
                sessions.add(new Due(id.toString(), s.userId));
            }
        });
        for (final Due d : sessions)
        {
            p.onShard(p.userShard(d.owner()), () -> lifecycle.tick(d.key()));
        }
        if (System.nanoTime() - lastCleanupNanos >= TimeUnit.MILLISECONDS.toNanos(CLEANUP_EVERY_MILLIS))
        {
            lastCleanupNanos = System.nanoTime();
            cleanup(now);
        }
    }

    private void cleanup(final long now)
    {
        final long idemTtl = p.settings.idempotencyTtl().toMillis();
        final List<Due> keys = new ArrayList<>();
        p.idempotency.forEach((k, r) ->
        {
            if (now - r.createdAtMillis >= idemTtl)
            {
                final String key = k.toString();
                keys.add(new Due(key, key.substring(0, Math.max(0, key.indexOf(':')))));
            }
        });
        for (final Due d : keys)
        {
            p.onShard(p.userShard(d.owner()), () ->
            {
                final IdempotencyRecord r = p.idempotency.get(d.key(), new IdempotencyRecord());
                if (r != null && p.now() - r.createdAtMillis >= idemTtl)
                {
                    p.idempotency.remove(d.key());
                }
            });
        }

        final List<Due> attempts = new ArrayList<>();
        p.attempts.forEach((k, a) ->
        {
            if (now >= a.expiresAtMillis + ATTEMPT_KEEP_MILLIS)
            {
                attempts.add(new Due(k.toString(), k.toString()));
            }
        });
        for (final Due d : attempts)
        {
            p.onShard(p.attemptShard(d.key()), () ->
            {
                final LoginAttempt a = p.attempts.get(d.key(), new LoginAttempt());
                if (a != null && p.now() >= a.expiresAtMillis + ATTEMPT_KEEP_MILLIS)
                {
                    p.attempts.remove(d.key());
                }
            });
        }

        // A family is kept while its refresh token may still be presented, and a revoked one while access
        // tokens it issued could still be within their lifetime (they are refused by looking it up).
        final long accessMillis = p.settings.accessTtl().toMillis() + p.settings.jwtLeeway().toMillis();
        final List<Due> families = new ArrayList<>();
        p.families.forEach((k, f) ->
        {
            if (finished(f, now, accessMillis))
            {
                families.add(new Due(k.toString(), f.userId));
            }
        });
        for (final Due d : families)
        {
            p.onShard(p.userShard(d.owner()), () ->
            {
                final TokenFamily f = p.families.get(d.key(), new TokenFamily());
                if (f != null && finished(f, p.now(), accessMillis))
                {
                    p.families.remove(d.key());
                }
            });
        }

        final List<Due> deliveries = new ArrayList<>();
        p.deliveries.forEach((k, w) ->
        {
            if (now - w.receivedAtMillis >= DELIVERY_KEEP_MILLIS)
            {
                deliveries.add(new Due(k.toString(), w.userId));
            }
        });
        for (final Due d : deliveries)
        {
            p.onShard(p.userShard(d.owner()), () ->
            {
                final WebhookDelivery w = p.deliveries.get(d.key(), new WebhookDelivery());
                if (w != null && p.now() - w.receivedAtMillis >= DELIVERY_KEEP_MILLIS)
                {
                    p.deliveries.remove(d.key());
                }
            });
        }

        for (int i = 0; i < p.runtime.shards().count(); i++)
        {
            final ShardWriter shard = p.runtime.shards().get(i);
            p.onShard(shard, () -> p.limiter.sweep(shard, p.now()));
        }
        p.signIns.sweep(now);
    }

    private static boolean finished(final TokenFamily f, final long now, final long accessMillis)
    {
        final long end = f.revoked() ? f.revokedAtMillis + accessMillis : f.expiresAtMillis + accessMillis;
        return now >= end;
    }

    @Override
    public void close()
    {
        // The timers belong to RelayPlane, which shuts them down.
    }
}
