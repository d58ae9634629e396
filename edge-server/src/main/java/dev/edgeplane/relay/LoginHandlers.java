package dev.edgeplane.relay;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.relay.state.LoginAttempt;
import dev.edgeplane.server.HttpExchange;
import dev.edgeplane.state.ShardWriter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Device-style plugin login with RFC 8628 semantics: {@code POST /auth/plugin/login/start} opens an attempt
 * (the plugin shows {@code authorize_url} in a browser and polls with its secret {@code poll_token}); the user
 * approves on the authorize page (or an operator does); {@code POST /auth/plugin/login/poll} answers, as the
 * token endpoint of RFC 8628 section 3.5 does, with HTTP 400 and the error codes {@code authorization_pending},
 * {@code slow_down} (polled faster than {@code interval}; the interval grows by 5 s; the first poll is never
 * throttled), {@code access_denied}, {@code expired_token}, or with the tokens. The poll token is single-use:
 * once it has been exchanged for tokens every further poll is {@code invalid_grant}, as is a wrong token.
 *
 * <p>Threading: validation on the event loop; an attempt changes only on the attempt id's shard; tokens are
 * minted on the user's shard.
 */
final class LoginHandlers
{
    private final RelayPlane p;
    private final TokenHandlers tokens;

    LoginHandlers(final RelayPlane plane, final TokenHandlers tokens)
    {
        this.p = plane;
        this.tokens = tokens;
    }

    /** {@code POST /api/v1/auth/plugin/login/start {client_name?}}. */
    void start(final HttpExchange ex)
    {
        final Fields f = ex.decodeBody();
        if (f == null)
        {
            return;
        }
        final Problems problems = new Problems();
        final String clientName = RelayRequests.text(f, "client_name", false, 128, problems);
        if (!problems.isEmpty())
        {
            RelayRequests.respondInvalid(ex, problems);
            return;
        }
        final long now = p.now();
        final String id = RelayIds.next(RelayIds.LOGIN_ATTEMPT, now);
        final String pollToken = Secrets.randomToken(32);
        final LoginAttempt a = new LoginAttempt();
        a.pollTokenHash = Secrets.sha256(pollToken);
        a.status = LoginAttempt.PENDING;
        a.createdAtMillis = now;
        a.expiresAtMillis = now + p.settings.loginTtl().toMillis();
        a.intervalSeconds = p.settings.loginIntervalSeconds();
        a.clientName = clientName == null ? "" : clientName;
        final String authorizeUrl = baseUrl(ex) + "/login/plugin?attempt=" + id;
        ex.offer(p.attemptShard(id), () ->
        {
            p.attempts.put(id, a);
            final Map<String, Object> body = new LinkedHashMap<>();
            body.put("login_attempt_id", id);
            body.put("poll_token", pollToken);
            body.put("authorize_url", authorizeUrl);
            body.put("expires_in", p.settings.loginTtl().toSeconds());
            body.put("interval", (long)a.intervalSeconds);
            Outcome.ok(body).send(ex, p.history.journal());
        });
    }

    /** @return {@code RELAY_PUBLIC_URL}, or the scheme and Host this request came in on. */
    private String baseUrl(final HttpExchange ex)
    {
        final String configured = p.settings.publicUrl();
        if (configured != null)
        {
            return configured;
        }
        String host = ex.header(HttpHeaderNames.HOST);
        if (host == null || !host.matches("[A-Za-z0-9.\\-:\\[\\]]{1,255}"))
        {
            host = "127.0.0.1:" + p.runtime.settings().port(dev.edgeplane.server.SurfaceKind.RELAY);
        }
        final String proto = "https".equalsIgnoreCase(ex.header("X-Forwarded-Proto")) ? "https" : "http";
        return proto + "://" + host;
    }

    /** {@code POST /api/v1/auth/plugin/login/poll {login_attempt_id, poll_token}}. */
    void poll(final HttpExchange ex)
    {
        final Fields f = ex.decodeBody();
        if (f == null)
        {
            return;
        }
        final Problems problems = new Problems();
        final String id = RelayRequests.text(f, "login_attempt_id", true, problems);
        final String pollToken = RelayRequests.text(f, "poll_token", true, 128, problems);
        if (!problems.isEmpty())
        {
            RelayRequests.respondInvalid(ex, problems);
            return;
        }
        final byte[] presented = Secrets.sha256(pollToken);
        ex.offer(p.attemptShard(id), () ->
        {
            final Outcome answer = pollOnShard(ex, id, presented);
            if (answer != null)
            {
                answer.send(ex, p.history.journal());
            }
        });
    }

