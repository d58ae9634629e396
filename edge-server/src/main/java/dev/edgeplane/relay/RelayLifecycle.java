package dev.edgeplane.relay;

import static dev.edgeplane.relay.state.RelaySession.ACTIVE;
import static dev.edgeplane.relay.state.RelaySession.GRACE;
import static dev.edgeplane.relay.state.RelaySession.PROVISIONING;
import static dev.edgeplane.relay.state.RelaySession.STOPPED;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import dev.edgeplane.relay.state.IdempotencyRecord;
import dev.edgeplane.relay.state.RelayAccount;
import dev.edgeplane.relay.state.RelaySession;
import dev.edgeplane.state.ShardWriter;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay lifecycle: start (with the Idempotency-Key contract), stop, health, operator transitions and the
 * timers (health lost, grace expired, provisioning timeout), every state change going through
 * {@link RelayStateMachine} and {@link #apply}, which also draws relay time from the Time Bank, gives region
 * capacity back, terminates instances and journals the transition.
 *
 * <p>Threading: every method except {@link #view} runs on the shard that owns the session's user (the caller
 * hands it there), so a user's account, sessions and idempotency keys have one writer. Provisioner callbacks
 * come back to the same shard through {@link RelayPlane#onShard}.
 */
final class RelayLifecycle
{
    private static final Logger LOG = LoggerFactory.getLogger(RelayLifecycle.class);

    static final String START_REQUESTED = "start_requested";
    static final String HEALTHY = "healthy";
    static final String LAUNCH_FAILED = "launch_failed";
    static final String PROVISION_TIMEOUT = "provision_timeout";
    static final String CANCELLED = "cancelled";
    static final String STOP_REQUESTED = "stop_requested";
    static final String HEALTH_LOST = "health_lost";
    static final String TIME_BANK_EMPTY = "time_bank_empty";
    static final String RESUMED = "resumed";
    static final String HEALTH_RESTORED = "health_restored";
    static final String GRACE_EXPIRED = "grace_expired";

    /** An in-flight Idempotency-Key older than this belongs to a request that died with its process. */
    static final long IN_FLIGHT_ABANDONED_MILLIS = 120_000;

    private final RelayPlane p;

    RelayLifecycle(final RelayPlane plane)
    {
        this.p = plane;
    }

    RelaySession session(final String sessionId)
    {
        return sessionId == null || sessionId.isEmpty() ? null : p.sessions.get(sessionId, new RelaySession());
    }

    RelayAccount account(final String userId)
    {
        final RelayAccount a = p.accounts.get(userId, new RelayAccount());
        return a != null ? a : new RelayAccount();
    }

    // ---- POST /relay/start ----

    /**
     * Starts a relay for the user, or answers for an earlier request with the same key. Every path ends in
     * exactly one call of {@code reply}, now or when the provisioner answers.
     */
    void start(final String userId, final String key, final byte[] bodyHash, final String regionName,
        final Consumer<Outcome> reply)
    {
        final long now = p.now();
        final String idemKey = userId + ":" + key;
        IdempotencyRecord rec = p.idempotency.get(idemKey, new IdempotencyRecord());
        if (rec != null && (now - rec.createdAtMillis >= p.settings.idempotencyTtl().toMillis()
            || now < rec.createdAtMillis
            || (rec.state == IdempotencyRecord.IN_FLIGHT && now - rec.createdAtMillis > IN_FLIGHT_ABANDONED_MILLIS)))
        {
            p.idempotency.remove(idemKey); // kept one hour (seed): after that the key is new again
            rec = null;
        }
        if (rec != null)
        {
            if (!Secrets.equal(rec.bodyHash, bodyHash))
            {
                reply.accept(Outcome.error(HttpResponseStatus.UNPROCESSABLE_ENTITY, "idempotency_key_reused",
                    "this Idempotency-Key was used with a different request body", Outcome.details("idempotency_key", key)));
            }
            else if (rec.state == IdempotencyRecord.IN_FLIGHT)
            {
                reply.accept(Outcome.error(HttpResponseStatus.CONFLICT, "idempotency_key_in_flight",
                    "a request with this Idempotency-Key is still being processed; retry shortly",
                    Outcome.details("idempotency_key", key)));
            }
            else
            {
                // Seed decision: a replay reconstructs the session's current state, not the first answer.
                final RelaySession s = session(rec.sessionId);
                final Map<String, Object> view = s != null ? view(rec.sessionId, s)
                    : Outcome.details("session_id", rec.sessionId, "state", "stopped");
                reply.accept(Outcome.ok(Map.of("session", view)).header("Idempotent-Replayed", "true"));
            }
            return;
        }

        final RelayAccount a = account(userId);
        final RelaySession current = session(a.currentSessionId);
        if (current != null && (current.state == PROVISIONING || current.state == ACTIVE))
        {
            remember(idemKey, bodyHash, IdempotencyRecord.COMPLETED, a.currentSessionId, now);
            reply.accept(Outcome.ok(Map.of("session", view(a.currentSessionId, current))));
            return;
        }
        final TimeBank.Entitlement entitlement = TimeBank.check(a, now);
        if (entitlement != TimeBank.Entitlement.OK)
        {
            p.accounts.put(userId, a); // the check may have rolled the cycle
            reply.accept(Outcome.error(HttpResponseStatus.PAYMENT_REQUIRED, entitlement.code, entitlement.message,
                Outcome.details("plan", a.plan.isEmpty() ? null : a.plan, "status", a.status,
                    "remaining_seconds", TimeBank.remainingSeconds(a))));
            return;
        }
        if (current != null && current.state == GRACE)
        {
            // A start during grace keeps the relay that is still running: grace → active.
            final long seq = apply(a.currentSessionId, current, a, ACTIVE, RESUMED, now);
            remember(idemKey, bodyHash, IdempotencyRecord.COMPLETED, a.currentSessionId, now);
            reply.accept(Outcome.ok(Map.of("session", view(a.currentSessionId, current))).after(seq));
            return;
        }

        final String region = regionName != null ? regionName : p.manifest.defaultRegion();
        final RelayManifest.Region r = p.manifest.region(region);
        if (r == null || !p.manifest.tryReserve(region))
        {
            reply.accept(Outcome.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "capacity_exhausted",
                "no relay can be launched in " + region + " right now", Outcome.details("region", region))
                .header("Retry-After", "30"));
            return;
        }
        final String id = RelayIds.next(RelayIds.SESSION, now);
        final RelaySession s = new RelaySession();
        s.userId = userId;
        s.state = PROVISIONING;
        s.reason = START_REQUESTED;
        s.region = region;
        s.createdAtMillis = now;
        s.stateSinceMillis = now;
        s.updatedAtMillis = now;
        s.version = 1;
        a.currentSessionId = id;
        p.sessions.put(id, s);
        p.accounts.put(userId, a);
        remember(idemKey, bodyHash, IdempotencyRecord.IN_FLIGHT, id, now);
        p.history.session(id, s, null, true, now);

        final ShardWriter shard = p.userShard(userId);
        final RelayProvisioner.LaunchRequest launch = new RelayProvisioner.LaunchRequest(id, userId, region, r.imageId(),
            p.manifest.instanceType(), p.relayAuth(id));
        try
        {
            p.provisioner().launch(launch).whenComplete((launched, failure) ->
                p.onShard(shard, () -> onLaunched(id, idemKey, launched, failure, reply)));
        }
        catch (final RuntimeException e)
        {
            onLaunched(id, idemKey, null, e, reply);
        }
    }

    /** On the user's shard, when the provisioner has answered a launch. */
    private void onLaunched(final String id, final String idemKey, final RelayProvisioner.Launched launched,
        final Throwable failure, final Consumer<Outcome> reply)
    {
        final long now = p.now();
        final RelaySession s = session(id);
        if (failure != null)
        {
            long seq = 0;
            if (s != null && s.state == PROVISIONING)
            {
                seq = apply(id, s, account(s.userId), STOPPED, LAUNCH_FAILED, now);
            }
            forget(idemKey, id); // the start failed: a retry with the same key may try again
            LOG.warn("relay: launch of {} failed: {}", id, Ec2Provisioner.describe(failure));
            reply.accept(Outcome.error(HttpResponseStatus.BAD_GATEWAY, "provisioner_failed",
                "the relay could not be launched; retry later",
                Outcome.details("session_id", id, "cause", Ec2Provisioner.describe(failure))).after(seq));
            return;
        }
        if (s == null)
        {
            p.provisioner().terminate("", launched.instanceId());
            forget(idemKey, id);
            reply.accept(Outcome.ok(Map.of("session", Outcome.details("session_id", id, "state", "stopped"))));
            return;
        }
        s.instanceId = launched.instanceId();
        s.publicIp = launched.publicIp();
        s.updatedAtMillis = now;
        s.version++;
        p.sessions.put(id, s);
        if (s.state != PROVISIONING)
        {
            // Stopped (cancelled) while the launch was on its way: give the instance back at once.
            terminate(s);
        }
        final IdempotencyRecord rec = p.idempotency.get(idemKey, new IdempotencyRecord());
        if (rec != null && rec.sessionId.equals(id))
        {
            rec.state = IdempotencyRecord.COMPLETED;
            p.idempotency.put(idemKey, rec);
        }
        final long seq = p.history.session(id, s, RelaySession.stateName(s.state), false, now);
        reply.accept(Outcome.json(HttpResponseStatus.CREATED, Map.of("session", view(id, s))).after(seq));
    }

    private void remember(final String idemKey, final byte[] bodyHash, final byte state, final String sessionId, final long now)
    {
        final IdempotencyRecord rec = new IdempotencyRecord();
        System.arraycopy(bodyHash, 0, rec.bodyHash, 0, IdempotencyRecord.HASH_BYTES);
        rec.state = state;
        rec.createdAtMillis = now;
        rec.sessionId = sessionId;
        p.idempotency.put(idemKey, rec);
    }

    private void forget(final String idemKey, final String sessionId)
    {
        final IdempotencyRecord rec = p.idempotency.get(idemKey, new IdempotencyRecord());
        if (rec != null && rec.sessionId.equals(sessionId))
        {
            p.idempotency.remove(idemKey);
        }
    }

    // ---- POST /relay/stop, GET /relay/active ----

    /** Stops the user's relay: provisioning → stopped, active → grace; grace and stopped answer as they are. */
    Outcome stop(final String userId)
    {
        final long now = p.now();
        final RelayAccount a = account(userId);
        final String id = a.currentSessionId;
        final RelaySession s = session(id);
        if (s == null)
        {
            return Outcome.ok(Outcome.details("session", null));
        }
        long seq = 0;
        switch (s.state)
        {
            case PROVISIONING -> seq = apply(id, s, a, STOPPED, CANCELLED, now);
            case ACTIVE -> seq = apply(id, s, a, GRACE, STOP_REQUESTED, now);
            case GRACE ->
            {
                meter(s, a, now);
                if (!STOP_REQUESTED.equals(s.reason))
                {
                    // Still grace, but now because the user asked: returning health must not resume it.
                    s.reason = STOP_REQUESTED;
                    s.updatedAtMillis = now;
                    s.version++;
                    seq = p.history.session(id, s, "grace", false, now);
                }
                p.sessions.put(id, s);
                p.accounts.put(userId, a);
            }
            default ->
            {
                // stopped: nothing to do (idempotent)
            }
        }
        return Outcome.ok(Map.of("session", view(id, s))).after(seq);
    }

    /** The user's live session (provisioning, active or grace), metered up to now; {@code session: null} when none. */
    Outcome active(final String userId)
    {
        final RelayAccount a = account(userId);
        final RelaySession s = session(a.currentSessionId);
        if (s == null || !s.live())
        {
            return Outcome.ok(Outcome.details("session", null));
        }
        meter(s, a, p.now());
        p.sessions.put(a.currentSessionId, s);
        p.accounts.put(userId, a);
        return Outcome.ok(Map.of("session", view(a.currentSessionId, s)));
    }

    // ---- POST /relay/health ----

    /**
     * A health report from the relay of {@code sessionId}, whose {@code X-Relay-Auth} has already been
     * verified; the instance must be the one the session runs on.
     */
    Outcome health(final String sessionId, final String instanceId, final String publicIp)
    {
        final long now = p.now();
        final RelaySession s = session(sessionId);
        if (s == null)
        {
            return Outcome.error(HttpResponseStatus.NOT_FOUND, "session_not_found", "no relay session " + sessionId,
                Outcome.details("session_id", sessionId));
        }
        if (s.instanceId.isEmpty() || !s.instanceId.equals(instanceId))
        {
            return Outcome.error(HttpResponseStatus.FORBIDDEN, "instance_mismatch",
                "this relay secret is bound to another instance of the session",
                Outcome.details("session_id", sessionId, "instance_id", instanceId));
        }
        if (publicIp != null && !publicIp.equals(s.publicIp))
        {
            s.publicIp = publicIp;
        }
        final RelayAccount a = account(s.userId);
        long seq = 0;
        switch (s.state)
        {
            case PROVISIONING -> seq = apply(sessionId, s, a, ACTIVE, HEALTHY, now);
            case ACTIVE ->
            {
                s.lastHealthMillis = now;
                meter(s, a, now);
                p.sessions.put(sessionId, s);
                p.accounts.put(s.userId, a);
            }
            case GRACE ->
            {
                if (HEALTH_LOST.equals(s.reason))
                {
                    seq = apply(sessionId, s, a, ACTIVE, HEALTH_RESTORED, now);
                }
                else
                {
                    s.lastHealthMillis = now; // stopping on request (or out of time): health does not resume it
                    p.sessions.put(sessionId, s);
                }
            }
            default ->
            {
                return RelayStateMachine.check(s.state, ACTIVE);
            }
        }
        return Outcome.ok(Outcome.details("session_id", sessionId, "state", RelaySession.stateName(s.state),
            "reason", s.reason)).after(seq);
    }

    // ---- operator ----

    /** An operator-requested transition; anything but the five transitions is 409 {@code invalid_transition}. */
    Outcome transition(final String sessionId, final byte to, final String reason)
    {
        final RelaySession s = session(sessionId);
        if (s == null)
        {
            return Outcome.error(HttpResponseStatus.NOT_FOUND, "session_not_found", "no relay session " + sessionId,
                Outcome.details("session_id", sessionId));
        }
        final Outcome refused = RelayStateMachine.check(s.state, to);
        if (refused != null)
        {
            return refused;
        }
        final long seq = apply(sessionId, s, account(s.userId), to, reason, p.now());
        return Outcome.ok(Map.of("session", view(sessionId, s))).after(seq);
    }

    // ---- timers ----

    /**
     * One timer pass over a session: provisioning timeout, metering, Time Bank empty, health lost, grace over.
     * A timed transition takes effect at its deadline (not when the pass notices it), so metering is exact
     * however late the pass runs.
     */
    void tick(final String sessionId)
    {
        final long now = p.now();
        final RelaySession s = session(sessionId);
        if (s == null)
        {
            return;
        }
        final RelayAccount a = account(s.userId);
        switch (s.state)
        {
            case PROVISIONING ->
            {
                final long deadline = s.createdAtMillis + p.settings.provisionTimeout().toMillis();
                if (now >= deadline)
                {
                    apply(sessionId, s, a, STOPPED, PROVISION_TIMEOUT, Math.max(deadline, s.stateSinceMillis));
                }
            }
            case ACTIVE ->
            {
                final long healthDeadline = s.lastHealthMillis + p.settings.healthTimeout().toMillis();
                final long before = s.meteredUntilMillis;
                meter(s, a, now);
                final long end = s.meteredUntilMillis;
                final long excess = Math.min(end - before, a.usedMillis - TimeBank.grantedSeconds(a) * 1000);
                if (TimeBank.empty(a))
                {
                    // The bank ran out inside this stretch: stop drawing at the instant it did.
                    final long overdrawn = Math.max(0, excess);
                    a.usedMillis -= overdrawn;
                    s.meteredMillis -= overdrawn;
                    s.meteredUntilMillis = end - overdrawn;
                    apply(sessionId, s, a, GRACE, TIME_BANK_EMPTY, s.meteredUntilMillis);
                }
                else if (now > healthDeadline)
                {
                    apply(sessionId, s, a, GRACE, HEALTH_LOST, Math.max(healthDeadline, s.stateSinceMillis));
                }
                else
                {
                    p.sessions.put(sessionId, s);
                    p.accounts.put(s.userId, a);
                }
            }
            case GRACE ->
            {
                meter(s, a, now);
                if (now >= s.graceUntilMillis)
                {
                    apply(sessionId, s, a, STOPPED, GRACE_EXPIRED, s.graceUntilMillis);
                }
                else
                {
                    p.sessions.put(sessionId, s);
                    p.accounts.put(s.userId, a);
                }
            }
            default ->
            {
                if (now - s.stateSinceMillis >= p.settings.sessionRetention().toMillis())
                {
                    p.sessions.remove(sessionId); // history is in PostgreSQL; the live store keeps recent ones only
                    if (sessionId.equals(a.currentSessionId))
                    {
                        a.currentSessionId = "";
                        p.accounts.put(s.userId, a);
                    }
                }
            }
        }
    }

    // ---- the one place state changes ----

    /**
     * Applies an allowed transition (the caller checked it): draws the time so far from the Time Bank, sets
     * the timers of the new state, gives capacity back and terminates the instance on stop, stores the
     * session and account, and journals the transition (and the session's usage when it stops).
     *
     * @param now the instant the transition takes effect (a timer's deadline, or the clock).
     * @return the journal sequence to wait for before answering.
     */
    long apply(final String id, final RelaySession s, final RelayAccount a, final byte to, final String reason, final long now)
    {
        assert RelayStateMachine.allowed(s.state, to) : RelaySession.stateName(s.state) + " -> " + RelaySession.stateName(to);
        meter(s, a, now);
        final byte from = s.state;
        s.state = to;
        s.reason = reason;
        s.stateSinceMillis = now;
        s.updatedAtMillis = now;
        s.version++;
        switch (to)
        {
            case ACTIVE ->
            {
                s.lastHealthMillis = now;
                s.graceUntilMillis = 0;
                if (from == PROVISIONING)
                {
                    s.meteredUntilMillis = now; // relay time counts from the first healthy report
                }
            }
            case GRACE -> s.graceUntilMillis = now + p.settings.grace().toMillis();
            case STOPPED ->
            {
                s.graceUntilMillis = 0;
                p.manifest.release(s.region);
                terminate(s);
            }
            default -> throw new IllegalArgumentException("no transition into state " + to);
        }
        p.sessions.put(id, s);
        p.accounts.put(s.userId, a);
        long seq = p.history.session(id, s, RelaySession.stateName(from), true, now);
        if (to == STOPPED && s.meteredMillis > 0)
        {
            seq = p.history.usage(s.userId, id, s.meteredMillis / 1000, a.cycleStartMillis, now);
        }
        return seq;
    }

    /**
     * Draws relay time since the last metering from the Time Bank (active and grace only), never past the
     * instant the state's timer ends (grace over, health lost): the timer pass applies that transition at its
     * deadline, so a read that comes first must not draw time the relay will not have had.
     */
    void meter(final RelaySession s, final RelayAccount a, final long now)
    {
        final long until = switch (s.state)
        {
            case ACTIVE -> Math.min(now, s.lastHealthMillis + p.settings.healthTimeout().toMillis());
            case GRACE -> Math.min(now, s.graceUntilMillis);
            default -> s.meteredUntilMillis;
        };
        if (until > s.meteredUntilMillis)
        {
            TimeBank.charge(a, s.meteredUntilMillis, until);
            s.meteredMillis += until - s.meteredUntilMillis;
            s.meteredUntilMillis = until;
        }
    }

    private void terminate(final RelaySession s)
    {
        if (s.instanceId.isEmpty())
        {
            return; // still launching: onLaunched terminates it when it arrives
        }
        final String instanceId = s.instanceId;
        p.provisioner().terminate(s.region, instanceId).whenComplete((ok, failure) ->
        {
            if (failure != null)
            {
                LOG.error("relay: could not terminate instance {} in {}: {}", instanceId, s.region,
                    Ec2Provisioner.describe(failure));
            }
        });
    }

    /** @return the session as the API shows it. Safe from any thread for a session value it owns. */
    Map<String, Object> view(final String id, final RelaySession s)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("session_id", id);
        m.put("state", RelaySession.stateName(s.state));
        m.put("reason", s.reason.isEmpty() ? null : s.reason);
        m.put("region", s.region);
        m.put("instance_id", s.instanceId.isEmpty() ? null : s.instanceId);
        m.put("public_ip", s.publicIp.isEmpty() ? null : s.publicIp);
        if (p.manifest.srtPort() > 0)
        {
            m.put("srt_port", p.manifest.srtPort());
        }
        m.put("created_at", RelayRequests.iso(s.createdAtMillis));
        m.put("updated_at", RelayRequests.iso(s.updatedAtMillis));
        m.put("state_since", RelayRequests.iso(s.stateSinceMillis));
        if (s.state == GRACE)
        {
            m.put("grace_expires_at", RelayRequests.iso(s.graceUntilMillis));
        }
        m.put("metered_seconds", s.meteredMillis / 1000);
        return m;
    }

    /** The relay part of {@code GET /auth/session}: entitlement, usage and the live relay, metered up to now. */
    Map<String, Object> summary(final UserDirectory.RelayUser user)
    {
        final long now = p.now();
        final RelayAccount a = account(user.id());
        final RelaySession s = session(a.currentSessionId);
        Map<String, Object> relay = null;
        if (s != null && s.live())
        {
            meter(s, a, now);
            p.sessions.put(a.currentSessionId, s);
            relay = view(a.currentSessionId, s);
        }
        final Map<String, Object> entitlement = TimeBank.entitlement(a, now);
        p.accounts.put(user.id(), a);
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", user.view());
        m.put("entitlement", entitlement);
        m.put("usage", TimeBank.usage(a));
        m.put("active_relay", relay);
        return m;
    }
}
