package dev.edgeplane.relay;

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Json;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.relay.state.RelayAccount;
import dev.edgeplane.relay.state.RelaySession;
import dev.edgeplane.server.Answer;
import dev.edgeplane.server.HttpExchange;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operator endpoints of the relay surface, all behind {@code x-admin-token} (the surface gates them):
 * <ul>
 *   <li>{@code POST /api/v1/admin/users {email, password?, plan?}}: creates a user (PostgreSQL, synchronously:
 *       low-volume); without a password the user can only be approved by an operator; with a plan the user is
 *       granted it for {@code RELAY_GRANT_CYCLE_DAYS};</li>
 *   <li>{@code POST /api/v1/admin/login/approve {login_attempt_id, user_id | email}} and
 *       {@code POST /api/v1/admin/login/deny {login_attempt_id}}: support decides a pending plugin login;</li>
 *   <li>{@code GET /api/v1/admin/relay/sessions/{id}}: a session with its relay credentials (what a relay is
 *       given at launch: {@code X-Relay-Auth} for its instance), for support and relay simulators;</li>
 *   <li>{@code POST /api/v1/admin/relay/sessions/{id}/transition {to, reason?}}: an operator transition,
 *       subject to the state machine (409 {@code invalid_transition} otherwise).</li>
 * </ul>
 *
 * <p>Threading: validation on the event loop; hashing and JDBC on the blocking pool; state changes on the
 * owning shard.
 */
final class AdminHandlers
{
    private static final Logger LOG = LoggerFactory.getLogger(AdminHandlers.class);

    private final RelayPlane p;
    private final LoginHandlers login;
    private final RelayLifecycle lifecycle;

    AdminHandlers(final RelayPlane plane, final LoginHandlers login, final RelayLifecycle lifecycle)
    {
        this.p = plane;
        this.login = login;
        this.lifecycle = lifecycle;
    }

