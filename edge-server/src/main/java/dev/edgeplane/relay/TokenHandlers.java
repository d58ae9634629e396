package dev.edgeplane.relay;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.relay.state.TokenFamily;
import dev.edgeplane.server.HttpExchange;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Token issue and rotation: a login opens a refresh-token family; {@code POST /auth/refresh} rotates it (a
 * new refresh token per use, the old one retired); a retired token presented again within
 * {@code RELAY_REFRESH_GRACE_S} of its rotation (two plugin processes refreshing at once) gets the very same
 * successor pair, and outside that window it is treated as stolen: the whole family is revoked (RFC 9700
 * section 4.14.2) and the answer is 401. {@code POST /auth/logout} revokes the family;
 * {@code GET /auth/session} shows the user, entitlement, usage and live relay.
 *
 * <p>Threading: parsing on the event loop; a family changes only on its user's shard, where concurrent
 * refreshes of one family are serialized, which is what makes the grace window exact.
 */
final class TokenHandlers
{
    private final RelayPlane p;
    private final BearerAuth auth;
    private final RelayLifecycle lifecycle;

    TokenHandlers(final RelayPlane plane, final BearerAuth auth, final RelayLifecycle lifecycle)
    {
        this.p = plane;
        this.auth = auth;
        this.lifecycle = lifecycle;
    }

    /** Opens a new family for {@code user} and answers with its first pair; on the user's shard. */
    Outcome issueFamily(final UserDirectory.RelayUser user, final String kind, final Map<String, Object> detail)
    {
        final long now = p.now();
        final String familyId = RefreshTokens.newFamilyId();
        final TokenFamily f = new TokenFamily();
        f.userId = user.id();
        f.generation = 0;
        final String refresh = p.refreshTokens.token(familyId, 0);
        f.currentHash = RefreshTokens.hash(refresh);
        f.createdAtMillis = now;
        f.expiresAtMillis = now + p.settings.refreshTtl().toMillis();
        f.accessJti = Secrets.randomHex(16);
        f.accessIssuedAtSeconds = now / 1000;
        p.families.put(familyId, f);
        final Map<String, Object> d = new LinkedHashMap<>(detail);
        d.put("family", familyId);
        final long seq = p.history.auth(user.id(), kind + ".succeeded", d, now);
        return Outcome.ok(pair(user, familyId, f, refresh, now)).after(seq);
    }

    private Map<String, Object> pair(final UserDirectory.RelayUser user, final String familyId, final TokenFamily f,
        final String refresh, final long now)
    {
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", p.accessTokens.issue(user.id(), familyId, f.accessJti, f.accessIssuedAtSeconds));
        body.put("token_type", "Bearer");
        body.put("expires_in", p.accessTokens.expiresIn(f.accessIssuedAtSeconds, now));
        body.put("refresh_token", refresh);
        body.put("user", user.view());
        return body;
    }

    /** {@code POST /api/v1/auth/refresh {refresh_token}}. */
    void refresh(final HttpExchange ex)
    {
        final Fields f = ex.decodeBody();
        if (f == null)
        {
            return;
        }
        final Problems problems = new Problems();
        final String token = RelayRequests.text(f, "refresh_token", true, 256, problems);
        if (!problems.isEmpty())
        {
            RelayRequests.respondInvalid(ex, problems);
            return;
        }
        final RefreshTokens.Parsed parsed = p.refreshTokens.parse(token);
        final TokenFamily family = parsed == null ? null : p.families.get(parsed.familyId(), new TokenFamily());
        if (family == null)
        {
            invalidRefresh("the refresh token is not valid").send(ex, p.history.journal());
            return;
        }
        ex.offer(p.userShard(family.userId), () -> rotate(token, parsed).send(ex, p.history.journal()));
    }

