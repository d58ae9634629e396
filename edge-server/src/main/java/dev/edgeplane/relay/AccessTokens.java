package dev.edgeplane.relay;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.RegisteredClaims;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;

/**
 * Short-lived access tokens: JWT HS256 (RFC 7519) with {@code sub} (user id), {@code iat}, {@code exp},
 * {@code jti}, {@code iss} and {@code sid} (the refresh-token family, so logout and reuse detection also end the
 * family's access tokens), verified with a small clock-skew leeway against the injected clock.
 *
 * <p>Issuing is deterministic: the same (user, family, jti, iat) always signs to the same token, which is how a
 * concurrent refresh inside the grace window gets the very same pair without the server keeping a token.
 *
 * <p>Thread-safe: the algorithm and verifier of java-jwt are immutable.
 */
final class AccessTokens
{
    static final String ISSUER = "edgeplane-relay";
    static final String FAMILY_CLAIM = "sid";

    /** A verified token's subject and family. */
    record Verified(String userId, String familyId)
    {
    }

    private final Algorithm algorithm;
    private final JWTVerifier verifier;
    private final long ttlSeconds;

    AccessTokens(final byte[] key, final Duration ttl, final Duration leeway, final Clock clock)
    {
        this.algorithm = Algorithm.HMAC256(key);
        this.ttlSeconds = ttl.toSeconds();
        this.verifier = ((JWTVerifier.BaseVerification)JWT.require(algorithm)
            .withIssuer(ISSUER)
            .acceptLeeway(leeway.toSeconds())
            .withClaimPresence(RegisteredClaims.SUBJECT)
            .withClaimPresence(RegisteredClaims.EXPIRES_AT)
            .withClaimPresence(RegisteredClaims.ISSUED_AT)
            .withClaimPresence(RegisteredClaims.JWT_ID)
            .withClaimPresence(FAMILY_CLAIM))
            .build(clock);
    }

    long ttlSeconds()
    {
        return ttlSeconds;
    }

    String issue(final String userId, final String familyId, final String jti, final long issuedAtSeconds)
    {
        return JWT.create()
            .withIssuer(ISSUER)
            .withSubject(userId)
            .withIssuedAt(Instant.ofEpochSecond(issuedAtSeconds))
            .withExpiresAt(Instant.ofEpochSecond(issuedAtSeconds + ttlSeconds))
            .withJWTId(jti)
            .withClaim(FAMILY_CLAIM, familyId)
            .sign(algorithm);
    }

    /** @return seconds the token issued at {@code issuedAtSeconds} has left at {@code nowMillis} (at least 0). */
    long expiresIn(final long issuedAtSeconds, final long nowMillis)
    {
        return Math.max(0, issuedAtSeconds + ttlSeconds - nowMillis / 1000);
    }

    /** @return the subject and family, or null when the token is malformed, forged, expired or incomplete. */
    Verified verify(final String token)
    {
        try
        {
            final DecodedJWT jwt = verifier.verify(token);
            final String sub = jwt.getSubject();
            final String sid = jwt.getClaim(FAMILY_CLAIM).asString();
            return sub == null || sid == null ? null : new Verified(sub, sid);
        }
        catch (final JWTVerificationException e)
        {
            return null;
        }
    }
}