    /** {@code POST /api/v1/admin/users}. */
    void createUser(final HttpExchange ex)
    {
        final Fields f = ex.fields();
        if (f == null)
        {
            ex.send(ex.bodyFailure());
            return;
        }
        final Problems problems = new Problems();
        final String email = RelayRequests.text(f, "email", true, 254, problems);
        final String password = RelayRequests.text(f, "password", false, 1024, problems);
        final String planName = RelayRequests.text(f, "plan", false, 64, problems);
        if (email != null && !email.matches("[^\\s@]+@[^\\s@]+"))
        {
            problems.add("email", "must be an email address");
        }
        if (password != null && password.length() < 8)
        {
            problems.add("password", "must be at least 8 characters");
        }
        final PlanCatalog.Plan plan = p.plans.byName(planName);
        if (planName != null && plan == null)
        {
            problems.add("plan", "must be one of " + p.plans.names());
        }
        if (!problems.isEmpty())
        {
            ex.send(RelayRequests.invalid(problems));
            return;
        }
        ex.offerBlocking(() ->
        {
            final long now = p.now();
            final UserDirectory.Created created;
            try
            {
                String hash = null;
                if (password != null)
                {
                    final char[] secret = password.toCharArray();
                    hash = p.passwords.hash(secret);
                    PasswordHasher.wipe(secret);
                }
                created = p.users.create(email, hash, now);
            }
            catch (final SQLException e)
            {
                LOG.warn("relay: user creation failed: {}", e.toString());
                ex.send(Answer.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "database_unavailable",
                    "users are stored in PostgreSQL, which is not reachable right now"));
                return;
            }
            if (created.emailTaken())
            {
                ex.send(Answer.error(HttpResponseStatus.CONFLICT, "email_taken", "a user with this email exists",
                    Outcome.details("email", email)));
                return;
            }
            final UserDirectory.RelayUser user = created.user();
            final Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", user.id());
            body.put("email", user.email());
            body.put("plan", plan == null ? null : plan.name());
            body.put("created_at", RelayRequests.iso(user.createdAtMillis()));
            if (plan == null)
            {
                ex.send(Answer.json(HttpResponseStatus.CREATED, Json.write(body)));
                return;
            }
            ex.offer(p.userShard(user.id()), () ->
                ex.send(Outcome.json(HttpResponseStatus.CREATED, body).after(grant(user.id(), plan))));
        });
    }

    /** On the user's shard: an operator grant of a plan for one cycle; journaled like a billing event. */
    private long grant(final String userId, final PlanCatalog.Plan plan)
    {
        final long now = p.now();
        final RelayAccount found = p.accounts.get(userId, new RelayAccount());
        final RelayAccount a = found != null ? found : new RelayAccount();
        a.plan = plan.name();
        a.variantId = plan.variantId();
        a.status = "active";
        a.quantity = 1;
        a.includedSeconds = plan.includedSeconds();
        a.addonSeconds = 0;
        a.usedMillis = 0;
        a.cycleStartMillis = now;
        a.cycleLengthMillis = p.settings.grantCycle().toMillis();
        a.cycleEndMillis = now + a.cycleLengthMillis;
        a.version++;
        p.accounts.put(userId, a);
        return p.history.billing(null, "admin_grant", SubscriptionEvents.ACTIVATE, SubscriptionEvents.APPLIED, userId, null,
            Map.of("plan", plan.name()), a, now);
    }

    /** {@code POST /api/v1/admin/login/approve}. */
    void approve(final HttpExchange ex)
    {
        decide(ex, true);
    }

    /** {@code POST /api/v1/admin/login/deny}. */
    void deny(final HttpExchange ex)
    {
        decide(ex, false);
    }

    private void decide(final HttpExchange ex, final boolean approve)
    {
        final Fields f = ex.fields();
        if (f == null)
        {
            ex.send(ex.bodyFailure());
            return;
        }
        final Problems problems = new Problems();
        final String attemptId = RelayRequests.text(f, "login_attempt_id", true, 64, problems);
        final String userId = RelayRequests.text(f, "user_id", false, 64, problems);
        final String email = RelayRequests.text(f, "email", false, 254, problems);
        if (approve && userId == null && email == null && problems.isEmpty())
        {
            problems.add("user_id", "or email is required to approve");
        }
        if (!problems.isEmpty())
        {
            ex.send(RelayRequests.invalid(problems));
            return;
        }
        String who = null;
        if (approve)
        {
            final UserDirectory.RelayUser user = userId != null ? p.users.byId(userId) : p.users.byEmail(email);
            if (user == null)
            {
                ex.send(Answer.error(HttpResponseStatus.NOT_FOUND, "user_not_found", "no such user",
                    Outcome.details(userId != null ? "user_id" : "email", userId != null ? userId : email)));
                return;
            }
            who = user.id();
        }
        final String decidedFor = who;
        ex.offer(p.attemptShard(attemptId), () ->
            ex.send(login.decide(attemptId, decidedFor, approve, "operator")));
    }

    /** {@code GET /api/v1/admin/relay/sessions/{sessionId}}. */
    void session(final HttpExchange ex)
    {
        final String id = ex.pathParam("sessionId");
        final RelaySession s = id == null ? null : p.sessions.get(id, new RelaySession());
        if (s == null)
        {
            ex.send(Answer.error(HttpResponseStatus.NOT_FOUND, "session_not_found", "no relay session " + id,
                Outcome.details("session_id", id)));
            return;
        }
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("session", lifecycle.view(id, s));
        body.put("user_id", s.userId);
        body.put("relay_auth", Outcome.details("session_id", id, "instance_id", s.instanceId.isEmpty() ? null : s.instanceId,
            "secret", p.relayAuth(id)));
        ex.send(Answer.json(HttpResponseStatus.OK, Json.write(body)));
    }

    /** {@code POST /api/v1/admin/relay/sessions/{sessionId}/transition {to, reason?}}. */
    void transition(final HttpExchange ex)
    {
        final String id = ex.pathParam("sessionId");
        final Fields f = ex.fields();
        if (f == null)
        {
            ex.send(ex.bodyFailure());
            return;
        }
        final Problems problems = new Problems();
        final String to = RelayRequests.text(f, "to", true, 32, problems);
        final String reason = RelayRequests.text(f, "reason", false, 64, problems);
        final byte target = RelaySession.stateByName(to);
        if (to != null && target == 0)
        {
            problems.add("to", "must be provisioning, active, grace or stopped");
        }
        if (!problems.isEmpty())
        {
            ex.send(RelayRequests.invalid(problems));
            return;
        }
        final RelaySession s = id == null ? null : p.sessions.get(id, new RelaySession());
        if (s == null)
        {
            ex.send(Answer.error(HttpResponseStatus.NOT_FOUND, "session_not_found", "no relay session " + id,
                Outcome.details("session_id", id)));
            return;
        }
        ex.offer(p.userShard(s.userId), () ->
            ex.send(lifecycle.transition(id, target, reason == null ? "operator" : reason)));
    }
}