    /** On the family's user shard: rotate, replay the successor inside the grace window, or detect reuse. */
    private Outcome rotate(final String token, final RefreshTokens.Parsed parsed)
    {
        final long now = p.now();
        final String familyId = parsed.familyId();
        final TokenFamily f = p.families.get(familyId, new TokenFamily());
        final UserDirectory.RelayUser user = f == null ? null : p.users.byId(f.userId);
        if (f == null || user == null)
        {
            return invalidRefresh("the refresh token is not valid");
        }
        if (f.revoked())
        {
            return invalidRefresh("this login was revoked; sign in again");
        }
        final byte[] hash = RefreshTokens.hash(token);
        if (parsed.generation() == f.generation && Secrets.equal(hash, f.currentHash))
        {
            if (now >= f.expiresAtMillis)
            {
                return invalidRefresh("the refresh token expired; sign in again");
            }
            f.generation++;
            f.previousHash = f.currentHash;
            final String successor = p.refreshTokens.token(familyId, f.generation);
            f.currentHash = RefreshTokens.hash(successor);
            f.rotatedAtMillis = now;
            f.expiresAtMillis = now + p.settings.refreshTtl().toMillis();
            f.accessJti = Secrets.randomHex(16);
            f.accessIssuedAtSeconds = now / 1000;
            p.families.put(familyId, f);
            final long seq = p.history.auth(f.userId, "token.rotated",
                Outcome.details("family", familyId, "generation", (long)f.generation), now);
            return Outcome.ok(pair(user, familyId, f, successor, now)).after(seq);
        }
        final boolean previous = parsed.generation() == f.generation - 1 && Secrets.equal(hash, f.previousHash);
        if (previous && now - f.rotatedAtMillis <= p.settings.refreshGrace().toMillis())
        {
            // Two processes refreshed with the same token at once: the later one gets the same successor.
            return Outcome.ok(pair(user, familyId, f, p.refreshTokens.token(familyId, f.generation), now));
        }
        if (previous || (parsed.generation() < f.generation && p.refreshTokens.authentic(token)))
        {
            // A retired token came back outside the grace window: assume it was stolen (RFC 9700 4.14.2).
            f.revokedAtMillis = now;
            p.families.put(familyId, f);
            final long seq = p.history.auth(f.userId, "token.reuse_detected",
                Outcome.details("family", familyId, "presented_generation", (long)parsed.generation(),
                    "current_generation", (long)f.generation), now);
            return Outcome.error(HttpResponseStatus.UNAUTHORIZED, "refresh_token_reused",
                "a retired refresh token was used again; every token of this login is revoked, sign in again")
                .after(seq);
        }
        return invalidRefresh("the refresh token is not valid");
    }

    private static Outcome invalidRefresh(final String message)
    {
        return Outcome.error(HttpResponseStatus.UNAUTHORIZED, "invalid_refresh_token", message);
    }

    /**
     * {@code POST /api/v1/auth/logout}: revokes the family of the bearer token, or of {@code refresh_token} in
     * the body (a plugin whose access token already expired). Revoking twice is fine.
     */
    void logout(final HttpExchange ex)
    {
        final Fields f = ex.decodeBody();
        if (f == null)
        {
            return;
        }
        final Problems problems = new Problems();
        final String token = RelayRequests.text(f, "refresh_token", false, 256, problems);
        if (!problems.isEmpty())
        {
            RelayRequests.respondInvalid(ex, problems);
            return;
        }
        if (token == null)
        {
            final BearerAuth.Principal principal = auth.authenticate(ex);
            if (principal != null)
            {
                ex.offer(p.userShard(principal.userId()), () -> revoke(principal.familyId(), "bearer")
                    .send(ex, p.history.journal()));
            }
            return;
        }
        final RefreshTokens.Parsed parsed = p.refreshTokens.parse(token);
        final TokenFamily family = parsed == null ? null : p.families.get(parsed.familyId(), new TokenFamily());
        if (family == null || !p.refreshTokens.authentic(token))
        {
            ex.responseHeaders().set(HttpHeaderNames.WWW_AUTHENTICATE, BearerAuth.CHALLENGE);
            invalidRefresh("the refresh token is not valid").send(ex, p.history.journal());
            return;
        }
        ex.offer(p.userShard(family.userId), () -> revoke(parsed.familyId(), "refresh_token").send(ex, p.history.journal()));
    }

    private Outcome revoke(final String familyId, final String by)
    {
        final long now = p.now();
        final TokenFamily f = p.families.get(familyId, new TokenFamily());
        long seq = 0;
        if (f != null && !f.revoked())
        {
            f.revokedAtMillis = now;
            p.families.put(familyId, f);
            seq = p.history.auth(f.userId, "logout", Outcome.details("family", familyId, "by", by), now);
        }
        return Outcome.ok(Outcome.details("status", "logged_out")).after(seq);
    }

    /** {@code GET /api/v1/auth/session}: user, entitlement, usage and the live relay. */
    void session(final HttpExchange ex)
    {
        final BearerAuth.Principal principal = auth.authenticate(ex);
        if (principal != null)
        {
            ex.offer(p.userShard(principal.userId()), () ->
                Outcome.ok(lifecycle.summary(principal.user())).send(ex, p.history.journal()));
        }
    }
}
