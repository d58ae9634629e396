package dev.edgeplane.relay;

import java.nio.charset.StandardCharsets;

import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.relay.state.LoginAttempt;
import dev.edgeplane.server.HttpExchange;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;

/**
 * The self-service authorize page the plugin's {@code authorize_url} opens: {@code GET /login/plugin?attempt=…}
 * serves a small form (email, password, approve or deny), {@code POST /login/plugin} signs the user in
 * (PBKDF2, constant time) and approves or denies the attempt for them. Five failed sign-ins deny the attempt.
 *
 * <p>Against password guessing: guesses are limited per account and per source address ({@link SignInThrottle},
 * {@code 429 rate_limited} with {@code Retry-After} once used up, whatever the password), and every failed
 * sign-in gets the same answer, {@code 401 invalid_credentials}, whether the e-mail is unknown, the password
 * wrong, or the attempt unknown, expired or already decided; so a right password is never told apart from a
 * wrong one. For an attempt that cannot be approved the user's hash is not tried: the password is hashed
 * against a dummy of the same cost instead, so the answer takes as long.
 *
 * <p>The page is static HTML with no script, served with {@code Content-Security-Policy: default-src 'none'},
 * {@code frame-ancestors 'none'} and {@code Cache-Control: no-store}; nothing the client sent is echoed except
 * the attempt id, which is validated first. Errors are the JSON error body unless the client accepts
 * {@code text/html}, in which case the page shows the same code, message and request id.
 *
 * <p>Threading: the form renders on the event loop; sign-in runs on the blocking pool (the hash is slow on
 * purpose); the decision is taken on the attempt's shard.
 */
final class LoginPage
{
    private static final AsciiString HTML = AsciiString.cached("text/html; charset=utf-8");
    private static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'";

    private final RelayPlane p;
    private final LoginHandlers login;

    LoginPage(final RelayPlane plane, final LoginHandlers login)
    {
        this.p = plane;
        this.login = login;
    }

    /** {@code GET /login/plugin?attempt=la_…}. */
    void show(final HttpExchange ex)
    {
        final String attemptId = ex.query().optString("attempt", null, new Problems());
        if (!RelayIds.valid(RelayIds.LOGIN_ATTEMPT, attemptId))
        {
            fail(ex, Outcome.error(HttpResponseStatus.BAD_REQUEST, "invalid_request",
                "the link is incomplete: it needs ?attempt=<login attempt id>"));
            return;
        }
        final LoginAttempt a = p.attempts.get(attemptId, new LoginAttempt());
        final Outcome unusable = unusable(attemptId, a);
        if (unusable != null)
        {
            fail(ex, unusable);
            return;
        }
        final String client = a.clientName.isEmpty() ? "the OBS plugin" : escape(a.clientName);
        page(ex, HttpResponseStatus.OK, "Sign in to connect " + client, """
            <p>Sign in to let <b>%s</b> use your relay account.</p>
            <form method="post" action="/login/plugin">
              <input type="hidden" name="attempt" value="%s">
              <p><label>Email<br><input type="email" name="email" autocomplete="username" required></label></p>
              <p><label>Password<br><input type="password" name="password" autocomplete="current-password" required></label></p>
              <p><button type="submit" name="decision" value="approve">Approve</button>
                 <button type="submit" name="decision" value="deny">Deny</button></p>
            </form>""".formatted(client, attemptId));
    }

    private Outcome unusable(final String attemptId, final LoginAttempt a)
    {
        if (a == null)
        {
            return Outcome.error(HttpResponseStatus.NOT_FOUND, "login_attempt_not_found",
                "this login link is unknown; start the login again from the plugin", Outcome.details("login_attempt_id", attemptId));
        }
        if (p.now() >= a.expiresAtMillis)
        {
            return Outcome.error(HttpResponseStatus.GONE, "expired_token",
                "this login link expired; start the login again from the plugin", Outcome.details("login_attempt_id", attemptId));
        }
        if (a.status != LoginAttempt.PENDING)
        {
            return Outcome.error(HttpResponseStatus.CONFLICT, "login_attempt_not_pending",
                "this login was already " + LoginAttempt.statusName(a.status),
                Outcome.details("login_attempt_id", attemptId, "status", LoginAttempt.statusName(a.status)));
        }
        return null;
    }

