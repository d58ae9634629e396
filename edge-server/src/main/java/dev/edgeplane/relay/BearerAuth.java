package dev.edgeplane.relay;

import dev.edgeplane.relay.state.TokenFamily;
import dev.edgeplane.server.HttpExchange;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Bearer authentication of the plugin's API calls (RFC 6750): {@code Authorization: Bearer <access token>},
 * a valid JWT ({@link AccessTokens}) whose user exists and whose refresh-token family is neither revoked
 * (logout, reuse detection) nor gone. Failure is 401 {@code unauthorized} with {@code WWW-Authenticate}.
 *
 * <p>Thread-safe; runs on the event loop (a JWT check and one off-heap read).
 */
final class BearerAuth
{
    static final String CHALLENGE = "Bearer realm=\"edgeplane-relay\"";

    /** An authenticated caller. */
    record Principal(UserDirectory.RelayUser user, String familyId)
    {
        String userId()
        {
            return user.id();
        }
    }

    private final RelayPlane p;

    BearerAuth(final RelayPlane plane)
    {
        this.p = plane;
    }

    /** @return the caller, or null once the 401 has been sent. */
    Principal authenticate(final HttpExchange ex)
    {
        final String header = ex.header(HttpHeaderNames.AUTHORIZATION);
        if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7))
        {
            ex.responseHeaders().set(HttpHeaderNames.WWW_AUTHENTICATE, CHALLENGE);
            ex.respondError(HttpResponseStatus.UNAUTHORIZED, "unauthorized",
                "this endpoint needs Authorization: Bearer <access token>", null);
            return null;
        }
        final AccessTokens.Verified v = p.accessTokens.verify(header.substring(7).trim());
        final UserDirectory.RelayUser user = v == null ? null : p.users.byId(v.userId());
        final TokenFamily family = v == null ? null : p.families.get(v.familyId(), new TokenFamily());
        if (user == null || family == null || family.revoked() || !family.userId.equals(user.id()))
        {
            ex.responseHeaders().set(HttpHeaderNames.WWW_AUTHENTICATE, CHALLENGE + ", error=\"invalid_token\"");
            ex.respondError(HttpResponseStatus.UNAUTHORIZED, "unauthorized",
                "the access token is invalid, expired or revoked; refresh it or sign in again", null);
            return null;
        }
        return new Principal(user, v.familyId());
    }
}