    /** On the attempt's shard; null when the answer comes from the user's shard (tokens). */
    private Outcome pollOnShard(final HttpExchange ex, final String id, final byte[] presentedHash)
    {
        final long now = p.now();
        final LoginAttempt a = p.attempts.get(id, new LoginAttempt());
        if (a == null || !Secrets.equal(a.pollTokenHash, presentedHash))
        {
            return grantError("invalid_grant", "unknown login attempt or wrong poll_token", id);
        }
        if (a.status == LoginAttempt.CONSUMED)
        {
            return grantError("invalid_grant", "this login attempt has already been exchanged for tokens", id);
        }
        if (now >= a.expiresAtMillis)
        {
            return grantError("expired_token", "the login attempt expired; start a new one", id);
        }
        final long lastPoll = a.lastPollMillis;
        a.lastPollMillis = now;
        switch (a.status)
        {
            case LoginAttempt.DENIED:
                p.attempts.put(id, a);
                return grantError("access_denied", "the login was denied", id);
            case LoginAttempt.APPROVED:
            {
                final UserDirectory.RelayUser user = p.users.byId(a.userId);
                if (user == null)
                {
                    return grantError("access_denied", "the approving user no longer exists", id);
                }
                a.status = LoginAttempt.CONSUMED; // single-use from here on, whatever happens next
                p.attempts.put(id, a);
                final ShardWriter shard = p.userShard(user.id());
                ex.offer(shard, () -> tokens.issueFamily(user, "login", Outcome.details("login_attempt_id", id))
                    .send(ex, p.history.journal()));
                return null;
            }
            default:
                break;
        }
        if (lastPoll != 0 && now - lastPoll < a.intervalSeconds * 1000L)
        {
            a.intervalSeconds += 5; // RFC 8628 section 3.5: slow_down adds 5 seconds to the interval
            p.attempts.put(id, a);
            return Outcome.error(HttpResponseStatus.BAD_REQUEST, "slow_down",
                "polling too fast; wait at least " + a.intervalSeconds + " s between polls",
                Outcome.details("login_attempt_id", id, "interval", (long)a.intervalSeconds));
        }
        p.attempts.put(id, a);
        return Outcome.error(HttpResponseStatus.BAD_REQUEST, "authorization_pending",
            "the user has not approved the login yet", Outcome.details("login_attempt_id", id, "interval", (long)a.intervalSeconds));
    }

    private static Outcome grantError(final String code, final String message, final String id)
    {
        return Outcome.error(HttpResponseStatus.BAD_REQUEST, code, message, Outcome.details("login_attempt_id", id));
    }

    /**
     * Approves or denies a pending attempt for {@code userId}; on the attempt's shard. Used by the authorize
     * page (the user) and the operator endpoint.
     */
    Outcome decide(final String attemptId, final String userId, final boolean approve, final String actor)
    {
        final long now = p.now();
        final LoginAttempt a = p.attempts.get(attemptId, new LoginAttempt());
        if (a == null)
        {
            return Outcome.error(HttpResponseStatus.NOT_FOUND, "login_attempt_not_found", "no login attempt " + attemptId,
                Outcome.details("login_attempt_id", attemptId));
        }
        if (now >= a.expiresAtMillis)
        {
            return Outcome.error(HttpResponseStatus.GONE, "expired_token", "the login attempt expired",
                Outcome.details("login_attempt_id", attemptId));
        }
        if (a.status != LoginAttempt.PENDING)
        {
            return Outcome.error(HttpResponseStatus.CONFLICT, "login_attempt_not_pending",
                "the login attempt was already " + LoginAttempt.statusName(a.status),
                Outcome.details("login_attempt_id", attemptId, "status", LoginAttempt.statusName(a.status)));
        }
        a.status = approve ? LoginAttempt.APPROVED : LoginAttempt.DENIED;
        a.userId = userId == null ? "" : userId;
        p.attempts.put(attemptId, a);
        final long seq = p.history.auth(userId, approve ? "login.approved" : "login.denied",
            Outcome.details("login_attempt_id", attemptId, "by", actor), now);
        return Outcome.ok(Outcome.details("login_attempt_id", attemptId, "status", approve ? "approved" : "denied",
            "user_id", userId)).after(seq);
    }

    /** Counts a failed sign-in on the authorize page; the fifth denies the attempt. On the attempt's shard. */
    void signInFailed(final String attemptId)
    {
        final LoginAttempt a = p.attempts.get(attemptId, new LoginAttempt());
        if (a != null && a.status == LoginAttempt.PENDING)
        {
            a.failedSignIns++;
            if (a.failedSignIns >= 5)
            {
                a.status = LoginAttempt.DENIED;
                p.history.auth(null, "login.denied", Outcome.details("login_attempt_id", attemptId, "by", "failed_sign_ins"),
                    p.now());
            }
            p.attempts.put(attemptId, a);
        }
    }
}