    /** {@code POST /login/plugin} (form: attempt, email, password, decision=approve|deny). */
    void submit(final HttpExchange ex)
    {
        final Fields f = ex.decodeBody();
        if (f == null)
        {
            return;
        }
        final Problems problems = new Problems();
        final String attemptId = RelayRequests.text(f, "attempt", true, 64, problems);
        final String email = RelayRequests.text(f, "email", true, 254, problems);
        final String password = RelayRequests.text(f, "password", true, 1024, problems);
        final String decision = RelayRequests.text(f, "decision", false, 16, problems);
        if (attemptId != null && !RelayIds.valid(RelayIds.LOGIN_ATTEMPT, attemptId))
        {
            problems.add("attempt", "is not a login attempt id");
        }
        if (decision != null && !decision.equals("approve") && !decision.equals("deny"))
        {
            problems.add("decision", "must be approve or deny");
        }
        if (!problems.isEmpty())
        {
            fail(ex, RelayRequests.invalid(problems));
            return;
        }
        final boolean approve = !"deny".equals(decision);
        final String account = SignInThrottle.accountKey(email);
        final String address = SignInThrottle.addressKey(ex.remoteAddress());
        final long waitSeconds = p.signIns.admit(account, address, p.now());
        if (waitSeconds != 0)
        {
            ex.responseHeaders().set(HttpHeaderNames.RETRY_AFTER, Long.toString(waitSeconds));
            fail(ex, Outcome.error(HttpResponseStatus.TOO_MANY_REQUESTS, "rate_limited",
                "too many sign-in attempts; retry after " + waitSeconds + " s",
                Outcome.details("retry_after_s", waitSeconds)));
            return;
        }
        // Whether the attempt can still be approved is read before the password is checked, and an unusable
        // one is answered like a wrong password: the answer must not tell a right password from a wrong one.
        final LoginAttempt attempt = p.attempts.get(attemptId, new LoginAttempt());
        final boolean usable = unusable(attemptId, attempt) == null;
        ex.offerBlocking(() ->
        {
            // No usable attempt: the user's hash is never tried; the dummy hash costs the same, so the
            // answer takes as long as for a wrong password.
            final UserDirectory.RelayUser user = usable ? p.users.byEmail(email) : null;
            final char[] secret = password.toCharArray();
            final boolean ok = p.passwords.verify(secret, user == null ? null : user.passwordHash());
            PasswordHasher.wipe(secret);
            if (!ok)
            {
                ex.offer(p.attemptShard(attemptId), () ->
                {
                    login.signInFailed(attemptId);
                    fail(ex, signInFailed());
                });
                return;
            }
            p.signIns.succeeded(account, address);
            ex.offer(p.attemptShard(attemptId), () ->
            {
                final Outcome o = login.decide(attemptId, user.id(), approve, "user");
                if (o.isError())
                {
                    fail(ex, signInFailed()); // decided or expired since it was read: no different answer either
                    return;
                }
                final String body = approve
                    ? "<p>Signed in as " + escape(user.email()) + ". You can close this page and return to OBS.</p>"
                    : "<p>The login was denied. You can close this page.</p>";
                final Runnable answer = () -> page(ex, HttpResponseStatus.OK, approve ? "Plugin connected" : "Login denied", body);
                if (o.seq() > 0)
                {
                    p.history.journal().whenDurable(o.seq(), answer);
                }
                else
                {
                    answer.run();
                }
            });
        });
    }

    /** The one answer for every failed sign-in: unknown e-mail, wrong password, unknown or unusable attempt. */
    private static Outcome signInFailed()
    {
        return Outcome.error(HttpResponseStatus.UNAUTHORIZED, "invalid_credentials",
            "wrong email or password, or this login link can no longer be used");
    }

    /** An error: the JSON error body, or the same as a page for a browser. */
    private void fail(final HttpExchange ex, final Outcome o)
    {
        final String accept = ex.header(HttpHeaderNames.ACCEPT);
        if (accept == null || !accept.contains("text/html"))
        {
            o.send(ex, p.history.journal());
            return;
        }
        page(ex, o.status(), "Cannot sign in", "<p>" + escape(o.message()) + "</p><p><small>" + escape(o.code())
            + " · request " + escape(ex.requestId()) + "</small></p>");
    }

    private static void page(final HttpExchange ex, final HttpResponseStatus status, final String title, final String body)
    {
        ex.responseHeaders().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        ex.responseHeaders().set("Content-Security-Policy", CSP);
        ex.responseHeaders().set("X-Frame-Options", "DENY");
        ex.responseHeaders().set("Referrer-Policy", "no-referrer");
        final String html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" + title + "</title>"
            + "<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}"
            + "input{width:100%;padding:.4rem}button{padding:.5rem 1rem;margin-right:.5rem}</style></head><body><h1>"
            + title + "</h1>" + body + "</body></html>";
        ex.respond(status, HTML, html.getBytes(StandardCharsets.UTF_8));
    }

    static String escape(final String s)
    {
        if (s == null)
        {
            return "";
        }
        final StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
