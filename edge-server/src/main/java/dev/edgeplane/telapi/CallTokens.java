package dev.edgeplane.telapi;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.RegisteredClaims;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;

/**
 * Short-lived call tokens (docs/ARCHITECTURE.md "Security model": HS256 with {@code JWT_SECRET},
 * {@code aud}, {@code exp}, {@code jti}): they bind one web user ({@code sub}) to one ARI channel
 * ({@code channel}) and are what {@code GET /ws/channel?token=} accepts. No leeway on {@code exp}: an
 * expired call token closes its socket.
 *
 * <p>Thread-safe: java-jwt's algorithm and verifier are immutable.
 */
public final class CallTokens
{
    public static final String ISSUER = "telapi";
    public static final String AUDIENCE = "telapi:ws/channel";
    public static final String CHANNEL_CLAIM = "channel";
    public static final String ENDPOINT_CLAIM = "endpoint";

    /** A verified call token. */
    public record Claims(String userId, String channelId, String endpoint, String jti, long expiresAtMillis)
    {
    }

    /** An issued call token. */
    public record Issued(String token, Instant expiresAt, String jti)
    {
    }

    private final Algorithm algorithm;
    private final JWTVerifier verifier;
    private final Duration ttl;
    private final Clock clock;

    /** @param secret {@code JWT_SECRET}, not null. */
    public CallTokens(final String secret, final Duration ttl, final Clock clock)
    {
        this.algorithm = Algorithm.HMAC256(secret.getBytes(StandardCharsets.UTF_8));
        this.ttl = ttl;
        this.clock = clock;
        this.verifier = ((JWTVerifier.BaseVerification)JWT.require(algorithm)
            .withIssuer(ISSUER)
            .withAudience(AUDIENCE)
            .withClaimPresence(RegisteredClaims.SUBJECT)
            .withClaimPresence(RegisteredClaims.EXPIRES_AT)
            .withClaimPresence(RegisteredClaims.JWT_ID)
            .withClaimPresence(CHANNEL_CLAIM))
            .build(clock);
    }

    public Issued issue(final String userId, final String channelId, final String endpoint)
    {
        final Instant now = clock.instant();
        final Instant exp = now.plus(ttl);
        final String jti = UUID.randomUUID().toString();
        final String token = JWT.create()
            .withIssuer(ISSUER)
            .withAudience(AUDIENCE)
            .withSubject(userId)
            .withIssuedAt(now)
            .withExpiresAt(exp)
            .withJWTId(jti)
            .withClaim(CHANNEL_CLAIM, channelId)
            .withClaim(ENDPOINT_CLAIM, endpoint)
            .sign(algorithm);
        return new Issued(token, Instant.ofEpochSecond(exp.getEpochSecond()), jti);
    }

    public TokenCheck<Claims> verify(final String token)
    {
        if (token == null || token.isBlank())
        {
            return TokenCheck.refused("missing_token", "connect with ?token=<call token from POST /tokens/call>");
        }
        try
        {
            final DecodedJWT jwt = verifier.verify(token);
            return TokenCheck.ok(new Claims(jwt.getSubject(), jwt.getClaim(CHANNEL_CLAIM).asString(),
                jwt.getClaim(ENDPOINT_CLAIM).asString(), jwt.getId(), jwt.getExpiresAtAsInstant().toEpochMilli()));
        }
        catch (final SignatureVerificationException e)
        {
            return TokenCheck.secretMismatch("the call token's signature");
        }
        catch (final TokenExpiredException e)
        {
            return TokenCheck.refused("token_expired", "the call token has expired; ask POST /tokens/call for a new one");
        }
        catch (final JWTVerificationException e)
        {
            return TokenCheck.refused("invalid_token", "the call token is not valid: " + e.getMessage());
        }
    }
}
