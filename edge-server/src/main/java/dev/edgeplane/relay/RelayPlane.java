package dev.edgeplane.relay;

import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.edgeplane.relay.state.IdempotencyRecord;
import dev.edgeplane.relay.state.LoginAttempt;
import dev.edgeplane.relay.state.RelayAccount;
import dev.edgeplane.relay.state.RelaySession;
import dev.edgeplane.relay.state.TokenFamily;
import dev.edgeplane.relay.state.WebhookDelivery;
import dev.edgeplane.server.EdgeRuntime;
import dev.edgeplane.state.OffHeapStore;
import dev.edgeplane.state.ShardTask;
import dev.edgeplane.state.ShardWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the relay handlers share: settings and the injected clock, the off-heap stores, the user directory,
 * token issuers, manifest and plans, rate limiter and sign-in throttle, history writer, provisioner and the timer thread.
 *
 * <p>Ownership (single writer per key): a user's account, relay sessions, refresh-token families,
 * idempotency keys, webhook deliveries and rate-limit windows belong to the user's shard
 * ({@link #userShard}); a login attempt belongs to the attempt id's shard until it names a user. Stores may be
 * read from any thread; every write happens on the owning shard.
 *
 * <p>Thread-safe as documented per component. Built once at start-up.
 */
final class RelayPlane implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(RelayPlane.class);
    /** How long {@link #onShard} keeps retrying a full shard queue before giving up on a background task. */
    private static final int ON_SHARD_ATTEMPTS = 200;

    final EdgeRuntime runtime;
    final RelaySettings settings;
    final Clock clock;
    final OffHeapStore<RelaySession> sessions;
    final OffHeapStore<RelayAccount> accounts;
    final OffHeapStore<TokenFamily> families;
    final OffHeapStore<LoginAttempt> attempts;
    final OffHeapStore<IdempotencyRecord> idempotency;
    final OffHeapStore<WebhookDelivery> deliveries;
    final UserDirectory users;
    final PasswordHasher passwords;
    final AccessTokens accessTokens;
    final RefreshTokens refreshTokens;
    final RelayManifest manifest;
    final PlanCatalog plans;
    final RateLimiter limiter;
    final SignInThrottle signIns;
    final RelayHistory history;
    final ScheduledExecutorService timers;
    private final byte[] relayAuthKey;
    private RelayProvisioner provisioner;

    RelayPlane(final EdgeRuntime runtime, final Clock clock)
    {
        this.runtime = runtime;
        this.clock = clock;
        this.settings = RelaySettings.from(runtime.settings());
        this.manifest = RelayManifest.parse(settings.manifestJson());
        this.plans = PlanCatalog.parse(settings.plansJson());
        this.sessions = runtime.openStore(RelaySession.STORE);
        this.accounts = runtime.openStore(RelayAccount.STORE);
        this.families = runtime.openStore(TokenFamily.STORE);
        this.attempts = runtime.openStore(LoginAttempt.STORE);
        this.idempotency = runtime.openStore(IdempotencyRecord.STORE);
        this.deliveries = runtime.openStore(WebhookDelivery.STORE);
        this.users = new UserDirectory(runtime.database().dataSource()).load();
        this.passwords = new PasswordHasher(settings.passwordIterations());
        final byte[] root = settings.rootSecret();
        this.accessTokens = new AccessTokens(Secrets.derive(root, "jwt-hs256"), settings.accessTtl(), settings.jwtLeeway(), clock);
        this.refreshTokens = new RefreshTokens(Secrets.derive(root, "refresh-token"));
        this.relayAuthKey = Secrets.derive(root, "relay-auth");
        this.limiter = new RateLimiter(runtime.shards().count());
        this.signIns = new SignInThrottle(settings.signInAccountLimit(), settings.signInAddressLimit(),
            settings.signInWindow().toMillis(), SignInThrottle.CAPACITY_DEFAULT);
        this.history = new RelayHistory(runtime.journal());
        this.timers = Executors.newScheduledThreadPool(1, r ->
        {
            final Thread t = new Thread(r, "relay-timers");
            t.setDaemon(true);
            return t;
        });
        restoreCapacity();
    }

    /** Set once during start-up (the provisioner reports health back into the lifecycle built after this). */
    void provisioner(final RelayProvisioner provisioner)
    {
        this.provisioner = provisioner;
    }

    RelayProvisioner provisioner()
    {
        return provisioner;
    }

    long now()
    {
        return clock.millis();
    }

    ShardWriter userShard(final String userId)
    {
        return runtime.shards().forKey(userId);
    }

    ShardWriter attemptShard(final String attemptId)
    {
        return runtime.shards().forKey(attemptId);
    }

    /** @return the {@code X-Relay-Auth} secret of a session: HMAC of the session id under the relay-auth key. */
    String relayAuth(final String sessionId)
    {
        return Secrets.base64Url(Secrets.hmac(relayAuthKey, sessionId));
    }

    /**
     * Hands background work (provisioner completions, timers) to a shard. A full queue is retried a little
     * later rather than dropped, up to a bound, because no client is waiting to be told 503.
     */
    void onShard(final ShardWriter shard, final ShardTask task)
    {
        onShard(shard, task, 0);
    }

    private void onShard(final ShardWriter shard, final ShardTask task, final int attempt)
    {
        if (shard.offer(task))
        {
            return;
        }
        if (attempt >= ON_SHARD_ATTEMPTS)
        {
            LOG.error("relay: shard {} stayed full; a background task was dropped", shard.index());
            return;
        }
        try
        {
            timers.schedule(() -> onShard(shard, task, attempt + 1), 10, TimeUnit.MILLISECONDS);
        }
        catch (final java.util.concurrent.RejectedExecutionException e)
        {
            LOG.warn("relay: shutting down; a background task for shard {} was dropped", shard.index());
        }
    }

    /** Region capacity in use is derived from the live sessions (single-threaded, before listening). */
    private void restoreCapacity()
    {
        final long[] live = new long[1];
        sessions.forEach((id, s) ->
        {
            if (s.live())
            {
                manifest.restore(s.region);
                live[0]++;
            }
        });
        if (live[0] > 0)
        {
            LOG.info("relay: {} live sessions found at start-up", live[0]);
        }
    }

    @Override
    public void close()
    {
        timers.shutdownNow();
        if (provisioner != null)
        {
            provisioner.close();
        }
    }
}
